# Copyright 2026 The tap-magento2 authors. Licensed under the Apache License, Version 2.0.
"""A storm of faults (a CDN's 429s, 500s, gateways down, dropped connections, challenge pages,
cut answers, answers slower than read_timeout) at one request in five: the tap still delivers the
ground truth in full, one request at a time and several at once."""

from __future__ import annotations

import pytest

from tests.tap.runner import run_tap, sandbox_config

STORM = ["429", "500", "502", "503", "drop", "html", "truncate", "slow"]
KEYS = {
    "orders": ("entity_id",),
    "customers": ("id",),
    "source_items": ("sku", "source_code"),
    "companies": ("id",),
}


@pytest.mark.parametrize("seed", [1, 2])
def test_a_storm_of_faults_loses_nothing(sandbox_factory, seed, workers):
    sandbox = sandbox_factory(seed=30 + seed, orders=400, customers=150, products=60)
    sandbox.control.update_settings(
        faults={"rate": 0.2, "seed": seed, "kinds": STORM, "retry_after": 0, "slow_seconds": 1.0}
    )
    config = sandbox_config(
        sandbox, page_size=15, max_concurrency=workers, read_timeout=0.5, max_retry_time=120
    )
    run = run_tap(config, streams=list(KEYS))
    assert run.error is None
    log = sandbox.control.requests()
    faults = {entry["fault"] for entry in log if entry["fault"]}
    assert len(faults) >= 4, faults  # the storm really blew
    sandbox.control.update_settings(faults={"rate": 0.0})
    for stream, key in KEYS.items():
        written = [tuple(str(record[name]) for name in key) for record in run.records[stream]]
        assert len(written) == len(set(written)), f"{stream}: a record written twice"
        truth = sandbox.control.truth(stream)
        expected = {
            tuple(str(row["id"][name]) for name in key)
            if isinstance(row["id"], dict)
            else (str(row["id"]),)
            for row in truth
        }
        assert set(written) == expected, stream
