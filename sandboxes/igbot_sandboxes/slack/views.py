"""Trigger ids and modals: what `views.open` exchanges, and the views each user has open.

Every command and interaction payload carries a ``trigger_id``. Slack lets an app exchange it once
(``views.open``), within 3 seconds of the interaction; the stand-in remembers each one it issued
(team, user, time from an injectable clock, like `ResponseUrls`) and answers like Slack's
``views.open`` reference: ``invalid_trigger_id`` (never issued, malformed or from another team),
``expired_trigger_id`` (older than 3 s) and ``exchanged_trigger_id`` (already used).

An opened view belongs to the user of its trigger. Views form a stack per user (``response_action:
push`` adds one on top); a ``views.open`` while the user already has a modal open replaces that
stack [U: our choice; Slack shows one modal at a time]. Closed views are kept (``open`` False,
``closed_by``) so tests can look back, but `Views.open_views` lists only open ones.
"""

from __future__ import annotations

import copy
import dataclasses
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from igbot_sandboxes.slack.workspace import APP_ID, BOT_ID

TRIGGER_LIFETIME_SECONDS = 3.0
_TRIGGER_SHAPE = re.compile(r"^\d+\.\d+\.[0-9a-f]+$")
_ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _random_id(prefix: str, length: int = 10) -> str:
    return prefix + "".join(secrets.choice(_ID_CHARS) for _ in range(length))


class ViewRefused(ValueError):
    """What Slack's client itself refuses before sending a submission (a required field left empty,
    a text too short or too long): ``errors`` maps block_id to the message shown under it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(f"Slack would not submit this view: {errors}")
        self.errors = errors


@dataclass(frozen=True)
class Trigger:
    """One issued trigger id: who caused it and when."""

    team_id: str
    user_id: str
    issued_at: float


class TriggerIds:
    """Issues trigger ids and exchanges each one at most once within its lifetime."""

    def __init__(self, clock: Callable[[], float], *, lifetime: float = TRIGGER_LIFETIME_SECONDS) -> None:
        self._clock = clock
        self.lifetime = lifetime
        self._lock = threading.Lock()
        self._issued: dict[str, Trigger] = {}
        self._exchanged: dict[str, float] = {}  # trigger id -> when it was exchanged

    def issue(self, team_id: str, user_id: str) -> str:
        """A fresh trigger id for an interaction of ``user_id`` in ``team_id``."""
        trigger_id = f"{secrets.randbelow(10**13)}.{secrets.randbelow(10**13)}.{secrets.token_hex(16)}"
        with self._lock:
            self._issued[trigger_id] = Trigger(team_id, user_id, self._clock())
        return trigger_id

    def exchange(self, trigger_id: str, team_id: str) -> tuple[Trigger | None, str | None]:
        """Spend ``trigger_id`` for the bot of ``team_id``: its trigger, or Slack's error for it."""
        with self._lock:
            trigger = self._issued.get(trigger_id)
            if not _TRIGGER_SHAPE.match(trigger_id) or trigger is None or trigger.team_id != team_id:
                return None, "invalid_trigger_id"
            if trigger_id in self._exchanged:
                return None, "exchanged_trigger_id"
            if self._clock() - trigger.issued_at > self.lifetime:
                return None, "expired_trigger_id"
            self._exchanged[trigger_id] = self._clock()
            return trigger, None

    def exchanged_after(self, trigger_id: str) -> float | None:
        """Seconds from the interaction to the ``views.open`` that exchanged its trigger (at most the
        lifetime: a later one is refused), or None when it was not exchanged."""
        with self._lock:
            trigger, used_at = self._issued.get(trigger_id), self._exchanged.get(trigger_id)
            return None if trigger is None or used_at is None else used_at - trigger.issued_at

    def clear(self) -> None:
        """Forget every issued trigger."""
        with self._lock:
            self._issued.clear()
            self._exchanged.clear()


