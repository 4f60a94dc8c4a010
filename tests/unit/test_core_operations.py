"""The core layer's shared operations (`bot.core`): one implementation that commands, Home buttons and
uninstall all call, each with its own permission rule, on the real stores."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
import redis

from bot.core.inbox import inbox_off
from bot.core.links import log_out
from bot.storage.inbox import Inbox, InboxStore
from tests.unit.test_handlers import TEAM, USER, CallLog, StandInSlack, link, make_services

OTHER = "U0BOB"


@dataclass
class Services:
    inbox: InboxStore
    slack: StandInSlack = field(default_factory=StandInSlack)


def _route(channel: str = "C0INBOX", owner: str = USER, team: str = TEAM) -> Inbox:
    return Inbox("17841400001", "alice", team, channel, owner, since=0)


@pytest.fixture
def services(redis_client: redis.Redis) -> Services:
    found = Services(InboxStore(redis_client))
    found.inbox.turn_on(_route())
    return found


def _told(services: Services) -> list[tuple[str, str]]:
    log: CallLog = services.slack.log
    return [(kw["channel"], kw["text"]) for name, _, kw in log.calls if name == "chat_postMessage"]


def test_the_command_turns_the_accounts_inbox_off_for_whoever_is_connected(services: Services) -> None:
    stopped = inbox_off(services, TEAM, OTHER, "17841400001")  # type: ignore[arg-type]
    assert stopped == _route()
    assert services.inbox.get("17841400001") is None
    assert _told(services) == [
        ("C0INBOX", f":no_bell: <@{OTHER}> turned off the Instagram inbox of *@alice*.")
    ]


def test_an_inbox_in_another_workspace_is_not_turned_off(services: Services) -> None:
    assert inbox_off(services, "T0ELSE", USER, "17841400001") is None  # type: ignore[arg-type]
    assert services.inbox.get("17841400001") == _route()
    assert _told(services) == []


@pytest.mark.parametrize(("who", "channel"), [(OTHER, "C0INBOX"), (USER, "C0MOVED")])
def test_the_home_button_turns_off_only_the_clickers_own_inbox_in_that_channel(
    services: Services, who: str, channel: str
) -> None:
    assert inbox_off(services, TEAM, who, "17841400001", owned_in=channel) is None  # type: ignore[arg-type]
    assert services.inbox.get("17841400001") == _route()
    assert inbox_off(services, TEAM, USER, "17841400001", owned_in="C0INBOX") == _route()  # type: ignore[arg-type]


def test_log_out_forgets_the_link_states_and_reminders(redis_client: redis.Redis) -> None:
    services = make_services(redis_client)
    link(services)
    services.states.issue(
        team_id=TEAM, user_id=USER, user_name="alice", channel_id="C1", response_url="", resume=None
    )
    done = log_out(services, TEAM, USER)  # type: ignore[arg-type]
    assert done.ig_username == "alice" and done.paused == []
    assert services.links.get(TEAM, USER) is None
    assert services.states.forget_user(TEAM, USER) == 0  # none left pending
    assert ("cancel", (TEAM, USER), {}) in services.reminders.calls  # type: ignore[attr-defined]
    assert log_out(services, TEAM, USER).ig_username is None  # type: ignore[arg-type]
