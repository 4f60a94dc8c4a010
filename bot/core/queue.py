"""Jobs as declared by the features (`Job`), the job queue as the features and the web tier see it (`Jobs`,
implemented by the worker runtime's `bot.worker.queue.JobQueue`) and what becomes of work offered to it
(`Admission`).

A feature declares each kind of job once, next to its body, in its ``jobs.py``; `bot.features.catalog` lists
them; the worker runtime declares one Dramatiq actor per `Job` and the queue sends by it, with the arguments
its body takes (checked by mypy through the body's signature)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any, Concatenate, Generic, ParamSpec, Protocol

from bot.core import replies
from bot.slack.blocks import Message

P = ParamSpec("P")


class Lane(StrEnum):
    """Which queue a job waits in (its Dramatiq queue name)."""

    INTERACTIVE = "interactive"  # someone waits: commands, buttons, the end of a link (refused when busy)
    BACKGROUND = "background"  # pushed or scheduled work: feeds, inbox deliveries, reminders, uninstall


@dataclass(frozen=True)
class Job(Generic[P]):
    """One kind of job: its name (the Dramatiq actor's), its body ``body(context, *args)`` run in a worker
    with the process's `bot.core.jobs.JobContext` (the arguments travel as JSON: strings, numbers, lists,
    dicts), how a failure log names it, and its `Lane`. An interactive job older than a response URL's
    lifetime is dropped: nobody can be answered any more."""

    name: str
    body: Callable[Concatenate[Any, P], None]
    what: str
    lane: Lane = Lane.BACKGROUND


class Admission(Enum):
    """What became of a piece of work offered to the queue."""

    QUEUED = "queued"
    BUSY = "busy"  # more is waiting than the workers can finish in time: nothing was queued
    STORAGE_DOWN = "storage_down"  # Redis did not answer before the job was sent: nothing was queued
    UNCERTAIN = "uncertain"  # Redis stopped answering while taking the job: it may still run


def refusal(admission: Admission) -> Message | None:
    """What the person reads when their work was not queued, else None (a worker answers)."""
    if admission is Admission.BUSY:
        return replies.plain(replies.BUSY)
    if admission is Admission.STORAGE_DOWN:
        return replies.plain(replies.STORAGE_DOWN)
    if admission is Admission.UNCERTAIN:
        return replies.plain(replies.STORAGE_UNSURE)
    return None


@dataclass(frozen=True)
class QueueHealth:
    """For `/healthz`: how much is waiting and when a worker was last seen."""

    depth: int
    workers_alive: int
    last_seen_seconds_ago: float | None


class Jobs(Protocol):
    """The job queue as the features and the web tier use it. Work someone waits for is offered: admitted or
    refused (`Admission`); work nobody can ask for again is sent: never refused, and `StorageUnavailable`
    when Redis does not take it."""

    def offer(self, job: Job[P], *args: P.args, **kwargs: P.kwargs) -> Admission:
        """Queue ``job`` unless the workers are too far behind or Redis does not answer."""
        ...

    def send(self, job: Job[P], *args: P.args, **kwargs: P.kwargs) -> None:
        """Queue ``job`` whatever the backlog (raises `StorageUnavailable` when Redis did not take it)."""
        ...

    def health(self) -> QueueHealth:
        """Queue depth and worker heartbeats (raises `StorageUnavailable` when Redis does not answer)."""
        ...