@dataclass
class ModalView:
    """A modal as Slack holds it for one user.

    Attributes:
        id: Slack's view id (``V...``).
        view: the view object as ``views.open`` answered it (``id``, ``team_id``, ``hash``, ``state``...).
        errors: the ``response_action: errors`` of the last submission, block_id -> message.
        open: False once submitted and closed, cancelled, cleared or replaced.
        closed_by: why it closed: ``submitted``, ``cleared``, ``closed`` (the user cancelled),
            ``replaced`` (a new ``views.open``); an update keeps it open.
        submissions: how many times it was submitted.
        seq: change counter across all views, bumped on every change (open, update, errors, close).
    """

    id: str
    team_id: str
    user_id: str
    view: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    open: bool = True
    closed_by: str | None = None
    submissions: int = 0
    seq: int = 0

    @property
    def callback_id(self) -> str:
        """The view's ``callback_id`` ("" when none)."""
        return str(self.view.get("callback_id") or "")

    @property
    def private_metadata(self) -> str:
        """The view's ``private_metadata`` ("" when none)."""
        return str(self.view.get("private_metadata") or "")

    @property
    def hash(self) -> str:
        """The view's current ``hash`` (changes on every update)."""
        return str(self.view.get("hash", ""))

    @property
    def title(self) -> str:
        """The title text."""
        title = self.view.get("title")
        return str(title.get("text", "")) if isinstance(title, dict) else ""

    def inputs(self) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
        """``(block_id, input block, element)`` for every input block, in order."""
        found = []
        for block in self.view.get("blocks") or []:
            if (
                isinstance(block, dict)
                and block.get("type") == "input"
                and isinstance(block.get("element"), dict)
            ):
                found.append((str(block.get("block_id", "")), block, block["element"]))
        return found

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return dataclasses.asdict(self)


def _new_hash() -> str:
    return f"{time.time():.6f}.{secrets.token_hex(4)}"


def view_object(
    view: dict[str, Any], *, view_id: str, team_id: str, root_id: str | None = None
) -> dict[str, Any]:
    """The view object Slack answers with: the app's view plus Slack's fields, ids filled in.

    Like Slack, blocks without a ``block_id`` and input elements without an ``action_id`` get
    generated ones, so submissions can name them.
    """
    blocks = copy.deepcopy(view.get("blocks") or [])
    for block in blocks:
        if isinstance(block, dict):
            block.setdefault("block_id", secrets.token_urlsafe(4))
            element = block.get("element")
            if block.get("type") == "input" and isinstance(element, dict):
                element.setdefault("action_id", secrets.token_urlsafe(4))
    return {
        "id": view_id,
        "team_id": team_id,
        "type": view.get("type", "modal"),
        "blocks": blocks,
        "private_metadata": view.get("private_metadata") or "",
        "callback_id": view.get("callback_id") or "",
        "state": {"values": {}},
        "hash": _new_hash(),
        "title": view.get("title"),
        "clear_on_close": bool(view.get("clear_on_close", False)),
        "notify_on_close": bool(view.get("notify_on_close", False)),
        "close": view.get("close"),
        "submit": view.get("submit"),
        "previous_view_id": None,
        "root_view_id": root_id or view_id,
        "app_id": APP_ID,
        "external_id": view.get("external_id") or "",
        "app_installed_team_id": team_id,
        "bot_id": BOT_ID,
    }


