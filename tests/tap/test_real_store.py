# Copyright 2026 The tap-magento2 authors. Licensed under the Apache License, Version 2.0.
"""What real stores do that a quiet store does not: late commits, unreadable records, slow pages.

Each test compares what the tap wrote with the sandbox's ground truth (`/_sandbox/truth/<kind>`).
"""

from __future__ import annotations

import time
from typing import Any

from tests.tap.runner import Run, catalog_for, run_tap, sandbox_config


def truth_keys(sandbox: Any, kind: str = "orders") -> set[tuple[int, str]]:
    return {(int(row["id"]), row["updated_at"]) for row in sandbox.control.truth(kind)}


def runs_while_the_store_writes(
    sandbox: Any, config: dict[str, Any], *, runs: int, quiet_after: float
) -> list[Run]:
    """Sync `runs` times, each from the last STATE, while the mutator writes orders; then stop
    the mutator, wait `quiet_after` seconds (every write committed and past the tap's lag) and
    sync once more."""
    catalog = catalog_for(config, ["orders"])
    done: list[Run] = []
    state: dict[str, Any] | None = None
    sandbox.control.start_mutator(rate_per_s=40, kinds=["orders"], create_ratio=0.3, seed=11)
    try:
        for _ in range(runs):
            run = run_tap(config, catalog=catalog, state=state)
            done.append(run)
            state = run.last_state or state
            time.sleep(0.7)
    finally:
        report = sandbox.control.stop_mutator()
    assert report["touched"]["orders"], "the mutator changed nothing"
    time.sleep(quiet_after)
    done.append(run_tap(config, catalog=catalog, state=state))
    return done


def missing_rows(sandbox: Any, runs: list[Run]) -> set[tuple[int, str]]:
    written = set().union(*(set(run.keys("orders")) for run in runs))
    return truth_keys(sandbox) - written


def test_late_commits_below_the_lag_setting_lose_nothing(sandbox_factory):
    sandbox = sandbox_factory(seed=8, orders=150, b2b=False, msi=False)
    # Every write commits 0 to 1.5 s after it stamped updated_at; the tap allows 2 s.
    sandbox.control.update_settings(commit_lag=[0.0, 1.5], latency_ms=5)
    config = sandbox_config(sandbox, page_size=20, commit_lag_seconds=2)
    runs = runs_while_the_store_writes(sandbox, config, runs=4, quiet_after=3.7)
    missing = missing_rows(sandbox, runs)
    assert not missing, f"{len(missing)} rows never written, e.g. {sorted(missing)[:3]}"
    # The bound sits commit_lag_seconds behind the store's clock: the last run wrote rows that
    # the earlier ones could not see yet.
    assert runs[-1].keys("orders")


def test_late_commits_above_the_lag_setting_are_lost(sandbox_factory):
    # The same store read with no allowance for the lag: rows commit after the bookmark has
    # passed their updated_at, and no later run sees them. This is what the setting prevents.
    # (The bound's truncation to the second already hides lags under a second: writes here
    # take up to 4 s.)
    sandbox = sandbox_factory(seed=8, orders=150, b2b=False, msi=False)
    sandbox.control.update_settings(commit_lag=[0.0, 4.0], latency_ms=5)
    config = sandbox_config(sandbox, page_size=20, commit_lag_seconds=0)
    runs = runs_while_the_store_writes(sandbox, config, runs=4, quiet_after=4.2)
    assert missing_rows(sandbox, runs), "no row lost: the sandbox's commit_lag had no effect"
