"""Hypothesis profiles for the whole test run, chosen by environment (imported first by tests/conftest.py).

- ``dev`` (the default): Hypothesis's defaults, randomized, with its local example database under
  ``.hypothesis/``, so a failure found on a laptop is tried first on the next run.
- ``ci`` (loaded when ``CI`` is set, as CI services do): derandomized, a fixed number of examples, no
  deadline, no example database, so every clean CI run tries exactly the same inputs and goes red only
  when the code changed; a failure prints the ``@reproduce_failure`` blob that replays it.
- ``fuzz`` (``HYPOTHESIS_PROFILE=fuzz``): a long randomized search, 20,000 examples per test.

``HYPOTHESIS_PROFILE`` names a profile explicitly and wins over ``CI``; pytest's own
``--hypothesis-profile`` option wins over both. A test that needs more examples than the profile gives
asks for them with ``@settings(max_examples=examples(n))``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from hypothesis import HealthCheck, settings

CI_EXAMPLES = 200
FUZZ_EXAMPLES = 20_000

_BASE = settings.get_profile("default")  # Hypothesis's own defaults, whatever CI detection loaded
settings.register_profile("dev", _BASE, print_blob=True)
settings.register_profile(
    "ci",
    _BASE,
    derandomize=True,
    max_examples=CI_EXAMPLES,
    deadline=None,
    print_blob=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],  # a slow CI machine is not a failure
)
settings.register_profile(
    "fuzz", _BASE, derandomize=False, max_examples=FUZZ_EXAMPLES, deadline=None, print_blob=True
)


def profile_name(environ: Mapping[str, str] = os.environ) -> str:
    """The profile the environment asks for: ``HYPOTHESIS_PROFILE``, else ``ci`` when ``CI`` is set
    (to anything but ``0``, ``false`` or ``no``), else ``dev``."""
    explicit = environ.get("HYPOTHESIS_PROFILE", "").strip()
    if explicit:
        return explicit
    ci = environ.get("CI", "").strip().lower()
    return "dev" if ci in ("", "0", "false", "no") else "ci"


def examples(floor: int) -> int:
    """``max_examples`` for a test that needs at least ``floor`` examples: the active profile's count
    when it asks for more (``fuzz``), never fewer than ``floor``."""
    return max(floor, settings.default.max_examples)


settings.load_profile(profile_name())
