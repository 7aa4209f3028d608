# Copyright 2026 The tap-magento2 authors. Licensed under the Apache License, Version 2.0.
"""The tap's direct RECORD path (tap_magento2.output.RecordLines, MagentoStream._sync_records)
writes what the SDK's own per-record path writes: the same bytes per message, the same records,
STATE and bookmarks, on every kind of stream the tap has."""

from __future__ import annotations

import json
import re
from datetime import datetime

import pytest
from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.singerlib import RecordMessage
from tap_magento2.client import MagentoStream
from tap_magento2.output import RecordLines, SingerWriter
from tap_magento2.tap import TapMagento2

from tests.tap.runner import catalog_for, run_tap, sandbox_config

RECORDS = [
    {"sku": "A 1/+&=%#?", "quantity": 12.5, "status": 1, "source_code": "default"},
    {"id": 7, "name": 'Zoë "quoted" ✓', "nested": {"a": [1, 2.0, None, True]}, "empty": {}},
    {},
]


@pytest.mark.parametrize("version", [None, 1_733_000_000])
@pytest.mark.parametrize("record", RECORDS)
def test_a_direct_record_line_is_the_sdk_writer_s_bytes(record, version):
    writer = SingerWriter()
    RecordLines(writer, "source_items").write(record, version)
    line = bytes(writer._pending)
    extracted = datetime.fromisoformat(json.loads(line)["time_extracted"])
    message = RecordMessage(
        stream="source_items", record=record, version=version, time_extracted=extracted
    )

    assert line == bytes(MsgSpecWriter().format_message(message))


STREAMS = ["orders", "order_items", "customers", "products", "source_items", "store_views"]


def lines_of(config, catalog, name: str) -> RecordLines | None:
    stream = TapMagento2(config=config, catalog=catalog).streams[name]
    assert isinstance(stream, MagentoStream)
    return stream.record_lines


def comparable(messages):
    """Messages without what two runs cannot share: the time of extraction and the full-table
    version (the second a read began)."""
    text = json.dumps([{k: v for k, v in m.items() if k != "time_extracted"} for m in messages])
    return json.loads(
        re.sub(r'("(table_)?version"): \d+|("replication_key_signpost"): "[^"]*"', r"\1\3: 0", text)
    )


def test_the_direct_path_writes_what_the_sdk_path_writes(sandbox_factory, workers):
    sandbox = sandbox_factory(seed=4, orders=120, customers=50, products=40)
    codes = [code for code in sandbox.control.info()["store_codes"] if code != "admin"]
    config = sandbox_config(sandbox, page_size=25, store_codes=codes, max_concurrency=workers)
    # An empty stream map changes no record, but it is a map: the SDK's own path runs.
    mapped = {**config, "stream_maps": {name: {} for name in STREAMS}}
    catalog = catalog_for(config, STREAMS)
    assert all(lines_of(config, catalog, name) is not None for name in STREAMS)
    assert all(lines_of(mapped, catalog, name) is None for name in STREAMS)

    direct = run_tap(config, catalog=catalog)
    sdk = run_tap(mapped, catalog=catalog)

    assert {name: len(direct.records.get(name, [])) for name in STREAMS} == {
        name: len(sdk.records.get(name, [])) for name in STREAMS
    }
    assert all(direct.records.get(name) for name in STREAMS)
    assert comparable(direct.messages) == comparable(sdk.messages)
    # And a run resumed from the direct path's STATE reads what the SDK path's would.
    again = run_tap(config, catalog=catalog, state=direct.final_state)
    again_sdk = run_tap(mapped, catalog=catalog, state=sdk.final_state)
    assert comparable(again.messages) == comparable(again_sdk.messages)
