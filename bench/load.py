"""Load generation: a pool of correctly signed slash-command requests, replayed by wrk (or Python).

Slack signs ``v0:{timestamp}:{body}`` with HMAC-SHA256 and apps accept a timestamp for 5 minutes, so
a pool of requests signed right before a bounded run (seconds long) is valid for the whole run. wrk's
Lua cannot compute an HMAC; it only replays the pre-signed pool, round-robin, from one thread.

wrk comes from Debian (``apt-get install wrk``); `ensure_wrk` installs it when it is missing and the
bench runs as root (or with password-less sudo). Without wrk, `python -m bench.pyload` (an asyncio
generator in its own process) replays the same pool; it costs more CPU per request than wrk.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from igbot_sandboxes.slack.commands import Names, command_body
from igbot_sandboxes.slack.signing import signature

EVENTS_PATH = "/slack/events"


@dataclass(frozen=True)
class Signed:
    """One pre-signed request."""

    body: bytes
    timestamp: str
    signature: str


@dataclass
class LoadResult:
    """What one bounded load run measured (ack = the HTTP answer to the signed command)."""

    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: dict[str, int] = field(default_factory=dict)
    generator: str = "wrk"
    busy: int = 0  # acks that said "igbot is busy" (back-pressure: nothing was queued)
    storage_down: int = 0  # acks that said igbot can't reach its storage

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


def sign_pool(
    secret: str,
    texts: Sequence[str],
    users: Sequence[str],
    *,
    team_id: str,
    channel_id: str,
    response_base: str,
    size: int,
    seed: int = 7,
) -> list[Signed]:
    """``size`` signed `/ig` bodies: text i from ``texts`` (cycled), user i from ``users`` (random),
    each with its own response URL ``{response_base}/respond/{i}`` and trigger id, so every request
    has its own signature (igbot refuses a signature it has already seen)."""
    rng = random.Random(seed)
    timestamp = str(int(time.time()))
    pool = []
    for i in range(size):
        user = users[rng.randrange(len(users))]
        body = command_body(
            command="/ig",
            text=texts[i % len(texts)],
            team_id=team_id,
            user_id=user,
            channel_id=channel_id,
            names=Names(team_domain="bench", user_name=user.lower(), channel_name="general"),
            response_url=f"{response_base}/respond/{i}",
        )
        pool.append(Signed(body, timestamp, signature(secret, int(timestamp), body)))
    return pool


def _lua_string(data: bytes) -> str:
    text = data.decode("ascii")  # form-urlencoded: plain ASCII
    level = "=" * 3
    while f"]{level}]" in text:
        level += "="
    return f"[{level}[{text}]{level}]"


# Markers of the two acks that refuse work (bot/core/replies.py: BUSY, STORAGE_DOWN).
BUSY_MARKER = "is busy right now"
STORAGE_DOWN_MARKER = "reach its storage"

WRK_SCRIPT = r"""
-- Replays a pool of pre-signed Slack slash commands, round-robin (written by bench/load.py).
-- Counts the acks that refused the work (busy, storage down) from their bodies.
local pool = dofile(os.getenv("BENCH_POOL"))
local reqs = {}
local n = 0
local threads = {}
busy = 0
down = 0
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  for k, r in ipairs(pool) do
    reqs[k] = wrk.format("POST", "%(path)s", {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["X-Slack-Request-Timestamp"] = r[2],
      ["X-Slack-Signature"] = r[3],
      ["User-Agent"] = "Slackbot 1.0 (+https://api.slack.com/robots)",
    }, r[1])
  end
  n = 0
end
function request()
  n = n %% #reqs + 1
  return reqs[n]
end
function response(status, headers, body)
  if body and #body > 2 then
    if string.find(body, "%(busy)s", 1, true) then
      busy = busy + 1
    elseif string.find(body, "%(down)s", 1, true) then
      down = down + 1
    end
  end
