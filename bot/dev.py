"""`igbot dev`: the whole product on loopback, wired together, for a newcomer with no Slack or Instagram.

Starts the embedded Redis (data kept in IGBOT_DATA_DIR, so links survive a restart), the sandbox
Instagram, the Slack stand-in with its console, the bot built exactly as `igbot serve` builds it, and
one `igbot worker` process.
Generated secrets (signing secret, bot token, encryption key) are kept in the data dir too.

The bot runs as the Slack app it is in production: installed by OAuth ("Add to Slack"). At every start
`igbot dev` installs it into the stand-in's Sandbox workspace through the real flow (the install page,
the approval, ``oauth.v2.access``), as a workspace admin would once; the console's "Add igbot" installs
it into the other workspaces. The stand-in forgets its installations when it stops, so an install into
another workspace is made again after a restart.

``api`` chooses the backend the bot uses (`INSTAGRAM_API`), one of `bot.instagram.registry.BACKENDS`:
``legacy`` (API v1, the default) or ``graph`` (today's Graph API with Facebook Login). The sandbox
Instagram serves them all at once; the bot is wired to one, at the paths its registry entry names. Each
mode keeps its own links: legacy's Redis data stays directly in the data dir (where it always was, so
upgrading keeps existing links), another's in the folder its entry names (``data_dir/graph``). A link
made against one API is no use to another (a v1 token means nothing to the Graph API, and the
graph backend would drop it as revoked), so sharing one Redis would lose links on every switch.
"""

from __future__ import annotations

import html
import json
import os
import re
import secrets
import signal
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import requests
from cryptography.fernet import Fernet

from bot.app import Igbot, build
from bot.instagram.registry import BACKENDS, DEFAULT, BackendEntry, load_settings, name_problem, spoken
from bot.settings import SettingsError
from bot.storage.embedded import EmbeddedRedis, EmbeddedRedisError
from bot.threaded_server import RunningServer, start_server
from bot.web.install import BOT_SCOPES, INSTALL_PATH, REDIRECT_PATH
from bot.worker.supervisor import WorkerProcesses

if TYPE_CHECKING:  # imported lazily below: the serving path never imports the sandboxes
    from igbot_sandboxes.instagram import InstagramSandbox
    from igbot_sandboxes.slack import SlackSandbox

# The Slack app of the stand-in (its defaults) and the workspace igbot dev installs into at start.
SLACK_APP_CLIENT_ID = "sandbox-slack-client-id"
SLACK_APP_CLIENT_SECRET = "sandbox-slack-client-secret"  # noqa: S105 (the stand-in's, not a secret)
DEV_WORKSPACE = "T0SANDBOX"
SANDBOX_CLIENT_ID = "sandbox-client-id"
SANDBOX_CLIENT_SECRET = "sandbox-client-secret"  # noqa: S105 (the sandbox's published test secret)
INSTAGRAM_PORT = 8700
SLACK_PORT = 8800


class DevApiError(ValueError):
    """`--api` / `INSTAGRAM_API` names no backend; the message is one line for the user."""


def dev_api(option: str | None, env: Mapping[str, str]) -> str:
    """The API `igbot dev` plays: ``--api`` when given, else `INSTAGRAM_API`, else the default (legacy).

    Raises:
        DevApiError: the chosen value is not one of `BACKENDS`.
    """
    if option is not None:
        source, value = "--api", option
    else:
        source, value = "INSTAGRAM_API", env.get("INSTAGRAM_API", "")
    problem = name_problem(source, value, quoted=False)
    if problem is not None:
        raise DevApiError(problem)
    return value.strip().lower() or DEFAULT


def _entry(api: str) -> BackendEntry:
    if api not in BACKENDS:
        raise DevApiError(f"api must be {spoken(BACKENDS)}, not {api!r}")
    return BACKENDS[api]


