"""Map tiles for the renderer: a bounded in-memory cache and a fetcher with a whole-map time budget.

py-staticmaps' own ``TileDownloader`` caches tiles on disk without bound, waits up to 10 s per tile, one
tile after the other, and sends the library's User-Agent; :class:`TileFetcher` replaces it (see
``bot.maps.render``). It fetches all the tiles of one map at once on a few threads, sends igbot's own
User-Agent (OpenStreetMap's tile policy asks for one that identifies the application), gives each request
a connect/read timeout and the whole map a time budget: when the budget is spent the tiles still missing
are given up and drawn blank, so a slow or hanging tile server delays a render by the budget at most.
Tiles it got are cached (OSM asks clients to cache them) in a :class:`TileCache`.
"""

from __future__ import annotations

import io
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Protocol, runtime_checkable
from urllib.parse import urlsplit

import requests
from PIL import Image, UnidentifiedImageError
from requests.adapters import HTTPAdapter

from bot.maps.projection import TILE_SIZE

log = logging.getLogger(__name__)

DEFAULT_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = "© OpenStreetMap contributors"

# OSM's tile policy once said "at most 2 download threads"; since 2024 it leaves parallelism to HTTP/2
# multiplexing, which requests (HTTP/1.1) lacks.  4 connections fetch an 800x500 map (12-20 tiles) in
# 3-5 rounds without looking like a scraper, and stay under a browser's 6 per host.
DEFAULT_WORKERS = 4
DEFAULT_TIMEOUT = (2.0, 3.0)  # (connect, read) seconds per tile request
DEFAULT_BUDGET_SECONDS = 8.0  # for all the tiles of one map
MAX_TILE_BYTES = 1 << 20  # a 256 px raster tile is 5-60 kB; anything bigger is not a tile

DEFAULT_CACHE_TILES = 512
DEFAULT_CACHE_BYTES = 32 << 20
DEFAULT_CACHE_MAX_AGE = 7 * 24 * 3600.0  # OSM asks for at least 7 days unless the server says otherwise

TileXY = tuple[int, int]


def tile_key(url_template: str, zoom: int, x: int, y: int) -> str:
    """The cache key of one tile: the provider's URL template and the tile's ``z/x/y``."""
    return f"{url_template}|{zoom}/{x}/{y}"


@runtime_checkable
class TileCache(Protocol):
    """Where fetched tiles are kept between renders (the in-memory one below; Redis could back one)."""

    def get(self, key: str) -> bytes | None:
        """The tile stored under ``key`` if it is there and not too old, else ``None``."""
        ...

    def put(self, key: str, data: bytes) -> None:
        """Store a tile under ``key`` (the cache may drop it, or older tiles, to stay within bounds)."""
        ...


@dataclass
class _Entry:
    data: bytes
    stored: float


