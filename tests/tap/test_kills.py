# Copyright 2026 The tap-magento2 authors. Licensed under the Apache License, Version 2.0.
"""Killed at random points (mid-page, between pages, mid-stream, while the store changes) and
resumed from the last STATE each time: nothing missing, nothing written twice in one run.

Seed 0 runs in `make test`; seeds 1 to 19 are `long` (`make test-long` runs them).
"""

from __future__ import annotations

import random
import time

import pytest

from tests.tap.runner import resume_until_done, run_tap, sandbox_config

SEEDS = [pytest.param(0), *(pytest.param(seed, marks=pytest.mark.long) for seed in range(1, 20))]
STREAMS = ["orders", "order_items", "customers", "customer_groups"]


@pytest.mark.parametrize("seed", SEEDS)
def test_kills_at_random_points_lose_nothing(sandbox_factory, seed, workers):
    rng = random.Random(seed)
    sandbox = sandbox_factory(seed=40 + seed, orders=180, customers=60, b2b=False, msi=False)
    sandbox.control.mass_update("orders", 50, at="2025-04-01 09:30:00")  # a busy second
    config = sandbox_config(sandbox, page_size=rng.choice([7, 10, 25]), max_concurrency=workers)
    # Each run dies after this many RECORD messages (orders and their items, then customers).
    kills = [rng.randrange(1, 400) for _ in range(3)]
    sandbox.control.start_mutator(rate_per_s=20, kinds=["orders"], create_ratio=0.3, seed=seed)
    try:
        runs = resume_until_done(config, STREAMS, kills)
    finally:
        sandbox.control.stop_mutator()
    assert runs[0].killed
    assert not runs[-1].killed  # (a resumed run may end before its kill point)
    # One more run once the store is quiet: every current row arrived in some run.
    time.sleep(1.1)
    runs.append(run_tap(config, streams=STREAMS, state=runs[-1].last_state))
    written = set().union(*(set(run.keys("orders")) for run in runs))
    truth = {(int(row["id"]), row["updated_at"]) for row in sandbox.control.truth("orders")}
    assert truth <= written, f"{len(truth - written)} orders never written"
    customers = {str(r["id"]) for run in runs for r in run.records.get("customers", [])}
    assert customers == {str(row["id"]) for row in sandbox.control.truth("customers")}
    for run in runs:
        keys = run.keys("orders")
        assert len(keys) == len(set(keys)), "an order written twice in one run"
