# Copyright 2026 The magento2-rest authors. Licensed under the Apache License, Version 2.0.
"""Politeness: at most max_concurrency requests at once, fewer after 429/503, more again later."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import pytest
from magento2_rest import ConfigError, SearchCriteria
from magento2_rest.politeness import RAISE_AFTER

from tests.rest.helpers import client_for

if TYPE_CHECKING:
    from magento2_sandbox import Sandbox

ONE = SearchCriteria().order_by("entity_id").page(1)


def test_the_client_sends_at_most_max_concurrency_at_once(sandbox: Sandbox) -> None:
    sandbox.control.update_settings(latency_ms=50)
    client = client_for(sandbox, max_concurrency=3)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: client.search("/orders", ONE), range(24)))
    assert sandbox.control.request_log()["peak_concurrency"] == 3
    assert client.concurrency.report().line() == "up to 3 requests at once"


def test_429_and_503_halve_the_limit_and_calm_raises_it(sandbox: Sandbox) -> None:
    client = client_for(sandbox, max_concurrency=8, max_retry_time=60)
    sandbox.control.update_settings(
        faults={"rate": 1.0, "kinds": ["429", "503"], "retry_after": 1, "seed": 3}
    )
    storm = threading.Timer(0.5, lambda: sandbox.control.update_settings(faults={"rate": 0.0}))
    storm.start()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: client.search("/orders", ONE), range(16)))
    storm.join()
    report = client.concurrency.report()
    assert report.throttled > 0
    assert report.lowest == 1
    assert "lowered to 1 after" in report.line()
    # RAISE_AFTER calm answers raise it by one, up to the ceiling.
    before = client.concurrency.limit
    for _ in range(RAISE_AFTER * 2):
        client.search("/orders", ONE)
    assert client.concurrency.limit == min(8, before + 2)


def test_max_concurrency_must_be_one_or_more(sandbox: Sandbox) -> None:
    with pytest.raises(ConfigError, match="max_concurrency: 0 is not allowed"):
        client_for(sandbox, max_concurrency=0)
