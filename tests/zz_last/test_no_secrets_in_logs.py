"""Runs last (pytest collects folders by name): no secret handed out during the suite reached a log."""

from __future__ import annotations

from tests import log_capture


def test_no_token_code_or_secret_appears_in_any_log_line_of_the_suite() -> None:
    assert len(log_capture.SECRETS) >= 4, "the suite should have handed out tokens and codes to check"
    assert log_capture.CAPTURE.lines, "nothing was logged: the capture is not installed"
    assert log_capture.leaks() == []


def test_the_check_would_catch_a_leak() -> None:
    import logging

    log_capture.remember_secret("canary-token-1234567")
    logging.getLogger("bot.anything").debug("calling /v1/users/self?access_token=%s", "canary-token-1234567")
    found = log_capture.leaks()
    log_capture.CAPTURE.lines = [line for line in log_capture.CAPTURE.lines if "canary-token" not in line]
    log_capture.SECRETS.discard("canary-token-1234567")
    assert len(found) == 1
    assert "canary-token-1234567" in found[0][1]
