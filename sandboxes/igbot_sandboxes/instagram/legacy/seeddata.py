"""Static material the seeded world is drawn from: personas, names, places and caption themes.

Only data lives here; `world.py` combines it with a seeded random generator.
"""

from __future__ import annotations

from typing import NamedTuple


class Persona(NamedTuple):
    """A fixed account that tests and demos use by name (same id and profile for every seed)."""

    id: str
    username: str
    full_name: str
    is_private: bool
    bio: str
    website: str


PERSONAS: tuple[Persona, ...] = (
    Persona(
        "1574083",
        "alice",
        "Alice Anderson",
        False,
        "Coffee, cameras and long walks. SF ☕📷",
        "http://alice.example.com",
    ),
    Persona("2082346", "bob", "Bob Baker", False, "Bread baker by day, climber by night 🥖🧗", ""),
    Persona("3141592", "carol.private", "Carol Chen", True, "Friends only. Ask first 🙂", ""),
    Persona(
        "4815162", "dan_the_man", "Dan Dawson", False, "Skateboards & tacos 🌮", "http://dan.example.org"
    ),
    Persona("5772156", "erin.private", "Erin Evans", True, "Private diary of a runner 🏃‍♀️", ""),
    Persona("6180339", "frank_private", "Frank Foster", True, "Family pics only", ""),
    Persona("7071067", "gina.secret", "Gina Garcia", True, "✨ secret garden ✨", ""),
)

# Outgoing edges of the personas, fixed so that tests can rely on them.
# alice follows bob (public) and erin.private (approved earlier); she does NOT follow dan_the_man,
# carol.private, frank_private or gina.secret.  dan_the_man has a pending request to carol.private.
PERSONA_FOLLOWS: tuple[tuple[str, str], ...] = (
    ("alice", "bob"),
    ("alice", "erin.private"),
    ("bob", "alice"),
    ("bob", "carol.private"),
    ("bob", "dan_the_man"),
    ("carol.private", "alice"),
    ("carol.private", "bob"),
    ("dan_the_man", "alice"),
    ("erin.private", "alice"),
    ("erin.private", "frank_private"),
    ("frank_private", "erin.private"),
)
PERSONA_REQUESTS: tuple[tuple[str, str], ...] = (("dan_the_man", "carol.private"),)

FIRST_NAMES: tuple[str, ...] = (
    "Maya",
    "Liam",
    "Noah",
    "Olivia",
    "Emma",
    "Lucas",
    "Sofia",
    "Mateo",
    "Chloe",
    "Ethan",
    "Zoe",
    "Leo",
    "Hana",
    "Kenji",
    "Priya",
    "Arjun",
    "Fatima",
    "Omar",
    "Ingrid",
    "Lars",
    "Camille",
    "Jules",
    "Nina",
    "Tomas",
    "Aisha",
    "Diego",
    "Mei",
    "Jonas",
    "Amara",
    "Felix",
    "Rosa",
    "Yusuf",
)
LAST_NAMES: tuple[str, ...] = (
    "Nguyen",
    "Smith",
    "Okafor",
    "Rossi",
    "Tanaka",
    "Kowalski",
    "Silva",
    "Haddad",
    "Jensen",
    "Moreau",
    "Patel",
    "Schmidt",
    "Lopez",
    "Kim",
    "Novak",
    "Ahmed",
    "Fischer",
    "Costa",
    "Murphy",
    "Sato",
)
USERNAME_PATTERNS: tuple[str, ...] = (
    "{f}.{l}",
    "{f}{l}",
    "{f}_{l}",
    "the_{f}",
    "{f}.{l}{n}",
    "{f}{n}",
    "{f}_shoots",
    "{f}.eats",
    "{f}_travels",
    "hey.{f}",
    "{f}.{l}.photo",
    "{f}{l}_{n}",
)
BIOS: tuple[str, ...] = (
    "Photographer. Dog person. 🐶",
    "Eating my way around the world",
    "Sunsets & synths",
    "Designer @ somewhere nice",
    "Runner, reader, repeat",
    "Plant parent 🌱",
    "Living on film 🎞️",
    "Coffee first.",
    "Weekend hiker ⛰️",
    "Making things with my hands",
    "",
    "",
)
FILTERS: tuple[str, ...] = (
    "Normal",
    "Valencia",
    "X-Pro II",
    "Amaro",
    "Rise",
    "Hudson",
    "Lo-fi",
    "Earlybird",
    "Sierra",
    "Mayfair",
    "Walden",
    "Nashville",
    "Kelvin",
    "Toaster",
    "1977",
    "Inkwell",
    "Sutro",
    "Lark",
    "Clarendon",
    "Juno",
    "Ludwig",
    "Aden",
    "Perpetua",
    "Crema",
)
VIDEO_FILTERS: tuple[str, ...] = ("Vesper", "Normal", "Moon", "Ginza")


