"""Settings: one typed object built once at start-up from the environment (docs/interfaces.md, "Settings").

Every setting is one field of `Settings`, declared once: its environment variable (the alias), its
default, its validation, and whether it is a secret (``repr=False``: never in repr, str or logs). That
one declaration reads the environment (`Settings.from_env`, on pydantic-settings) and writes it back
for the worker processes (`Settings.to_env`), so a new setting reaches them by itself. Every problem
is one line of igbot's own naming the variable; pydantic's wording never reaches the user.

This is the bottom layer: it names no Instagram backend. ``INSTAGRAM_API`` and the Instagram URLs are
None when unset; `bot.instagram.registry` resolves them to a backend and its default URLs, and its
`load_settings` (what the ``igbot`` command reads the environment with) refuses an unknown name.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import SplitResult, urlsplit

from cryptography.fernet import Fernet
from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    PlainSerializer,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict
from redis.connection import parse_url

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_MAP_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
CALLBACK_PATH = "/instagram/callback"
WEBHOOK_PATH = "/instagram/webhook"
MAX_WEB_CONCURRENCY = 1024
FERNET_HINT = (
    "make one with: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
)
_parse_redis_url: Callable[[str], object] = parse_url  # what redis-py itself makes of REDIS_URL

# What `urlsplit` accepts but no server can be: the netloc is [userinfo@]host[:port], the host a DNS
# name or a bracketed IP address, the port ASCII digits.
_NETLOC = re.compile(r"(?:[^@/\[\]]*@)?(?P<host>\[[0-9A-Fa-f:.]+\]|[^:@/\[\]]+)(?::(?P<port>[0-9]{1,5}))?")
_LABEL = re.compile(r"(?!-)[a-z0-9_-]{1,63}(?<!-)")


class SettingsError(Exception):
    """Raised with one human-readable line per problem found in the environment."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _problem(*lines: str) -> PydanticCustomError:
    """A validation error carrying igbot's own lines (see `_lines`)."""
    return PydanticCustomError("igbot_setting", "{line}", {"line": "; ".join(lines), "lines": lines})


def _env_name(info: ValidationInfo) -> str:
    """The environment variable of the field being validated."""
    field = Settings.model_fields.get(info.field_name or "")
    return (field.alias if field is not None else None) or str(info.field_name)


def _lines(error: ErrorDetails) -> list[str]:
    """igbot's lines for one pydantic validation error, each naming the environment variable."""
    name = ".".join(str(part) for part in error["loc"]) or "a setting"
    if error["type"] == "igbot_setting":
        return [str(line) for line in error.get("ctx", {}).get("lines", [f"{name} is not valid"])]
    if error["type"] == "missing":
        return [f"{name} is not set"]
    return [f"{name} is not valid"]


# Validators: each raises `_problem` with the line that names the setting.


def _checked(problem: Callable[[str, str], str | None]) -> AfterValidator:
    """A validator raising ``problem(name, value)``, igbot's line for a value it refuses (None: fine)."""

    def check(value: str | None, info: ValidationInfo) -> str | None:
        line = problem(_env_name(info), value) if value is not None else None
        if line:
            raise _problem(line)
        return value

    return AfterValidator(check)


def _http_url_problem(name: str, url: str) -> str | None:
    return _url_problem(name, url, https_unless_loopback=False)


def _instagram_url_problem(name: str, url: str) -> str | None:
    return _url_problem(name, url, https_unless_loopback=True)


def _app_token_problem(name: str, token: str) -> str | None:
    return None if token.startswith("xapp-") else f"{name} must be an app-level token starting with xapp-"


def _fernet_keys(value: object, info: ValidationInfo) -> object:
    """Comma-separated Fernet keys (the first encrypts, all decrypt) as a tuple."""
    if not isinstance(value, str):
        return value
    keys = tuple(key.strip() for key in value.split(",") if key.strip())
    name = _env_name(info)
    if not keys:
        raise _problem(f"{name} is not set")
    bad = [index for index, key in enumerate(keys, start=1) if not _is_fernet_key(key)]
    if bad:
        raise _problem(*(f"{name} key #{index} is not a Fernet key ({FERNET_HINT})" for index in bad))
    return keys


