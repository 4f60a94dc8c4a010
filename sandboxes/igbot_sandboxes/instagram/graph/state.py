"""Graph mode's part of one sandbox instance: its world, tokens, limits and hashtag quota."""

from __future__ import annotations

import threading
from collections.abc import Callable

from igbot_sandboxes.instagram.graph.limits import AccountLimiter, AppUsage, HashtagQuota
from igbot_sandboxes.instagram.graph.posts import with_media, without_media
from igbot_sandboxes.instagram.graph.tokens import GraphGrant, GraphToken, GraphTokenStore, parse_permissions
from igbot_sandboxes.instagram.graph.world import FacebookUser, GraphMedia, GraphWorld, Page, ProAccount

MAX_EXTRA_PAGES = 1000
EXTRA_PAGE_ID_BASE = 105_000_000_000_000  # seeded Pages are 104...; added ones 105...
EXTRA_PAGE_CATEGORIES = (
    "Local Business",
    "Community",
    "Brand",
    "Personal Blog",
    "Restaurant",
    "Musician/Band",
)
PAGE_POSITIONS = ("before", "after")


class GraphMode:
    """Everything the ``/graph`` and ``/facebook`` routes share."""

    def __init__(
        self, world: GraphWorld, clock: Callable[[], float], code_ttl: float, rate_limit_per_hour: int
    ) -> None:
        self.seeded_world = world  # shared between sandboxes with the same seed: never changed
        self.world = world  # this instance's: the seeded one, or a copy with added Pages
        self._world_lock = threading.Lock()
        self.clock = clock
        self.tokens = GraphTokenStore(clock, code_ttl)
        self.limiter = AccountLimiter(rate_limit_per_hour, clock)
        self.app_usage = AppUsage(clock)
        self.hashtags = HashtagQuota(clock)
        # comment id -> the id of the post it is on (set by the sandbox state; the usage gate reads it)
        self.comment_media: Callable[[str], str | None] = lambda _comment_id: None

    def reset(self) -> None:
        """Forget codes, tokens, counters, hashtag searches, added Pages, Page roles and added posts."""
        with self._world_lock:
            self.world = self.seeded_world
        self.tokens.reset()
        self.limiter.reset()
        self.app_usage.reset()
        self.hashtags.reset()

    def professional_account(self, name_or_id: str) -> ProAccount:
        """A professional account by username (``@`` and case ignored) or IG user id.

        Raises:
            LookupError: no such account.
        """
        account = self.world.account_by_username(name_or_id) or self.world.account_by_id(name_or_id)
        if account is None:
            raise LookupError(f"no professional account {name_or_id!r}")
        return account

    def add_media(self, make: Callable[[GraphWorld], GraphMedia]) -> GraphMedia:
        """Add the post ``make`` builds from the current world, as its newest; returns it (until `reset`).

        Raises:
            whatever ``make`` raises (nothing is added then).
        """
        with self._world_lock:
            item = make(self.world)
            self.world = with_media(self.world, item)
        return item

    def remove_media(self, media_id: str) -> bool:
        """Delete a post (a graph id, or the v1 id behind a personal account's post) until `reset`;
        False when there is no such post."""
        with self._world_lock:
            before = self.world
            self.world = without_media(before, media_id)
            return len(self.world.media) != len(before.media)

    def fb_user_named(self, username: str) -> FacebookUser:
        """The Facebook user called ``username``.

        Raises:
            ValueError: no such Facebook user.
        """
        user = self.world.fb_user_by_username(username)
        if user is None:
            raise ValueError(f"no sandbox Facebook user named {username!r}")
        return user

    def issue_token(
        self, fb_username: str, client_id: str, scope: str, long_lived: bool = True
    ) -> tuple[str, GraphToken]:
        """A live token for the Facebook user, skipping the dialog.

        Raises:
            ValueError: unknown user or invalid scope.
        """
        user = self.fb_user_named(fb_username)
        scopes = parse_permissions(scope)
        if scopes is None:
            raise ValueError(f"invalid scope {scope!r}")
        return self.tokens.issue(GraphGrant(user.id, client_id, scopes), long_lived)

    def _user_id(self, username: str | None) -> str | None:
        if username is None:
            return None
        user = self.world.fb_user_by_username(username)
        return user.id if user else ""

    def revoke(self, username: str | None = None, access_token: str | None = None, subcode: int = 460) -> int:
        """Invalidate graph tokens (one, a Facebook user's, or all); returns how many."""
        user_id = self._user_id(username)
        return 0 if user_id == "" else self.tokens.revoke(user_id, access_token, subcode)

    def expire(self, username: str | None = None, access_token: str | None = None) -> int:
        """Expire graph tokens now (one, a Facebook user's, or all); returns how many."""
        user_id = self._user_id(username)
        return 0 if user_id == "" else self.tokens.expire(user_id, access_token)

    def accounts_of(self, fb_username: str) -> list[dict[str, str]]:
        """``[{"page_id", "page_name", "id", "username", "account_type"}]`` of the user's connected accounts.

        Raises:
            ValueError: unknown Facebook user.
        """
        user = self.fb_user_named(fb_username)
        out = []
        for page in self.world.pages_of(user.id):
            account = self.world.account_by_id(page.ig_account_id or "")
            if account is not None:
                out.append(
                    {
                        "page_id": page.id,
                        "page_name": page.name,
                        "id": account.id,
                        "username": account.username,
                        "account_type": account.account_type,
                    }
                )
        return out

    def add_page_role(self, ig_account: str, fb_username: str) -> Page:
        """Give a Facebook user a role on the Page connected to a professional account (username or id),
        until `reset`: the account then shows in their ``me/accounts`` and they may act as it.  Returns
        the Page.

        Raises:
            LookupError: no such professional account, or one without a Page.
            ValueError: unknown Facebook user.
        """
        user = self.fb_user_named(fb_username)
        account = self.professional_account(ig_account)
        with self._world_lock:
            page = self.world.page_of_account(account.id)
            if page is None:
                raise LookupError(f"{account.username} is not connected to a Page")
            self.world = self.world.with_page_role(page.id, user.id)
        return page

    def add_pages(self, fb_username: str, count: int, position: str = "before") -> list[Page]:
        """Give a Facebook user ``count`` more Pages, none connected to Instagram, listed ``"before"``
        (default) or ``"after"`` the user's existing ones in ``me/accounts``; returns the new Pages.

        With 29 added before Bob's Bakery, ``bobs_bakery`` is on the 30th Page: beyond the first answer
        of ``me/accounts`` (25 by default).  Until `reset`.

        Raises:
            ValueError: unknown Facebook user, a count outside 1..1000, or a bad position.
        """
        user = self.fb_user_named(fb_username)
        if not 1 <= count <= MAX_EXTRA_PAGES:
            raise ValueError(f"count must be 1..{MAX_EXTRA_PAGES}")
        if position not in PAGE_POSITIONS:
            raise ValueError(f"position must be one of {PAGE_POSITIONS}")
        with self._world_lock:
            world = self.world
            taken = {p.id for p in world.pages}
            numbered = len(world.pages_of(user.id))
            added = []
            next_id = EXTRA_PAGE_ID_BASE + len(world.pages)
            for index in range(count):
                while str(next_id) in taken:
                    next_id += 1
                taken.add(str(next_id))
                category = EXTRA_PAGE_CATEGORIES[(numbered + index) % len(EXTRA_PAGE_CATEGORIES)]
                added.append(
                    Page(str(next_id), f"{user.name} Page {numbered + index + 1}", category, user.id, None)
                )
            pages = added + world.pages if position == "before" else world.pages + added
            self.world = GraphWorld(
                fb_users=world.fb_users,
                pages=pages,
                accounts=world.accounts,
                media=world.media,
                hashtag_ids=world.hashtag_ids,
                personal_usernames=world.personal_usernames,
                page_roles=world.page_roles,
            )
        return added
