"""The minimal reference worker: `python -m bench.refworker [--threads 16] [--nice 10]`.

What a hand-written worker doing igbot's `/ig popular N` job would be at least: per thread, a loop of
``BLPOP`` on igbot's own job list (``igbot:jobs:interactive``, the message ids the web tier's
Dramatiq enqueue pushes), one pipelined ``HGET`` + ``HDEL`` of the message in ``….msgs``, **one**
Instagram sandbox call (``GET /v1/media/popular?count=N&client_id=…``, the call igbot makes) and
**one** POST of a gallery reply (about the size of igbot's) to the command's ``response_url``. Both
HTTP calls go through one keep-alive ``requests.Session`` per thread. No acknowledgement, retry,
age limit, heartbeat or exactly-once bookkeeping: a job taken by a killed process is lost, which
the worker-tier bench shows. Only ``popular`` jobs are understood (others are answered with a
one-line text after the same call).

It reads the same environment as `igbot worker` (REDIS_URL, INSTAGRAM_API_URL, INSTAGRAM_CLIENT_ID)
and records its pid in ``igbot:bench:refworkers`` once it is consuming. SIGTERM/SIGINT stop it.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import threading
import time
from types import FrameType
from typing import Any

import redis
import requests

QUEUE = "igbot:jobs:interactive"
READY_KEY = "igbot:bench:refworkers"


def _reply(payload: dict[str, Any], media: list[dict[str, Any]]) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"<@{payload.get('user_id', '')}> shared "
                                                               f"{len(media)} popular Instagram photos"}},
    ]  # fmt: skip
    for item in media:
        image = ((item.get("images") or {}).get("standard_resolution") or {}).get("url", "")
        caption = str((item.get("caption") or {}).get("text", ""))[:150]
        user = str((item.get("user") or {}).get("username", ""))
        blocks.append({"type": "image", "image_url": image, "alt_text": caption or "photo", "title":
                       {"type": "plain_text", "text": f"@{user}"}})  # fmt: skip
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": caption or " "}]})
    return {"response_type": "in_channel", "text": blocks[0]["text"]["text"], "blocks": blocks}


def _consume(url: str, api: str, client_id: str, stop: threading.Event) -> None:
    client = redis.Redis.from_url(url, socket_timeout=5)
    session = requests.Session()
    while not stop.is_set():
        item = client.blpop([QUEUE], timeout=1)
        if item is None:
            continue
        message_id = item[1]
        pipe = client.pipeline(transaction=False)
        pipe.hget(f"{QUEUE}.msgs", message_id)
        pipe.hdel(f"{QUEUE}.msgs", message_id)
        data, _ = pipe.execute()
        if data is None:
            continue
        payload = json.loads(data)["args"][0]
        words = str(payload.get("text", "")).split()
        count = int(words[1]) if len(words) > 1 and words[1].isdigit() else 5
        try:
            answer = session.get(
                f"{api}/media/popular", params={"count": count, "client_id": client_id}, timeout=10
            ).json()
            media = [m for m in answer.get("data", []) if isinstance(m, dict)][:count]
            body = _reply(payload, media) if words[:1] == ["popular"] else {"text": "done"}
            session.post(payload["response_url"], json=body, timeout=2).close()
        except (requests.RequestException, ValueError):
            continue


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.refworker")
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--nice", type=int, default=10)
    args = parser.parse_args(argv)
    if args.nice:
        os.nice(args.nice)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    url = os.environ["REDIS_URL"]
    api = os.environ["INSTAGRAM_API_URL"]
    client_id = os.environ["INSTAGRAM_CLIENT_ID"]
    threads = [
        threading.Thread(target=_consume, args=(url, api, client_id, stop), daemon=True, name=f"ref-{i}")
        for i in range(args.threads)
    ]
    for thread in threads:
        thread.start()
    redis.Redis.from_url(url).zadd(READY_KEY, {str(os.getpid()): time.time()})
    while not stop.wait(0.5):
        pass
    for thread in threads:
        thread.join(timeout=3)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
