"""`igbot dev`: the whole product on loopback, wired together, for a newcomer with no Slack or Instagram.

Starts the embedded Redis (data kept in IGBOT_DATA_DIR, so links survive a restart), the sandbox
Instagram, the Slack stand-in with its console, and the bot built exactly as `igbot serve` builds it.
Generated secrets (signing secret, bot token, encryption key) are kept in the data dir too.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from cryptography.fernet import Fernet

from bot.app import Igbot, build
from bot.serving import RunningServer, start_server
from bot.settings import Settings
from bot.storage.embedded import EmbeddedRedis

SANDBOX_CLIENT_ID = "sandbox-client-id"
SANDBOX_CLIENT_SECRET = "sandbox-client-secret"  # noqa: S105 (the sandbox's published test secret)
INSTAGRAM_PORT = 8700
SLACK_PORT = 8800


def dev_secrets(data_dir: Path) -> dict[str, str]:
    """The dev stack's generated secrets, made once and kept in ``data_dir/dev-secrets.json``."""
    path = data_dir / "dev-secrets.json"
    if path.exists():
        return dict(json.loads(path.read_text()))
    values = {
        "SLACK_SIGNING_SECRET": secrets.token_hex(16),
        "SLACK_BOT_TOKEN": f"xoxb-dev-{secrets.token_hex(12)}",
        "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    }
    data_dir.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(json.dumps(values, indent=2))
    return values


def _free(host: str, preferred: int) -> int:
    """``preferred`` if it can be bound on ``host``, else a free port."""
    with socket.socket() as probe:
        try:
            probe.bind((host, preferred))
        except OSError:
            return 0
    return preferred


@dataclass
class DevStack:
    """The running dev stack; ``stop()`` ends every part of it."""

    redis: EmbeddedRedis
    servers: list[RunningServer] = field(default_factory=list)
    igbot: Igbot | None = None

    def stop(self) -> None:
        """Stop the servers, the bot's background work, then Redis (saving its data)."""
        for server in reversed(self.servers):
            server.stop()
        if self.igbot is not None:
            self.igbot.close()
        self.redis.stop()


def start_dev(
    *, host: str = "127.0.0.1", port: int = 3000, data_dir: Path | None = None
) -> tuple[DevStack, dict[str, str]]:
    """Start every component; returns the stack and the URL of each part."""
    from bot.sandboxes.instagram import InstagramSandbox
    from bot.sandboxes.slack import SlackSandbox

    data_dir = (data_dir or Path(os.environ.get("IGBOT_DATA_DIR", ".igbot"))).resolve()
    generated = dev_secrets(data_dir)
    stack = DevStack(redis=EmbeddedRedis(data_dir))
    try:
        redis_url = stack.redis.start()
        instagram = InstagramSandbox(client_id=SANDBOX_CLIENT_ID, client_secret=SANDBOX_CLIENT_SECRET)
        stack.servers.append(instagram.start(host=host, port=_free(host, INSTAGRAM_PORT)))
        ig_url = stack.servers[-1].url
        slack = SlackSandbox(
            signing_secret=generated["SLACK_SIGNING_SECRET"],
            bot_token=generated["SLACK_BOT_TOKEN"],
            bot_url=f"http://{host}:{port}/slack/events",
        )
        stack.servers.append(slack.start(host=host, port=_free(host, SLACK_PORT)))
        slack_url = stack.servers[-1].url
        settings = Settings.from_env(
            {
                **generated,
                "SLACK_API_URL": f"{slack_url}/api/",
                "INSTAGRAM_CLIENT_ID": SANDBOX_CLIENT_ID,
                "INSTAGRAM_CLIENT_SECRET": SANDBOX_CLIENT_SECRET,
                "INSTAGRAM_API_URL": f"{ig_url}/v1",
                "INSTAGRAM_AUTHORIZE_URL": f"{ig_url}/oauth/authorize",
                "INSTAGRAM_TOKEN_URL": f"{ig_url}/oauth/access_token",
                "PUBLIC_URL": f"http://{host}:{port}",
                "REDIS_URL": redis_url,
                "PORT": str(port),
            }
        )
        stack.igbot = build(settings)
        stack.servers.append(start_server(stack.igbot.wsgi, host=host, port=port, name="igbot"))
    except BaseException:
        stack.stop()
        raise
    urls = {
        "redis": f"{redis_url} (data in {data_dir})",
        "instagram": ig_url,
        "slack": slack_url,
        "bot": stack.servers[-1].url,
        "console": f"{slack_url}/",
    }
    return stack, urls


def run_dev(*, host: str = "127.0.0.1", port: int = 3000) -> int:
    """Start the stack, print where everything is, and run until Ctrl-C (or SIGTERM)."""
    stack, urls = start_dev(host=host, port=port)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    print(f"igbot dev: redis      {urls['redis']}", flush=True)
    print(f"igbot dev: instagram  {urls['instagram']} (sandbox)", flush=True)
    print(f"igbot dev: slack      {urls['slack']} (stand-in)", flush=True)
    print(f"igbot dev: bot        {urls['bot']}", flush=True)
    print(f"igbot dev: open the console at {urls['console']}  (Ctrl-C stops everything)", flush=True)
    try:
        stop.wait()
    finally:
        stack.stop()
        print("igbot dev: stopped", flush=True)
    return 0
