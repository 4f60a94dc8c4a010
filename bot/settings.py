"""Settings: one typed object built once at start-up from the environment (DESIGN.md, "Settings")."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import SplitResult, urlsplit

from cryptography.fernet import Fernet
from redis.connection import parse_url

LEGACY_DEFAULTS = {
    "INSTAGRAM_API_URL": "https://api.instagram.com/v1",
    "INSTAGRAM_AUTHORIZE_URL": "https://api.instagram.com/oauth/authorize",
    "INSTAGRAM_TOKEN_URL": "https://api.instagram.com/oauth/access_token",
}
# The graph backend uses the Facebook Login variant (docs/instagram-graph.md explains why DESIGN.md's
# graph.instagram.com defaults, which lack business discovery and hashtag search, are not used).
GRAPH_DEFAULTS = {
    "INSTAGRAM_API_URL": "https://graph.facebook.com/v25.0",
    "INSTAGRAM_AUTHORIZE_URL": "https://www.facebook.com/v25.0/dialog/oauth",
    "INSTAGRAM_TOKEN_URL": "https://graph.facebook.com/v25.0/oauth/access_token",
}
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_MAP_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
CALLBACK_PATH = "/instagram/callback"
WEBHOOK_PATH = "/instagram/webhook"
MAX_WEB_CONCURRENCY = 1024
_parse_redis_url: Callable[[str], object] = parse_url  # what redis-py itself makes of REDIS_URL

# What `urlsplit` accepts but no server can be: the netloc is [userinfo@]host[:port], the host a DNS
# name or a bracketed IP address, the port ASCII digits.
_NETLOC = re.compile(r"(?:[^@/\[\]]*@)?(?P<host>\[[0-9A-Fa-f:.]+\]|[^:@/\[\]]+)(?::(?P<port>[0-9]{1,5}))?")
_LABEL = re.compile(r"(?!-)[a-z0-9_-]{1,63}(?<!-)")

# Settings `igbot serve` cannot start without.
# (SLACK_BOT_TOKEN is required unless SLACK_CLIENT_ID and SLACK_CLIENT_SECRET install igbot by OAuth.)
REQUIRED_FOR_SERVE = (
    "SLACK_SIGNING_SECRET",
    "INSTAGRAM_CLIENT_ID",
    "INSTAGRAM_CLIENT_SECRET",
    "TOKEN_ENCRYPTION_KEYS",
)


class SettingsError(Exception):
    """Raised with one human-readable line per problem found in the environment."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Settings:
    """Everything igbot reads from the environment, validated."""

    slack_signing_secret: str = field(repr=False)
    slack_bot_token: str = field(repr=False)
    instagram_client_id: str
    instagram_client_secret: str = field(repr=False)
    token_encryption_keys: tuple[str, ...] = field(repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    slack_client_id: str | None = None
    slack_client_secret: str | None = field(default=None, repr=False)
    slack_api_url: str = DEFAULT_SLACK_API_URL
    instagram_api: str = "legacy"
    instagram_api_url: str = LEGACY_DEFAULTS["INSTAGRAM_API_URL"]
    instagram_authorize_url: str = LEGACY_DEFAULTS["INSTAGRAM_AUTHORIZE_URL"]
    instagram_token_url: str = LEGACY_DEFAULTS["INSTAGRAM_TOKEN_URL"]
    public_url: str = "http://localhost:3000"
    redis_url: str | None = None
    data_dir: Path = Path(".igbot")
    port: int = 3000
    web_concurrency: int | None = None
    webhook_verify_token: str | None = field(default=None, repr=False)
    map_tile_url: str = DEFAULT_MAP_TILE_URL

    @property
    def oauth_install(self) -> bool:
        """True when igbot installs into any workspace by OAuth (SLACK_CLIENT_ID and _SECRET set)."""
        return bool(self.slack_client_id and self.slack_client_secret)

    @property
    def webhook_url(self) -> str:
        """Where Instagram sends webhooks and real-time notifications."""
        return self.public_url + WEBHOOK_PATH

    @property
    def redirect_uri(self) -> str:
        """The OAuth redirect URI; byte-identical in the authorize request and the code exchange."""
        return self.public_url + CALLBACK_PATH

    @property
    def slack_web_url(self) -> str:
        """Where a browser goes back to Slack (the stand-in's console when SLACK_API_URL points at it)."""
        base = self.slack_api_url.rstrip("/")
        return base[: -len("/api")] if base.endswith("/api") else base

    @property
    def instagram_urls_are_loopback(self) -> bool:
        """True when every Instagram URL is a plain-http loopback address (the sandbox)."""
        urls = (self.instagram_api_url, self.instagram_authorize_url, self.instagram_token_url)
        return all(_is_loopback(urlsplit(u).hostname or "") for u in urls)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Build settings from ``env``; raises SettingsError listing every problem at once."""
        problems: list[str] = []

        def get(name: str, default: str | None = None) -> str | None:
            value = env.get(name, "").strip()
            return value or default

        for name in REQUIRED_FOR_SERVE:
            if not get(name):
                problems.append(f"{name} is not set")

        api = (get("INSTAGRAM_API", "legacy") or "legacy").lower()
        if api not in ("legacy", "graph"):
            problems.append(f"INSTAGRAM_API must be 'legacy' or 'graph', not {api!r}")
            api = "legacy"
        defaults = LEGACY_DEFAULTS if api == "legacy" else GRAPH_DEFAULTS

        client_id, client_secret = get("SLACK_CLIENT_ID"), get("SLACK_CLIENT_SECRET")
        if bool(client_id) != bool(client_secret):
            missing = "SLACK_CLIENT_SECRET" if client_id else "SLACK_CLIENT_ID"
            problems.append(f"{missing} is not set (installing by OAuth needs both SLACK_CLIENT_ID and it)")
        bot_token = get("SLACK_BOT_TOKEN", "") or ""
        if not bot_token and not client_id and not client_secret:
            problems.append("SLACK_BOT_TOKEN is not set (or set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET)")
        if bot_token and not bot_token.startswith("xoxb-"):
            problems.append("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
        app_token = get("SLACK_APP_TOKEN")
        if app_token and not app_token.startswith("xapp-"):
            problems.append("SLACK_APP_TOKEN must be an app-level token starting with xapp-")

        urls = {
            "SLACK_API_URL": get("SLACK_API_URL", DEFAULT_SLACK_API_URL) or "",
            "INSTAGRAM_API_URL": get("INSTAGRAM_API_URL", defaults["INSTAGRAM_API_URL"]) or "",
            "INSTAGRAM_AUTHORIZE_URL": get("INSTAGRAM_AUTHORIZE_URL", defaults["INSTAGRAM_AUTHORIZE_URL"])
            or "",
            "INSTAGRAM_TOKEN_URL": get("INSTAGRAM_TOKEN_URL", defaults["INSTAGRAM_TOKEN_URL"]) or "",
            "PUBLIC_URL": get("PUBLIC_URL", "http://localhost:3000") or "",
        }
        for name, url in urls.items():
            problem = _url_problem(name, url, https_unless_loopback=name.startswith("INSTAGRAM_"))
            if problem:
                problems.append(problem)

        keys = tuple(k.strip() for k in (get("TOKEN_ENCRYPTION_KEYS", "") or "").split(",") if k.strip())
        for index, key in enumerate(keys, start=1):
            try:
                Fernet(key.encode())
            except ValueError:
                problems.append(
                    f"TOKEN_ENCRYPTION_KEYS key #{index} is not a Fernet key "
                    "(make one with: python -c 'from cryptography.fernet import Fernet; "
                    "print(Fernet.generate_key().decode())')"
                )

        port_text = get("PORT", "3000") or "3000"
        port = _whole_number(port_text, 1, 65535)
        if port is None:
            problems.append(f"PORT must be a number from 1 to 65535, not {port_text!r}")

        concurrency_text = get("WEB_CONCURRENCY")
        web_concurrency = None
        if concurrency_text is not None:
            web_concurrency = _whole_number(concurrency_text, 1, MAX_WEB_CONCURRENCY)
            if web_concurrency is None:
                problems.append(
                    f"WEB_CONCURRENCY must be a number of web processes from 1 to {MAX_WEB_CONCURRENCY}, "
                    f"not {concurrency_text!r}"
                )

        tile_url = get("MAP_TILE_URL", DEFAULT_MAP_TILE_URL) or DEFAULT_MAP_TILE_URL
        tile_problem = _tile_url_problem(tile_url)
        if tile_problem:
            problems.append(tile_problem)

        redis_url = get("REDIS_URL")
        redis_problem = _redis_url_problem(redis_url) if redis_url else None
        if redis_problem:
            problems.append(redis_problem)

        if problems:
            raise SettingsError(problems)
        return cls(
            slack_signing_secret=get("SLACK_SIGNING_SECRET", "") or "",
            slack_bot_token=bot_token,
            slack_app_token=app_token,
            slack_client_id=client_id,
            slack_client_secret=client_secret,
            slack_api_url=urls["SLACK_API_URL"].rstrip("/") + "/",
            instagram_client_id=get("INSTAGRAM_CLIENT_ID", "") or "",
            instagram_client_secret=get("INSTAGRAM_CLIENT_SECRET", "") or "",
            instagram_api=api,
            instagram_api_url=urls["INSTAGRAM_API_URL"].rstrip("/"),
            instagram_authorize_url=urls["INSTAGRAM_AUTHORIZE_URL"],
            instagram_token_url=urls["INSTAGRAM_TOKEN_URL"],
            public_url=urls["PUBLIC_URL"].rstrip("/"),
            redis_url=redis_url,
            data_dir=Path(get("IGBOT_DATA_DIR", ".igbot") or ".igbot"),
            token_encryption_keys=keys,
            port=port or 3000,
            web_concurrency=web_concurrency,
            webhook_verify_token=get("INSTAGRAM_WEBHOOK_VERIFY_TOKEN"),
            map_tile_url=tile_url,
        )


def _tile_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a ``{z}/{x}/{y}`` tile URL template (https, or http on loopback), or None."""
    if not all(part in url for part in ("{z}", "{x}", "{y}")):
        return (
            "MAP_TILE_URL must contain {z}, {x} and {y}, like https://tile.openstreetmap.org/{z}/{x}/{y}.png"
        )
    sample = url.replace("{z}", "1").replace("{x}", "0").replace("{y}", "0")
    return _url_problem("MAP_TILE_URL", sample, https_unless_loopback=True)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _whole_number(text: str, low: int, high: int) -> int | None:
    """``text`` as an int from ``low`` to ``high``: ASCII digits only (``"²".isdigit()`` is True, but
    ``int("²")`` raises, and ``int`` quietly reads Arabic-Indic and full-width digits)."""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(high)):
        return None
    number = int(text)
    return number if low <= number <= high else None