class MemoryTileCache:
    """A thread-safe LRU of tiles in this process, bounded by count and by total bytes, whose entries
    expire ``max_age`` seconds after they were stored."""

    def __init__(
        self,
        *,
        max_tiles: int = DEFAULT_CACHE_TILES,
        max_bytes: int = DEFAULT_CACHE_BYTES,
        max_age: float = DEFAULT_CACHE_MAX_AGE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_tiles < 1 or max_bytes < 1 or max_age <= 0:
            raise ValueError("cache bounds must be positive")
        self.max_tiles = max_tiles
        self.max_bytes = max_bytes
        self.max_age = max_age
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._bytes = 0
        self.hits = 0
        self.misses = 0
        self.evictions = 0

    def get(self, key: str) -> bytes | None:
        """The tile under ``key``, marked most recently used; ``None`` when absent or expired."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and self._clock() - entry.stored >= self.max_age:
                self._drop(key)
                entry = None
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry.data

    def put(self, key: str, data: bytes) -> None:
        """Store ``data`` under ``key``, evicting least recently used tiles beyond the bounds; a tile
        bigger than the whole byte bound is not stored."""
        if len(data) > self.max_bytes:
            return
        with self._lock:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = _Entry(data, self._clock())
            self._bytes += len(data)
            while len(self._entries) > self.max_tiles or self._bytes > self.max_bytes:
                oldest = next(iter(self._entries))
                self._drop(oldest)
                self.evictions += 1

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __bool__(self) -> bool:
        return True  # an empty cache is still a cache (``cache or default`` must not replace it)

    @property
    def size_bytes(self) -> int:
        """Total bytes of the tiles held."""
        with self._lock:
            return self._bytes

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key)
        self._bytes -= len(entry.data)


class TileSource(Protocol):
    """What the renderer needs: the tiles of one map, fetched together within a budget."""

    def fetch_tiles(self, zoom: int, tiles: Iterable[TileXY]) -> dict[TileXY, bytes | None]:
        """Every requested tile ``(x, y)`` at ``zoom`` mapped to its image bytes, or ``None`` for a
        tile that could not be had (error, timeout, budget spent): the renderer draws those blank."""
        ...


@dataclass
class FetchStats:
    """Counters over a fetcher's life, for logs and tests."""

    cache_hits: int = 0
    requests: int = 0
    failures: int = 0
    skipped: int = 0  # given up because the map's budget was spent


class TileFetcher:
    """Fetches XYZ tiles from ``url_template`` (``{z}``, ``{x}`` and ``{y}`` are replaced), with a
    cache in front, for :func:`bot.maps.render_map`. One fetcher serves many renders, from any thread.

    ``user_agent`` identifies igbot to the tile server (``igbot/<version> (+<project url>)``); a
    request gets ``timeout`` (connect, read) seconds and all the tiles of one :meth:`fetch_tiles` call
    ``budget_seconds`` together, fetched on at most ``workers`` connections."""

    def __init__(
        self,
        url_template: str,
        *,
        user_agent: str,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        budget_seconds: float = DEFAULT_BUDGET_SECONDS,
        cache: TileCache,
        workers: int = DEFAULT_WORKERS,
    ) -> None:
        if not all(part in url_template for part in ("{z}", "{x}", "{y}")):
            raise ValueError("tile URL template needs {z}, {x} and {y}")
        if urlsplit(url_template).scheme not in ("http", "https"):
            raise ValueError("tile URL template must be http(s)")
        if not user_agent.strip():
            raise ValueError("tile requests need a User-Agent that identifies igbot")
        if min(timeout) <= 0 or budget_seconds <= 0 or workers < 1:
            raise ValueError("timeouts, budget and workers must be positive")
        self.url_template = url_template
        self.user_agent = user_agent.strip()
        self.timeout = timeout
        self.budget_seconds = budget_seconds
        self.workers = workers
        self.cache = cache
        self.stats = FetchStats()
        self._stats_lock = threading.Lock()
        self._session = requests.Session()
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=workers, max_retries=0)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._session.headers.update({"User-Agent": self.user_agent, "Accept": "image/png,image/*"})

    def url(self, zoom: int, x: int, y: int) -> str:
        """The URL of tile ``zoom/x/y``."""
        return self.url_template.replace("{z}", str(zoom)).replace("{x}", str(x)).replace("{y}", str(y))

    def fetch_tiles(self, zoom: int, tiles: Iterable[TileXY]) -> dict[TileXY, bytes | None]:
        """The tiles ``(x, y)`` at ``zoom``: cached ones at once, the others fetched concurrently until
        the budget runs out; unfetched or failed tiles map to ``None``. Never takes much longer than
        ``budget_seconds`` (requests still running then are abandoned and end within their timeout)."""
        deadline = time.monotonic() + self.budget_seconds
        result: dict[TileXY, bytes | None] = {}
        wanted: list[TileXY] = []
        for xy in dict.fromkeys(tiles):
            cached = self.cache.get(tile_key(self.url_template, zoom, *xy))
            if cached is not None:
                self._count(cache_hits=1)
                result[xy] = cached
            else:
                wanted.append(xy)
        if not wanted:
            return result

        # A pool per call: a render whose tiles hang must not hold up the next render's tiles.
        pool = ThreadPoolExecutor(max_workers=min(self.workers, len(wanted)), thread_name_prefix="map-tile")
        try:
            futures = {pool.submit(self._fetch_one, zoom, xy, deadline): xy for xy in wanted}
            done, _ = wait(futures, timeout=max(0.0, deadline - time.monotonic()))
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
        for future, xy in futures.items():
            error = future.exception() if future in done else _Skipped()
            if isinstance(error, _Skipped):
                self._count(skipped=1)
            elif error is not None:
                log.error("map tile %d/%d/%d: unexpected error", zoom, *xy, exc_info=error)
            result[xy] = future.result() if error is None else None
        missing = sum(1 for data in result.values() if data is None)
        if missing:
            log.warning("map tiles: %d of %d missing at zoom %d", missing, len(result), zoom)
        return result

    def _fetch_one(self, zoom: int, xy: TileXY, deadline: float) -> bytes | None:
        if time.monotonic() >= deadline:
            raise _Skipped
        url = self.url(zoom, *xy)
        self._count(requests=1)
        try:
            with self._session.get(url, timeout=self.timeout, stream=True) as response:
                if response.status_code != 200:
                    raise _TileError(f"HTTP {response.status_code}")
                data = self._read(response, deadline)
            _check_tile(data)
        except (requests.RequestException, _TileError) as exc:
            self._count(failures=1)
            log.info("map tile %d/%d/%d failed: %s", zoom, *xy, type(exc).__name__)
            return None
        self.cache.put(tile_key(self.url_template, zoom, *xy), data)
        return data

    @staticmethod
    def _read(response: requests.Response, deadline: float) -> bytes:
        # The read timeout applies per socket read: a server trickling bytes would never trip it, so the
        # body is read in chunks against the map's deadline (and a size cap) instead.
        body = bytearray()
        for chunk in response.iter_content(chunk_size=16384):
            body += chunk
            if len(body) > MAX_TILE_BYTES:
                raise _TileError("tile too large")
            if time.monotonic() >= deadline:
                raise _TileError("budget spent while reading")
        return bytes(body)

    def _count(self, **counts: int) -> None:
        with self._stats_lock:
            for name, n in counts.items():
                setattr(self.stats, name, getattr(self.stats, name) + n)

    def close(self) -> None:
        """Close the pooled connections."""
        self._session.close()


class _TileError(Exception):
    pass


class _Skipped(Exception):
    """A tile not even asked for: the map's budget was spent first."""


def _check_tile(data: bytes) -> None:
    """Refuse what is not a TILE_SIZE-square raster image, so an error page never gets cached."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            size = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _TileError("not an image") from exc
    if size != (TILE_SIZE, TILE_SIZE):
        raise _TileError(f"tile is {size[0]}x{size[1]}, not {TILE_SIZE}")
