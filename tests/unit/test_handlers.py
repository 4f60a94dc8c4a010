"""Each `/ig` command handler with a recording Reply, a stand-in Instagram backend and the real stores
(LinkStore, StateStore, HashtagBudget) on the real Redis of tests/conftest.py.

Every test pins what the user sees: which answers arrive, in which order, and what is stored. Message
assertions use stable fragments (replies.py wording may change; what it promises may not).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import redis
from cryptography.fernet import Fernet

from bot.features.accounts import follow, profile
from bot.features.accounts.follow import Follow, Unfollow
from bot.features.accounts.profile import Profile
from bot.features.gallery import popular, recent
from bot.features.gallery.popular import Popular
from bot.features.gallery.recent import Recent
from bot.features.linking import logout, me
from bot.features.linking.login import Login, run_login
from bot.features.linking.logout import Logout
from bot.features.linking.me import Me
from bot.instagram import registry
from bot.instagram.errors import NotFound
from bot.instagram.models import (
    Account,
    Authorization,
    Capability,
    Credentials,
    FollowResult,
    FollowStatus,
    HashtagLimit,
    Media,
)
from bot.instagram.wording import AccountFacts
from bot.slack.blocks import Message
from bot.slack.invocation import Invocation
from bot.storage.crypto import TokenCipher
from bot.storage.feeds import FeedStore
from bot.storage.hashtags import HashtagBudget
from bot.storage.keys import link_key, state_key
from bot.storage.links import Link, LinkStore
from bot.storage.states import StateStore

TEAM, USER = "T0TEAM", "U0ALICE"
TOKEN = "tok-alice-0001"
IG_ID = "17841400000000001"
LEGACY = frozenset(
    {Capability.FOLLOW, Capability.PROFILE, Capability.POPULAR, Capability.POPULAR_WITHOUT_LINK}
)
LEGACY_CAPS = LEGACY | {Capability.RECENT}
GRAPH = frozenset(
    {Capability.PROFILE, Capability.POPULAR_BY_TAG, Capability.RECENT, Capability.ACCOUNT_DETAILS}
)


# --- stand-ins ----------------------------------------------------------------------------------------


class Replies(list[Message]):
    """A Reply that records every message, in order."""

    def __call__(self, message: Message) -> None:
        self.append(message)

    def texts(self) -> list[str]:
        """The notification text of each message."""
        return [str(m.get("text", "")) for m in self]

    def all_text(self) -> str:
        """Everything the user can read, as one string (top-level text and every block text)."""
        return json.dumps(list(self), ensure_ascii=False)


def buttons(message: Message) -> list[dict[str, Any]]:
    """The buttons of one message."""
    return [
        element
        for block in message.get("blocks", [])
        if block.get("type") == "actions"
        for element in block.get("elements", [])
        if element.get("type") == "button"
    ]


def connect_button(message: Message) -> dict[str, Any] | None:
    """The Connect Instagram button of a message, if it has one."""
    return next((b for b in buttons(message) if b.get("action_id") == "ig_connect"), None)


def menus(message: Message) -> list[dict[str, Any]]:
    """The select menus of one message."""
    return [
        element
        for block in message.get("blocks", [])
        if block.get("type") == "actions"
        for element in block.get("elements", [])
        if element.get("type") == "static_select"
    ]


def account(username: str, **fields: Any) -> Account:
    """An Instagram account as a backend returns it."""
    base: dict[str, Any] = {
        "id": f"id-{username}",
        "username": username,
        "full_name": username.title(),
        "picture_url": f"https://cdn.example/{username}.jpg",
        "profile_url": f"https://www.instagram.com/{username}/",
    }
    return Account(**{**base, **fields})


def media(n: int, author: str = "bob") -> Media:
    """One gallery post."""
    return Media(
        id=f"m{n}",
        image_url=f"https://cdn.example/{n}.jpg",
        link=f"https://www.instagram.com/p/{n}/",
        author=author,
        caption=f"post {n}",
        likes=n,
    )


@dataclass
class FakeInstagram:
    """A stand-in backend: answers from its fields, records each call, raises what ``fail`` names (a
    refused token names the failing token's fingerprint, as the real backends do)."""

    capabilities: frozenset[Capability] = LEGACY_CAPS
    hashtag_limit: HashtagLimit | None = None
    account_facts: AccountFacts = registry.LEGACY.account_facts  # what people are told about accounts
    own: list[Account] = field(default_factory=lambda: [account("alice", id=IG_ID)])
    known: dict[str, Account] = field(default_factory=dict)
    feed: list[Media] = field(default_factory=lambda: [media(i) for i in range(1, 11)])
    status: FollowStatus = FollowStatus.FOLLOWS
    searched: list[str] = field(default_factory=list)  # hashtag ids, as Instagram lists them
    fail: dict[str, Exception] = field(default_factory=dict)
    calls: list[tuple[Any, ...]] = field(default_factory=list)

    def _call(self, name: str, *args: Any, creds: Credentials | None = None) -> None:
        self.calls.append((name, *args))
        if name in self.fail:
            failure = self.fail[name]
            if creds is not None and getattr(failure, "token_fingerprint", "") is None:
                failure.token_fingerprint = creds.fingerprint  # type: ignore[attr-defined]  # as a real backend does
            raise failure

    def called(self, name: str) -> list[tuple[Any, ...]]:
        """The arguments of each call of method ``name``."""
        return [c[1:] for c in self.calls if c[0] == name]

    def authorization_url(self, state: str) -> str:
        self._call("authorization_url", state)
        return f"https://instagram.example/oauth/authorize?client_id=c&state={state}"

    def exchange_code(self, code: str) -> Authorization:
        self._call("exchange_code", code)
        return Authorization(token=TOKEN, scope="basic", accounts=tuple(self.own))

    def accounts(self, creds: Credentials) -> list[Account]:
        self._call("accounts", creds.token, creds=creds)
        return list(self.own)

    def own_account(self, creds: Credentials) -> Account:
        self._call("own_account", creds.token, creds.ig_user_id, creds=creds)
        return self.own[0]

    def find_account(self, creds: Credentials, username: str) -> Account:
        self._call("find_account", creds.token, username, creds=creds)
        if username not in self.known:
            raise NotFound(username)
        return self.known[username]

    def set_following(self, creds: Credentials, username: str, *, follow: bool) -> FollowResult:
        self._call("set_following", creds.token, username, follow, creds=creds)
        status = self.status if follow else FollowStatus.NONE
        return FollowResult(self.known.get(username, account(username)), status)

    def popular(self, count: int, creds: Credentials | None = None) -> list[Media]:
        self._call("popular", count, creds.token if creds else None, creds=creds)
        return self.feed[:count]

    def tagged(
        self, creds: Credentials, tag: str, count: int, *, counted: Callable[[str], None] | None = None
    ) -> list[Media]:
        self._call("tagged", creds.token, tag, count, creds=creds)
        self.searched.append(f"h-{tag}")  # Instagram accepted the search: it counts from now on
        if counted is not None:
            counted(f"h-{tag}")
        return self.feed[:count]

    def searched_hashtags(self, creds: Credentials) -> list[str]:
        self._call("searched_hashtags", creds.token, creds=creds)
        return list(self.searched)

    def recent(self, creds: Credentials, count: int) -> list[Media]:
        self._call("recent", creds.token, count, creds=creds)
        return self.feed[:count]


class CallLog:
    """A stand-in for a collaborator the handlers under test only notify (expiry reminders, the job
    queue): every method exists and records its call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Callable[..., None]:
        def record(*args: Any, **kwargs: Any) -> None:
            self.calls.append((name, args, kwargs))

        return record


class StandInSlack:
    """Every team's Web API client is one `CallLog`."""

    def __init__(self) -> None:
        self.log = CallLog()

    def client(self, team_id: str, *, paced: bool = False) -> CallLog:
        return self.log


@dataclass
class StandInServices:
    """What handlers are given (`bot.core.services.Services`), with the real stores and a fake backend."""

    links: LinkStore
    states: StateStore
    hashtags: HashtagBudget
    instagram: FakeInstagram
    reminders: CallLog = field(default_factory=CallLog)
    jobs: CallLog = field(default_factory=CallLog)
    slack_web_url: str = "https://slack.example/"
    storage_ok: Callable[[], bool] = lambda: True
    feeds: FeedStore | None = None
    slack: StandInSlack = field(default_factory=StandInSlack)


def make_services(client: redis.Redis, instagram: FakeInstagram | None = None) -> StandInServices:
    """Real LinkStore, StateStore and HashtagBudget on ``client`` around ``instagram``."""
    return StandInServices(
        links=LinkStore(client, TokenCipher([Fernet.generate_key().decode()])),
        states=StateStore(client),
        hashtags=HashtagBudget(client),
        instagram=instagram or FakeInstagram(),
        feeds=FeedStore(client),
    )


def invocation(text: str, user_id: str = USER) -> Invocation:
    """`/ig <text>` typed by ``user_id`` in #general."""
    return Invocation(
        team_id=TEAM,
        user_id=user_id,
        user_name="alice",
        channel_id="C0GENERAL",
        response_url="https://hooks.slack.example/commands/T0TEAM/1/abc",
        text=text,
    )


def link(services: StandInServices, *, ig_user_id: str = IG_ID, expires_at: int | None = None) -> Link:
    """Link the test user to @alice."""
    return services.links.save(
        TEAM,
        USER,
        token=TOKEN,
        ig_user_id=ig_user_id,
        ig_username="alice" if ig_user_id else "",
        scope="basic",
        expires_at=expires_at,
    )


def pending_states(client: redis.Redis) -> dict[str, str]:
    """Every stored OAuth state -> its stored JSON."""
    prefix = state_key("")
    return {k.removeprefix(prefix): str(client.get(k)) for k in client.keys(prefix + "*")}


def assert_login_prompt(message: Message, client: redis.Redis, *, resume: str | None) -> None:
    """``message`` is a private Connect button to the approval page for a stored, single-use state that
    finishes ``resume`` after linking (or nothing)."""
    assert message["response_type"] == "ephemeral"
    button = connect_button(message)
    assert button is not None, message
    states = pending_states(client)
    assert len(states) == 1
    ((state, stored),) = states.items()
    assert button["url"] == f"https://instagram.example/oauth/authorize?client_id=c&state={state}"
    assert USER in stored and TEAM in stored
    ttl = client.ttl(state_key(state))
    assert 0 < ttl <= 600
    if resume:
        assert json.dumps(resume) in stored
    else:
        assert '"resume": null' in stored or '"text": ""' in stored


# --- /ig login ----------------------------------------------------------------------------------------


def test_login_without_a_link_offers_the_connect_button(redis_client: redis.Redis) -> None:
    services, replies = make_services(redis_client), Replies()
    run_login(Login(), invocation("login"), services, replies)
    (prompt,) = replies
    assert "Connect your Instagram account" in prompt["text"]
    assert_login_prompt(prompt, redis_client, resume=None)
    assert services.links.get(TEAM, USER) is None  # nothing is linked before the user approves


def test_login_when_linked_says_as_whom_and_offers_another_account(redis_client: redis.Redis) -> None:
    services, replies = make_services(redis_client), Replies()
    link(services)
    run_login(Login(), invocation("login"), services, replies)
    (prompt,) = replies
    assert "connected to Instagram as *@alice*" in prompt["text"]
    assert_login_prompt(prompt, redis_client, resume=None)
    assert services.links.get(TEAM, USER) is not None  # the current link stays until a new one is made


def test_each_login_gets_its_own_state(redis_client: redis.Redis) -> None:
    services, replies = make_services(redis_client), Replies()
    run_login(Login(), invocation("login"), services, replies)
    run_login(Login(), invocation("login"), services, replies)
    urls = [connect_button(m)["url"] for m in replies]  # type: ignore[index]
    assert len(set(urls)) == 2 and len(pending_states(redis_client)) == 2


# --- /ig logout ---------------------------------------------------------------------------------------


def test_logout_forgets_the_link_and_pending_logins_and_says_so(redis_client: redis.Redis) -> None:
    services, replies = make_services(redis_client), Replies()
    link(services)
    services.links.save("T0TEAM", "U0BOB", token="tok-bob", ig_user_id="2", ig_username="bob", scope="basic")
    run_login(Login(), invocation("login"), services, Replies())
    logout.run_logout(Logout(), invocation("logout"), services, replies)
    (done,) = replies
    assert "@alice" in done["text"] and "`/ig login`" in done["text"]
    assert done["response_type"] == "ephemeral"
    assert services.links.get(TEAM, USER) is None
    assert redis_client.exists(link_key(TEAM, USER)) == 0
    assert pending_states(redis_client) == {}
    assert services.links.get("T0TEAM", "U0BOB") is not None  # nobody else is logged out


def test_logout_without_a_link_says_there_was_nothing_to_forget(redis_client: redis.Redis) -> None:
    services, replies = make_services(redis_client), Replies()
    logout.run_logout(Logout(), invocation("logout"), services, replies)
    assert "nothing to forget" in replies.texts()[0]


# --- /ig me -------------------------------------------------------------------------------------------


def test_me_without_a_link_offers_the_connect_button(redis_client: redis.Redis) -> None:
    services, replies = make_services(redis_client), Replies()
    me.run_me(Me(), invocation("me"), services, replies)
    (prompt,) = replies
    assert "haven't connected" in prompt["text"]
    assert_login_prompt(prompt, redis_client, resume=None)


def test_me_on_legacy_names_both_sides(redis_client: redis.Redis) -> None:
    services, replies = make_services(redis_client, FakeInstagram(capabilities=LEGACY)), Replies()
    link(services)
    me.run_me(Me(), invocation("me"), services, replies)
    (answer,) = replies
    assert f"<@{USER}>" in answer["text"] and "*@alice*" in answer["text"]
    assert "`/ig logout`" in answer["text"]
    assert services.instagram.calls == []  # the stored link is enough


def test_me_on_graph_shows_the_live_account_card(redis_client: redis.Redis) -> None:
    instagram = FakeInstagram(
        capabilities=GRAPH, own=[account("alice", id=IG_ID, followers=1234, media_count=5)]
    )
    services, replies = make_services(redis_client, instagram), Replies()
    link(services)
    me.run_me(Me(), invocation("me"), services, replies)
    (card,) = replies
    assert instagram.called("own_account") == [(TOKEN, IG_ID)]
    assert f"<@{USER}> is connected to Instagram as" in card["blocks"][0]["text"]["text"]
    assert "1,234 followers" in replies.all_text()


def test_me_before_an_account_was_picked_shows_the_menu(redis_client: redis.Redis) -> None:
    instagram = FakeInstagram(
        capabilities=GRAPH,
        account_facts=registry.GRAPH.account_facts,
        own=[account("alice.shop"), account("alice.studio")],
    )
    services, replies = make_services(redis_client, instagram), Replies()
    link(services, ig_user_id="")
    me.run_me(Me(), invocation("me"), services, replies)
    (picker,) = replies
    (menu,) = menus(picker)
    assert [o["value"] for o in menu["options"]] == ["id-alice.shop", "id-alice.studio"]
    assert "Your Facebook login manages several" in picker["text"]


def test_me_when_the_token_manages_no_account_anymore_says_what_to_do_without_an_empty_menu(
    redis_client: redis.Redis,
) -> None:
    instagram = FakeInstagram(capabilities=GRAPH, account_facts=registry.GRAPH.account_facts, own=[])
    services, replies = make_services(redis_client, instagram), Replies()
    link(services, ig_user_id="")
    me.run_me(Me(), invocation("me"), services, replies)
    (answer,) = replies
    assert menus(answer) == []
    assert "no Instagram professional" in answer["text"] and "`/ig login`" in answer["text"]


# --- /ig follow, /ig unfollow -------------------------------------------------------------------------


def test_follow_without_a_link_offers_the_button_and_finishes_after_linking(
    redis_client: redis.Redis,
) -> None:
    services, replies = make_services(redis_client), Replies()
    follow.run_follow(Follow("bob"), invocation("follow bob"), services, replies)
    (prompt,) = replies
    assert "`/ig follow`" in prompt["text"]
    assert_login_prompt(prompt, redis_client, resume="follow bob")
    assert services.instagram.called("set_following") == []


@pytest.mark.parametrize(
    ("status", "fragment"),
    [
        (FollowStatus.FOLLOWS, "You now follow @bob"),
        (FollowStatus.REQUESTED, "your follow request was sent"),
    ],
)
def test_follow_follows_and_confirms_privately_with_the_card(
    redis_client: redis.Redis, status: FollowStatus, fragment: str
) -> None:
    instagram = FakeInstagram(status=status, known={"bob": account("bob", followers=10)})
    services, replies = make_services(redis_client, instagram), Replies()
    link(services)
    follow.run_follow(Follow("bob"), invocation("follow bob"), services, replies)
    (answer,) = replies
    assert instagram.called("set_following") == [(TOKEN, "bob", True)]
    assert fragment in answer["text"] and answer["response_type"] == "ephemeral"
    assert [b["url"] for b in buttons(answer)] == ["https://www.instagram.com/bob/"]


def test_unfollow_unfollows_and_confirms(redis_client: redis.Redis) -> None:
    instagram = FakeInstagram()
    services, replies = make_services(redis_client, instagram), Replies()
    link(services)
    follow.run_unfollow(Unfollow("bob"), invocation("unfollow bob"), services, replies)
    assert instagram.called("set_following") == [(TOKEN, "bob", False)]
    assert "You no longer follow @bob" in replies.texts()[0]


def test_unfollow_without_a_link_names_unfollow_and_resumes_it(redis_client: redis.Redis) -> None:
    services, replies = make_services(redis_client), Replies()
    follow.run_unfollow(Unfollow("bob"), invocation("unfollow bob"), services, replies)
    assert "`/ig unfollow`" in replies.texts()[0]
    assert_login_prompt(replies[0], redis_client, resume="unfollow bob")


def test_follow_where_the_api_cannot_follow_shows_the_card_and_the_profile_button(
    redis_client: redis.Redis,
) -> None:
    instagram = FakeInstagram(capabilities=GRAPH, known={"bob": account("bob")})
    services, replies = make_services(redis_client, instagram), Replies()
    link(services)
    follow.run_follow(Follow("bob"), invocation("follow bob"), services, replies)
    (answer,) = replies
    assert instagram.called("set_following") == []
    assert instagram.called("find_account") == [(TOKEN, "bob")]
    assert "doesn't let apps follow or unfollow" in answer["text"]
    assert [b["url"] for b in buttons(answer)] == ["https://www.instagram.com/bob/"]


@pytest.mark.parametrize(
    "capabilities", [GRAPH, frozenset({Capability.RECENT})], ids=["account-not-found", "no-lookup"]
)
def test_follow_where_the_api_cannot_follow_or_find_still_offers_the_profile(
    redis_client: redis.Redis, capabilities: frozenset[Capability]
) -> None:
    instagram = FakeInstagram(capabilities=capabilities)
    services, replies = make_services(redis_client, instagram), Replies()
    link(services)
    follow.run_follow(Follow("dan_the_man"), invocation("follow dan_the_man"), services, replies)
    (answer,) = replies
    assert "doesn't let apps follow or unfollow" in answer["text"]
    assert [b["url"] for b in buttons(answer)] == ["https://www.instagram.com/dan_the_man/"]
    assert instagram.called("set_following") == []


def test_a_link_about_to_expire_runs_the_command_with_no_note(redis_client: redis.Redis) -> None:
    # the warning is a direct message of its own, scheduled at link time (tests/workers/test_answers.py)
    services, replies = make_services(redis_client), Replies()
    link(services, expires_at=int(time.time()) + 3 * 86400 + 3600)
    follow.run_follow(Follow("bob"), invocation("follow bob"), services, replies)
    (answer,) = replies
    assert "You now follow @bob" in answer["text"]


# --- /ig user -----------------------------------------------------------------------------------------


def test_user_shows_the_profile_card_privately(redis_client: redis.Redis) -> None:
    instagram = FakeInstagram(known={"natgeo": account("natgeo", followers=280_000_000, bio="<!channel>")})
    services, replies = make_services(redis_client, instagram), Replies()
    link(services)
    profile.run_profile(Profile("natgeo"), invocation("user natgeo"), services, replies)
    (card,) = replies
    assert instagram.called("find_account") == [(TOKEN, "natgeo")]
    assert card["response_type"] == "ephemeral"
    assert "Instagram profile" in card["text"] and "@natgeo" in card["text"]
    assert "280,000,000 followers" in replies.all_text()
    assert "<!channel>" not in replies.all_text()


def test_user_without_a_link_offers_the_button_and_resumes(redis_client: redis.Redis) -> None:
    services, replies = make_services(redis_client), Replies()
    profile.run_profile(Profile("natgeo"), invocation("user natgeo"), services, replies)
    assert "`/ig user`" in replies.texts()[0]
    assert_login_prompt(replies[0], redis_client, resume="user natgeo")


def test_user_where_the_api_cannot_look_accounts_up_says_so(redis_client: redis.Redis) -> None:
    instagram = FakeInstagram(capabilities=frozenset({Capability.POPULAR}))
    services, replies = make_services(redis_client, instagram), Replies()
    profile.run_profile(Profile("natgeo"), invocation("user natgeo"), services, replies)
    assert "can't do that" in replies.texts()[0] and "`/ig help`" in replies.texts()[0]
    assert pending_states(redis_client) == {} and instagram.calls == []


def test_user_not_found_is_left_to_the_failure_mapping(redis_client: redis.Redis) -> None:
    services, replies = make_services(redis_client), Replies()
    link(services)
    with pytest.raises(NotFound):
        profile.run_profile(Profile("nobody"), invocation("user nobody"), services, replies)
    assert replies == []


# --- /ig popular --------------------------------------------------------------------------------------


def test_popular_on_legacy_needs_no_link_and_posts_into_the_channel(redis_client: redis.Redis) -> None:
    instagram = FakeInstagram(capabilities=LEGACY)
    services, replies = make_services(redis_client, instagram), Replies()
    popular.run_popular(Popular(3), invocation("popular 3"), services, replies)
    (gallery,) = replies
    assert instagram.called("popular") == [(3, None)]
    assert gallery["response_type"] == "in_channel"
    assert gallery["text"].startswith(f"<@{USER}> shared 3 popular Instagram posts")
    assert [b["image_url"] for b in gallery["blocks"] if b["type"] == "image"] == [
        "https://cdn.example/1.jpg",
        "https://cdn.example/2.jpg",
        "https://cdn.example/3.jpg",
    ]


def test_popular_that_needs_a_link_asks_for_one_first(redis_client: redis.Redis) -> None:
    instagram = FakeInstagram(capabilities=frozenset({Capability.POPULAR}))
    services, replies = make_services(redis_client, instagram), Replies()
    popular.run_popular(Popular(5), invocation("popular"), services, replies)
    assert_login_prompt(replies[0], redis_client, resume="popular")
    assert instagram.called("popular") == []
    link(services)
    popular.run_popular(Popular(5), invocation("popular"), services, replies)
    assert instagram.called("popular") == [(5, TOKEN)]


def test_popular_with_no_posts_says_so_instead_of_an_empty_gallery(redis_client: redis.Redis) -> None:
    services, replies = make_services(redis_client, FakeInstagram(capabilities=LEGACY, feed=[])), Replies()
    popular.run_popular(Popular(5), invocation("popular"), services, replies)
    (answer,) = replies
    assert "no posts to show" in answer["text"] and "blocks" not in answer
    assert answer["response_type"] == "ephemeral"


def test_popular_without_a_tag_on_graph_explains_the_hashtag_form(redis_client: redis.Redis) -> None:
    services, replies = make_services(redis_client, FakeInstagram(capabilities=GRAPH)), Replies()
    popular.run_popular(Popular(5), invocation("popular"), services, replies)
    assert "`/ig popular #" in replies.texts()[0]
    assert services.instagram.calls == []


def test_popular_tag_where_unsupported_says_so(redis_client: redis.Redis) -> None:
    services, replies = make_services(redis_client, FakeInstagram(capabilities=LEGACY)), Replies()
    popular.run_popular(Popular(5, "travel"), invocation("popular #travel"), services, replies)
    assert "can't do that" in replies.texts()[0]
    assert services.instagram.calls == [] and pending_states(redis_client) == {}


def test_popular_tag_without_a_link_asks_for_one_and_resumes(redis_client: redis.Redis) -> None:
    services, replies = make_services(redis_client, FakeInstagram(capabilities=GRAPH)), Replies()
    popular.run_popular(Popular(3, "travel"), invocation("popular #travel 3"), services, replies)
    assert_login_prompt(replies[0], redis_client, resume="popular #travel 3")
    assert services.instagram.called("tagged") == []


def test_popular_tag_posts_the_top_posts_into_the_channel(redis_client: redis.Redis) -> None:
    instagram = FakeInstagram(capabilities=GRAPH)
    services, replies = make_services(redis_client, instagram), Replies()
    link(services)
    popular.run_popular(Popular(2, "travel"), invocation("popular #travel 2"), services, replies)
    (gallery,) = replies
    assert instagram.called("tagged") == [(TOKEN, "travel", 2)]
    assert gallery["response_type"] == "in_channel"
    assert f"<@{USER}> shared the top 2 posts for #travel" in gallery["text"]


def test_popular_tag_with_a_limit_says_how_many_hashtags_are_left(redis_client: redis.Redis) -> None:
    instagram = FakeInstagram(capabilities=GRAPH, hashtag_limit=HashtagLimit(tags=30, days=7))
    services, replies = make_services(redis_client, instagram), Replies()
    link(services)
    popular.run_popular(Popular(2, "travel"), invocation("popular #travel 2"), services, replies)
    gallery, budget = replies
    assert gallery["response_type"] == "in_channel"
    assert "29 more new hashtags" in budget["text"] and budget["response_type"] == "ephemeral"


# --- /ig recent ---------------------------------------------------------------------------------------


def test_recent_posts_the_linked_accounts_latest_posts(redis_client: redis.Redis) -> None:
    instagram = FakeInstagram(capabilities=GRAPH, feed=[media(1, "alice"), media(2, "alice")])
    services, replies = make_services(redis_client, instagram), Replies()
    link(services)
    recent.run_recent(Recent(5), invocation("recent"), services, replies)
    (gallery,) = replies
    assert instagram.called("recent") == [(TOKEN, 5)]
    assert gallery["response_type"] == "in_channel"
    assert f"<@{USER}> shared the latest 2 posts of @alice" in gallery["text"]


def test_recent_with_no_posts_says_so(redis_client: redis.Redis) -> None:
    services, replies = make_services(redis_client, FakeInstagram(capabilities=GRAPH, feed=[])), Replies()
    link(services)
    recent.run_recent(Recent(5), invocation("recent"), services, replies)
    assert "@alice has no posts to show yet" in replies.texts()[0]


def test_recent_without_a_link_asks_for_one_and_resumes(redis_client: redis.Redis) -> None:
    services, replies = make_services(redis_client, FakeInstagram(capabilities=GRAPH)), Replies()
    recent.run_recent(Recent(2), invocation("recent 2"), services, replies)
    assert "`/ig recent`" in replies.texts()[0]
    assert_login_prompt(replies[0], redis_client, resume="recent 2")


def test_recent_where_unsupported_says_so(redis_client: redis.Redis) -> None:
    services, replies = make_services(redis_client, FakeInstagram(capabilities=LEGACY)), Replies()
    recent.run_recent(Recent(5), invocation("recent"), services, replies)
    assert "can't do that" in replies.texts()[0]
    assert pending_states(redis_client) == {}
