# Copyright 2026 The tap-magento2 authors. Licensed under the Apache License, Version 2.0.
"""What real stores do that a quiet store does not: late commits, unreadable records, slow pages.

Each test compares what the tap wrote with the sandbox's ground truth (`/_sandbox/truth/<kind>`).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest
from magento2_sandbox import Sandbox
from tap_magento2.tap import UnreadableRecordsError

from tests.tap.runner import (
    Run,
    catalog_for,
    magento_time,
    resume_until_done,
    run_tap,
    sandbox_config,
)

PRODUCT_GONE = "The product that was requested doesn't exist. Verify the product and try again."


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


def test_late_commits_below_the_lag_setting_lose_nothing(sandbox_factory, workers):
    sandbox = sandbox_factory(seed=8, orders=150, b2b=False, msi=False)
    # Every write commits 0 to 1.5 s after it stamped updated_at; the tap allows 2 s.
    sandbox.control.update_settings(commit_lag=[0.0, 1.5], latency_ms=5)
    config = sandbox_config(sandbox, page_size=20, commit_lag_seconds=2, max_concurrency=workers)
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


# -- unreadable records -------------------------------------------------------------------


@pytest.fixture(scope="module")
def store_of_5000() -> Iterator[Any]:
    """5,000 orders, 600 of them in one second (an import): one store for the cases below,
    each of which names its own unreadable order."""
    with Sandbox(seed=9, orders=5000, b2b=False, msi=False) as sandbox:
        cluster = sandbox.control.mass_update("orders", 600, at="2025-06-01 12:00:00")
        sandbox.cluster = cluster["ids"]  # type: ignore[attr-defined]
        yield sandbox


def in_cursor_order(sandbox: Any) -> list[tuple[int, str]]:
    return sorted(truth_keys(sandbox), key=lambda key: (key[1], key[0]))


def unreadable_order(sandbox: Any, where: str) -> tuple[int, str]:
    ordered = in_cursor_order(sandbox)
    if where == "start":
        return ordered[0]
    if where == "last page":
        return ordered[-1]
    cluster = sorted(sandbox.cluster)
    middle = cluster[len(cluster) // 2]
    return next(key for key in ordered if key[0] == middle)


@pytest.fixture
def bad_order(store_of_5000: Any, request: pytest.FixtureRequest) -> Iterator[tuple[int, str]]:
    bad = unreadable_order(store_of_5000, request.param)
    store_of_5000.control.update_settings(unreadable={"orders": [bad[0]]})
    yield bad
    store_of_5000.control.update_settings(unreadable={})


WHERE = ["start", "same-second cluster", "last page"]


@pytest.mark.parametrize("bad_order", WHERE, indirect=True)
def test_an_unreadable_order_is_skipped_and_listed(store_of_5000, bad_order, tmp_path, workers):
    listed = tmp_path / "unreadable.jsonl"
    config = sandbox_config(
        store_of_5000,
        skip_unreadable_records=True,
        unreadable_records_file=str(listed),
        max_concurrency=workers,
    )
    run = run_tap(config, streams=["orders"])
    assert run.error is None
    written = run.keys("orders")
    assert len(written) == len(set(written))
    assert set(written) == truth_keys(store_of_5000) - {bad_order}
    assert written == sorted(written, key=lambda key: (key[1], key[0]))
    lines = [json.loads(line) for line in listed.read_text().splitlines()]
    assert lines == [
        {
            "stream": "orders",
            "id": bad_order[0],
            "updated_at": bad_order[1].replace(" ", "T") + "+00:00",
            "store_code": None,
            "error": PRODUCT_GONE,
        }
    ]


@pytest.mark.parametrize("bad_order", WHERE, indirect=True)
def test_by_default_the_stream_stops_at_an_unreadable_order(
    store_of_5000, bad_order, caplog, workers
):
    config = sandbox_config(store_of_5000, max_concurrency=workers)
    with caplog.at_level(logging.ERROR):
        run = run_tap(config, streams=["orders"])
    assert isinstance(run.error, UnreadableRecordsError)
    message = str(run.error)
    assert f"orders: the record with id {bad_order[0]} and updated_at {bad_order[1]}" in message
    assert "skip_unreadable_records: true" in message
    # Everything before it was written, nothing after it, and the bookmark stops before it.
    ordered = in_cursor_order(store_of_5000)
    before = ordered[: ordered.index(bad_order)]
    assert run.keys("orders") == before
    bookmark = run.bookmark("orders")
    assert bookmark is None or magento_time(bookmark) <= bad_order[1]
    # Once the record is repaired, a run from that STATE brings it and the rest.
    store_of_5000.control.update_settings(unreadable={})
    rest = run_tap(config, streams=["orders"], state=run.last_state)
    assert set(run.keys("orders")) | set(rest.keys("orders")) == set(ordered)


@pytest.mark.parametrize("bad_order", ["same-second cluster"], indirect=True)
@pytest.mark.parametrize("kills", [(1200,), (2300, 2600), (4700,)])
def test_kill_and_resume_across_an_unreadable_order(
    store_of_5000, bad_order, kills, tmp_path, workers
):
    # Kill counts are RECORD messages: before the cluster, on both sides of the bad order
    # (the cluster holds rows 2,200 to 2,800 or so), and after it.
    config = sandbox_config(
        store_of_5000,
        skip_unreadable_records=True,
        unreadable_records_file=str(tmp_path / "unreadable.jsonl"),
        max_concurrency=workers,
    )
    runs = resume_until_done(config, ["orders"], kills)
    assert [run.killed for run in runs] == [True] * len(kills) + [False]
    written = set().union(*(set(run.keys("orders")) for run in runs))
    assert written == truth_keys(store_of_5000) - {bad_order}


# -- slow pages ---------------------------------------------------------------------------


@pytest.mark.parametrize("limit", ["gateway", "read_timeout"])
def test_slow_pages_are_asked_smaller_for_the_rest_of_the_run(sandbox_factory, caplog, limit):
    # One request at a time, so the log's page sizes come in the order they were asked.
    # 4 ms per order returned: a page of 300 takes 1.2 s, of 150 0.6 s, of 75 0.3 s; the
    # gateway (or the tap's read_timeout) allows 0.5 s.
    sandbox = sandbox_factory(seed=10, orders=700, b2b=False, msi=False)
    sandbox.control.update_settings(per_item_latency_ms=4)
    if limit == "gateway":
        sandbox.control.update_settings(gateway_timeout_s=0.5)
        config = sandbox_config(sandbox, max_concurrency=1)
    else:
        config = sandbox_config(sandbox, read_timeout=0.5, max_concurrency=1)
    with caplog.at_level(logging.INFO):
        run = run_tap(config, streams=["orders"])
    written = run.keys("orders")
    assert len(written) == len(set(written))
    assert set(written) == truth_keys(sandbox)
    messages = [record.getMessage() for record in caplog.records]
    lowered = [m for m in messages if "took too long" in m]
    assert len(lowered) == 2  # 300 -> 150 -> 75
    warned = [r for r in caplog.records if "took too long" in r.getMessage()]
    assert [r.levelno for r in warned] == [logging.WARNING, logging.INFO]  # said once
    assert any("summary: orders:" in m and "pages of 75 after timeouts" in m for m in messages)
    sizes = [
        int(entry["query"].split("pageSize%5D=")[1].split("&")[0])
        for entry in sandbox.control.requests()
        if entry["path"].endswith("/V1/orders")
    ]
    assert sizes[:2] == [300, 150]
    assert set(sizes[2:]) == {75}
