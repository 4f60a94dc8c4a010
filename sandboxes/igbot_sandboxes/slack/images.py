"""Slack's image download check: a message whose image block cannot be downloaded is refused.

When a message is posted (chat.postMessage, chat.postEphemeral, chat.update, a response URL or a
command's ack) Slack downloads the ``image_url`` of every ``image`` block and refuses the whole
message with ``invalid_blocks`` when one fails, answering::

    {"ok": false, "error": "invalid_blocks",
     "errors": ["downloading image failed [json-pointer:/blocks/3/image_url]"],
     "response_metadata": {"messages": [
         "[ERROR] downloading image failed [json-pointer:/blocks/3/image_url]"]}}

(slackapi/python-slack-sdk#1782, otiai10/amesh-bot#24). Image *elements* (a section's accessory, a
context block's images) are not checked: Slack posts such a message and shows a broken picture
(slackapi/java-slack-sdk#1396), so the stand-in accepts them too.

The stand-in runs offline, so it fetches only URLs whose host is loopback (``127.0.0.0/8``,
``localhost``, ``::1``), such as the sandbox Instagram's pictures; any other host is accepted
unchecked. A download passes when it answers 2xx with an ``image/*`` content type and a non-empty body,
within ``timeout`` seconds (redirects are followed while they stay on loopback). At most ``max_bytes``
are read. The images of one message are fetched in parallel and each URL's outcome is kept for
``cache_seconds``, so a 10-picture gallery costs one short round of requests.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from igbot_sandboxes.slack.blockkit import Validation, check_message, error_code

TIMEOUT_SECONDS = 2.0
MAX_BYTES = 1024 * 1024
CACHE_SECONDS = 5.0
MAX_REDIRECTS = 3
MAX_PARALLEL = 10
# What Slack's image fetcher calls itself (seen as "Slack-ImgProxy 1.136 (+https://api.slack.com/robots)").
USER_AGENT = "Slack-ImgProxy (+https://api.slack.com/robots)"


def is_loopback_url(url: str) -> bool:
    """True for an http(s) URL whose host is loopback: 127.0.0.0/8, ``localhost`` or ``::1``."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https") or not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def image_block_urls(payload: Mapping[str, Any]) -> list[tuple[int, str]]:
    """``(block index, image_url)`` of every image block Slack would download, in order."""
    blocks = payload.get("blocks")
    if not isinstance(blocks, list):
        return []
    return [
        (i, block["image_url"])
        for i, block in enumerate(blocks)
        if isinstance(block, dict)
        and block.get("type") == "image"
        and isinstance(block.get("image_url"), str)
    ]


@dataclass(frozen=True)
class Verdict:
    """Whether Slack takes a message, and what it answers when it does not.

    Attributes:
        validation: the stand-in's record of the problems (``RecordedMessage.errors``), each in the
            ``"code: [path] detail"`` form; image failures also say why the download failed.
        slack_errors: the ``errors`` array of Slack's answer, worded as Slack words it for image
            failures (``downloading image failed [json-pointer:/blocks/3/image_url]``).
    """

    validation: Validation
    slack_errors: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """True when Slack would show the message."""
        return self.validation.valid

    def refusal(self) -> dict[str, Any]:
        """Slack's answer to a refused message: ``ok``, ``error``, ``errors`` and ``response_metadata``."""
        return {
            "ok": False,
            "error": error_code(self.validation.errors[0]),
            "errors": list(self.slack_errors),
            "response_metadata": {"messages": [f"[ERROR] {e}" for e in self.slack_errors]},
        }


