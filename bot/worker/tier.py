"""What every igbot process holds (built by the composition root, `bot.app`): the services over Redis, the
`/ig` subcommands, and the job broker with its actors."""

from __future__ import annotations

from dataclasses import dataclass

import redis
from dramatiq.brokers.redis import RedisBroker

from bot.core.commands import Commands
from bot.core.services import Services
from bot.settings import Settings
from bot.worker.actors import Actors, ContextHolder


@dataclass
class Tier:
    """What every igbot process holds: services over Redis and the job broker."""

    settings: Settings
    services: Services
    commands: Commands
    redis: redis.Redis
    broker: RedisBroker
    actors: Actors
    holder: ContextHolder

    def close(self) -> None:
        """Release connections."""
        self.broker.close()
        self.redis.close()
