"""What the stand-in records: messages as a Slack user would see them, Web API calls, failed deliveries."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

Source = Literal[
    "ack", "response_url", "chat.postMessage", "chat.postEphemeral", "chat.update", "user", "chat.unfurl"
]


@dataclass(frozen=True)
class Button:
    """A button found in a message's blocks."""

    action_id: str
    text: str
    url: str | None
    value: str | None
    block_id: str | None
    style: str | None = None


@dataclass
class RecordedMessage:
    """One message the bot sent, however it sent it (or, with source ``user``, a person's message).

    Attributes:
        source: how it arrived: the command's HTTP reply ("ack"), a response URL, or a chat.* method;
            ``user`` for a message a person posted (``sender``), ``chat.unfurl`` for the ephemeral
            auth prompt ``chat.unfurl``'s ``user_auth_*`` shows the sharer.
        user_id: for ephemeral messages the only user who sees it; for ack and response URL messages
            the user who triggered the command or action; None for plain channel posts.
        valid: False when Slack would have rejected it; ``errors`` then holds Slack-style reasons.
        warnings: accepted but worth fixing (e.g. `missing_text_fallback`).
        ts: the message timestamp (chat.update keeps the updated message's ts).
        seq: recording order, 1 for the first message since start or reset.
        payload: the body exactly as the bot sent it (decoded).
        thread_ts: for a reply in a thread, its parent's ts; None for a top-level message.
        reply_broadcast: a thread reply also shown in the channel ("Also send to #channel").
        sender: the person who posted a ``user`` message (None for the bot's messages).
        unfurls: for a ``user`` message, the unfurls the app attached (URL -> attachment); each
            ``chat.unfurl`` records a new version of the message.
    """

    source: Source
    team_id: str
    channel_id: str
    user_id: str | None
    response_type: str
    text: str = ""
    blocks: list[Any] = field(default_factory=list)
    replace_original: bool = False
    delete_original: bool = False
    valid: bool = True
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ts: str = ""
    seq: int = 0
    payload: dict[str, Any] = field(default_factory=dict)
    thread_ts: str | None = None
    reply_broadcast: bool = False
    sender: str | None = None
    unfurls: dict[str, Any] = field(default_factory=dict)

    @property
    def is_reply(self) -> bool:
        """True for a message inside a thread (not the thread's parent)."""
        return self.thread_ts is not None and self.thread_ts != self.ts

    @property
    def ephemeral(self) -> bool:
        """True when only ``user_id`` sees the message."""
        return self.response_type != "in_channel"

    def all_text(self) -> str:
        """The top-level text and every human-readable string inside the blocks, one per line.

        Covers section text and fields, context elements, headers, image alt text and titles,
        button texts and URLs, markdown and rich text; convenient for ``"x" in m.all_text()``.
        """
        parts = [self.text] if self.text else []
        for block in self.blocks:
            if isinstance(block, dict):
                parts.extend(_strings_of_block(block))
        return "\n".join(parts)

    def buttons(self) -> list[Button]:
        """Every button in the message (actions blocks and section accessories), in order."""
        found: list[Button] = []
        for block in self.blocks:
            if not isinstance(block, dict):
                continue
            candidates = list(block.get("elements") or []) if block.get("type") == "actions" else []
            if block.get("type") == "section" and isinstance(block.get("accessory"), dict):
                candidates.append(block["accessory"])
            for element in candidates:
                if isinstance(element, dict) and element.get("type") == "button":
                    found.append(_button(element, block.get("block_id")))
        return found

    def to_slack(
        self, bot_user_id: str, bot_id: str, replies: list[RecordedMessage] | None = None
    ) -> dict[str, Any]:
        """The message object Slack hands out (API answers, interaction payloads), as posted by the bot.

        A reply carries ``thread_ts`` (its parent's ts) and ``parent_user_id``, a broadcast reply
        ``subtype: thread_broadcast``; a parent given its ``replies`` carries ``thread_ts`` (its own ts),
        ``reply_count``, ``reply_users``, ``reply_users_count`` and ``latest_reply`` as Slack's do.
        """
        body: dict[str, Any] = {"type": "message", "text": self.text, "user": bot_user_id, "bot_id": bot_id}
        if self.sender is not None:
            body = {"type": "message", "text": self.text, "user": self.sender}
        body.update(ts=self.ts, team=self.team_id)
        if self.blocks:
            body["blocks"] = self.blocks
        if self.is_reply:
            body.update(thread_ts=self.thread_ts, parent_user_id=bot_user_id)
            if self.reply_broadcast:
                body["subtype"] = "thread_broadcast"
        elif replies:
            body.update(
                thread_ts=self.ts,
                reply_count=len(replies),
                reply_users=[bot_user_id],
                reply_users_count=1,
                latest_reply=replies[-1].ts,
            )
        return body

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (includes ``ephemeral`` and ``all_text``)."""
        return {**dataclasses.asdict(self), "ephemeral": self.ephemeral, "all_text": self.all_text()}

    def describe(self) -> str:
        """One line for error messages: source, audience, channel, validity and the start of the text."""
        audience = f"ephemeral to {self.user_id}" if self.ephemeral else "in_channel"
        status = "" if self.valid else f" INVALID {self.errors}"
        text = self.all_text().replace("\n", " | ")
        where = f"{self.team_id}/{self.channel_id}"
        return f"#{self.seq} {self.source} {audience} in {where}{status}: {text[:160]!r}"


@dataclass(frozen=True)
class ApiCall:
    """One Web API request: method, arguments (token removed), the answer given and its HTTP status."""

    method: str
    http_method: str
    params: dict[str, Any]
    team_id: str | None
    ok: bool
    error: str | None
    response: dict[str, Any]
    status: int = 200
    seq: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class FailedDelivery:
    """A command or action the bot did not acknowledge properly, as Slack would report it.

    ``error`` is what Slack shows the user (`/ig failed with the error "operation_timeout"`):
    `operation_timeout` (no answer within 3 s), `dispatch_failed` (bot unreachable) or
    `http_error` (non-2xx status).
    """

    error: str
    kind: str
    team_id: str
    channel_id: str
    user_id: str
    status: int
    elapsed_ms: float
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return dataclasses.asdict(self)


def _button(element: dict[str, Any], block_id: Any) -> Button:
    text = element.get("text")
    return Button(
        action_id=str(element.get("action_id", "")),
        text=str(text.get("text", "")) if isinstance(text, dict) else "",
        url=element.get("url"),
        value=element.get("value"),
        block_id=block_id if isinstance(block_id, str) else None,
        style=element.get("style"),
    )


def _text_of(obj: Any) -> Iterator[str]:
    if isinstance(obj, dict) and isinstance(obj.get("text"), str):
        yield obj["text"]


def _strings_of_element(element: Any) -> Iterator[str]:
    if not isinstance(element, dict):
        return
    if element.get("type") in ("plain_text", "mrkdwn"):
        yield from _text_of(element)
    elif element.get("type") == "image":
        yield str(element.get("alt_text", ""))
    else:
        yield from _text_of(element.get("text"))
        if isinstance(element.get("url"), str):
            yield element["url"]


def _strings_of_rich(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key in ("text", "url"):
            if isinstance(node.get(key), str):
                yield node[key]
        yield from _strings_of_rich(node.get("elements"))
    elif isinstance(node, list):
        for child in node:
            yield from _strings_of_rich(child)


def _strings_of_block(block: dict[str, Any]) -> Iterator[str]:
    kind = block.get("type")
    if kind == "rich_text":
        yield from _strings_of_rich(block.get("elements"))
        return
    if kind == "markdown" and isinstance(block.get("text"), str):
        yield block["text"]
    yield from _text_of(block.get("text"))
    yield from _text_of(block.get("label"))
    for item in block.get("fields") or []:
        yield from _text_of(item)
    if kind in ("image", "video"):
        if isinstance(block.get("alt_text"), str):
            yield block["alt_text"]
        yield from _text_of(block.get("title"))
    for element in [*(block.get("elements") or []), block.get("accessory")]:
        yield from _strings_of_element(element)
