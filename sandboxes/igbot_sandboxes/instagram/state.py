"""Everything one sandbox instance knows: configuration, the seeded world and the live mutable parts."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from igbot_sandboxes.instagram.comments import CommentStore
from igbot_sandboxes.instagram.deletions import Deletions, read_targets
from igbot_sandboxes.instagram.faults import Fault, FaultQueue
from igbot_sandboxes.instagram.graph.posts import personal_copy
from igbot_sandboxes.instagram.graph.seeding import build_graph_world
from igbot_sandboxes.instagram.graph.state import GraphMode
from igbot_sandboxes.instagram.graph.webhooks import (
    DEFAULT_WEBHOOK_RETRY_DELAYS,
    DEFAULT_WEBHOOK_TIMEOUT_SECONDS,
    WebhookHub,
)
from igbot_sandboxes.instagram.graph.world import GraphWorld
from igbot_sandboxes.instagram.instagram_login.state import LoginMode
from igbot_sandboxes.instagram.legacy.posts import NewPost, build_media
from igbot_sandboxes.instagram.legacy.pushes import (
    DEFAULT_RETRY_DELAYS,
    DEFAULT_TIMEOUT_SECONDS,
    PushDelivery,
)
from igbot_sandboxes.instagram.legacy.ratelimit import RateLimiter
from igbot_sandboxes.instagram.legacy.relationships import FollowGraph
from igbot_sandboxes.instagram.legacy.seeding import build_world
from igbot_sandboxes.instagram.legacy.subscriptions import SubscriptionStore, updates_by_callback
from igbot_sandboxes.instagram.legacy.tokens import Grant, TokenStore, parse_scope
from igbot_sandboxes.instagram.legacy.world import Media, User, World
from igbot_sandboxes.instagram.reqlog import RequestLog

DEFAULT_TOKEN_SCOPE = "basic relationships public_content"  # noqa: S105 - scope names
APIS = ("both", "v1", "graph")
DELETE_WHEN = ("now", "read")  # `SandboxState.delete_media`: at once, or right before the next read


@dataclass(frozen=True)
class SandboxConfig:
    """The registered app and the sandbox's limits."""

    client_id: str = "sandbox-client-id"
    client_secret: str = "sandbox-client-secret"  # noqa: S105 - the documented sandbox credential
    rate_limit_per_hour: int = 5000
    code_ttl_seconds: float = 600.0
    seed: int = 1
    graph_rate_limit_per_hour: int = 4800
    api: str = "both"  # which API to serve: "both", "v1" or "graph"
    push_timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS  # a real-time push not answered by then failed
    push_retry_delays: tuple[float, ...] = DEFAULT_RETRY_DELAYS  # waits before each retry of a push
    webhook_timeout_seconds: float = DEFAULT_WEBHOOK_TIMEOUT_SECONDS  # graph webhooks: no 2xx by then failed
    webhook_retry_delays: tuple[float, ...] = DEFAULT_WEBHOOK_RETRY_DELAYS  # waits before each retry
    write_rate_limit_per_hour: int = 60  # v1 comment POST/DELETE per token (Live apps: 60/h)
    instagram_app_id: str = "sandbox-instagram-app-id"  # Instagram Login's app (not the Meta app id)
    instagram_app_secret: str = "sandbox-instagram-app-secret"  # noqa: S105 - the sandbox credential
    instagram_login_exchange_shape: str = "flat"  # the code exchange's answer: "flat" or "wrapped"
    instagram_login_calls_per_hour: int = 4800  # graph.instagram.com calls per account per sliding hour


@lru_cache(maxsize=4)
def _seeded_world(seed: int) -> World:
    """Worlds are immutable once built, so sandboxes with the same seed share one."""
    return build_world(seed)


@lru_cache(maxsize=4)
def _seeded_graph_world(seed: int) -> GraphWorld:
    return build_graph_world(_seeded_world(seed))