def redis_dir(data_dir: Path, api: str) -> Path:
    """Where the embedded Redis of ``api`` keeps its data: in ``data_dir``, or the folder below it that
    its registry entry names (legacy's in ``data_dir`` itself, graph's in ``data_dir/graph``)."""
    folder = _entry(api).dev_data
    return data_dir / folder if folder else data_dir


def sandbox_urls(ig_url: str, api: str) -> dict[str, str]:
    """The bot's Instagram settings for the sandbox at ``ig_url``: ``api`` at the paths it is served at."""
    urls = _entry(api).sandbox_urls(ig_url)
    return {
        "INSTAGRAM_API": api,
        "INSTAGRAM_API_URL": urls.api,
        "INSTAGRAM_AUTHORIZE_URL": urls.authorize,
        "INSTAGRAM_TOKEN_URL": urls.token,
    }


class DevInstallError(Exception):
    """Installing igbot into the stand-in's workspace at start failed; the message says how."""


def install_into(bot_url: str, slack: SlackSandbox, team_id: str) -> None:
    """Install igbot into ``team_id`` of the stand-in through igbot's "Add to Slack" flow, as a workspace
    admin's browser would: igbot's install page (its state cookie), Slack's approval for ``team_id``,
    back to igbot's redirect.

    Raises:
        DevInstallError: a step did not answer as expected.
    """
    try:
        page = requests.get(bot_url + INSTALL_PATH, timeout=5)
        found = re.search(r'id="add-to-slack" href="([^"]+)"', page.text)
        if page.status_code != 200 or found is None:
            raise DevInstallError(f"igbot's install page answered {page.status_code}")
        state = parse_qs(urlsplit(html.unescape(found.group(1))).query).get("state", [""])[0]
        back = slack.install(team_id, redirect_uri=bot_url + REDIRECT_PATH, state=state)
        cookie = page.headers.get("Set-Cookie", "").split(";", 1)[0]
        done = requests.get(back, headers={"Cookie": cookie}, timeout=10)
    except requests.RequestException as exc:
        raise DevInstallError(
            f"installing igbot into the stand-in's {team_id} failed ({type(exc).__name__})"
        ) from None
    if done.status_code != 200:
        raise DevInstallError(f"installing igbot into the stand-in's {team_id} answered {done.status_code}")


class DevSecretsError(Exception):
    """The kept secrets file cannot be used; the message says what to do."""


SECRET_NAMES = ("SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "TOKEN_ENCRYPTION_KEYS")
ADDED_LATER = "INSTAGRAM_WEBHOOK_VERIFY_TOKEN"  # files made before channel feeds lack it


def dev_secrets(data_dir: Path) -> dict[str, str]:
    """The dev stack's generated secrets, made once and kept in ``data_dir/dev-secrets.json``.

    Raises:
        DevSecretsError: the file exists but is not what `igbot dev` wrote.
    """
    path = data_dir / "dev-secrets.json"
    if path.exists():
        try:
            kept = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, OSError) as exc:
            kept = exc
        if not isinstance(kept, dict) or not all(isinstance(kept.get(n), str) for n in SECRET_NAMES):
            raise DevSecretsError(
                f"{path} is damaged; delete it to make new secrets (connections kept in {data_dir} "
                "will then need to be made again)"
            )
        values = {name: str(kept[name]) for name in SECRET_NAMES}
        verify = kept.get(ADDED_LATER)
        if isinstance(verify, str) and verify:
            return {**values, ADDED_LATER: verify}
        values[ADDED_LATER] = secrets.token_urlsafe(24)  # a file from before channel feeds: add it
    else:
        values = {
            "SLACK_SIGNING_SECRET": secrets.token_hex(16),
            "SLACK_BOT_TOKEN": f"xoxb-dev-{secrets.token_hex(12)}",
            "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            ADDED_LATER: secrets.token_urlsafe(24),
        }
    data_dir.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(json.dumps(values, indent=2))
    return values