def _whole(low: int, high: int, what: str = "a number") -> BeforeValidator:
    """A whole number from ``low`` to ``high`` written in ASCII digits (see `_whole_number`)."""

    def check(value: object, info: ValidationInfo) -> object:
        if value is None or isinstance(value, int):
            return value
        number = _whole_number(str(value), low, high)
        if number is None:
            raise _problem(f"{_env_name(info)} must be {what} from {low} to {high}, not {str(value)!r}")
        return number

    return BeforeValidator(check)


def _no_trailing_slash(url: str) -> str:
    return url.rstrip("/")


def _one_trailing_slash(url: str) -> str:
    return url.rstrip("/") + "/"


HttpUrl = Annotated[str, _checked(_http_url_problem)]
InstagramUrl = Annotated[str, _checked(_instagram_url_problem)]  # https, or plain http on loopback
FernetKeys = Annotated[tuple[str, ...], BeforeValidator(_fernet_keys), PlainSerializer(",".join)]


def _is_fernet_key(key: str) -> bool:
    try:
        Fernet(key.encode())
    except ValueError:
        return False
    return True


def _tile_url_problem(name: str, url: str) -> str | None:
    """Why ``url`` cannot be a ``{z}/{x}/{y}`` tile URL template (https, or http on loopback), or None."""
    if not all(part in url for part in ("{z}", "{x}", "{y}")):
        return f"{name} must contain {{z}}, {{x}} and {{y}}, like {DEFAULT_MAP_TILE_URL}"
    sample = url.replace("{z}", "1").replace("{x}", "0").replace("{y}", "0")
    return _url_problem(name, sample, https_unless_loopback=True)


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


