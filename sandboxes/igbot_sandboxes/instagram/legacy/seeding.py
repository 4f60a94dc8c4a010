"""Seeding: build the deterministic world (same seed, same users, media, places and follow graph).

Personas keep fixed ids and edges for every seed; everybody and everything else comes from a seeded
`random.Random` over the material in `seeddata.py`.
"""

from __future__ import annotations

import random
import re

from igbot_sandboxes.instagram.legacy import seeddata
from igbot_sandboxes.instagram.legacy.world import Comment, Location, Media, PhotoTag, User, World

WORLD_START = 1420070400  # 2015-01-01T00:00:00Z: media are dated within the legacy API's last good year
WORLD_END = 1448928000  # 2015-12-01T00:00:00Z
_IG_EPOCH_MS = 1314220021721  # Instagram's id epoch (ids are ms-since-epoch << 23 | shard << 10 | seq)
_SHORTCODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_HASHTAG = re.compile(r"#(\w+)")
GENERATED_USERS = 33
VIDEO_COUNT = 9


def shortcode_for(pk: int) -> str:
    """Instagram's shortcode: the media pk written in URL-safe base64 digits."""
    out = ""
    while pk:
        pk, digit = divmod(pk, 64)
        out = _SHORTCODE_ALPHABET[digit] + out
    return out or "A"


def hashtags(text: str) -> tuple[str, ...]:
    """Lower-cased hashtags of a caption, in order of appearance, without duplicates."""
    seen: dict[str, None] = {}
    for tag in _HASHTAG.findall(text):
        seen.setdefault(tag.lower(), None)
    return tuple(seen)


def _make_users(rng: random.Random) -> list[User]:
    users = [User(p.id, p.username, p.full_name, p.bio, p.website, p.is_private) for p in seeddata.PERSONAS]
    taken = {u.username for u in users} | {u.id for u in users}
    while len(users) < len(seeddata.PERSONAS) + GENERATED_USERS:
        first, last = rng.choice(seeddata.FIRST_NAMES), rng.choice(seeddata.LAST_NAMES)
        pattern = rng.choice(seeddata.USERNAME_PATTERNS)
        username = pattern.format(f=first.lower(), l=last.lower(), n=rng.randint(1, 99))[:30]
        user_id = str(rng.randint(10_000_000, 2_999_999_999))
        if username in taken or user_id in taken:
            continue
        taken |= {username, user_id}
        website = f"http://{first.lower()}{last.lower()}.example.net" if rng.random() < 0.3 else ""
        users.append(
            User(user_id, username, f"{first} {last}", rng.choice(seeddata.BIOS), website, rng.random() < 0.2)
        )
    return users


def _make_locations(rng: random.Random) -> list[Location]:
    ids = rng.sample(range(100_000, 999_999_999), len(seeddata.PLACES))
    return [
        Location(str(i), p.name, p.latitude, p.longitude) for i, p in zip(ids, seeddata.PLACES, strict=True)
    ]


def _caption_text(
    rng: random.Random, theme: seeddata.Theme, users: list[User], location: Location | None
) -> str:
    text = rng.choice(theme.lines)
    if location is not None and rng.random() < 0.4:
        text += f" at {location.name}"
    if rng.random() < 0.2:
        text += f" with @{rng.choice(users).username}"
    tags = rng.sample(theme.tags, rng.randint(1, min(3, len(theme.tags))))
    if rng.random() < 0.25:
        tags.append(rng.choice(("instagood", "photooftheday", "tbt", "weekend", "friends")))
    return text + " " + " ".join(f"#{t}" for t in tags)


