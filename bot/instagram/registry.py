"""Every Instagram backend igbot has, named once: one `BackendEntry` per value of ``INSTAGRAM_API``.

An entry holds what the rest of igbot needs to know about a backend without looking inside it: the
name people set, the label they see, how to build it, its default URLs, how `igbot dev` plays it against
the sandbox Instagram, and the facts (with their wording) about how people reach their accounts through
it. The composition root (`bot.app.instagram_backend`), `igbot dev` and the command line read the
entries; nothing else names a backend.

Settings (`bot.settings`, the bottom layer) know no backend: ``INSTAGRAM_API`` and the three URL settings
are plain values there, None when unset. Here an unset URL becomes the backend's default
(`BackendEntry.urls_for`) and an unknown name is refused with one line naming the setting
(`load_settings`, `entry_for`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from bot.instagram.backend import InstagramBackend
from bot.instagram.config import ClientConfig, InstagramUrls
from bot.instagram.graph import GraphInstagram
from bot.instagram.instagram_login import InstagramLogin
from bot.instagram.legacy import LegacyInstagram
from bot.instagram.wording import AccountFacts
from bot.settings import Settings, SettingsError

API_SETTING = str(Settings.model_fields["instagram_api"].alias)  # INSTAGRAM_API


@dataclass(frozen=True)
class BackendEntry:
    """One Instagram backend as igbot knows it.

    Args:
        name: its ``INSTAGRAM_API`` (and ``igbot dev --api``) value, lowercase.
        label: what people are shown (``igbot dev``'s lines), e.g. "Graph API".
        summary: a few words for ``igbot dev --help``, e.g. "today's Graph API with Facebook Login".
        factory: builds the backend from its configuration (the backend's class).
        account_facts: how people reach their accounts through it and what igbot says about that; the
            backend it builds carries the same object (``InstagramBackend.account_facts``).
        urls: its URLs when ``INSTAGRAM_API_URL``, ``_AUTHORIZE_URL`` and ``_TOKEN_URL`` are not set.
        sandbox_paths: where the sandbox Instagram serves it, below the sandbox's base URL.
        dev_data: the folder below ``IGBOT_DATA_DIR`` where ``igbot dev`` keeps its Redis data ("" for
            the data dir itself). Links made with one backend mean nothing to another, so each keeps its own.
        dev_webhook: ``igbot dev`` registers igbot's webhook with the sandbox, as the owner of a Meta app
            does once in its App Dashboard.
    """

    name: str
    label: str
    summary: str
    factory: Callable[[ClientConfig], InstagramBackend]
    account_facts: AccountFacts
    urls: InstagramUrls
    sandbox_paths: InstagramUrls
    dev_data: str = ""
    dev_webhook: bool = False

    @property
    def needs_facebook_page(self) -> bool:
        """People reach their accounts only through a Facebook Page they have a role on."""
        return self.account_facts.needs_facebook_page

    def build(self, config: ClientConfig) -> InstagramBackend:
        """The backend, configured with ``config``."""
        return self.factory(config)

    def urls_for(self, settings: Settings) -> InstagramUrls:
        """The Instagram URLs of ``settings``, this backend's default for each one not set."""
        return InstagramUrls(
            api=settings.instagram_api_url or self.urls.api,
            authorize=settings.instagram_authorize_url or self.urls.authorize,
            token=settings.instagram_token_url or self.urls.token,
        )

    def sandbox_urls(self, sandbox_url: str) -> InstagramUrls:
        """Its URLs on the sandbox Instagram at ``sandbox_url`` (no trailing slash)."""
        paths = self.sandbox_paths
        return InstagramUrls(
            sandbox_url + paths.api, sandbox_url + paths.authorize, sandbox_url + paths.token
        )


# InstagramUrls(api, authorize, token) below.
LEGACY = BackendEntry(
    name="legacy",
    label="API v1",
    summary="API v1",
    factory=LegacyInstagram,
    account_facts=LegacyInstagram.account_facts,
    urls=InstagramUrls(
        "https://api.instagram.com/v1",
        "https://api.instagram.com/oauth/authorize",
        "https://api.instagram.com/oauth/access_token",
    ),
    sandbox_paths=InstagramUrls("/v1", "/oauth/authorize", "/oauth/access_token"),
)
# The Facebook Login variant (docs/instagram-graph.md explains why the graph.instagram.com defaults,
# which lack business discovery and hashtag search, are not used).
GRAPH = BackendEntry(
    name="graph",
    label="Graph API",
    summary="today's Graph API with Facebook Login",
    factory=GraphInstagram,
    account_facts=GraphInstagram.account_facts,
    urls=InstagramUrls(
        "https://graph.facebook.com/v25.0",
        "https://www.facebook.com/v25.0/dialog/oauth",
        "https://graph.facebook.com/v25.0/oauth/access_token",
    ),
    sandbox_paths=InstagramUrls(
        "/graph/v25.0", "/facebook/v25.0/dialog/oauth", "/graph/v25.0/oauth/access_token"
    ),
    dev_data="graph",
    dev_webhook=True,
)

# Instagram Login (docs/instagram-login.md): the Instagram app's own login, no Facebook Page; the API on
# graph.instagram.com with the same version pin as GRAPH.
INSTAGRAM_LOGIN = BackendEntry(
    name="instagram-login",
    label="Instagram Login",
    summary="today's Instagram API with Instagram Login, no Facebook Page",
    factory=InstagramLogin,
    account_facts=InstagramLogin.account_facts,
    urls=InstagramUrls(
        "https://graph.instagram.com/v25.0",
        "https://www.instagram.com/oauth/authorize",
        "https://api.instagram.com/oauth/access_token",
    ),
    sandbox_paths=InstagramUrls(
        "/instagram-graph/v25.0", "/instagram-login/oauth/authorize", "/instagram-login/oauth/access_token"
    ),
    dev_data="instagram-login",
)

BACKENDS: Mapping[str, BackendEntry] = MappingProxyType(
    {entry.name: entry for entry in (LEGACY, GRAPH, INSTAGRAM_LOGIN)}
)
DEFAULT = LEGACY.name  # when INSTAGRAM_API is not set


def spoken(words: Iterable[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    listed = list(words)
    return listed[0] if len(listed) == 1 else f"{', '.join(listed[:-1])} or {listed[-1]}"


def name_problem(setting: str, value: str, *, quoted: bool = True) -> str | None:
    """The line refusing ``value`` as the backend named by ``setting``, or None when it names one.

    ``value`` is compared stripped and lowercase; a blank one is the default. The settings' lines
    (``quoted``) quote the choices and show the value as compared; ``igbot dev``'s name the choices bare
    and show the value as it was typed.
    """
    name = value.strip().lower() or DEFAULT
    if name in BACKENDS:
        return None
    names = [repr(known) if quoted else known for known in BACKENDS]
    shown = repr(name) if quoted else repr(value)
    return f"{setting} must be {spoken(names)}, not {shown}"


def entry_named(value: str | None, *, setting: str = API_SETTING) -> BackendEntry:
    """The entry ``value`` names (the default when None or blank).

    Raises:
        SettingsError: no backend has that name (one line naming ``setting``).
    """
    problem = name_problem(setting, value or "")
    if problem is not None:
        raise SettingsError([problem])
    return BACKENDS[(value or "").strip().lower() or DEFAULT]


def entry_for(settings: Settings) -> BackendEntry:
    """The entry of ``settings``' ``INSTAGRAM_API``.

    Raises:
        SettingsError: no backend has that name.
    """
    return entry_named(settings.instagram_api)


def load_settings(env: Mapping[str, str]) -> Settings:
    """`Settings.from_env`, with ``INSTAGRAM_API`` naming a backend of `BACKENDS`.

    Raises:
        SettingsError: one line per problem, an unknown ``INSTAGRAM_API`` among them.
    """
    try:
        settings = Settings.from_env(env)
    except SettingsError as exc:
        # Settings.from_env reads a blank value as unset, and INSTAGRAM_API as lowercase.
        problem = name_problem(API_SETTING, env.get(API_SETTING, ""))
        raise SettingsError([*exc.problems, *([problem] if problem else [])]) from None
    entry_for(settings)
    return settings
