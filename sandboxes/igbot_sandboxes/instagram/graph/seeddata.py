"""Fixed material of the graph-mode world: Facebook users, Pages and professional accounts.

Names and ids are the same for every seed (tests and demos use them); only media are drawn at random.
Themes refer to `seeddata.THEMES` by name; ``tags`` are extra hashtags the account uses.
"""

from __future__ import annotations

from typing import NamedTuple

from igbot_sandboxes.instagram.graph.world import BUSINESS, CREATOR


class FacebookPersona(NamedTuple):
    """A Facebook user (the dialog lists them by ``username``)."""

    id: str
    username: str
    name: str


class PageSpec(NamedTuple):
    """A Page, its manager and the professional account connected to it (or None)."""

    id: str
    name: str
    category: str
    owner: str  # FacebookPersona.username
    ig_username: str | None


class ProSpec(NamedTuple):
    """A professional account and what its posts are about."""

    id: str
    username: str
    name: str
    account_type: str
    biography: str
    website: str
    followers_count: int
    follows_count: int
    themes: tuple[str, ...]
    tags: tuple[str, ...]


FACEBOOK_USERS: tuple[FacebookPersona, ...] = (
    FacebookPersona("10158000000000001", "alice", "Alice Anderson"),
    FacebookPersona("10158000000000002", "bob", "Bob Baker"),
    FacebookPersona("10158000000000003", "carol.private", "Carol Chen"),
    FacebookPersona("10158000000000004", "dan_the_man", "Dan Dawson"),
    FacebookPersona("10158000000000005", "erin.private", "Erin Evans"),
)

# alice: two Pages with IG accounts (pick one); bob: one; carol.private: a Page without IG (none);
# dan_the_man: no Pages at all; erin.private: one Page without IG and one with (mixed).
PAGES: tuple[PageSpec, ...] = (
    PageSpec("104000000000011", "Alice's Coffee Shop", "Coffee Shop", "alice", "alice.shop"),
    PageSpec("104000000000012", "Alice Anderson Studio", "Photographer", "alice", "alice.studio"),
    PageSpec("104000000000021", "Bob's Bakery", "Bakery", "bob", "bobs_bakery"),
    PageSpec("104000000000031", "Carol's Book Club", "Community", "carol.private", None),
    PageSpec("104000000000051", "Erin's Running Club", "Sports Club", "erin.private", None),
    PageSpec("104000000000052", "Trail Runner Jo", "Athlete", "erin.private", "trailrunner.jo"),
)

PROFESSIONAL: tuple[ProSpec, ...] = (
    ProSpec(
        "17841400000000011",
        "alice.shop",
        "Alice's Coffee Shop",
        BUSINESS,
        "Small-batch coffee on Valencia St. ☕ Open 7-3, every day.",
        "https://alice-shop.example.com",
        1834,
        212,
        ("coffee", "food"),
        ("alicecoffee", "pourover", "espresso"),
    ),
    ProSpec(
        "17841400000000012",
        "alice.studio",
        "Alice Anderson Studio",
        CREATOR,
        "Film & street photography. Prints and workshops 📷",
        "https://alice-studio.example.com",
        5120,
        340,
        ("city", "sunset", "art"),
        ("filmphotography", "35mm", "portrait"),
    ),
    ProSpec(
        "17841400000000021",
        "bobs_bakery",
        "Bob's Bakery",
        BUSINESS,
        "Sourdough, croissants and climbing fuel since 2019 🥖",
        "https://bobs-bakery.example.com",
        2750,
        180,
        ("food", "coffee"),
        ("sourdough", "croissant", "bakery", "bread"),
    ),
    ProSpec(
        "17841400000000101",
        "brewlab.coffee",
        "Brewlab Coffee Roasters",
        BUSINESS,
        "Roasting since 2002. Cafés in Oakland, SF and Tokyo.",
        "https://brewlab.example.com",
        267788,
        412,
        ("coffee",),
        ("coffeeroasters", "specialtycoffee", "espresso"),
    ),
    ProSpec(
        "17841400000000102",
        "sunset.chaser",
        "Sam Sunset",
        CREATOR,
        "Chasing golden hour on every coast 🌅",
        "",
        48210,
        903,
        ("sunset", "beach", "nature"),
        ("landscape", "travelphotography"),
    ),
    ProSpec(
        "17841400000000103",
        "urban.lens",
        "Urban Lens",
        CREATOR,
        "Cities after dark. Black & white mostly.",
        "https://urbanlens.example.org",
        15433,
        120,
        ("city", "art"),
        ("architecture", "blackandwhite"),
    ),
    ProSpec(
        "17841400000000104",
        "green_thumb_co",
        "Green Thumb Co.",
        BUSINESS,
        "Plants, pots and advice 🌿 Free delivery in the East Bay.",
        "https://greenthumb.example.com",
        9120,
        64,
        ("nature",),
        ("plants", "houseplants", "gardening", "urbanjungle"),
    ),
    ProSpec(
        "17841400000000105",
        "vinyl.vault",
        "Vinyl Vault Records",
        BUSINESS,
        "New & used records. Listening bar Thu-Sat 🎶",
        "https://vinylvault.example.com",
        7311,
        150,
        ("music",),
        ("recordstore", "vinylcollection", "nowspinning"),
    ),
    ProSpec(
        "17841400000000106",
        "pawsome.pets",
        "Pawsome Pet Supplies",
        BUSINESS,
        "Treats, toys and adoption days 🐾",
        "https://pawsome.example.com",
        22904,
        88,
        ("pets",),
        ("petsupplies", "adoptdontshop"),
    ),
    ProSpec(
        "17841400000000107",
        "trailrunner.jo",
        "Jo Rivera",
        CREATOR,
        "Ultra runner. Mountains > roads. Coach at Erin's Running Club.",
        "",
        3890,
        410,
        ("fitness", "nature"),
        ("trailrunning", "ultrarunning"),
    ),
    ProSpec(
        "17841400000000108",
        "wavecatcher.surf",
        "Wavecatcher Surf School",
        BUSINESS,
        "Surf lessons for all levels at Ocean Beach 🌊",
        "https://wavecatcher.example.com",
        11870,
        230,
        ("beach",),
        ("surfing", "surflessons"),
    ),
)