end
function done(summary, latency, requests)
  local e = summary.errors
  local b, d = 0, 0
  for _, t in ipairs(threads) do
    b = b + (t:get("busy") or 0)
    d = d + (t:get("down") or 0)
  end
  io.write(string.format(
    'BENCH_RESULT {"requests":%%d,"duration_us":%%d,"p50_us":%%d,"p90_us":%%d,"p99_us":%%d,' ..
    '"max_us":%%d,"connect":%%d,"read":%%d,"write":%%d,"status":%%d,"timeout":%%d,"busy":%%d,"down":%%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout, b, d))
end
"""


def write_pool(pool: Sequence[Signed], directory: Path) -> Path:
    """The pool as a Lua table file for wrk (``{body, timestamp, signature}`` per request)."""
    path = directory / "pool.lua"
    with open(path, "w") as out:
        out.write("return {\n")
        for item in pool:
            out.write(f'{{{_lua_string(item.body)}, "{item.timestamp}", "{item.signature}"}},\n')
        out.write("}\n")
    return path


def write_pool_json(pool: Sequence[Signed], directory: Path) -> Path:
    """The pool as JSON for the Python generator."""
    path = directory / "pool.json"
    path.write_text(json.dumps([[p.body.decode("ascii"), p.timestamp, p.signature] for p in pool]))
    return path


def ensure_wrk() -> str | None:
    """Path of wrk, installing Debian's package when it is missing and we may; None if unavailable."""
    found = shutil.which("wrk")
    if found:
        return found
    apt = shutil.which("apt-get")
    if apt is None:
        return None
    prefix: list[str] = []
    if os.geteuid() != 0:
        sudo = shutil.which("sudo")
        if sudo is None or subprocess.run([sudo, "-n", "true"], capture_output=True).returncode != 0:
            return None
        prefix = [sudo, "-n"]
    print("bench: installing wrk (apt-get install -y wrk) ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*prefix, apt, "update", "-qq"], check=False, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(
        [*prefix, apt, "install", "-y", "-qq", "wrk"], check=False, env=env, stdout=subprocess.DEVNULL
    )
    return shutil.which("wrk")


def _parse_wrk(output: str, seconds: float) -> LoadResult:
    line = next((ln for ln in output.splitlines() if ln.startswith("BENCH_RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{output[-2000:]}")
    data: dict[str, Any] = json.loads(line.split(" ", 1)[1])
    return LoadResult(
        requests=int(data["requests"]),
        seconds=data["duration_us"] / 1e6 or seconds,
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        errors={k: int(data[k]) for k in ("connect", "read", "write", "status", "timeout") if data[k]},
        generator="wrk",
        busy=int(data.get("busy", 0)),
        storage_down=int(data.get("down", 0)),
    )


@dataclass
class Generator:
    """Runs bounded load against a URL with a signed pool; wrk when available, else bench.pyload."""

    wrk: str | None
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="igbot-bench-load-")))

    @property
    def name(self) -> str:
        return "wrk" if self.wrk else "python (bench.pyload)"

    def run(
        self, port: int, pool: Sequence[Signed], *, connections: int, seconds: float, timeout_s: float = 3.0
    ) -> LoadResult:
        """Closed-loop load: ``connections`` keep-alive connections for ``seconds`` against the port."""
        url = f"http://127.0.0.1:{port}{EVENTS_PATH}"
        if self.wrk:
            script = self.workdir / "replay.lua"
            script.write_text(
                WRK_SCRIPT % {"path": EVENTS_PATH, "busy": BUSY_MARKER, "down": STORAGE_DOWN_MARKER}
            )
            pool_file = write_pool(pool, self.workdir)
            argv = [
                self.wrk, "-t1", f"-c{connections}", f"-d{seconds:g}s", f"--timeout={timeout_s:g}s",
                "-s", str(script), url,
            ]  # fmt: skip
            done = subprocess.run(
                argv,
                capture_output=True,
                text=True,
                env={**os.environ, "BENCH_POOL": str(pool_file)},
                timeout=seconds + 30,
            )
            return _parse_wrk(done.stdout + done.stderr, seconds)
        pool_file = write_pool_json(pool, self.workdir)
        argv = [
            sys.executable, "-m", "bench.pyload", "--port", str(port), "--pool", str(pool_file),
            "--connections", str(connections), "--seconds", f"{seconds:g}", "--timeout", f"{timeout_s:g}",
        ]  # fmt: skip
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=seconds + 30, cwd=Path(__file__).parent.parent
        )
        result = _parse_wrk(done.stdout + done.stderr, seconds)
        result.generator = "python"
        return result
