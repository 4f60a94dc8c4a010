"""`igbot dev` as a child process: its lines read with a deadline, its process tree, Ctrl-C."""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

READY = re.compile(r"open the console at (?P<url>http://\S+)")
COMPONENT = re.compile(r"^igbot dev: (?P<name>redis|instagram|slack|bot|workers)\s+(?P<where>\S+)")


def igbot_command() -> list[str]:
    """The installed `igbot` script next to this Python (what `make dev` runs), else `python -m bot`."""
    script = Path(sys.executable).with_name("igbot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot"]


def descendants(pid: int) -> set[int]:
    """``pid`` and every process below it, from /proc (each thread lists the children it started)."""
    found, todo = set(), [pid]
    while todo:
        current = todo.pop()
        found.add(current)
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except FileNotFoundError:
            continue
        for task in tasks:
            try:
                children = Path(f"/proc/{current}/task/{task}/children").read_text().split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            todo.extend(int(child) for child in children if int(child) not in found)
    return found


def command_name(pid: int) -> str:
    """The process's name (``/proc/pid/comm``), or "" once it is gone."""
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except (FileNotFoundError, ProcessLookupError):
        return ""


def alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@dataclass
class DevProcess:
    """A running `igbot dev` and everything it printed."""

    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    urls: dict[str, str] = field(default_factory=dict)
    _queue: queue.Queue[str | None] = field(default_factory=queue.Queue)

    @classmethod
    def start(cls, port: int, data_dir: Path, timeout: float = 30.0) -> DevProcess:
        """`igbot dev --port port` with IGBOT_DATA_DIR=data_dir, once it has printed its console URL."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "INSTAGRAM_", "REDIS_URL"))}
        env.update(IGBOT_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1")
        process = subprocess.Popen(
            [*igbot_command(), "dev", "--port", str(port)],
            cwd=data_dir,  # no stray .env from the checkout
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group, so "Ctrl-C" reaches it and its children only
        )
        dev = cls(process)
        threading.Thread(target=dev._read, daemon=True, name="igbot-dev-stdout").start()
        try:
            dev.wait_for_line(READY, timeout)
        except BaseException:
            dev.kill()
            raise
        return dev

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for_line(self, pattern: re.Pattern[str], timeout: float) -> re.Match[str]:
        """Read lines until one matches ``pattern``; fail with everything printed after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                line = self._queue.get(timeout=max(remaining, 0.001))
            except queue.Empty:
                raise AssertionError(
                    f"igbot dev printed no {pattern.pattern!r} in {timeout} s: {self.lines}"
                ) from None
            if line is None:
                raise AssertionError(
                    f"igbot dev exited ({self.process.wait()}) before {pattern.pattern!r}: {self.lines}"
                )
            self.lines.append(line)
            component = COMPONENT.match(line)
            if component:
                self.urls[component["name"]] = component["where"]
            found = pattern.search(line)
            if found:
                if pattern is READY:
                    self.urls["console"] = found["url"]
                return found

    def interrupt(self) -> None:
        """What Ctrl-C in a terminal does: SIGINT to the whole foreground process group."""
        os.killpg(self.process.pid, signal.SIGINT)

    def wait(self, timeout: float = 20.0) -> int:
        """Wait for the exit status; collects the rest of the output."""
        code = self.process.wait(timeout=timeout)
        while True:
            line = self._queue.get(timeout=timeout)
            if line is None:
                return code
            self.lines.append(line)

    def kill(self) -> None:
        """Last resort for a failed test: kill the group (our own child and its children) and reap."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
