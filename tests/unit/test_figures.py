"""The figures check (`Figures.problems`), run by the whole-run checks when the run ends
(`tests.run_checks`): a figure that does not add up is found, and so is a whole run that tried too little."""

from __future__ import annotations

from tests.reliability.figures import MINIMA, WHOLE_RUN, Figures


def _real_run() -> Figures:
    figures = Figures()
    for name, least in MINIMA.items():
        setattr(figures, name, least)
    figures.attacks_rejected = figures.attacks_tried
    figures.faults_survived = figures.faults_injected
    figures.commands_answered = figures.commands_sent
    return figures


def test_figures_that_add_up_pass_alone_and_in_a_whole_run() -> None:
    assert _real_run().problems(WHOLE_RUN) == []
    assert Figures().problems({"test_faults.py"}) == []  # a partial run is not held to a whole run's figures


def test_each_figure_that_does_not_add_up_is_found() -> None:
    figures = _real_run()
    figures.attack("forged signature", 200)
    figures.fault("redis restart", survived=False)
    figures.commands(sent=3, answered=2)
    figures.links(before=5, lost=1)
    figures.bodies(checked=10, leaks=1)
    problems = figures.problems(set())
    assert len(problems) == 10, problems  # five misses, five rows off
    assert "attack 'forged signature' answered 200" in problems


def test_a_whole_run_that_tried_too_little_is_found() -> None:
    figures = _real_run()
    figures.commands_sent = figures.commands_answered = 12
    assert figures.problems(WHOLE_RUN) == ["commands_sent is 12: a whole run tries at least 10600"]


def test_workers_figures_add_up_on_the_controller() -> None:
    total, one, two = Figures(), Figures(), Figures()
    one.commands(sent=2, answered=2)
    two.commands(sent=3, answered=2)
    two.note("fuzz: 1 s")
    for part in (one, two):
        total.merge(part.export())
    assert (total.commands_sent, total.commands_answered) == (5, 4)
    assert total.misses == ["1 of 3 commands unanswered"] and total.notes == ["fuzz: 1 s"]
