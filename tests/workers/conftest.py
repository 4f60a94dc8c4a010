"""The e2e stack (with its worker process) for the worker-tier tests."""

from tests.e2e.conftest import stack

__all__ = ["stack"]