class Views:
    """Every modal opened in the stand-in, per user stack, with blocking waits."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._views: dict[str, ModalView] = {}
        self._stacks: dict[tuple[str, str], list[str]] = {}
        self._seq = 0

    def _bump(self, view: ModalView) -> None:
        self._seq += 1
        view.seq = self._seq
        self._changed.notify_all()

    def open(self, team_id: str, user_id: str, view: dict[str, Any], *, push: bool = False) -> ModalView:
        """Open ``view`` for the user: on top of their stack (``push``) or as a new stack."""
        with self._changed:
            stack = self._stacks.setdefault((team_id, user_id), [])
            if not push:
                for old in stack:
                    self._close_locked(self._views[old], "replaced")
                stack.clear()
            view_id = _random_id("V")
            root = self._views[stack[0]].id if stack else None
            obj = view_object(view, view_id=view_id, team_id=team_id, root_id=root)
            if stack:
                obj["previous_view_id"] = stack[-1]
            modal = ModalView(id=view_id, team_id=team_id, user_id=user_id, view=obj)
            self._views[view_id] = modal
            stack.append(view_id)
            self._bump(modal)
            return modal

    def update(self, view_id: str, view: dict[str, Any]) -> ModalView:
        """Replace the content of an open view, keeping its id (new hash, errors cleared).

        Raises:
            KeyError: no open view with that id.
        """
        with self._changed:
            modal = self._views.get(view_id)
            if modal is None or not modal.open:
                raise KeyError(view_id)
            obj = view_object(
                view, view_id=view_id, team_id=modal.team_id, root_id=modal.view["root_view_id"]
            )
            obj["previous_view_id"] = modal.view.get("previous_view_id")
            modal.view = obj
            modal.errors = {}
            self._bump(modal)
            return modal

    def get(self, view_id: str) -> ModalView | None:
        """The view with this id (open or closed)."""
        with self._changed:
            return self._views.get(view_id)

    def by_external_id(self, team_id: str, external_id: str) -> ModalView | None:
        """The open view of ``team_id`` with this ``external_id``."""
        with self._changed:
            return next(
                (
                    v
                    for v in self._views.values()
                    if v.open and v.team_id == team_id and v.view.get("external_id") == external_id
                ),
                None,
            )

    def set_errors(self, view_id: str, errors: dict[str, str]) -> None:
        """Keep the view open showing ``errors`` under their blocks."""
        with self._changed:
            modal = self._views[view_id]
            modal.errors = dict(errors)
            self._bump(modal)

    def submitted(self, view_id: str, values: dict[str, Any]) -> None:
        """Count a submission and keep its ``state.values`` on the view."""
        with self._changed:
            modal = self._views[view_id]
            modal.submissions += 1
            modal.view["state"] = {"values": copy.deepcopy(values)}
            self._bump(modal)

    def close(self, view_id: str, reason: str, *, whole_stack: bool = False) -> None:
        """Close one view (and the views pushed above it), or its user's whole stack."""
        with self._changed:
            modal = self._views[view_id]
            stack = self._stacks.get((modal.team_id, modal.user_id), [])
            if view_id in stack:
                start = 0 if whole_stack else stack.index(view_id)
                for other in stack[start:]:
                    self._close_locked(self._views[other], reason)
                del stack[start:]
            else:
                self._close_locked(modal, reason)

    def _close_locked(self, modal: ModalView, reason: str) -> None:
        if modal.open:
            modal.open = False
            modal.closed_by = reason
            self._bump(modal)

    def open_views(self, user_id: str | None = None, team_id: str | None = None) -> list[ModalView]:
        """Open views, oldest first (a user's pushed views after their root), optionally of one user."""
        with self._changed:
            return [
                v
                for v in self._views.values()
                if v.open
                and (user_id is None or v.user_id == user_id)
                and (team_id is None or v.team_id == team_id)
            ]

    def all(self) -> list[ModalView]:
        """Every view ever opened (until reset), oldest first."""
        with self._changed:
            return list(self._views.values())

    def wait(self, predicate: Callable[[ModalView], bool], timeout: float = 5.0) -> ModalView:
        """The first open view for which ``predicate`` holds, now or after a later change.

        Raises:
            TimeoutError: none within ``timeout`` seconds (the message lists the views there are).
        """
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for modal in self._views.values():
                    if modal.open and predicate(modal):
                        return modal
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    lines = [f"no matching open view within {timeout:g} s; views:"]
                    lines += [
                        f"  {v.id} {v.callback_id!r} for {v.team_id}/{v.user_id} "
                        f"{'open' if v.open else 'closed by ' + str(v.closed_by)} errors={v.errors}"
                        for v in self._views.values()
                    ]
                    raise TimeoutError("\n".join(lines))
                self._changed.wait(remaining)

    def reset(self) -> None:
        """Forget every view."""
        with self._changed:
            self._views.clear()
            self._stacks.clear()
            self._changed.notify_all()