class _LateApp:
    """A WSGI app bound after its server listens: the bot's settings need the port it got."""

    def __init__(self) -> None:
        self.app: Any = None

    def __call__(self, environ: Any, start_response: Any) -> Any:
        if self.app is None:  # only between bind and build, a few milliseconds at start
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"igbot is starting\n"]
        return self.app(environ, start_response)


def _start_preferred(start: Callable[[str, int], RunningServer], host: str, preferred: int) -> RunningServer:
    """``start(host, preferred)`` if that port is free, else on any free port (binding is the check)."""
    try:
        return start(host, preferred)
    except OSError:
        if preferred == 0:
            raise
        return start(host, 0)


@dataclass
class DevStack:
    """The running dev stack; ``stop()`` ends every part of it.

    ``slack`` and ``instagram`` are the stand-ins themselves, for tests that want to look inside.
    """

    redis: EmbeddedRedis
    servers: list[RunningServer] = field(default_factory=list)
    bot: RunningServer | None = None
    igbot: Igbot | None = None
    workers: WorkerProcesses | None = None
    slack: SlackSandbox | None = None
    instagram: InstagramSandbox | None = None

    def stop(self) -> None:
        """Stop the bot, then its workers (they may still answer through the Slack stand-in), then the
        stand-ins, then Redis (saving its data)."""
        if self.bot is not None:
            self.bot.stop()
        if self.workers is not None:
            self.workers.stop()
        if self.igbot is not None:
            self.igbot.close()
        for server in reversed(self.servers):
            server.stop()
        self.redis.stop()  # saves, then exits


