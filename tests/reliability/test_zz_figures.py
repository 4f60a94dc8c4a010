"""Runs last in tests/reliability (files are collected by name): the figures of the table must add up.

Each test already fails on its own misses; this makes a wrong figure fail the run even if a test
forgot to assert it, and checks that the figures describe a real run when the whole folder ran.
"""

from __future__ import annotations

import pytest

from tests import log_capture
from tests.reliability.figures import FIGURES


def test_the_figures_add_up(request: pytest.FixtureRequest) -> None:
    assert FIGURES.misses == []
    assert FIGURES.attacks_rejected == FIGURES.attacks_tried
    assert FIGURES.faults_survived == FIGURES.faults_injected
    assert FIGURES.commands_answered == FIGURES.commands_sent
    assert FIGURES.links_lost == 0
    assert FIGURES.secrets_found == 0
    assert log_capture.leaks() == [], "a secret reached a log line"
    ran = {item.path.name for item in request.session.items if item.path.parent.name == "reliability"}
    if {"test_hostile_slack.py", "test_faults.py", "test_load.py"} <= ran:
        # The whole suite ran: the figures must be those of a real run, not of a run that tried nothing.
        assert FIGURES.attacks_tried >= 80
        assert FIGURES.faults_injected >= 100
        assert FIGURES.commands_sent >= 10_600  # the 10,000 fuzz texts and the 600 of the load run
        assert FIGURES.links_before >= 150
        assert FIGURES.bodies_checked >= 11_000  # every fuzz ack among them