def _make_media(rng: random.Random, users: list[User], locations: list[Location]) -> list[Media]:
    plan: list[tuple[int, User]] = []
    for user in users:
        for _ in range(rng.randint(3, 14)):
            plan.append((rng.randint(WORLD_START, WORLD_END), user))
    plan.sort(key=lambda item: (item[0], item[1].id))
    videos = set(rng.sample(range(len(plan)), VIDEO_COUNT))
    comment_seq = 17_000_000_000
    media: list[Media] = []
    last_time = 0
    for index, (created, owner) in enumerate(plan):
        created = max(created, last_time + 1)
        last_time = created
        shard = int(owner.id) % 2000
        pk = ((created * 1000 - _IG_EPOCH_MS) << 23) | (shard << 10) | (index % 1024)
        theme = rng.choice(seeddata.THEMES)
        location = rng.choice(locations) if rng.random() < 0.6 else None
        caption = None
        if rng.random() < 0.88:
            comment_seq += rng.randint(1, 5000)
            text = _caption_text(rng, theme, users, location)
            caption = Comment(str(comment_seq), text, created, owner.id)
        others = [u for u in users if u.id != owner.id]
        comments = []
        for offset in sorted(rng.sample(range(60, 86_400), rng.randint(0, 4))):
            comment_seq += rng.randint(1, 5000)
            comments.append(
                Comment(
                    str(comment_seq),
                    rng.choice(seeddata.COMMENT_LINES),
                    created + offset,
                    rng.choice(others).id,
                )
            )
        likers = tuple(u.id for u in rng.sample(others, rng.randint(0, 5)))
        likes = len(likers) + int(rng.paretovariate(1.3) * 8) - 8
        tagged = (
            tuple(
                PhotoTag(u.id, round(rng.random(), 3), round(rng.random(), 3))
                for u in rng.sample(others, rng.randint(1, 2))
            )
            if rng.random() < 0.15
            else ()
        )
        kind = "video" if index in videos else "image"
        media.append(
            Media(
                id=f"{pk}_{owner.id}",
                pk=pk,
                shortcode=shortcode_for(pk),
                owner_id=owner.id,
                kind=kind,
                created_time=created,
                caption=caption,
                tags=hashtags(caption.text) if caption else (),
                location_id=location.id if location else None,
                filter=rng.choice(seeddata.VIDEO_FILTERS if kind == "video" else seeddata.FILTERS),
                theme=theme.name,
                likes_count=min(max(likes, len(likers)), 25_000),
                liker_ids=likers,
                comments=tuple(comments),
                users_in_photo=tagged,
            )
        )
    media.reverse()
    return media


def _make_graph(
    rng: random.Random, users: list[User]
) -> tuple[frozenset[tuple[str, str]], frozenset[tuple[str, str]]]:
    by_name = {u.username: u for u in users}
    persona_ids = {p.id for p in seeddata.PERSONAS}
    follows = {(by_name[a].id, by_name[b].id) for a, b in seeddata.PERSONA_FOLLOWS}
    requests = {(by_name[a].id, by_name[b].id) for a, b in seeddata.PERSONA_REQUESTS}
    generated = [u for u in users if u.id not in persona_ids]
    alice = by_name["alice"]
    for user in rng.sample([u for u in generated if not u.is_private], 6):
        follows.add((alice.id, user.id))
    for follower in generated:  # personas' outgoing edges stay exactly as listed in seeddata
        for target in rng.sample(users, rng.randint(2, 10)):
            if target.id == follower.id:
                continue
            if target.is_private and rng.random() < 0.3:
                requests.add((follower.id, target.id))
            else:
                follows.add((follower.id, target.id))
    return frozenset(follows), frozenset(requests - follows)


def build_world(seed: int = 1) -> World:
    """Build the deterministic world for ``seed`` (the same seed always gives the same world)."""
    rng = random.Random(seed)
    users = _make_users(rng)
    locations = _make_locations(rng)
    media = _make_media(rng, users, locations)
    follows, requests = _make_graph(rng, users)
    return World(
        seed=seed,
        users=users,
        locations=locations,
        media=media,
        initial_follows=follows,
        initial_requests=requests,
    )
