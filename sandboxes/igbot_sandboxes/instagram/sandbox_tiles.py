"""The Python face of the offline map tiles (`tiles`), mixed into `InstagramSandbox`.

The HTTP equivalent is ``GET /__sandbox__/tiles`` (``url_template``, ``attribution``, ``max_zoom``,
``tile_size``, ``requests``).  Faults for tiles: `InstagramSandbox.inject_faults` with
``path_prefix="/tiles/"``.
"""

from __future__ import annotations

from typing import Any

from igbot_sandboxes.instagram import tiles
from igbot_sandboxes.instagram.state import SandboxState


class TileControls:
    """The tile URL template and the log of tile requests."""

    _state: SandboxState

    @staticmethod
    def tile_url_template(base_url: str) -> str:
        """``{base_url}/tiles/{z}/{x}/{y}.png``: the template py-staticmaps' ``TileProvider`` takes
        (attribution: `tiles.TILE_ATTRIBUTION`)."""
        return tiles.tile_url_template(base_url)

    def tile_requests(self) -> list[dict[str, Any]]:
        """Every request under ``/tiles/`` since the last `reset`, oldest first: ``path``,
        ``user_agent`` (None when the request had none), ``status`` (None while still being answered,
        e.g. in an injected delay) and ``time``.  Bounded to the latest 1000."""
        return self._state.tile_log.entries()