def _split(url: str) -> tuple[SplitResult, str, int | None] | None:
    """``url`` split, with its host (brackets removed) and port; None when it cannot name a server.

    Total: ``urlsplit`` raises on unbalanced brackets and NFKC-changing characters, ``.port`` on a
    non-number or out-of-range port; each of those is None here.
    """
    try:
        parts = urlsplit(url)
        match = _NETLOC.fullmatch(parts.netloc)
        port = parts.port
    except ValueError:
        return None
    if match is None or (port is not None and not 0 < port < 65536):
        return None
    host = match.group("host")
    return (parts, host[1:-1], port) if host.startswith("[") else (parts, host, port)


def _valid_host(host: str) -> bool:
    if not host:
        return False
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return False
    labels = ascii_host.removesuffix(".").split(".")
    return len(ascii_host) <= 253 and all(_LABEL.fullmatch(label) for label in labels)


def _url_problem(name: str, url: str, *, https_unless_loopback: bool) -> str | None:
    split = _split(url)
    if split is None or split[0].scheme not in ("http", "https") or not _valid_host(split[1]):
        return f"{name} must be an http(s) URL, not {url!r}"
    if https_unless_loopback and split[0].scheme == "http" and not _is_loopback(split[1]):
        return f"{name} must use https (plain http is allowed only for loopback sandboxes)"
    return None


def _redis_url_problem(url: str) -> str | None:
    """Why redis-py could not use ``url`` (never echoing it: it may carry a password), or None."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in ("redis", "rediss", "unix"):
        return "REDIS_URL must start with redis://, rediss:// or unix://"
    if scheme == "unix":
        path = url.split("://", 1)[1].split("?", 1)[0]
        return None if path.strip("/") else "REDIS_URL must name a socket path, like unix:///run/redis.sock"
    split = _split(url)
    if split is None or not _valid_host(split[1]):
        return "REDIS_URL must name a host and port redis can reach, like redis://localhost:6379/0"
    if split[0].path not in ("", "/") and not re.fullmatch(r"/[0-9]{1,5}", split[0].path):
        return "REDIS_URL must end in a database number, if any, like redis://localhost:6379/0"
    try:
        _parse_redis_url(url)
    except ValueError:
        return "REDIS_URL must only carry options redis can read (check the part after ?)"
    return None
