// The console of the Slack stand-in: act as a sandbox user, type slash commands, watch what the bot posts.
//
// Everything shown is built with DOM APIs (createElement, textContent): message data never goes through
// innerHTML. The page only talks to the stand-in's JSON controls under /__sandbox__/.
"use strict";

(function () {
  const POLL_MS = 500;
  const BOT_USER_ID = "U0IGBOT";
  const STORAGE_PREFIX = "igbot-console:";

  // A few of Slack's emoji short codes (the ones igbot and everyday messages use); others stay as text.
  const EMOJI = {
    white_check_mark: "✅", heavy_check_mark: "✔️", hourglass_flowing_sand: "⏳", hourglass: "⌛",
    wave: "👋", camera_with_flash: "📸", camera: "📷", heart: "❤️", movie_camera: "🎥",
    bust_in_silhouette: "👤", busts_in_silhouette: "👥", warning: "⚠️", lock: "🔒", x: "❌",
    no_entry: "⛔", tada: "🎉", link: "🔗", key: "🔑", eyes: "👀", sparkles: "✨", star: "⭐",
    information_source: "ℹ️", mag: "🔍", rotating_light: "🚨", thinking_face: "🤔", "+1": "👍",
    thumbsup: "👍", "-1": "👎", smile: "😄", slightly_smiling_face: "🙂", zap: "⚡", stopwatch: "⏱️",
    broken_heart: "💔", no_entry_sign: "🚫", arrows_counterclockwise: "🔄", frame_with_picture: "🖼️",
  };
  const ENTITIES = { lt: "<", gt: ">", amp: "&" };

  const state = {
    workspace: { teams: [] },
    team: null, // team id
    user: null, // user id acting
    channel: null, // channel id open
    entries: new Map(), // key -> entry (messages from the bot, commands typed, failures)
    messageSeq: 0,
    commandSeq: 0,
    unread: new Map(), // channel id -> count, for the acting user
    instance: null,
    caughtUp: false,
    stickToBottom: true,
    history: [],
    historyAt: 0,
    thread: null, // ts of the thread open beside the channel, if any
    modal: null, // {id, version} of the modal shown, if any
    home: false, // the App Home tab is open instead of a channel
    homeVersion: null, // id|hash of the home view shown
    info: {}, // /console/info (install_url, client_id, ...)
  };

  // ---------- small DOM helpers ----------

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function $(id) {
    return document.getElementById(id);
  }

  function isHttpUrl(value) {
    return typeof value === "string" && /^https?:\/\/[^\s]+$/i.test(value);
  }

  function decodeEntities(text) {
    return text.replace(/&(lt|gt|amp);/g, (_, name) => ENTITIES[name]);
  }

  function emojify(text) {
    return text.replace(/:([a-z0-9_+-]+):/g, (whole, name) =>
      Object.prototype.hasOwnProperty.call(EMOJI, name) ? EMOJI[name] : whole
    );
  }

  function findUser(teamId, userId) {
    const team = state.workspace.teams.find((t) => t.id === teamId);
    return team ? team.users.find((u) => u.id === userId) : undefined;
  }

  function findChannel(teamId, channelId) {
    const team = state.workspace.teams.find((t) => t.id === teamId);
    return team ? team.channels.find((c) => c.id === channelId) : undefined;
  }

  function userName(teamId, userId) {
    const user = findUser(teamId, userId);
    return user ? user.name : userId;
  }

  // ---------- mrkdwn -> DOM ----------
  //
  // The raw text is first cut into atoms: single characters, or finished nodes for `code`, ```blocks```
  // and <control sequences>. Emphasis (*bold*, _italic_, ~strike~) is then matched over the atoms, so
  // a bold span may hold a link (*<url|@name>*). Entities (&lt; &gt; &amp;) are decoded only when a run
  // of characters becomes a text node, so escaped text can never turn into markup or a link.

  function renderMrkdwn(text, teamId) {
    const root = el("span", "mrkdwn");
    build(atomize(String(text || ""), teamId || state.team), root);
    return root;
  }

  function atomize(text, teamId) {
    const atoms = [];
    let i = 0;
    while (i < text.length) {
      const ch = text[i];
      if (text.startsWith("```", i)) {
        const end = text.indexOf("```", i + 3);
        if (end > i + 3) {
          atoms.push({ node: el("pre", null, decodeEntities(text.slice(i + 3, end).replace(/^\n/, ""))) });
          i = end + 3;
          continue;
        }
      }
      if (ch === "`") {
        const end = text.indexOf("`", i + 1);
        if (end > i + 1 && !text.slice(i + 1, end).includes("\n")) {
          atoms.push({ node: el("code", null, decodeEntities(text.slice(i + 1, end))) });
          i = end + 1;
          continue;
        }
      }
      if (ch === "<") {
        const end = text.indexOf(">", i + 1);
        const inner = end > i + 1 ? text.slice(i + 1, end) : "";
        if (inner && !inner.includes("<") && !inner.includes("\n")) {
          atoms.push({ node: controlSequence(inner, teamId) });
          i = end + 1;
          continue;
        }
      }
      atoms.push({ ch });
      i += 1;
    }
    return atoms;
  }

  const EMPHASIS = { "*": "strong", _: "em", "~": "s" };

  function isWordChar(ch) {
    return /[\p{L}\p{N}]/u.test(ch);
  }

  function canOpen(atoms, i) {
    const before = atoms[i - 1];
    const after = atoms[i + 1];
    if (before && !before.node && isWordChar(before.ch)) return false;
    return Boolean(after) && (Boolean(after.node) || !/\s/.test(after.ch));
  }

  function closing(atoms, i, marker) {
    for (let k = i + 1; k < atoms.length; k += 1) {
      const atom = atoms[k];
      if (atom.ch === "\n") return -1;
      if (atom.ch !== marker || k === i + 1) continue;
      const before = atoms[k - 1];
      const after = atoms[k + 1];
      const tightBefore = before.node || !/\s/.test(before.ch);
      const boundaryAfter = !after || after.node || !isWordChar(after.ch);
      if (tightBefore && boundaryAfter) return k;
    }
    return -1;
  }

  function build(atoms, parent) {
    let run = "";
    const flush = () => {
      if (run) parent.appendChild(document.createTextNode(emojify(decodeEntities(run))));
      run = "";
    };
    let i = 0;
    while (i < atoms.length) {
      const atom = atoms[i];
      if (atom.node) {
        flush();
        parent.appendChild(atom.node);
        i += 1;
        continue;
      }
      if (EMPHASIS[atom.ch] && canOpen(atoms, i)) {
        const end = closing(atoms, i, atom.ch);
        if (end > i + 1) {
          flush();
          const span = el(EMPHASIS[atom.ch]);
          build(atoms.slice(i + 1, end), span);
          parent.appendChild(span);
          i = end + 1;
          continue;
        }
      }
      run += atom.ch;
      i += 1;
    }
    flush();
  }

  function controlSequence(inner, teamId) {
    const bar = inner.indexOf("|");
    const target = bar >= 0 ? inner.slice(0, bar) : inner;
    const label = bar >= 0 ? decodeEntities(inner.slice(bar + 1)) : "";
    if (target.startsWith("@")) {
      const id = target.slice(1);
      const node = el("span", "mention", "@" + (label || userName(teamId, id)));
      node.dataset.userId = id;
      if (id === state.user) node.classList.add("me");
      return node;
    }
    if (target.startsWith("#")) {
      const channel = findChannel(teamId, target.slice(1));
      return el("span", "mention", "#" + (label || (channel ? channel.name : target.slice(1))));
    }
    if (target.startsWith("!")) return special(target.slice(1), label);
    const url = decodeEntities(target);
    if (isHttpUrl(url)) {
      const link = el("a", null, label || url);
      link.href = url;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      return link;
    }
    return el("span", null, label || url); // mailto:, javascript: and the like are shown, never linked
  }

  function special(command, label) {
    const [name, ...rest] = command.split("^");
    if (["here", "channel", "everyone"].includes(name)) return el("span", "mention", "@" + name);
    if (name === "date" && /^\d+$/.test(rest[0] || "")) {
      return el("span", "date", formatDate(Number(rest[0]), rest[1] || "", label));
    }
    return el("span", null, label || command);
  }

  function formatDate(seconds, format, fallback) {
    const date = new Date(seconds * 1000);
    if (Number.isNaN(date.getTime())) return fallback;
    const parts = {
      date_num: date.toISOString().slice(0, 10),
      date: date.toLocaleDateString(undefined, { year: "numeric", month: "long", day: "numeric" }),
      date_short: date.toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" }),
      date_long: date.toLocaleDateString(undefined, {
        weekday: "long", year: "numeric", month: "long", day: "numeric",
      }),
      time: date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" }),
      time_secs: date.toLocaleTimeString(),
    };
    parts.date_pretty = parts.date;
    parts.date_short_pretty = parts.date_short;
    parts.date_long_pretty = parts.date_long;
    const text = format.replace(/\{(\w+)\}/g, (whole, key) => parts[key] || whole);
    return text || fallback;
  }

  // ---------- Block Kit -> DOM ----------

  function renderText(obj, teamId) {
    if (!obj || typeof obj !== "object") return el("span");
    if (obj.type === "mrkdwn") return renderMrkdwn(obj.text, teamId);
    const text = String(obj.text || "");
    return el("span", "plain", obj.emoji === false ? text : emojify(text));
  }

  function image(url, alt, className) {
    if (!isHttpUrl(url)) return el("span", "unsupported", `[image: ${alt || "no valid URL"}]`);
    const img = el("img", className);
    img.src = url;
    img.alt = String(alt || "");
    img.title = String(alt || "");
    img.decoding = "async";
    return img;
  }

  function renderElement(element, ctx) {
    if (!element || typeof element !== "object") return el("span");
    if (element.type === "button") return renderButton(element, ctx);
    if (element.type === "static_select") return renderSelect(element, ctx);
    if (element.type === "image") return image(element.image_url, element.alt_text, "context-image");
    if (element.type === "mrkdwn" || element.type === "plain_text") return renderText(element, ctx.teamId);
    return el("span", "unsupported", `[${element.type || "element"}: not shown in the console]`);
  }

  function renderButton(element, ctx) {
    const button = el("button", "btn");
    button.type = "button";
    button.textContent = emojify(String((element.text && element.text.text) || "button"));
    button.dataset.actionId = String(element.action_id || "");
    if (element.value !== undefined) button.dataset.value = String(element.value);
    if (element.style === "primary" || element.style === "danger") button.classList.add(element.style);
    if (isHttpUrl(element.url)) {
      button.dataset.url = element.url;
      button.classList.add("link");
      button.title = element.url;
    }
    if (ctx.home) {
      button.addEventListener("click", () => clickHomeButton(element));
      return button;
    }
    if (!ctx.message) {
      button.disabled = true; // buttons inside modals send block_actions Slack-side; not in the console yet
      button.title = "buttons inside modals are not clickable in the console";
      return button;
    }
    if (element.confirm && typeof element.confirm === "object") {
      button.dataset.confirm = "true";
      button.addEventListener("click", () =>
        showConfirm(element.confirm, ctx.teamId, () => clickButton(ctx.message, element))
      );
    } else {
      button.addEventListener("click", () => clickButton(ctx.message, element));
    }
    return button;
  }

  // ---------- confirm dialogs (a button's `confirm` object) ----------

  function closeConfirm() {
    const open = $("confirm-dialog");
    if (open) open.remove();
  }

  function showConfirm(confirm, teamId, onConfirm) {
    closeConfirm();
    const overlay = el("div", "confirm-overlay");
    overlay.id = "confirm-dialog";
    const dialog = overlay.appendChild(el("div", "confirm-dialog"));
    dialog.setAttribute("role", "alertdialog");
    dialog.setAttribute("aria-modal", "true");
    const title = dialog.appendChild(el("h2", "confirm-title"));
    title.appendChild(renderText(confirm.title, teamId));
    dialog.appendChild(el("div", "confirm-text")).appendChild(renderText(confirm.text, teamId));
    const buttons = dialog.appendChild(el("div", "confirm-buttons"));
    const deny = buttons.appendChild(el("button", "btn confirm-cancel"));
    deny.type = "button";
    deny.id = "confirm-cancel";
    deny.textContent = emojify(String((confirm.deny && confirm.deny.text) || "Cancel"));
    const ok = buttons.appendChild(el("button", "btn confirm-ok"));
    ok.type = "button";
    ok.id = "confirm-ok";
    ok.textContent = emojify(String((confirm.confirm && confirm.confirm.text) || "Confirm"));
    ok.classList.add(confirm.style === "danger" ? "danger" : "primary");
    deny.addEventListener("click", closeConfirm);
    ok.addEventListener("click", () => {
      closeConfirm();
      onConfirm();
    });
    overlay.addEventListener("keydown", (event) => {
      if (event.key === "Escape") closeConfirm();
    });
    document.body.appendChild(overlay);
    ok.focus();
  }

  function renderSelect(element, ctx) {
    const select = el("select", "menu");
    select.dataset.actionId = String(element.action_id || "");
    const placeholder = el("option", null, (element.placeholder && element.placeholder.text) || "Choose…");
    placeholder.value = "";
    placeholder.disabled = true;
    placeholder.selected = true;
    select.appendChild(placeholder);
    list(element.options).forEach((option) => {
      const node = el("option", null, emojify(String((option.text && option.text.text) || option.value)));
      node.value = String(option.value);
      select.appendChild(node);
    });
    select.addEventListener("change", () => chooseOption(ctx.message, element, select.value));
    return select;
  }

  function list(value) {
    return Array.isArray(value) ? value : [];
  }

  function renderBlock(block, ctx) {
    const type = block && typeof block.type === "string" ? block.type : "";
    const node = el("div", `block block-${/^[a-z_]+$/.test(type) ? type : "unknown"}`);
    if (block && block.block_id) node.dataset.blockId = String(block.block_id);
    if (type === "section") {
      const main = el("div", "section-main");
      if (block.text) main.appendChild(renderText(block.text, ctx.teamId));
      if (list(block.fields).length) {
        const fields = el("div", "section-fields");
        block.fields.forEach((field) => {
          fields.appendChild(el("div", "field")).appendChild(renderText(field, ctx.teamId));
        });
        main.appendChild(fields);
      }
      node.appendChild(main);
      const accessory = block.accessory;
      if (accessory && accessory.type === "image") {
        node.appendChild(image(accessory.image_url, accessory.alt_text, "accessory-image"));
      } else if (accessory) {
        node.appendChild(renderElement(accessory, ctx));
      }
    } else if (type === "image") {
      const figure = el("figure");
      if (block.title) figure.appendChild(el("figcaption")).appendChild(renderText(block.title, ctx.teamId));
      figure.appendChild(image(block.image_url, block.alt_text, "block-image-img"));
      node.appendChild(figure);
    } else if (type === "context" || type === "actions") {
      list(block.elements).forEach((element) => node.appendChild(renderElement(element, ctx)));
    } else if (type === "divider") {
      return el("hr", "block block-divider");
    } else if (type === "header") {
      node.appendChild(renderText(block.text, ctx.teamId));
    } else {
      node.appendChild(el("span", "unsupported", `[${type || "unknown"} block: not shown in the console]`));
    }
    return node;
  }

  function renderBlocks(blocks, ctx) {
    const frag = document.createDocumentFragment();
    list(blocks).forEach((block) => frag.appendChild(renderBlock(block, ctx)));
    return frag;
  }

  // ---------- entries: what the timeline holds ----------

  function tsKey(ts) {
    const [seconds, micros] = String(ts).split(".");
    return seconds.padStart(12, "0") + "." + (micros || "").padEnd(6, "0");
  }

  function messageEntry(m) {
    const key = m.valid ? `m:${m.team_id}:${m.channel_id}:${m.ts}` : `bad:${m.seq}`;
    const thread = m.thread_ts && m.thread_ts !== m.ts ? m.thread_ts : null;
    return {
      key, kind: "message", team: m.team_id, channel: m.channel_id, ts: m.ts, order: tsKey(m.ts),
      visibleTo: m.ephemeral ? m.user_id : null, data: m, thread, broadcast: Boolean(thread && m.reply_broadcast),
    };
  }

  function commandEntry(c) {
    return {
      key: `c:${c.seq}`, kind: c.kind, team: c.team_id, channel: c.channel_id, ts: c.ts, order: tsKey(c.ts),
      visibleTo: c.user_id, data: c,
    };
  }

  function visible(entry) {
    return entry.team === state.team && (entry.visibleTo === null || entry.visibleTo === state.user);
  }

  function shown(entry) {
    return visible(entry) && entry.channel === state.channel && (!entry.thread || entry.broadcast);
  }

  // ---------- threads ----------

  function repliesOf(team, channel, ts) {
    const replies = Array.from(state.entries.values()).filter(
      (e) => e.thread === ts && e.team === team && e.channel === channel && visible(e)
    );
    replies.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
    return replies;
  }

  function parentEntry(team, channel, ts) {
    return Array.from(state.entries.values()).find(
      (e) => e.kind === "message" && e.ts === ts && e.team === team && e.channel === channel && !e.thread
    );
  }

  function openThread(ts) {
    state.thread = ts;
    renderThread();
  }

  function closeThread() {
    state.thread = null;
    renderThread();
  }

  function renderThread() {
    const panel = $("thread");
    const parent = state.thread ? parentEntry(state.team, state.channel, state.thread) : null;
    if (!state.thread || !parent) {
      panel.hidden = true;
      panel.removeAttribute("data-thread-ts");
      $("thread-messages").replaceChildren();
      $("app").classList.remove("with-thread");
      return;
    }
    panel.hidden = false;
    panel.dataset.threadTs = state.thread;
    $("app").classList.add("with-thread");
    const replies = repliesOf(state.team, state.channel, state.thread);
    const parentNode = renderEntry(parent, { inThread: true });
    parentNode.classList.add("thread-parent");
    const count = el("div", "thread-count", `${replies.length} ${replies.length === 1 ? "reply" : "replies"}`);
    const nodes = replies.map((reply) => {
      const node = renderEntry(reply, { inThread: true });
      node.classList.add("thread-reply");
      return node;
    });
    $("thread-messages").replaceChildren(parentNode, count, ...nodes);
    const box = $("thread-messages");
    box.scrollTop = box.scrollHeight;
  }

  function threadLink(entry) {
    const replies = repliesOf(entry.team, entry.channel, entry.ts);
    if (!replies.length) return null;
    const link = el("button", "thread-link", `${replies.length} ${replies.length === 1 ? "reply" : "replies"}`);
    link.type = "button";
    link.dataset.threadTs = entry.ts;
    link.dataset.replyCount = String(replies.length);
    link.addEventListener("click", () => openThread(entry.ts));
    return link;
  }

  function avatar(className, letter) {
    return el("div", `avatar ${className}`, letter);
  }

  function colorOf(id) {
    let hash = 0;
    for (const ch of String(id)) hash = (hash * 31 + ch.charCodeAt(0)) % 997;
    return `c${hash % 6}`;
  }

  function timeOf(ts) {
    const date = new Date(Number(String(ts).split(".")[0]) * 1000);
    const node = el("time", "time", date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }));
    node.dateTime = date.toISOString();
    node.title = date.toLocaleString();
    return node;
  }

  function renderEntry(entry, options) {
    const inThread = Boolean(options && options.inThread);
    const data = entry.data;
    const node = el("div", "message");
    node.dataset.key = entry.key;
    node.dataset.ts = entry.ts;
    node.dataset.kind = entry.kind;
    const body = el("div", "message-body");
    const meta = el("div", "meta");
    const content = el("div", "content");
    if (entry.kind === "message" && data.source === "user") {
      renderUserMessage(node, meta, content, entry);
    } else if (entry.kind === "message") {
      node.dataset.seq = data.seq;
      node.dataset.source = data.source;
      node.dataset.sender = BOT_USER_ID;
      node.classList.add("from-bot", data.ephemeral ? "ephemeral" : "in-channel");
      node.appendChild(avatar("bot", "ig"));
      meta.append(el("span", "sender", "igbot"), el("span", "app-badge", "APP"), timeOf(entry.ts));
      const ctx = { message: data, teamId: entry.team };
      try {
        if (list(data.blocks).length) content.appendChild(renderBlocks(data.blocks, ctx));
        else content.appendChild(renderMrkdwn(data.text, entry.team));
      } catch (error) {
        // One odd message must not stop the live view: say so in its place and carry on.
        content.replaceChildren(el("span", "unsupported", `[the console could not show this message: ${error}]`));
      }
      if (entry.thread) {
        node.dataset.threadTs = entry.thread;
        if (entry.broadcast && !inThread) {
          const note = el("button", "broadcast-note", "replied to a thread");
          note.type = "button";
          note.dataset.threadTs = entry.thread;
          note.addEventListener("click", () => openThread(entry.thread));
          content.appendChild(note);
        }
      } else if (!inThread && data.valid) {
        const link = threadLink(entry);
        if (link) content.appendChild(link);
      }
      if (!data.valid) {
        node.classList.add("invalid");
        const note = el("div", "invalid-note", "Slack rejected this message, so nobody saw it:");
        const items = note.appendChild(el("ul"));
        list(data.errors).forEach((error) => items.appendChild(el("li", null, error)));
        content.appendChild(note);
      }
    } else if (entry.kind === "command") {
      const user = findUser(entry.team, data.user_id);
      node.dataset.sender = data.user_id;
      node.classList.add("command-echo");
      node.appendChild(avatar(colorOf(data.user_id), (user ? user.name : data.user_id).slice(0, 1).toUpperCase()));
      meta.append(
        el("span", "sender", user ? user.real_name || user.name : data.user_id), timeOf(entry.ts),
        el("span", "tag", "slash command")
      );
      content.appendChild(el("code", "command", data.text));
    } else {
      node.dataset.sender = "USLACKBOT";
      node.classList.add("failure", "ephemeral");
      node.appendChild(avatar("slackbot", "S"));
      meta.append(el("span", "sender", "Slackbot"), timeOf(entry.ts));
      content.textContent = data.text;
    }
    if (node.classList.contains("ephemeral")) body.appendChild(el("div", "ephemeral-note", "Only visible to you"));
    body.append(meta, content);
    node.appendChild(body);
    node.querySelectorAll("img").forEach((img) => img.addEventListener("load", keepAtBottom));
    return node;
  }

  // A person's message (posted from the composer or by a test), with the unfurls igbot attached.
  function renderUserMessage(node, meta, content, entry) {
    const data = entry.data;
    const user = findUser(entry.team, data.sender);
    node.dataset.seq = data.seq;
    node.dataset.source = "user";
    node.dataset.sender = data.sender;
    node.classList.add("from-user", "in-channel");
    node.appendChild(avatar(colorOf(data.sender), (user ? user.name : data.sender).slice(0, 1).toUpperCase()));
    meta.append(el("span", "sender", user ? user.real_name || user.name : data.sender), timeOf(entry.ts));
    content.appendChild(renderMrkdwn(data.text, entry.team));
    Object.entries(data.unfurls || {}).forEach(([url, unfurl]) => {
      const card = content.appendChild(el("div", "unfurl"));
      card.dataset.url = url;
      try {
        if (list(unfurl.blocks).length) card.appendChild(renderBlocks(unfurl.blocks, { message: null, teamId: entry.team }));
        else {
          if (unfurl.title) card.appendChild(el("div", "unfurl-title", String(unfurl.title)));
          if (unfurl.text) card.appendChild(renderMrkdwn(String(unfurl.text), entry.team));
        }
      } catch (error) {
        card.replaceChildren(el("span", "unsupported", `[the console could not show this unfurl: ${error}]`));
      }
    });
  }

  function insertNode(node, entry) {
    const list = $("messages");
    const empty = list.querySelector(".empty");
    if (empty) empty.remove();
    const existing = list.querySelector(`[data-key="${CSS.escape(entry.key)}"]`);
    if (existing) {
      existing.replaceWith(node);
      return;
    }
    const order = entry.order;
    const after = Array.from(list.children).find((child) => {
      const other = state.entries.get(child.dataset.key);
      return other && other.order > order;
    });
    list.insertBefore(node, after || null);
  }

  function keepAtBottom() {
    if (state.stickToBottom) {
      const list = $("messages");
      list.scrollTop = list.scrollHeight;
    }
  }

  function addEntries(entries) {
    let refreshSidebar = false;
    let unknownChannel = false;
    let refreshThread = false;
    const parents = new Set();
    for (const entry of entries) {
      state.entries.set(entry.key, entry);
      if (!findChannel(entry.team, entry.channel)) unknownChannel = true;
      if (state.thread && entry.channel === state.channel && (entry.thread === state.thread || entry.ts === state.thread)) {
        refreshThread = true;
      }
      if (entry.thread) parents.add(entry.thread);
      if (shown(entry)) {
        insertNode(renderEntry(entry), entry);
      } else if (entry.thread && !entry.broadcast) {
        // a reply only in its thread: not unread in the channel; the parent's "N replies" changes
      } else if (visible(entry) && state.caughtUp) {
        state.unread.set(entry.channel, (state.unread.get(entry.channel) || 0) + 1);
        refreshSidebar = true;
      }
    }
    for (const ts of parents) {
      const parent = parentEntry(state.team, state.channel, ts);
      if (parent && shown(parent)) insertNode(renderEntry(parent), parent);
    }
    if (refreshThread) renderThread();
    if (entries.length) keepAtBottom();
    if (unknownChannel) loadWorkspace().then(renderSidebar);
    else if (refreshSidebar) renderSidebar();
  }

  function renderTimeline() {
    const list = $("messages");
    list.replaceChildren();
    const entries = Array.from(state.entries.values()).filter(shown);
    entries.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
    for (const entry of entries) list.appendChild(renderEntry(entry));
    if (!entries.length) {
      const channel = findChannel(state.team, state.channel);
      const empty = el("p", "empty");
      empty.append("This is the very beginning of ", el("strong", null, channelLabel(channel)), ". Type ");
      empty.append(el("code", null, "/ig help"), " below to see what igbot can do.");
      list.appendChild(empty);
    }
    state.stickToBottom = true;
    keepAtBottom();
  }

  // ---------- workspace, pickers, channels ----------

  function currentTeam() {
    return state.workspace.teams.find((t) => t.id === state.team);
  }

  function people(team) {
    return team ? team.users.filter((u) => !u.is_bot) : [];
  }

  function channelLabel(channel) {
    if (!channel) return "#" + (state.channel || "");
    if (channel.is_im) return "igbot";
    return (channel.is_private ? "" : "#") + channel.name;
  }

  function channelKind(channel) {
    return !channel ? "public" : channel.is_im ? "im" : channel.is_private ? "private" : "public";
  }

  function channelName(channel) {
    const node = el("span", "channel-name", channelLabel(channel));
    node.dataset.kind = channelKind(channel);
    return node;
  }

  function channelsFor(team, userId) {
    if (!team) return [];
    return team.channels.filter((c) =>
      c.is_im ? c.members.includes(userId) : !c.is_private || c.members.includes(userId)
    );
  }

  async function loadWorkspace() {
    state.workspace = await getJSON("/__sandbox__/workspace");
  }

  function renderPickers() {
    const teamPicker = $("team-picker");
    teamPicker.replaceChildren(
      ...state.workspace.teams.map((t) => {
        const option = el("option", null, t.name);
        option.value = t.id;
        return option;
      })
    );
    teamPicker.value = state.team;
    const userPicker = $("user-picker");
    userPicker.replaceChildren(
      ...people(currentTeam()).map((u) => {
        const option = el("option", null, `${u.name} (${u.real_name})`);
        option.value = u.id;
        return option;
      })
    );
    userPicker.value = state.user;
  }

  function renderSidebar() {
    const team = currentTeam();
    $("team-name").textContent = team ? team.name : state.team;
    const channels = channelsFor(team, state.user);
    const item = (channel) => {
      const li = el("li");
      const button = li.appendChild(el("button", null));
      button.type = "button";
      button.dataset.channel = channel.id;
      button.appendChild(channelName(channel));
      const unread = channel.id === state.channel ? 0 : state.unread.get(channel.id) || 0;
      if (unread) {
        button.classList.add("unread");
        button.appendChild(el("span", "unread-count", unread));
      }
      if (channel.id === state.channel) {
        button.classList.add("active");
        button.setAttribute("aria-current", "page");
      }
      button.addEventListener("click", () => openChannel(channel.id));
      return li;
    };
    $("channel-list").replaceChildren(...channels.filter((c) => !c.is_im).map(item));
    $("dm-list").replaceChildren(...channels.filter((c) => c.is_im).map(item));
    const homeItem = el("li");
    const homeButton = homeItem.appendChild(el("button", state.home ? "active" : null, "igbot · Home"));
    homeButton.type = "button";
    homeButton.id = "open-home";
    homeButton.addEventListener("click", openHome);
    $("app-list").replaceChildren(homeItem);
    renderInstallBox(team);
  }

  // ---------- installing and uninstalling igbot (OAuth v2) ----------

  function renderInstallBox(team) {
    const box = $("install-box");
    if (!team) return box.replaceChildren();
    if (team.installed) {
      const button = el("button", "btn danger", "Uninstall igbot");
      button.type = "button";
      button.id = "uninstall";
      button.addEventListener("click", async () => {
        try {
          await postJSON("/__sandbox__/uninstall", { team_id: team.id });
        } catch (error) {
          toast(`Could not uninstall: ${error.message}`);
        }
        await loadWorkspace();
        renderSidebar();
      });
      box.replaceChildren(el("div", "install-state", "igbot is installed here"), button);
      return;
    }
    const query = new URLSearchParams({ client_id: state.info.client_id || "", scope: "commands,chat:write" });
    const link = el("a", "btn primary", "Add igbot");
    link.id = "install";
    link.href = state.info.install_url || `/oauth/v2/authorize?${query}`;
    link.target = "_blank";
    link.rel = "noopener";
    box.replaceChildren(el("div", "install-state", "igbot is not installed in this workspace"), link);
  }

  // ---------- App Home ----------

  function openHome() {
    state.home = true;
    state.homeVersion = null;
    $("messages").hidden = true;
    $("composer").hidden = true;
    $("home-view").hidden = false;
    $("channel-title").textContent = "igbot · Home";
    $("channel-meta").textContent = "App Home";
    $("home-view").replaceChildren(el("p", "empty", "Opening igbot's Home tab…"));
    renderSidebar();
    postJSON("/__sandbox__/app_home_opened", { team_id: state.team, user_id: state.user })
      .catch((error) => toast(`Slack could not tell igbot the Home tab opened: ${error.message}`))
      .finally(() => pollSoon(0));
  }

  function closeHome() {
    state.home = false;
    $("messages").hidden = false;
    $("composer").hidden = false;
    $("home-view").hidden = true;
  }

  function showHome(home) {
    const view = home && home.view;
    const version = view ? `${view.id}|${view.hash}` : "none";
    if (version === state.homeVersion) return;
    state.homeVersion = version;
    const box = $("home-view");
    if (!view) {
      box.replaceChildren(el("p", "empty", "igbot has not published a Home tab for you yet."));
      return;
    }
    try {
      box.replaceChildren(renderBlocks(view.blocks, { home: true, teamId: state.team }));
    } catch (error) {
      box.replaceChildren(el("span", "unsupported", `[the console could not show this view: ${error}]`));
    }
  }

  function clickHomeButton(element) {
    if (isHttpUrl(element.url)) window.open(element.url, "_blank", "noopener");
    const click = { team_id: state.team, user_id: state.user, action_id: element.action_id };
    if (typeof element.value === "string") click.value = element.value; // which feed or inbox it is
    postJSON("/__sandbox__/home_click", click)
      .catch((error) => toast(`Slack could not deliver the click to igbot: ${error.message}`))
      .finally(() => pollSoon(0));
  }

  function renderHeader() {
    const channel = findChannel(state.team, state.channel);
    $("channel-title").replaceChildren(channelName(channel));
    const meta = channel
      ? channel.is_im
        ? "Direct messages with igbot"
        : `${channel.members.length} members${channel.is_private ? " · private" : ""}`
      : "";
    $("channel-meta").textContent = meta;
    $("message-input").placeholder = `Message ${channelLabel(channel)}: try /ig help`;
  }

  function choose(team, user, channel) {
    if (state.home) closeHome();
    state.team = state.workspace.teams.some((t) => t.id === team) ? team : state.workspace.teams[0].id;
    const members = people(currentTeam());
    const remembered = localStorage.getItem(STORAGE_PREFIX + "user:" + state.team);
    const wanted = [user, remembered].find((id) => id && members.some((u) => u.id === id));
    state.user = wanted || (members[0] && members[0].id) || null;
    const channels = channelsFor(currentTeam(), state.user);
    const general = channels.find((c) => c.name === "general") || channels[0];
    state.channel = channels.some((c) => c.id === channel) ? channel : general ? general.id : null;
    if (state.user) localStorage.setItem(STORAGE_PREFIX + "user:" + state.team, state.user);
    localStorage.setItem(STORAGE_PREFIX + "team", state.team);
    state.unread.delete(state.channel);
    const query = new URLSearchParams({ team: state.team, channel: state.channel || "", user: state.user || "" });
    history.replaceState(null, "", `/?${query}`);
    if (state.thread && !parentEntry(state.team, state.channel, state.thread)) state.thread = null;
    renderPickers();
    renderSidebar();
    renderHeader();
    renderTimeline();
    renderThread();
    state.modal = null; // another user may have another modal: the next poll shows it
    renderModal(null);
    pollSoon(0);
  }

  function recountUnread() {
    state.unread.clear(); // counts are per acting user; start afresh when the user or team changes
  }

  function openChannel(channelId) {
    closeHome();
    choose(state.team, state.user, channelId);
    $("message-input").focus();
  }

  // ---------- talking to the stand-in ----------

  async function getJSON(url) {
    const response = await fetch(url, { cache: "no-store" });
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    return response.json();
  }

  async function postJSON(url, body) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    let data = null;
    try {
      data = await response.json();
    } catch (_) {
      data = null;
    }
    if (!response.ok) throw new Error((data && data.error) || `HTTP ${response.status}`);
    return data;
  }

  let toastTimer = null;
  function toast(text) {
    const node = $("toast");
    node.textContent = text;
    node.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => (node.hidden = true), 6000);
  }

  function setConnection(live) {
    const node = $("connection");
    node.dataset.state = live ? "live" : "offline";
    node.textContent = live ? "live" : "stand-in not reachable, retrying…";
  }

  let polling = false;
  let pollAgain = false;
  let pollTimer = null;
  let wasOffline = false;

  function pollSoon(delay) {
    clearTimeout(pollTimer);
    pollTimer = setTimeout(poll, delay);
  }

  async function poll() {
    if (polling) {
      pollAgain = true;
      return;
    }
    polling = true;
    let delay = POLL_MS;
    try {
      if (wasOffline) await checkInstance();
      const viewQuery = new URLSearchParams({ team_id: state.team || "", user_id: state.user || "" });
      const [messages, commands, views] = await Promise.all([
        getJSON(`/__sandbox__/messages?since=${state.messageSeq}`),
        getJSON(`/__sandbox__/commands?since=${state.commandSeq}`),
        getJSON(`/__sandbox__/views?${viewQuery}`),
      ]);
      showViews(views);
      if (state.home) {
        showHome((await getJSON(`/__sandbox__/home?${viewQuery}`)).view);
      }
      const fresh = [];
      for (const m of messages) {
        state.messageSeq = Math.max(state.messageSeq, m.seq);
        if (m.delete_original && !m.text && !(m.blocks || []).length) continue;
        fresh.push(messageEntry(m));
      }
      for (const c of commands) {
        state.commandSeq = Math.max(state.commandSeq, c.seq);
        fresh.push(commandEntry(c));
      }
      fresh.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
      addEntries(fresh);
      state.caughtUp = true; // what was there before the page opened is history, not unread
      setConnection(true);
      wasOffline = false;
    } catch (error) {
      setConnection(false);
      wasOffline = true;
      delay = 2000;
    } finally {
      polling = false;
      if (pollAgain) {
        pollAgain = false;
        delay = 0;
      }
      pollSoon(delay);
    }
  }

  async function checkInstance() {
    const info = await getJSON("/console/info");
    if (state.instance && info.instance !== state.instance) {
      // The stand-in was restarted: its numbering starts again, so start the timeline again too.
      state.entries.clear();
      state.unread.clear();
      state.messageSeq = 0;
      state.commandSeq = 0;
      state.caughtUp = false;
      await loadWorkspace();
      choose(state.team, state.user, state.channel);
    }
    state.instance = info.instance;
  }

  async function sendCommand(line) {
    const match = /^\/(\S+)\s*([\s\S]*)$/.exec(line);
    if (!match) return postUserMessage(line);
    if (match[1].toLowerCase() !== "ig") {
      toast(`/${match[1]} is not a valid command here. igbot's command is /ig (try /ig help).`);
      return false;
    }
    if (!state.user || !state.channel) {
      toast("Pick a user and a channel first.");
      return false;
    }
    try {
      await postJSON("/__sandbox__/command", {
        command: "/ig", text: match[2].trim(), team_id: state.team, channel_id: state.channel, user_id: state.user,
      });
    } catch (error) {
      toast(`The command was not sent: ${error.message}`);
    }
    pollSoon(0);
    return true;
  }

  async function postUserMessage(text) {
    if (!state.user || !state.channel) {
      toast("Pick a user and a channel first.");
      return false;
    }
    try {
      await postJSON("/__sandbox__/user_message", {
        text, team_id: state.team, channel_id: state.channel, user_id: state.user,
      });
    } catch (error) {
      toast(`The message was not posted: ${error.message}`);
      return false;
    }
    pollSoon(0);
    return true;
  }

  function clickButton(message, element) {
    // As in Slack: a link button opens its URL in a new tab *and* the app gets a block_actions payload.
    if (isHttpUrl(element.url)) window.open(element.url, "_blank", "noopener");
    postJSON("/__sandbox__/click", {
      team_id: message.team_id, channel_id: message.channel_id, ts: message.ts,
      action_id: element.action_id, user_id: state.user,
    })
      .catch((error) => toast(`Slack could not deliver the click to igbot: ${error.message}`))
      .finally(() => pollSoon(0));
  }

  function chooseOption(message, element, value) {
    postJSON("/__sandbox__/select", {
      team_id: message.team_id, channel_id: message.channel_id, ts: message.ts,
      action_id: element.action_id, value, user_id: state.user,
    })
      .catch((error) => toast(`Slack could not deliver the choice to igbot: ${error.message}`))
      .finally(() => pollSoon(0));
  }

  // ---------- modals (views.open) ----------

  function viewVersion(modal) {
    return `${modal.id}|${modal.view.hash}|${JSON.stringify(modal.errors || {})}`;
  }

  function showViews(views) {
    const mine = list(views).filter((v) => v.team_id === state.team && v.user_id === state.user && v.open);
    const top = mine.length ? mine[mine.length - 1] : null;
    if (modalBusy) return; // a submit or cancel is on its way; its answer decides
    if (!top) {
      if (state.modal) renderModal(null);
      return;
    }
    if (!state.modal || state.modal.version !== viewVersion(top)) renderModal(top);
  }

  function typedValues() {
    const values = {};
    document.querySelectorAll("#modal .modal-input").forEach((input) => {
      values[input.dataset.actionId] = input.value;
    });
    return values;
  }

  function renderInput(block, modal, keep) {
    const blockId = String(block.block_id || "");
    const node = el("div", "block block-input");
    node.dataset.blockId = blockId;
    const element = block.element || {};
    const inputId = `modal-input-${blockId}`;
    const label = node.appendChild(el("label", "input-label"));
    label.htmlFor = inputId;
    label.appendChild(renderText(block.label, modal.team_id));
    if (block.optional) label.appendChild(el("span", "input-optional", " (optional)"));
    const textTypes = ["plain_text_input", "email_text_input", "url_text_input", "number_input"];
    if (textTypes.includes(element.type)) {
      const input = el(element.multiline ? "textarea" : "input", "modal-input");
      if (!element.multiline) input.type = element.type === "number_input" ? "number" : "text";
      input.id = inputId;
      input.dataset.actionId = String(element.action_id || "");
      input.dataset.blockId = blockId;
      if (Number.isInteger(element.max_length)) input.maxLength = element.max_length;
      if (element.placeholder && element.placeholder.text) input.placeholder = String(element.placeholder.text);
      const kept = keep[input.dataset.actionId];
      input.value = kept !== undefined ? kept : String(element.initial_value || "");
      if (element.multiline) input.rows = 4;
      node.appendChild(input);
    } else {
      node.appendChild(el("span", "unsupported", `[${element.type || "element"} input: not shown in the console]`));
    }
    if (block.hint) node.appendChild(el("div", "input-hint")).appendChild(renderText(block.hint, modal.team_id));
    const error = node.appendChild(el("div", "modal-error"));
    error.dataset.errorFor = blockId;
    error.hidden = true;
    return node;
  }

  function showModalErrors(errors) {
    document.querySelectorAll("#modal .modal-error").forEach((node) => {
      const text = errors && errors[node.dataset.errorFor];
      node.textContent = text || "";
      node.hidden = !text;
      node.closest(".block-input").classList.toggle("has-error", Boolean(text));
    });
  }

  function renderModal(modal) {
    const old = $("modal-overlay");
    const sameView = old && modal && state.modal && state.modal.id === modal.id && state.modal.hash === modal.view.hash;
    const keep = sameView ? typedValues() : {};
    if (old) old.remove();
    if (!modal) {
      state.modal = null;
      return;
    }
    state.modal = { id: modal.id, hash: modal.view.hash, version: viewVersion(modal) };
    const view = modal.view;
    const overlay = el("div", "modal-overlay");
    overlay.id = "modal-overlay";
    const box = overlay.appendChild(el("form", "modal"));
    box.id = "modal";
    box.noValidate = true;
    box.setAttribute("role", "dialog");
    box.setAttribute("aria-modal", "true");
    box.setAttribute("aria-labelledby", "modal-title");
    box.dataset.viewId = modal.id;
    box.dataset.callbackId = String(view.callback_id || "");
    const header = box.appendChild(el("header", "modal-header"));
    const title = header.appendChild(el("h2", "modal-title"));
    title.id = "modal-title";
    title.appendChild(renderText(view.title, modal.team_id));
    const body = box.appendChild(el("div", "modal-body"));
    const ctx = { message: null, teamId: modal.team_id };
    list(view.blocks).forEach((block) => {
      if (block && block.type === "input") body.appendChild(renderInput(block, modal, keep));
      else body.appendChild(renderBlock(block, ctx));
    });
    const footer = box.appendChild(el("footer", "modal-footer"));
    const cancel = footer.appendChild(el("button", "btn"));
    cancel.type = "button";
    cancel.id = "modal-cancel";
    cancel.textContent = emojify(String((view.close && view.close.text) || "Cancel"));
    cancel.addEventListener("click", () => cancelModal(modal));
    if (view.submit) {
      const submit = footer.appendChild(el("button", "btn primary"));
      submit.type = "submit";
      submit.id = "modal-submit";
      submit.textContent = emojify(String(view.submit.text || "Submit"));
    }
    box.addEventListener("submit", (event) => {
      event.preventDefault();
      submitModal(modal);
    });
    overlay.addEventListener("keydown", (event) => {
      if (event.key === "Escape") cancelModal(modal);
    });
    document.body.appendChild(overlay);
    showModalErrors(modal.errors);
    const first = box.querySelector(".modal-input");
    if (first && !sameView) first.focus();
  }

  let modalBusy = false;

  async function submitModal(modal) {
    if (modalBusy) return;
    modalBusy = true;
    const submit = $("modal-submit");
    if (submit) submit.disabled = true;
    try {
      const response = await fetch("/__sandbox__/submit_view", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ view_id: modal.id, values: typedValues(), user_id: state.user }),
      });
      const data = await response.json().catch(() => null);
      if (response.status === 400 && data && data.errors) {
        showModalErrors(data.errors); // Slack's client checks these itself; the app hears nothing
      } else if (!response.ok || !data) {
        toast(`The view could not be submitted: ${(data && data.error) || response.status}`);
      } else {
        if (data.result && data.result.error) {
          toast(`We had some trouble connecting to igbot (${data.result.error}). Try again?`);
        }
        const after = data.view;
        if (!after || !after.open) renderModal(null);
        else renderModal(after);
      }
    } catch (error) {
      toast(`The view could not be submitted: ${error.message}`);
    } finally {
      modalBusy = false;
      const again = $("modal-submit");
      if (again) again.disabled = false;
      pollSoon(0);
    }
  }

  async function cancelModal(modal) {
    if (modalBusy) return;
    modalBusy = true;
    renderModal(null);
    try {
      await postJSON("/__sandbox__/close_view", { view_id: modal.id, user_id: state.user });
    } catch (error) {
      toast(`The view could not be closed: ${error.message}`);
    } finally {
      modalBusy = false;
      pollSoon(0);
    }
  }

  // ---------- wiring ----------

  function wire() {
    $("team-picker").addEventListener("change", (event) => {
      recountUnread();
      choose(event.target.value, null, null);
    });
    $("user-picker").addEventListener("change", (event) => {
      recountUnread();
      choose(state.team, event.target.value, state.channel);
    });
    $("composer").addEventListener("submit", async (event) => {
      event.preventDefault();
      const input = $("message-input");
      const line = input.value.trim();
      if (!line) return;
      state.history.push(line);
      state.historyAt = state.history.length;
      input.value = "";
      if (!(await sendCommand(line))) input.value = line;
    });
    $("message-input").addEventListener("keydown", (event) => {
      if (event.key !== "ArrowUp" && event.key !== "ArrowDown") return;
      if (!state.history.length) return;
      event.preventDefault();
      const step = event.key === "ArrowUp" ? -1 : 1;
      state.historyAt = Math.min(state.history.length, Math.max(0, state.historyAt + step));
      event.target.value = state.history[state.historyAt] || "";
    });
    $("thread-close").addEventListener("click", closeThread);
    $("messages").addEventListener("scroll", (event) => {
      const list = event.target;
      state.stickToBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 60;
    });
  }

  // ---------- hints under the message box (per API the bot plays: `igbot dev --api`) ----------

  function renderHints(hints) {
    if (!hints || !Array.isArray(hints.commands)) return; // an older stand-in: keep the page's own hints
    const box = $("composer-hint");
    box.dataset.api = String(hints.api || "");
    const line = el("div", "hint-commands");
    line.append(el("span", "hint-label", "Try "));
    hints.commands.forEach((hint, index) => {
      if (index) line.append(", ");
      const code = el("code", "hint-command", hint.command);
      code.title = "click to put it in the message box";
      code.addEventListener("click", () => {
        const input = $("message-input");
        input.value = hint.command;
        input.focus();
      });
      line.append(code);
      if (hint.note) line.append(el("span", "hint-note", ` (${hint.note})`));
    });
    line.append(".");
    box.replaceChildren(line, el("div", "hint-accounts", hints.accounts));
    $("instagram-api").textContent = `Instagram: ${hints.label}`;
  }

  async function boot() {
    try {
      await loadWorkspace();
      const info = await getJSON("/console/info");
      state.instance = info.instance;
      state.info = info;
      renderHints(info.hints);
    } catch (error) {
      setConnection(false);
      setTimeout(boot, 2000);
      return;
    }
    const params = new URLSearchParams(location.search);
    const team = params.get("team") || localStorage.getItem(STORAGE_PREFIX + "team");
    choose(team, params.get("user"), params.get("channel"));
    document.body.dataset.ready = "true";
    poll();
    // Coming back from an install (or uninstall) in another tab: show whether igbot is in the workspace.
    window.addEventListener("focus", () => loadWorkspace().then(renderSidebar).catch(() => {}));
  }

  // For tests and curious developers: the renderers, and the state they draw from.
  window.igConsole = { renderMrkdwn, renderBlocks, state, sendCommand, openThread, openHome };

  wire();
  boot();
})();
