"""Build the graph-mode world from the v1 world (unchanged) plus `graph.seeddata` (deterministic).

Professional accounts get their own posts (2024-2025, drawn from a generator seeded by the world seed);
public v1 posts join them in hashtag search.  Media and hashtag ids are 17-digit numbers derived from a
hash, so they look like Instagram's and stay stable (a hashtag's id is the same for every seed).
"""

from __future__ import annotations

import hashlib
import random

from igbot_sandboxes.instagram.graph import seeddata
from igbot_sandboxes.instagram.graph.world import (
    CAROUSEL,
    IMAGE,
    VIDEO,
    FacebookUser,
    GraphMedia,
    GraphWorld,
    Page,
    ProAccount,
)
from igbot_sandboxes.instagram.legacy import seeddata as v1_seeddata
from igbot_sandboxes.instagram.legacy.seeding import hashtags, shortcode_for
from igbot_sandboxes.instagram.legacy.world import World

GRAPH_START = 1704067200  # 2024-01-01T00:00:00Z
GRAPH_END = 1751241600  # 2025-06-30T00:00:00Z
IG_EPOCH_MS = 1314220021721
MEDIA_ID_BASE = 17_900_000_000_000_000
HASHTAG_ID_BASE = 17_843_000_000_000_000


def stable_id(key: str, base: int, span: int, taken: set[str]) -> str:
    """A number in ``base .. base+span`` derived from ``key``, not in ``taken`` (which it joins)."""
    value = int(hashlib.sha256(key.encode()).hexdigest(), 16)
    while True:
        candidate = str(base + value % span)
        if candidate not in taken:
            taken.add(candidate)
            return candidate
        value += 1


def graph_tags(tags: tuple[str, ...]) -> tuple[str, ...]:
    """Hashtags Instagram would index: ``#4`` (all digits) is not a hashtag."""
    return tuple(t for t in tags if not t.isdigit())


def _caption(rng: random.Random, spec: seeddata.ProSpec) -> str | None:
    if rng.random() < 0.08:
        return None
    wanted = rng.choice(spec.themes)
    theme = next(t for t in v1_seeddata.THEMES if t.name == wanted)
    tags = rng.sample(theme.tags, rng.randint(1, 2)) + rng.sample(spec.tags, rng.randint(1, len(spec.tags)))
    return rng.choice(theme.lines) + " " + " ".join(f"#{t}" for t in tags)


def _pro_media(rng: random.Random, spec: seeddata.ProSpec, taken: set[str]) -> list[GraphMedia]:
    count = rng.randint(8, 16)
    times = sorted(rng.sample(range(GRAPH_START, GRAPH_END), count), reverse=True)
    out = []
    for index, created in enumerate(times):
        caption = _caption(rng, spec)
        roll = rng.random()
        kind = VIDEO if roll < 0.15 else CAROUSEL if roll < 0.27 else IMAGE
        likes = int(spec.followers_count * rng.uniform(0.004, 0.06))
        pk = ((created * 1000 - IG_EPOCH_MS) << 23) | ((int(spec.id) % 2000) << 10) | (index % 1024)
        media_id = stable_id(f"pro:{spec.username}:{pk}", MEDIA_ID_BASE, 10**14, taken)
        out.append(
            GraphMedia(
                id=media_id,
                owner_id=spec.id,
                owner_username=spec.username,
                media_type=kind,
                caption=caption,
                timestamp=created,
                like_count=likes,
                comments_count=likes // rng.randint(15, 60),
                tags=graph_tags(hashtags(caption)) if caption else (),
                shortcode=shortcode_for(pk),
                picture_key=media_id,
                has_media_url=not (kind == VIDEO and rng.random() < 0.4),
            )
        )
    return out


def _personal_media(world: World, taken: set[str]) -> list[GraphMedia]:
    public = {u.id: u for u in world.users if not u.is_private}
    out = []
    for item in world.media:
        owner = public.get(item.owner_id)
        if owner is None:
            continue
        out.append(
            GraphMedia(
                id=stable_id(f"v1:{item.id}", MEDIA_ID_BASE, 10**14, taken),
                owner_id=owner.id,
                owner_username=owner.username,
                media_type=VIDEO if item.is_video else IMAGE,
                caption=item.caption.text if item.caption else None,
                timestamp=item.created_time,
                like_count=item.likes_count,
                comments_count=len(item.comments),
                tags=graph_tags(item.tags),
                shortcode=item.shortcode,
                picture_key=item.id,
                professional=False,
            )
        )
    return out


def build_graph_world(world: World) -> GraphWorld:
    """The graph world over ``world`` (same v1 world, same graph world).

    Raises:
        ValueError: a professional username clashes with a v1 user (cannot happen with the shipped data).
    """
    personal = frozenset(u.username.lower() for u in world.users)
    clash = [p.username for p in seeddata.PROFESSIONAL if p.username.lower() in personal]
    if clash:
        raise ValueError(f"professional usernames clash with v1 users: {clash}")
    fb_users = [FacebookUser(p.id, p.username, p.name) for p in seeddata.FACEBOOK_USERS]
    fb_ids = {u.username: u.id for u in fb_users}
    ig_ids = {p.username: p.id for p in seeddata.PROFESSIONAL}
    pages = [
        Page(p.id, p.name, p.category, fb_ids[p.owner], ig_ids[p.ig_username] if p.ig_username else None)
        for p in seeddata.PAGES
    ]
    accounts = [
        ProAccount(
            s.id,
            s.username,
            s.name,
            s.account_type,
            s.biography,
            s.website,
            s.followers_count,
            s.follows_count,
        )
        for s in seeddata.PROFESSIONAL
    ]
    rng = random.Random(f"graph-world:{world.seed}")
    taken: set[str] = set()
    media = [m for spec in seeddata.PROFESSIONAL for m in _pro_media(rng, spec, taken)]
    media += _personal_media(world, taken)
    media.sort(key=lambda m: (-m.timestamp, m.id))
    if len({m.shortcode for m in media}) != len(media):
        raise ValueError("duplicate shortcodes in the graph world")
    tag_ids: set[str] = set()
    all_tags = sorted({t for m in media for t in m.tags})
    hashtag_ids = {t: stable_id(f"tag:{t}", HASHTAG_ID_BASE, 10**12, tag_ids) for t in all_tags}
    return GraphWorld(
        fb_users=fb_users,
        pages=pages,
        accounts=accounts,
        media=media,
        hashtag_ids=hashtag_ids,
        personal_usernames=personal,
    )
