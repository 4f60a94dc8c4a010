"""Child processes of a bench run: started in their own process group, always stopped at the end.

Every process the bench starts goes through `Processes.start`; `Processes.stop_all` (called from a
``finally``, on Ctrl-C and on SIGTERM) sends SIGTERM to each group it created, waits, then SIGKILLs.
Only the process groups created here are ever signalled.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_port(port: int, proc: subprocess.Popen[bytes] | None = None, timeout: float = 30.0) -> None:
    """Block until 127.0.0.1:``port`` accepts connections (or ``proc`` exits, or ``timeout``)."""
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited with {proc.returncode} before listening on {port}")
        with socket.socket() as probe:
            probe.settimeout(0.5)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        if time.monotonic() > deadline:
            raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")
        time.sleep(0.05)  # readiness poll of a child we just started


@dataclass
class Child:
    """One started process (leader of its own process group)."""

    name: str
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return int(self.proc.pid)

    def pids(self) -> list[int]:
        """This process and every live descendant (gunicorn workers), read from /proc."""
        found = [self.pid]
        with contextlib.suppress(OSError):
            frontier = [self.pid]
            while frontier:
                parent = frontier.pop()
                for tid in os.listdir(f"/proc/{parent}/task"):
                    with contextlib.suppress(OSError):
                        text = Path(f"/proc/{parent}/task/{tid}/children").read_text()
                        for kid in map(int, text.split()):
                            found.append(kid)
                            frontier.append(kid)
        return found

    def rss_mb(self) -> list[float]:
        """Resident memory (MB) of the process and of each live descendant, from /proc."""
        sizes = []
        for pid in self.pids():
            with contextlib.suppress(OSError, ValueError, IndexError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        sizes.append(int(line.split()[1]) / 1024)
        return sizes

    def cpu_seconds(self) -> float:
        """user+system CPU seconds of the process and its live descendants (0 where /proc is absent)."""
        return sum(cpu_seconds(pid) for pid in self.pids())


def cpu_seconds(pid: int) -> float:
    """user+system CPU seconds used so far by ``pid`` (0.0 when it cannot be read)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


@dataclass
class Processes:
    """The set of children of one bench run."""

    log_dir: Path
    children: list[Child] = field(default_factory=list)

    def start(
        self, name: str, argv: Sequence[str], env: Mapping[str, str] | None = None, cwd: Path | None = None
    ) -> Child:
        """Start ``argv`` in a new process group, output to ``log_dir/name.log``."""
        log = self.log_dir / f"{name}.log"
        with open(log, "ab") as out:
            proc = subprocess.Popen(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=dict(env) if env is not None else None,
                cwd=cwd or ROOT,
                start_new_session=True,
            )
        child = Child(name, proc, log)
        self.children.append(child)
        return child

    def stop(self, child: Child, timeout: float = 10.0) -> None:
        """SIGTERM the child's process group, wait, SIGKILL what is left."""
        if child in self.children:
            self.children.remove(child)
        pgid = child.pid  # start_new_session: the child leads its own group, pgid == pid
        if child.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGTERM)
            try:
                child.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pgid, signal.SIGKILL)
                child.proc.wait(timeout=5)
        # workers may outlive a killed master for a moment: make sure the group is gone
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)

    def stop_all(self) -> None:
        """Stop every child, newest first."""
        for child in reversed(list(self.children)):
            self.stop(child)

    def tail(self, child: Child, lines: int = 30) -> str:
        """The last lines of a child's log, for error messages."""
        try:
            return "\n".join(child.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@contextlib.contextmanager
def managed(log_dir: Path) -> Iterator[Processes]:
    """Processes that are stopped on exit, on Ctrl-C and on SIGTERM."""
    log_dir.mkdir(parents=True, exist_ok=True)
    procs = Processes(log_dir)

    def on_term(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    # SIGINT too: a shell starting the bench in the background makes it ignore SIGINT otherwise
    previous = {sig: signal.signal(sig, on_term) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield procs
    finally:
        procs.stop_all()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def python() -> str:
    """The interpreter running the bench (the project's venv when started as documented)."""
    return sys.executable
