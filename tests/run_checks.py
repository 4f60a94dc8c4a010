"""The checks of a whole run, made when the run ends rather than by a test that must run last: no secret
the run handed out reached a log line (this process's records and the logs of the processes it started),
and the reliability figures add up (`tests.reliability.figures`). Each passes or fails on what actually
ran, alone or in any order.

Each test process checks its own logs and figures when its session ends (a session fixture's teardown:
a failure is an error of the run). Under pytest-xdist the controller also adds up the workers' figures
and the files they ran, prints the table and checks that a whole run tried what it should.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import log_capture
from tests.reliability.figures import FIGURES

RAN: set[str] = set()  # the names of the test files whose tests ran (in this process, or in all workers)
PROBLEMS: list[str] = []  # what the controller found off, printed in the summary


def is_worker(config: pytest.Config) -> bool:
    """This process is a pytest-xdist worker."""
    return hasattr(config, "workerinput")


def is_controller(config: pytest.Config) -> bool:
    """This process hands tests to pytest-xdist workers (and runs none itself)."""
    return bool(getattr(config.option, "numprocesses", None)) and not is_worker(config)


def whole_run_problems(ran: set[str]) -> list[str]:
    """Secrets found in log lines, and figures that are off."""
    problems = [f"a secret ({secret}) reached a log line: {line}" for secret, line in log_capture.leaks()]
    return problems + FIGURES.problems(ran)


@pytest.hookimpl
def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call":
        RAN.add(Path(report.nodeid.split("::", 1)[0]).name)


@pytest.fixture(scope="session", autouse=True)
def whole_run_checks(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fails the run (an error at its end) when this process logged a secret or counted figures that do not
    add up. Under xdist a worker's share is no whole run: the controller checks that part."""
    yield
    problems = whole_run_problems(set() if is_worker(request.config) else RAN)
    if problems:
        pytest.fail("whole-run checks:\n  " + "\n  ".join(problems), pytrace=False)


@pytest.hookimpl
def pytest_sessionfinish(session: pytest.Session) -> None:
    if is_worker(session.config):
        session.config.workeroutput["figures"] = FIGURES.export()  # type: ignore[attr-defined]
        session.config.workeroutput["ran"] = sorted(RAN)  # type: ignore[attr-defined]
    elif is_controller(session.config):
        PROBLEMS.extend(FIGURES.problems(RAN))
        if PROBLEMS:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """An xdist worker finished: add its figures and files to the controller's."""
    output = getattr(node, "workeroutput", {})
    FIGURES.merge(output.get("figures", {}))
    RAN.update(output.get("ran", []))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the reliability figures when any reliability test ran, and what the controller found off (a
    worker's own findings are errors of its last test)."""
    if FIGURES.attacks_tried or FIGURES.faults_injected or FIGURES.commands_sent:
        write = terminalreporter.write_line
        terminalreporter.section("igbot reliability figures")
        width = max(len(name) for name, _, _ in FIGURES.rows())
        write(f"{'figure'.ljust(width)}  {'value':>15}  check")
        for name, value, ok in FIGURES.rows():
            write(f"{name.ljust(width)}  {value:>15}  {'ok' if ok else 'OFF'}")
        for note in FIGURES.notes:
            write(f"  {note}")
        for miss in FIGURES.misses:
            write(f"  off: {miss}")
    if PROBLEMS:
        terminalreporter.section("whole-run checks FAILED", red=True)
        for problem in PROBLEMS:
            terminalreporter.write_line(f"  {problem}")
