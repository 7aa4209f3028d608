"""The tap's tests run at one request at a time and at several (max_concurrency)."""

from __future__ import annotations

import pytest


@pytest.fixture(params=[1, 4], ids=["one-at-a-time", "concurrent"])
def workers(request: pytest.FixtureRequest) -> int:
    """max_concurrency for a test that must hold whatever it is: 1, and the default 4."""
    return int(request.param)
