"""CPU of the ack path alone, without HTTP server, load generator or other processes in the way.

`python -m bench.ackpath [--requests 2000] [--repeats 3]` (about 1 minute)

Each app (igbot's web tier as `bot.app.build` makes it, bare Bolt on its WSGI adapter, bare Bolt
behind Flask) is built in this process against the bench's Redis and sandboxes, and called directly
as a WSGI app with pre-signed `/ig help`, `/ig popular 5`, `/ig follow` and `/ig me` requests, one
after the other. No worker runs: igbot's enqueued jobs are deleted between chunks of 250 requests
(outside the timed part), so the queue never reaches the busy limit and every ack is a real
enqueue. Printed: CPU milliseconds of the calling thread per request (`time.thread_time`), i.e. what
one acknowledgement costs before it is sent. Also: the Dramatiq ``send`` of one job alone (igbot's
actor, as the ack path calls it) and a bare ``LPUSH`` of the same payload, for the enqueue's share.
The median of ``--repeats`` batches.

One parse (issue 21), before and after in the same run: igbot's request guard as it is
(`bot.web.slack_guard`: the body parsed once, Bolt's request built once from it) against
`DoubleParseGuard` below, a bench-only copy of the guard as it was before (it decoded an interaction's
``payload`` JSON once to check its shape and then again for Bolt), both behind the same one-route Flask
app and the same Bolt app, listeners, Redis and replay store. Three kinds of request: `/ig popular 5`
(a form; the same path in both, so the control), a click on the Home tab (a ``block_actions`` form whose
``payload`` JSON carries the whole tab, 5.3 KB, as Slack sends it) and ``app_home_opened`` (Events API
JSON). The two answer in turns, request by request (the order swapped every request), so both meet
the same moments of a shared machine; each request is signed once and used once (the replay store
refuses a signature seen before) and both get requests built the same way. Printed per kind: CPU ms
per ack of each (median of ``--repeats`` rounds after a warm-up round) and their ratio (after /
before); CPU µs of the parse step alone (the old parse and `bot.web.slack_guard.parse_body` on the
very same texts); and how many times JSON was decoded while one request was answered.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import statistics
import sys
import time
import urllib.parse
from collections.abc import Callable, Sequence
from typing import Any

from flask import Flask, Request, Response, jsonify, request
from slack_bolt import App
from slack_bolt.adapter.flask.handler import to_flask_response
from slack_bolt.request import BoltRequest
from slack_sdk.signature import SignatureVerifier

from bench.load import Signed, sign_pool
from bench.procs import ROOT, managed
from bench.stack import CHANNEL, SIGNING_SECRET, TEAM, start_world
from bot.web import after_ack
from bot.web import slack_guard as guard
from igbot_sandboxes.slack.signing import signature


def _environ(request: Signed, content_type: str = guard.FORM) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "3000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:3000",
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(request.body)),
        "HTTP_X_SLACK_REQUEST_TIMESTAMP": request.timestamp,
        "HTTP_X_SLACK_SIGNATURE": request.signature,
        "wsgi.input": io.BytesIO(request.body),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def _call(app: Callable[..., Any], request: Signed, content_type: str = guard.FORM) -> None:
    status: list[str] = []
    body = b"".join(app(_environ(request, content_type), lambda s, h, e=None: status.append(s)))
    if not status or not status[0].startswith("200"):
        raise RuntimeError(f"{status} {body[:200]!r}")


CHUNK = 250
COMMANDS = ("help", "popular 5", "follow dan_the_man", "me")


def _clear_queue(client: Any) -> None:
    from bot.worker.broker import queue_key

    client.delete(queue_key("interactive"), queue_key("interactive") + ".msgs")


def _timed_batch(work: list[Callable[[], None]], between: Callable[[], None]) -> float:
    """CPU ms of this thread per item of ``work``, ``between`` called (untimed) every CHUNK items."""
    spent = 0.0
    for start in range(0, len(work), CHUNK):
        between()
        started = time.thread_time()
        for item in work[start : start + CHUNK]:
            item()
        spent += time.thread_time() - started
    between()
    return spent / len(work) * 1000


# --- BENCH ONLY, NOT THE PRODUCT: the request guard's wiring before issue 21 -------------------------
# A copy of `bot.web.slack_guard.SlackRequestGuard.handle` as it was, kept here so that one run
# measures both. Its only difference from today's: an interaction's `payload` JSON was decoded once to
# check its shape and once more for Bolt (`_old_parse`). Never imported by bot/.


def _old_parse(text: str, mimetype: str) -> tuple[dict[str, Any] | None, str]:
    """The body as the guard parsed it before issue 21 (the same answers as `guard.parse_body`)."""
    if mimetype == guard.JSON:
        try:
            body = json.loads(text)
        except ValueError:
            return None, "body is not JSON"
        problem = guard._event_problem(body)
        return (None, problem) if problem is not None else (body, "")
    if text.lstrip().startswith("{"):
        return None, "JSON body where a form belongs"
    try:
        fields = dict(
            urllib.parse.parse_qsl(text, keep_blank_values=True, max_num_fields=guard.MAX_FORM_FIELDS)
        )
    except ValueError:
        return None, "too many form fields"
    parsed: dict[str, Any] = dict(fields)
    if "payload" in fields:
        try:
            checked = json.loads(fields["payload"])  # the first decode: for the shape check only
        except ValueError:
            return None, "payload is not JSON"
        problem = guard._payload_problem(checked)
        if problem is not None:
            return None, problem
        parsed = json.loads(fields["payload"])  # the second decode: for Bolt
    return parsed, ""


class DoubleParseGuard:
    """BENCH ONLY: the request guard as it was before issue 21 (an interaction's payload decoded twice)."""

    def __init__(self, bolt_app: App, signing_secret: str, *, replays: guard.ReplayCache) -> None:
        self._bolt = bolt_app
        self._clock = time.time
        self._verifier = SignatureVerifier(signing_secret)
        self._replays = replays

    def handle(self, request: Request) -> Response:
        if request.mimetype not in (guard.FORM, guard.JSON):
            return guard._reject(415, "unsupported content type", "content type is neither a form nor JSON")
        body = guard._read_body(request)
        if body is None:
            return guard._reject(413, "request too large", "body too large")
        timestamp = guard._timestamp(request.headers.get("X-Slack-Request-Timestamp", ""))
        signature = request.headers.get("X-Slack-Signature", "")
        if timestamp is None or not signature.startswith("v0=") or len(signature) > 100:
            return guard.SlackRequestGuard._maybe_ssl_check(body) or guard._reject(
                401, "invalid request", "no valid signature"
            )
        if abs(self._clock() - timestamp) > guard.MAX_CLOCK_SKEW_SECONDS:
            return guard._reject(401, "invalid request", "stale timestamp")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return guard._reject(400, "invalid payload", "body is not UTF-8")
        if not self._verifier.is_valid(text, str(timestamp), signature):
            return guard._reject(401, "invalid request", "bad signature")
        parsed, why = _old_parse(text, request.mimetype)
        if parsed is None:
            return guard._reject(400, "invalid payload", why)
        seen_as = signature
        if request.mimetype == guard.JSON:
            retry = request.headers.get("X-Slack-Retry-Num", "")
            seen_as = f"{signature}:{retry if retry in ('1', '2', '3') else '0'}"
        if not self._replays.first_use(seen_as, timestamp):
            return guard._reject(401, "invalid request", "replayed signature")
        if parsed.get("type") == "url_verification":
            return jsonify(challenge=str(parsed.get("challenge", "")))
        headers: dict[str, str | Sequence[str]] = {
            k: v for k, v in request.headers.items() if not k.lower().startswith("x-slack-bolt-")
        }
        bolt_request = BoltRequest(
            body=parsed,
            query=request.query_string.decode("utf-8", "replace"),
            headers=headers,
            mode="socket_mode",
        )
        with after_ack.holding() as release:
            response = to_flask_response(self._bolt.dispatch(bolt_request))
        response.call_on_close(release)
        return response


# --- one parse: before and after on the same kinds of request ----------------------------------------


def _guarded(handle: Callable[[Request], Response]) -> Flask:
    """A one-route Flask app, `POST /slack/events` -> ``handle`` (the same for both guards)."""
    web = Flask("bench-ackpath")
    web.config["MAX_CONTENT_LENGTH"] = guard.MAX_BODY_BYTES
    web.post("/slack/events")(lambda: handle(request))
    return web


def _signed(body: bytes, timestamp: int) -> Signed:
    return Signed(body, str(timestamp), signature(SIGNING_SECRET, timestamp, body))


def _home_view(user: str) -> dict[str, Any]:
    """The Home tab igbot draws for a connected user with five channel feeds, as Slack echoes it."""
    from bot.features.home.blocks import HomeLink, HomeState, home_view
    from bot.storage.feeds import Feed

    now = int(time.time())
    feeds = tuple(
        Feed(TEAM, f"C0FEED{i}", f"tag:travel{i}", f"#travel{i}", user, "bench", now - 86_400 * i)
        for i in range(5)
    )
    state = HomeState(now=now, link=HomeLink("bench_account", now - 3600), feeds=feeds)
    return {
        "id": "V0HOME", "team_id": TEAM, "app_installed_team_id": TEAM, "bot_id": "B0IGBOT",
        "hash": "1.abc", "callback_id": "", "private_metadata": "", "state": {"values": {}},
        **home_view(state),
    }  # fmt: skip


def _click_pool(users: list[str], size: int, run: int) -> list[Signed]:
    """``size`` signed clicks on a Home tab's first Unsubscribe button (form, ``payload=<json>``)."""
    from bot.features.home.blocks import HOME_UNSUBSCRIBE

    timestamp = int(time.time())
    views = {user: _home_view(user) for user in users}
    pool = []
    for i in range(size):
        user = users[i % len(users)]
        view = views[user]
        button = next(
            b["accessory"]
            for b in view["blocks"]
            if b.get("accessory", {}).get("action_id") == HOME_UNSUBSCRIBE
        )
        payload = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM},
            "api_app_id": "A0IGBOT", "token": "bench", "container": {"type": "view", "view_id": "V0HOME"},
            "trigger_id": f"{run}.{i}.bench", "team": {"id": TEAM, "domain": "bench"},
            "enterprise": None, "is_enterprise_install": False, "view": view, "state": {"values": {}},
            "actions": [{**button, "block_id": "b", "action_ts": f"{timestamp}.{run:03d}{i:06d}"}],
        }  # fmt: skip
        pool.append(_signed(urllib.parse.urlencode({"payload": json.dumps(payload)}).encode(), timestamp))
    return pool