class Place(NamedTuple):
    """A named location with real-world coordinates."""

    name: str
    latitude: float
    longitude: float


PLACES: tuple[Place, ...] = (
    Place("Dolores Park", 37.7596, -122.4269),
    Place("Golden Gate Bridge", 37.8199, -122.4783),
    Place("Ferry Building Marketplace", 37.7955, -122.3937),
    Place("Tartine Bakery", 37.7614, -122.4241),
    Place("Baker Beach", 37.7936, -122.4836),
    Place("Fruitvale BART", 37.775383, -122.223941),
    Place("Central Park", 40.7829, -73.9654),
    Place("Brooklyn Bridge", 40.7061, -73.9969),
    Place("The High Line", 40.7480, -74.0048),
    Place("Katz's Delicatessen", 40.7223, -73.9874),
    Place("Borough Market", 51.5055, -0.0910),
    Place("Tower Bridge", 51.5055, -0.0754),
    Place("Primrose Hill", 51.5394, -0.1608),
    Place("Jardin du Luxembourg", 48.8462, 2.3372),
    Place("Montmartre", 48.8867, 2.3431),
    Place("Canal Saint-Martin", 48.8710, 2.3650),
    Place("Shibuya Crossing", 35.6595, 139.7005),
    Place("Tsukiji Outer Market", 35.6654, 139.7707),
    Place("Tempelhofer Feld", 52.4731, 13.4039),
    Place("East Side Gallery", 52.5050, 13.4397),
    Place("LX Factory", 38.7033, -9.1786),
    Place("Miradouro da Senhora do Monte", 38.7190, -9.1330),
)


class Theme(NamedTuple):
    """A kind of photo: caption lines and the hashtags that go with them."""

    name: str
    lines: tuple[str, ...]
    tags: tuple[str, ...]


THEMES: tuple[Theme, ...] = (
    Theme(
        "coffee",
        (
            "Morning fuel ☕",
            "Flat white and a good book",
            "Latte art is getting better",
            "Third coffee today, no regrets",
        ),
        ("coffee", "latteart", "morning", "cafe"),
    ),
    Theme(
        "food",
        (
            "Brunch with the crew",
            "Best tacos in town, fight me",
            "Homemade ramen night 🍜",
            "Sourdough attempt #4",
        ),
        ("food", "brunch", "instafood", "tacos", "yum"),
    ),
    Theme(
        "sunset",
        (
            "Golden hour never gets old",
            "Chasing the light",
            "Sky on fire tonight 🔥",
            "No filter needed (ok, one filter)",
        ),
        ("sunset", "goldenhour", "sky", "nofilter"),
    ),
    Theme(
        "city",
        (
            "Concrete jungle",
            "Lost in the city lights",
            "Street corners and stories",
            "Rainy streets, neon reflections",
        ),
        ("city", "streetphotography", "urban", "nightlife"),
    ),
    Theme(
        "nature",
        ("Fresh air therapy", "Into the woods 🌲", "Summit views", "Trail mix and trails"),
        ("nature", "hiking", "outdoors", "mountains"),
    ),
    Theme(
        "pets",
        ("Meet my coworker 🐶", "Sunday nap champion", "Who's a good boy?", "The cat owns this apartment"),
        ("dogsofinstagram", "catsofinstagram", "pets", "cute"),
    ),
    Theme(
        "beach",
        ("Salt in the air, sand in my hair", "Beach day!", "Waves for days 🌊", "Vitamin sea"),
        ("beach", "summer", "ocean", "surf"),
    ),
    Theme(
        "art",
        ("New mural downtown", "Sketchbook Sunday", "Gallery hopping", "Colors everywhere 🎨"),
        ("art", "streetart", "design", "illustration"),
    ),
    Theme(
        "fitness",
        ("5k before breakfast", "Leg day survived", "Climbing gym PR 🧗", "Rest day stretch"),
        ("fitness", "running", "climbing", "workout"),
    ),
    Theme(
        "music",
        ("Front row tonight 🎶", "Vinyl haul", "Jam session with friends", "Festival vibes"),
        ("music", "concert", "vinyl", "livemusic"),
    ),
)
COMMENT_LINES: tuple[str, ...] = (
    "Love this!",
    "Wow 😍",
    "So jealous right now",
    "Great shot!",
    "Where is this?",
    "Need to go here",
    "🔥🔥🔥",
    "The colors!",
    "Take me with you next time",
    "Amazing light",
    "Haha yes",
    "👏👏",
    "This made my day",
    "Stunning",
    "Miss you!",
    "Which camera?",
)