def start_dev(
    *,
    host: str = "127.0.0.1",
    port: int = 3000,
    data_dir: Path | None = None,
    instagram_port: int = INSTAGRAM_PORT,
    slack_port: int = SLACK_PORT,
    api: str = DEFAULT,
) -> tuple[DevStack, dict[str, str]]:
    """Start every component; returns the stack and the URL of each part.

    Args:
        host: interface for every server (loopback by default).
        port: the bot's port (its PUBLIC_URL); 0 picks a free one. A taken port is an error.
        data_dir: Redis data and the generated secrets; default ``IGBOT_DATA_DIR`` or ``./.igbot``.
            The secrets are shared by both modes; Redis data is per mode (`redis_dir`).
        instagram_port, slack_port: preferred ports of the stand-ins; when taken (or 0), any free port.
        api: the name of a backend of `BACKENDS`: which of the sandbox's APIs the bot uses.

    Raises:
        OSError: the bot's port is taken. EmbeddedRedisError: redis-server did not start.
    """
    from igbot_sandboxes.instagram import InstagramSandbox
    from igbot_sandboxes.slack import SlackSandbox
    from igbot_sandboxes.slack.console import set_console_hints

    entry = _entry(api)
    data_dir = (data_dir or Path(os.environ.get("IGBOT_DATA_DIR") or ".igbot")).resolve()
    generated = dev_secrets(data_dir)
    links_dir = redis_dir(data_dir, api)
    stack = DevStack(redis=EmbeddedRedis(links_dir))
    try:
        late = _LateApp()
        stack.bot = start_server(late, host=host, port=port, name="igbot")
        bot_url = stack.bot.url
        redis_url = stack.redis.start()
        stack.instagram = InstagramSandbox(  # one app for every mode: Meta's and Instagram Login's ids alike
            client_id=SANDBOX_CLIENT_ID,
            client_secret=SANDBOX_CLIENT_SECRET,
            instagram_app_id=SANDBOX_CLIENT_ID,
            instagram_app_secret=SANDBOX_CLIENT_SECRET,
        )
        stack.servers.append(_start_preferred(stack.instagram.start, host, instagram_port))
        ig_url = stack.servers[-1].url
        stack.slack = SlackSandbox(
            signing_secret=generated["SLACK_SIGNING_SECRET"],
            bot_token=generated["SLACK_BOT_TOKEN"],
            bot_url=f"{bot_url}/slack/events",
            preinstalled=False,  # installed below, by OAuth
            client_id=SLACK_APP_CLIENT_ID,
            client_secret=SLACK_APP_CLIENT_SECRET,
            bot_scopes=BOT_SCOPES,
        )
        set_console_hints(stack.slack.app, api)
        stack.servers.append(_start_preferred(stack.slack.start, host, slack_port))
        slack_url = stack.servers[-1].url
        settings = load_settings(
            {
                **{k: v for k, v in generated.items() if k != "SLACK_BOT_TOKEN"},
                "SLACK_CLIENT_ID": SLACK_APP_CLIENT_ID,
                "SLACK_CLIENT_SECRET": SLACK_APP_CLIENT_SECRET,
                "SLACK_API_URL": f"{slack_url}/api/",
                "INSTAGRAM_CLIENT_ID": SANDBOX_CLIENT_ID,
                "INSTAGRAM_CLIENT_SECRET": SANDBOX_CLIENT_SECRET,
                **sandbox_urls(ig_url, api),
                "MAP_TILE_URL": f"{ig_url}/tiles/{{z}}/{{x}}/{{y}}.png",  # the sandbox's offline tiles
                "PUBLIC_URL": bot_url,
                "REDIS_URL": redis_url,
                "IGBOT_DATA_DIR": str(links_dir),
                "PORT": str(stack.bot.port),
            }
        )
        stack.igbot = build(settings)
        late.app = stack.igbot.wsgi
        install_into(bot_url, stack.slack, DEV_WORKSPACE)
        if entry.dev_webhook:  # what the Meta app's owner sets once in its App Dashboard
            stack.instagram.set_webhook(
                f"{bot_url}/instagram/webhook", generated["INSTAGRAM_WEBHOOK_VERIFY_TOKEN"]
            )
        stack.workers = WorkerProcesses(settings, processes=1, threads=8, nice=0, grace=5.0).start()
    except BaseException:
        stack.stop()
        raise
    where = f"data in {links_dir}; {entry.label} links"
    if links_dir != data_dir:
        where += f", apart from {BACKENDS[DEFAULT].label}'s in {data_dir}"
    urls = {
        "redis": f"{redis_url} ({where})",
        "instagram": ig_url,
        "api": entry.label,
        "slack": slack_url,
        "bot": bot_url,
        "workers": f"{len(stack.workers.pids)} process (igbot worker, 8 threads)",
        "console": f"{slack_url}/",
    }
    return stack, urls


def run_dev(
    *, host: str = "127.0.0.1", port: int = 3000, data_dir: Path | None = None, api: str = DEFAULT
) -> int:
    """Start the stack, print where everything is, and run until Ctrl-C (or SIGTERM)."""
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)  # installed first: a Ctrl-C during start still stops cleanly
    signal.signal(signal.SIGTERM, on_signal)
    try:
        stack, urls = start_dev(host=host, port=port, data_dir=data_dir, api=api)
    except OSError as exc:
        print(f"igbot dev: cannot listen on {host}:{port} ({exc.strerror or exc}); try --port", flush=True)
        return 1
    except (EmbeddedRedisError, DevSecretsError, DevApiError, DevInstallError, SettingsError) as exc:
        print(f"igbot dev: {exc}", flush=True)
        return 1
    print(f"igbot dev: redis      {urls['redis']}", flush=True)
    print(f"igbot dev: instagram  {urls['instagram']} (sandbox, {urls['api']})", flush=True)
    print(f"igbot dev: slack      {urls['slack']} (stand-in)", flush=True)
    print(f"igbot dev: bot        {urls['bot']}", flush=True)
    print(f"igbot dev: workers    {urls['workers']}", flush=True)
    print(f"igbot dev: open the console at {urls['console']}  (Ctrl-C stops everything)", flush=True)
    try:
        stop.wait()
    finally:
        stack.stop()
        print("igbot dev: stopped", flush=True)
    return 0
