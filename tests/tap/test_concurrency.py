# Copyright 2026 The tap-magento2 authors. Licensed under the Apache License, Version 2.0.
"""Several requests at once (max_concurrency): the same records, in the same order."""

from __future__ import annotations

import logging
import time

import msgspec
from tap_magento2 import concurrency
from tap_magento2.client import IncrementalStream
from tap_magento2.concurrency import BUFFERED_PAGES, HEAD_PAGES, WindowedWalk
from tap_magento2.tap import TapMagento2

from tests.tap.runner import run_tap, sandbox_config


def test_windows_read_at_once_and_write_in_order(sandbox_factory, caplog):
    sandbox = sandbox_factory(seed=12, orders=1500, customers=400, b2b=False, msi=False)
    # Requests take long enough to overlap; the store serves 8 at once.
    sandbox.control.update_settings(latency_ms=30, max_concurrency=8)
    sandbox.control.mass_update("orders", 300, at="2025-03-01 08:00:00")  # a busy second
    config = sandbox_config(sandbox, page_size=50, max_concurrency=4)
    with caplog.at_level(logging.INFO):
        run = run_tap(config, streams=["orders", "customers", "customer_groups"])
    for stream, id_field in (("orders", "entity_id"), ("customers", "id")):
        written = run.keys(stream, id_field)
        assert len(written) == len(set(written)), stream
        assert written == sorted(written, key=lambda key: (key[1], key[0])), stream
        truth = {(int(row["id"]), row["updated_at"]) for row in sandbox.control.truth(stream)}
        assert set(written) == truth, stream
    # Every STATE's bookmark is the updated_at of the last order written before it: resumable
    # at any point, though the pages came from several windows at once.
    last_written: str | None = None
    checked = 0
    for message in run.messages:
        if message["type"] == "RECORD" and message["stream"] == "orders":
            last_written = message["record"]["updated_at"]
        elif message["type"] == "STATE" and last_written is not None:
            bookmark = message["value"]["bookmarks"]["orders"]["replication_key_value"]
            assert bookmark == last_written
            checked += 1
    assert checked > 10
    assert sandbox.control.request_log()["peak_concurrency"] == 4
    windows = [
        r.getMessage() for r in caplog.records if "time windows by 4 workers" in r.getMessage()
    ]
    assert windows, "the orders range was never cut into windows"


def test_what_waits_to_be_written_is_bounded_and_kept_as_json(sandbox_factory):
    # A writer slower than its readers: the workers run ahead until the bound stops them.
    # Pages being read count toward it too, so the bound holds at every moment.
    sandbox = sandbox_factory(seed=13, orders=900, customers=20, b2b=False, msi=False)
    tap = TapMagento2(config=sandbox_config(sandbox, page_size=20), validate_config=False)
    stream = tap.streams["orders"]
    assert isinstance(stream, IncrementalStream)
    workers = 4
    walk = WindowedWalk(
        stream,
        start=None,
        cursor=None,
        bound="2100-01-01 00:00:00",
        store_code=None,
        fields=None,
        workers=workers,
    )
    walk.partition(900)
    limit = BUFFERED_PAGES * workers * 20
    seen: list[int] = []
    waiting_at_most = 0
    for rows in walk.rows():
        with walk.condition:
            waiting_at_most = max(waiting_at_most, walk.buffered)
        assert all(isinstance(waiting, msgspec.Raw) for waiting in rows)
        seen.extend(int(concurrency.row(waiting)["entity_id"]) for waiting in rows)
        time.sleep(0.02)
    truth = sorted(
        sandbox.control.truth("orders"), key=lambda row: (row["updated_at"], int(row["id"]))
    )
    assert seen == [int(row["id"]) for row in truth]
    # Full: the workers ran ahead as far as they were let; never further.
    assert limit - 20 <= waiting_at_most <= limit + HEAD_PAGES * 20