def _event_pool(users: list[str], size: int, run: int) -> list[Signed]:
    """``size`` signed ``app_home_opened`` events (Events API JSON), each with its own event id."""
    timestamp = int(time.time())
    pool = []
    for i in range(size):
        user = users[i % len(users)]
        body = {
            "token": "bench", "team_id": TEAM, "api_app_id": "A0IGBOT", "type": "event_callback",
            "event": {"type": "app_home_opened", "user": user, "channel": f"D0{user}", "tab": "home",
                      "event_ts": f"{timestamp}.{i:06d}"},
            "event_id": f"Ev0BENCH{run:04d}{i:07d}", "event_time": timestamp,
            "authorizations": [{"enterprise_id": None, "team_id": TEAM, "user_id": "U0IGBOT", "is_bot": True,
                                "is_enterprise_install": False}],
            "is_ext_shared_channel": False,
        }  # fmt: skip
        pool.append(_signed(json.dumps(body).encode(), timestamp))
    return pool


def _json_decodes(app: Callable[..., Any], request: Signed, content_type: str) -> int:
    """How many times JSON was decoded while ``app`` answered ``request`` (any caller of json.loads)."""
    calls = 0
    real = json.JSONDecoder.decode

    def counting(self: json.JSONDecoder, s: str, *args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return real(self, s, *args, **kwargs)

    json.JSONDecoder.decode = counting  # type: ignore[method-assign]
    try:
        _call(app, request, content_type)
    finally:
        json.JSONDecoder.decode = real  # type: ignore[method-assign]
    return calls


def _paired(
    apps: dict[str, Callable[..., Any]],
    pools: dict[str, list[Signed]],
    content_type: str,
    between: Callable[[], None],
) -> dict[str, float]:
    """CPU ms per ack of each app, answering its pool's requests in turns (request i of one app, then
    of the other, the order swapped every request), so both meet the same moments of a busy machine."""
    spent = dict.fromkeys(apps, 0.0)
    names = list(apps)
    count = min(len(pool) for pool in pools.values())
    gc.collect()  # the garbage of building the requests is charged to neither
    for i in range(count):
        if i % CHUNK == 0:
            between()
        for name in names if i % 2 == 0 else names[::-1]:
            started = time.thread_time()
            _call(apps[name], pools[name][i], content_type)
            spent[name] += time.thread_time() - started
    between()
    return {name: total / count * 1000 for name, total in spent.items()}


def _parse_step(texts: list[tuple[str, str]], rounds: int) -> dict[str, float]:
    """CPU µs per request of the guard's parse step alone, before (`_old_parse`) and after
    (`guard.parse_body`), on the very same texts, in turns."""
    parsers = {"before": _old_parse, "after": guard.parse_body}
    spent = dict.fromkeys(parsers, 0.0)
    for round_ in range(rounds):
        for name in parsers if round_ % 2 == 0 else list(parsers)[::-1]:
            parse = parsers[name]
            started = time.thread_time()
            for text, mimetype in texts:
                parse(text, mimetype)
            spent[name] += time.thread_time() - started
    return {name: total / (rounds * len(texts)) * 1e6 for name, total in spent.items()}


def _one_parse(igbot: Any, world: Any, users: list[str], size: int, repeats: int) -> None:
    """Before (`DoubleParseGuard`) and after (`guard.SlackRequestGuard`), in turns, same kinds."""
    client = igbot.tier.redis
    secret = igbot.settings.slack_signing_secret
    guards: dict[str, Callable[..., Any]] = {
        name: _guarded(cls(igbot.bolt, secret, replays=guard.ReplayCache(client)).handle)
        for name, cls in (("before", DoubleParseGuard), ("after", guard.SlackRequestGuard))
    }
    runs = iter(range(100_000))

    def commands(n: int) -> list[Signed]:
        return sign_pool(
            SIGNING_SECRET, ["popular 5"], users, team_id=TEAM, channel_id=CHANNEL,
            response_base=f"{world.collector_url}/b{next(runs)}", size=n,
        )  # fmt: skip

    kinds: dict[str, tuple[str, Callable[[int], list[Signed]]]] = {
        "/ig popular 5 (form; control)": (guard.FORM, commands),
        "Home tab click (form + 5.3 KB JSON)": (guard.FORM, lambda n: _click_pool(users, n, next(runs))),
        "app_home_opened (Events API JSON)": (guard.JSON, lambda n: _event_pool(users, n, next(runs))),
    }
    queued = 0

    def between() -> None:
        nonlocal queued
        from bot.worker.broker import queue_key

        queued += int(client.llen(queue_key("interactive")))
        _clear_queue(client)

    print("\nOne parse (issue 21): the same kinds of request through the guard before and after, in turns")
    print(
        f"  {'request':<36} {'ack ms before':>13} {'after':>7} {'ratio':>6}"
        f" {'parse µs before':>16} {'after':>6}  JSON decodes"
    )
    for label, (content_type, make) in kinds.items():
        decodes = {name: _json_decodes(app, make(1)[0], content_type) for name, app in guards.items()}
        between()
        queued = 0
        rounds = [_paired(guards, {n: make(size) for n in guards}, content_type, between)]
        rounds += [
            _paired(guards, {n: make(size) for n in guards}, content_type, between) for _ in range(repeats)
        ]
        before, after = (statistics.median(r[name] for r in rounds[1:]) for name in guards)  # 1st warms up
        texts = [(r.body.decode(), content_type) for r in make(200)]
        parse = _parse_step(texts, max(1, size // 20))
        acks = 2 * (repeats + 1) * size
        print(
            f"  {label:<36} {before:13.3f} {after:7.3f} {after / before:6.3f}"
            f" {parse['before']:16.1f} {parse['after']:6.1f}  {decodes['before']} -> {decodes['after']}"
            f"  ({queued} jobs queued by {acks} acks)",
            flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ackpath")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    from bench.variants import bolt_flask_wsgi, bolt_wsgi
    from bot import logs
    from bot.app import build
    from bot.settings import Settings
    from bot.slack.invocation import Invocation
    from bot.worker.broker import queue_key

    with managed(ROOT / "bench" / "results" / "ackpath-logs") as procs:
        world = start_world(procs)
        users = world.link_users(20)
        env = world.env(3000)
        os.environ.update(env)
        settings = Settings.from_env(env)
        logs.configure()
        igbot = build(settings)
        client = igbot.tier.redis
        apps: dict[str, Any] = {
            "igbot": igbot.wsgi,
            "bolt": bolt_wsgi(settings),
            "bolt-flask": bolt_flask_wsgi(settings),
        }
        print("CPU ms per ack in the request thread (median of batches)")
        for text in COMMANDS:
            for name, app in apps.items():
                batches = []
                for _ in range(args.repeats + 1):  # the first batch warms up
                    pool = sign_pool(
                        SIGNING_SECRET, [text], users, team_id=TEAM, channel_id=CHANNEL,
                        response_base=world.collector_url, size=args.requests,
                    )  # fmt: skip
                    work = [lambda r=request, a=app: _call(a, r) for request in pool]
                    batches.append(_timed_batch(work, lambda: _clear_queue(client)))
                print(f"  /ig {text:<20} {name:<15} {statistics.median(batches[1:]):.3f} ms", flush=True)
        # the enqueue alone: igbot's actor (as the ack path sends it) vs a bare LPUSH of the payload
        payload = Invocation(
            team_id=TEAM, user_id=users[0], user_name="bench", channel_id=CHANNEL,
            response_url=f"{world.collector_url}/respond/0", text="popular 5",
        ).payload()  # fmt: skip
        sends: dict[str, Callable[[], Any]] = {
            "Dramatiq send (igbot's actor)": lambda: igbot.tier.actors["run_command"].send(payload),
            "LPUSH of the same payload": lambda: client.lpush(queue_key("bench-lpush"), json.dumps(payload)),
        }
        for label, send in sends.items():
            batches = []
            for _ in range(args.repeats + 1):
                work = [send] * args.requests
                batches.append(
                    _timed_batch(
                        work, lambda: (_clear_queue(client), client.delete(queue_key("bench-lpush")))
                    )
                )
            print(f"  {label:<44} {statistics.median(batches[1:]):.3f} ms", flush=True)
        _one_parse(igbot, world, users, args.requests, args.repeats)
        igbot.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
