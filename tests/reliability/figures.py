"""The figures the reliability suite reports, and the check that they add up.

Every test in tests/reliability adds what it tried and what happened. At the end of the run the
whole-run checks (`tests.run_checks`) fail the run when a figure is off, and the conftest prints the table.
Under pytest-xdist each worker process counts its own share; the controller adds them up (`export`,
`merge`) before printing and before checking that a whole run really tried what it should.
"""

from __future__ import annotations

import threading
from collections.abc import Collection
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass
class Figures:
    """Session-wide counters, safe to update from the load test's threads."""

    attacks_tried: int = 0
    attacks_rejected: int = 0
    faults_injected: int = 0
    faults_survived: int = 0
    commands_sent: int = 0
    commands_answered: int = 0
    links_before: int = 0
    links_lost: int = 0
    bodies_checked: int = 0
    secrets_found: int = 0
    misses: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # measurements printed under the table (durations)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def attack(self, name: str, status: int) -> bool:
        """One hostile request; rejected means a 4xx answer. Returns whether it was rejected."""
        rejected = 400 <= status < 500
        with self._lock:
            self.attacks_tried += 1
            self.attacks_rejected += rejected
            if not rejected:
                self.misses.append(f"attack {name!r} answered {status}")
        return rejected

    def defended(self, name: str, held: bool) -> bool:
        """One hostile input that is not an HTTP request (e.g. content from Instagram); held = neutralised."""
        with self._lock:
            self.attacks_tried += 1
            self.attacks_rejected += held
            if not held:
                self.misses.append(f"attack {name!r} got through")
        return held

    def fault(self, name: str, survived: bool) -> bool:
        """One injected fault; survived means the user got the promised answer and the bot still serves."""
        with self._lock:
            self.faults_injected += 1
            self.faults_survived += survived
            if not survived:
                self.misses.append(f"fault {name!r} not survived")
        return survived

    def commands(self, sent: int, answered: int) -> None:
        """Commands sent through the Slack stand-in and how many got exactly one final answer."""
        with self._lock:
            self.commands_sent += sent
            self.commands_answered += answered
            if answered != sent:
                self.misses.append(f"{sent - answered} of {sent} commands unanswered")

    def links(self, before: int, lost: int) -> None:
        """Links that existed before a disruptive run, and how many of them were gone afterwards."""
        with self._lock:
            self.links_before += before
            self.links_lost += lost
            if lost:
                self.misses.append(f"{lost} of {before} links lost")

    def bodies(self, checked: int, leaks: int) -> None:
        """Response bodies and Slack messages scanned for secrets, and how many held one."""
        with self._lock:
            self.bodies_checked += checked
            self.secrets_found += leaks
            if leaks:
                self.misses.append(f"{leaks} secret(s) found in responses or messages")

    def note(self, line: str) -> None:
        """A measurement to print under the table (e.g. how long the fuzz took)."""
        with self._lock:
            self.notes.append(line)

    def rows(self) -> list[tuple[str, str, bool]]:
        """(figure, value, ok) rows of the summary table."""
        return [
            (
                "attacks tried / rejected or neutralised",
                f"{self.attacks_tried} / {self.attacks_rejected}",
                self.attacks_tried == self.attacks_rejected,
            ),
            (
                "faults injected / survived",
                f"{self.faults_injected} / {self.faults_survived}",
                self.faults_injected == self.faults_survived,
            ),
            (
                "commands sent / answered",
                f"{self.commands_sent} / {self.commands_answered}",
                self.commands_sent == self.commands_answered,
            ),
            ("links before / lost", f"{self.links_before} / {self.links_lost}", self.links_lost == 0),
            (
                "bodies+messages checked / with a secret",
                f"{self.bodies_checked} / {self.secrets_found}",
                self.secrets_found == 0,
            ),
        ]

    def export(self) -> dict[str, Any]:
        """The counters and lines as plain data (sent from an xdist worker to the controller)."""
        with self._lock:
            return {f.name: getattr(self, f.name) for f in fields(self) if not f.name.startswith("_")}

    def merge(self, other: dict[str, Any]) -> None:
        """Add another process's `export` to these figures."""
        with self._lock:
            for name, value in other.items():
                setattr(self, name, getattr(self, name) + value)

    def problems(self, ran: Collection[str]) -> list[str]:
        """What is off: any figure that does not add up; and, when ``ran`` (the test files that ran) holds
        the three big reliability files, figures too small to be those of a real run."""
        found = list(self.misses)
        found += [f"{name}: {value}" for name, value, ok in self.rows() if not ok]
        if set(ran) >= WHOLE_RUN:
            for name, least in MINIMA.items():
                if getattr(self, name) < least:
                    found.append(f"{name} is {getattr(self, name)}: a whole run tries at least {least}")
        return found


# The files whose figures make a whole run, and what such a run tries at least.
WHOLE_RUN = {"test_hostile_slack.py", "test_faults.py", "test_load.py"}
MINIMA = {
    "attacks_tried": 80,
    "faults_injected": 100,
    "commands_sent": 10_600,  # the 10,000 fuzz texts and the 600 of the load run
    "links_before": 150,
    "bodies_checked": 11_000,  # every fuzz ack among them
}

FIGURES = Figures()