class SandboxState:
    """Shared by every route: read the world, change the graph, tokens, faults and counters."""

    def __init__(self, config: SandboxConfig, clock: Callable[[], float]) -> None:
        self.config = config
        self.clock = clock
        self.seeded_world: World = _seeded_world(config.seed)  # shared by same-seed sandboxes: unchanged
        self.world: World = self.seeded_world  # this instance's: the seeded one plus added posts
        self._posts_lock = threading.Lock()
        self._posts_added = 0
        self.graph = FollowGraph(self.world)
        self.tokens = TokenStore(clock, config.code_ttl_seconds)
        self.faults = FaultQueue()
        self.limiter = RateLimiter(config.rate_limit_per_hour, clock)
        self.log = RequestLog()
        self.tile_log = RequestLog()  # map tile requests: path, user_agent, status (see `tiles`)
        self.graph_mode = GraphMode(
            _seeded_graph_world(config.seed), clock, config.code_ttl_seconds, config.graph_rate_limit_per_hour
        )
        self.subscriptions = SubscriptionStore(clock)
        self.pushes = PushDelivery(clock, config.push_timeout_seconds, config.push_retry_delays)
        self.comments = CommentStore(clock)
        self.deletions = Deletions()
        self.write_limiter = RateLimiter(config.write_rate_limit_per_hour, clock)
        self.webhooks = WebhookHub(
            clock, config.client_secret, config.webhook_timeout_seconds, config.webhook_retry_delays
        )
        self.graph_mode.comment_media = self._comment_media
        self.instagram_login = LoginMode(
            clock, config.instagram_login_exchange_shape, config.instagram_login_calls_per_hour
        )

    def _comment_media(self, comment_id: str) -> str | None:
        item = self.comments.get(comment_id, "graph")
        return item.media_id if item is not None else None

    def reset(self) -> None:
        """Back to the seeded state: tokens, codes, follow graph, faults, rate counters, the logs, added
        and deleted posts, subscriptions and pushes (queued ones are dropped), comments, Page roles, the
        webhook callback, the app's switches, Pages' subscribed apps, webhook deliveries and Instagram
        Login's codes, tokens and exchange shape."""
        with self._posts_lock:
            self.world = self.seeded_world
        self.deletions.reset()
        self.comments.reset()
        self.write_limiter.reset()
        self.webhooks.reset()
        self.subscriptions.reset()
        self.pushes.reset()
        self.graph_mode.reset()
        self.instagram_login.reset()
        self.graph.reset()
        self.tokens.reset()
        self.faults.reset()
        self.limiter.reset()
        self.log.reset()
        self.tile_log.reset()

    def user_named(self, username: str) -> User:
        """The sandbox user called ``username`` (case-insensitive, leading ``@`` ignored).

        Raises:
            ValueError: no such user.
        """
        user = self.world.user_by_username(username.lstrip("@"))
        if user is None:
            raise ValueError(f"no sandbox user named {username!r}")
        return user

    def follows_of(self, username: str) -> dict[str, list[str]]:
        """Usernames the user follows and has pending requests to, sorted."""
        user = self.user_named(username)

        def names(ids: list[str]) -> list[str]:
            return sorted(u.username for u in (self.world.user_by_id(i) for i in ids) if u is not None)

        return {
            "follows": names(self.graph.following(user.id)),
            "requested": names(self.graph.requested(user.id)),
        }

    def revoke(self, username: str | None = None, access_token: str | None = None) -> int:
        """Revoke a token, all tokens of a user, or (neither given) every token; returns how many.

        Covers both v1 tokens (of the Instagram user ``username``) and graph tokens (of the Facebook user
        ``username``; they answer 190/460 afterwards).
        """
        revoked = self.graph_mode.revoke(username, access_token)
        if username is not None:
            user = self.world.user_by_username(username.lstrip("@"))
            if user is None:
                return revoked
            return revoked + self.tokens.revoke(user_id=user.id, token=access_token)
        return revoked + self.tokens.revoke(user_id=None, token=access_token)

    def issue_token(self, username: str, scope: str = DEFAULT_TOKEN_SCOPE) -> tuple[str, User]:
        """A live token for ``username`` with ``scope`` (space-separated), skipping the browser flow.

        Raises:
            ValueError: unknown user or invalid scope.
        """
        user = self.user_named(username)
        scopes = parse_scope(scope)
        if scopes is None:
            raise ValueError(f"invalid scope {scope!r}")
        return self.tokens.issue_token(Grant(user.id, self.config.client_id, scopes)), user

    def inject_faults(self, fault: Fault) -> None:
        """Queue a fault for the next ``fault.remaining`` matching requests.

        Raises:
            ValueError: non-positive count, bad path prefix or status.
        """
        if fault.status is not None and fault.status != 0 and not 100 <= fault.status <= 599:
            raise ValueError("status must be an HTTP status code")
        if fault.error_code is not None and fault.error_code <= 0:
            raise ValueError("error_code must be a positive graph error code")
        if fault.latency_ms < 0:
            raise ValueError("latency_ms must not be negative")
        self.faults.add(fault)

    def add_media(self, post: NewPost) -> Media:
        """Publish a new v1 post (graph mode sees it too when its owner is public) and push it to every
        real-time subscription it matches, from background threads.

        Raises:
            LookupError: no such user.
            ValueError: a bad place or caption (see `legacy.posts.build_media`).
        """
        with self._posts_lock:
            item = build_media(self.world, post, self.clock(), self._posts_added + 1)
            self._posts_added += 1
            self.world = world = self.world.with_media(item)
        owner = world.user_by_id(item.owner_id)
        assert owner is not None
        if not owner.is_private:
            self.graph_mode.add_media(lambda graph_world: personal_copy(graph_world, item, owner))
        self.notify(world, item)
        return item

    def delete_media(self, media_id: str, when: str = "now") -> bool:
        """Delete a post (a v1 id or a graph id) as its owner would: at once (``when="now"``), or right
        before the next request that reads it on its own (``"read"``; see `deletions`). A v1 post's
        copy in graph mode goes with it. Returns True once it is deleted, False while it waits.

        Raises:
            LookupError: no such post.
            ValueError: an unknown ``when``.
        """
        if when not in DELETE_WHEN:
            raise ValueError(f"when must be one of {DELETE_WHEN}")
        known = self.world.media_by_id(media_id) or self.graph_mode.world.media_by_id(media_id)
        if known is None:
            raise LookupError(f"no post {media_id!r}")
        if when == "read":
            self.deletions.arm(media_id)
            return False
        self._delete(media_id)
        return True

    def _delete(self, media_id: str) -> None:
        with self._posts_lock:
            self.world = self.world.without_media(media_id)
        self.graph_mode.remove_media(media_id)

    def delete_before_read(self, path: str) -> None:
        """Delete the armed posts a request for ``path`` reads on its own, before it is answered."""
        if self.deletions.armed():
            reads = read_targets(path, self.world, self.graph_mode.world, self.comments)
            for media_id in self.deletions.take(reads):
                self._delete(media_id)

    def notify(self, world: World, item: Media) -> list[int]:
        """Queue the pushes a new post causes (one per callback URL); returns their delivery ids."""
        authorized = self.tokens.users_with_tokens(self.config.client_id)
        batches = updates_by_callback(self.subscriptions.all(), world, item, authorized, self.clock())
        secret = self.config.client_secret
        return [self.pushes.submit(url, updates, secret) for url, updates in batches.items()]