class ImageCheck:
    """Downloads a message's image blocks as Slack does before accepting it (see the module docstring).

    Args:
        enabled: False accepts every image without a request (``SlackSandbox(check_images=False)``).
        timeout: seconds one download may take, connecting and reading included.
        max_bytes: the most bytes read from one image.
        cache_seconds: how long one URL's outcome is reused.
        clock: monotonic seconds, for the cache.
    """

    def __init__(
        self,
        *,
        enabled: bool = True,
        timeout: float = TIMEOUT_SECONDS,
        max_bytes: int = MAX_BYTES,
        cache_seconds: float = CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.enabled = enabled
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.cache_seconds = cache_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, str | None]] = {}
        self.fetches = 0  # downloads actually made (cache hits excluded), for tests

    def judge(self, payload: Mapping[str, Any]) -> Verdict:
        """Block Kit validation first; for a valid message, then the image downloads."""
        validation = check_message(payload)
        if not validation.valid:
            return Verdict(validation, list(validation.errors))
        failures = self.failures(payload)
        if not failures:
            return Verdict(validation)
        problems = [
            f"invalid_blocks: [blocks[{i}].image_url] downloading image failed: {why}"
            for i, _, why in failures
        ]
        slack = [f"downloading image failed [json-pointer:/blocks/{i}/image_url]" for i, _, _ in failures]
        return Verdict(Validation(errors=problems, warnings=validation.warnings), slack)

    def failures(self, payload: Mapping[str, Any]) -> list[tuple[int, str, str]]:
        """``(block index, url, reason)`` of every loopback image block that cannot be downloaded."""
        if not self.enabled:
            return []
        wanted = [(i, url) for i, url in image_block_urls(payload) if is_loopback_url(url)]
        outcomes = self._outcomes(list(dict.fromkeys(url for _, url in wanted)))
        return [(i, url, why) for i, url in wanted if (why := outcomes[url]) is not None]

    def clear(self) -> None:
        """Forget every cached outcome."""
        with self._lock:
            self._cache.clear()

    def _outcomes(self, urls: list[str]) -> dict[str, str | None]:
        now = self._clock()
        known: dict[str, str | None] = {}
        with self._lock:
            for url in urls:
                cached = self._cache.get(url)
                if cached is not None and cached[0] > now:
                    known[url] = cached[1]
        todo = [url for url in urls if url not in known]
        if todo:
            with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL, len(todo))) as pool:
                fetched = dict(zip(todo, pool.map(self._download, todo), strict=True))
            expires = self._clock() + self.cache_seconds
            with self._lock:
                self.fetches += len(todo)
                for url, why in fetched.items():
                    self._cache[url] = (expires, why)
            known.update(fetched)
        return known

    def _download(self, url: str) -> str | None:
        """None when ``url`` downloads as an image, else why not."""
        deadline = time.monotonic() + self.timeout
        session = requests.Session()
        session.trust_env = False  # loopback only: never through a proxy from the environment
        try:
            current = url
            for _ in range(MAX_REDIRECTS + 1):
                if not is_loopback_url(current):
                    return None  # redirected off loopback: cannot be checked offline, accepted
                remaining = max(deadline - time.monotonic(), 0.05)
                with session.get(
                    current,
                    stream=True,
                    timeout=remaining,
                    allow_redirects=False,
                    headers={"User-Agent": USER_AGENT, "Accept": "image/*"},
                ) as response:
                    if response.is_redirect:
                        location = response.headers.get("Location")
                        if not location:
                            return f"HTTP {response.status_code} without a Location"
                        current = urljoin(current, location)
                        continue
                    return self._judge_response(response, deadline)
            return "too many redirects"
        except requests.Timeout:
            return f"no answer within {self.timeout:g} s"
        except requests.RequestException as err:
            return f"cannot connect ({type(err).__name__})"
        finally:
            session.close()

    def _judge_response(self, response: requests.Response, deadline: float) -> str | None:
        if not 200 <= response.status_code < 300:
            return f"HTTP {response.status_code}"
        content_type = response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
        if not content_type.startswith("image/"):
            return f"content type {content_type or 'missing'}, not an image"
        size = 0
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size >= self.max_bytes:
                break
            if time.monotonic() > deadline:
                return f"no complete answer within {self.timeout:g} s"
        return None if size else "empty body"