def _redis_url_problem(name: str, url: str) -> str | None:
    """Why redis-py could not use ``url`` (never echoing it: it may carry a password), or None."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in ("redis", "rediss", "unix"):
        return f"{name} must start with redis://, rediss:// or unix://"
    if scheme == "unix":
        path = url.split("://", 1)[1].split("?", 1)[0]
        return None if path.strip("/") else f"{name} must name a socket path, like unix:///run/redis.sock"
    split = _split(url)
    if split is None or not _valid_host(split[1]):
        return f"{name} must name a host and port redis can reach, like redis://localhost:6379/0"
    if split[0].path not in ("", "/") and not re.fullmatch(r"/[0-9]{1,5}", split[0].path):
        return f"{name} must end in a database number, if any, like redis://localhost:6379/0"
    try:
        _parse_redis_url(url)
    except ValueError:
        return f"{name} must only carry options redis can read (check the part after ?)"
    return None


class Settings(BaseSettings):
    """Everything igbot reads from the environment, validated. One field per setting; ``alias`` is
    its environment variable and ``repr=False`` marks a secret."""

    model_config = SettingsConfigDict(frozen=True, case_sensitive=True, validate_default=False)

    slack_signing_secret: str = Field(alias="SLACK_SIGNING_SECRET", repr=False)
    # The OAuth pair before the bot token: the token's check reads them (`_bot_token_or_oauth`).
    slack_client_secret: str | None = Field(None, alias="SLACK_CLIENT_SECRET", repr=False)
    slack_client_id: str | None = Field(None, alias="SLACK_CLIENT_ID", validate_default=True)
    slack_bot_token: str = Field("", alias="SLACK_BOT_TOKEN", repr=False, validate_default=True)
    slack_app_token: Annotated[str | None, _checked(_app_token_problem)] = Field(
        None, alias="SLACK_APP_TOKEN", repr=False
    )
    slack_api_url: Annotated[HttpUrl, AfterValidator(_one_trailing_slash)] = Field(
        DEFAULT_SLACK_API_URL, alias="SLACK_API_URL"
    )
    instagram_client_id: str = Field(alias="INSTAGRAM_CLIENT_ID")
    instagram_client_secret: str = Field(alias="INSTAGRAM_CLIENT_SECRET", repr=False)
    # Which Instagram backend, and its URLs: None means the backend's own (`bot.instagram.registry` knows
    # the backends; settings, the bottom layer, know none, so an unknown name is refused there).
    instagram_api: str | None = Field(None, alias="INSTAGRAM_API")
    instagram_api_url: Annotated[InstagramUrl, AfterValidator(_no_trailing_slash)] | None = Field(
        None, alias="INSTAGRAM_API_URL"
    )
    instagram_authorize_url: InstagramUrl | None = Field(None, alias="INSTAGRAM_AUTHORIZE_URL")
    instagram_token_url: InstagramUrl | None = Field(None, alias="INSTAGRAM_TOKEN_URL")
    public_url: Annotated[HttpUrl, AfterValidator(_no_trailing_slash)] = Field(
        "http://localhost:3000", alias="PUBLIC_URL"
    )
    redis_url: Annotated[str | None, _checked(_redis_url_problem)] = Field(
        None, alias="REDIS_URL", repr=False
    )
    data_dir: Path = Field(Path(".igbot"), alias="IGBOT_DATA_DIR")
    token_encryption_keys: FernetKeys = Field(alias="TOKEN_ENCRYPTION_KEYS", repr=False)
    port: Annotated[int, _whole(1, 65535)] = Field(3000, alias="PORT")
    web_concurrency: Annotated[int | None, _whole(1, MAX_WEB_CONCURRENCY, "a number of web processes")] = (
        Field(None, alias="WEB_CONCURRENCY")
    )
    webhook_verify_token: str | None = Field(None, alias="INSTAGRAM_WEBHOOK_VERIFY_TOKEN", repr=False)
    map_tile_url: Annotated[str, _checked(_tile_url_problem)] = Field(
        DEFAULT_MAP_TILE_URL, alias="MAP_TILE_URL"
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only what `from_env` hands over: the environment it was given, read by igbot's rules."""
        return (init_settings,)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Build settings from ``env`` (the process environment, into which `bot.cli` loads a ``.env``);
        raises SettingsError with one line per problem.

        Each setting is read under its own name, surrounding blanks dropped, a blank value unset, and
        every value a plain string (never decoded as JSON, as pydantic-settings' environment source would).
        """
        names = [field.alias or name for name, field in cls.model_fields.items()]
        given: dict[str, Any] = {name: env[name].strip() for name in names if env.get(name, "").strip()}
        try:
            return cls(**given)
        except ValidationError as exc:
            raise SettingsError([line for error in exc.errors() for line in _lines(error)]) from None

    def to_env(self) -> dict[str, str]:
        """The environment from which `from_env` builds exactly these settings (unset ones left out)."""
        values = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        return {name: str(value) for name, value in values.items()}

    @field_validator("instagram_api", mode="before")
    @classmethod
    def _lowercase(cls, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value

    @field_validator("slack_client_id")
    @classmethod
    def _both_or_neither(cls, client_id: str | None, info: ValidationInfo) -> str | None:
        if bool(client_id) != bool(info.data.get("slack_client_secret")):
            missing = "SLACK_CLIENT_ID" if not client_id else "SLACK_CLIENT_SECRET"
            raise _problem(f"{missing} is not set (installing by OAuth needs both SLACK_CLIENT_ID and it)")
        return client_id

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_or_oauth(cls, token: str, info: ValidationInfo) -> str:
        if token and not token.startswith("xoxb-"):
            raise _problem("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
        # No slack_client_id in info.data: a half-set OAuth pair, already reported on its own.
        if not token and "slack_client_id" in info.data and not info.data["slack_client_id"]:
            raise _problem("SLACK_BOT_TOKEN is not set (or set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET)")
        return token

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
        """True when every Instagram URL is set to a plain-http loopback address (the sandbox); an unset
        one is the backend's default, never on loopback."""
        urls = (self.instagram_api_url, self.instagram_authorize_url, self.instagram_token_url)
        return all(u is not None and _is_loopback(urlsplit(u).hostname or "") for u in urls)
