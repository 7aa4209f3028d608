# Copyright 2026 The tap-magento2 authors. Licensed under the Apache License, Version 2.0.
"""Deletes: ACTIVATE_VERSION after full-table streams, and the id check of incremental ones."""

from __future__ import annotations

import copy
import logging
import random
from urllib.parse import parse_qsl

import pytest
import requests
from singer_sdk.exceptions import ConfigValidationError
from tap_magento2.deletions import DELETED_AT, EMITTED_IDS, DeletionStateError
from tap_magento2.id_ranges import COMPRESS_ABOVE, DEFLATED, PLAIN, IdRanges
from tap_magento2.tap import DELETION_CHECK_STREAMS, TapMagento2

from tests.sandbox.conftest import Api
from tests.tap.runner import Run, catalog_for, resume_until_done, run_tap, sandbox_config

CHECKED = {"deletion_check_interval_hours": 0}


def deletions(run: Run, stream: str) -> list[dict]:
    return [r for r in run.records.get(stream, []) if r.get(DELETED_AT)]


def live(run: Run, stream: str) -> list[dict]:
    return [r for r in run.records.get(stream, []) if not r.get(DELETED_AT)]


def stream_state(run: Run, stream: str, store_code: str | None = None) -> dict:
    found = run.final_state["bookmarks"][stream]
    if store_code is None:
        return dict(found)
    return next(p for p in found["partitions"] if p["context"]["store_code"] == store_code)


def emitted(state: dict) -> set[int]:
    return set(IdRanges.decode(state[EMITTED_IDS]))


def id_walks(sandbox, route: str) -> list[dict[str, str]]:
    """The queries of the deletion check's id pages on one route (fields asks for ids only)."""
    found = []
    for entry in sandbox.control.requests():
        query = dict(parse_qsl(entry["query"], keep_blank_values=True))
        if (
            entry["path"].endswith(route)
            and query.get("fields", "").startswith("items[")
            and (query["fields"].count(",") == 1)
        ):
            found.append(query)
    return found


# ---------------------------------------------------------------------------- id ranges


def test_id_ranges_hold_what_a_set_holds_and_survive_their_text_form():
    chooser = random.Random(7)
    for _ in range(200):
        values = {chooser.randrange(1, 400) for _ in range(chooser.randrange(0, 300))}
        other = {chooser.randrange(1, 400) for _ in range(chooser.randrange(0, 300))}
        ranges = IdRanges()
        for value in chooser.sample(sorted(values), len(values)):
            ranges.add(value)
        assert list(ranges) == sorted(values)
        assert len(ranges) == len(values)
        assert list(ranges.minus(IdRanges(other))) == sorted(values - other)
        again = IdRanges.decode(ranges.encode())
        assert (again.starts, again.ends) == (ranges.starts, ranges.ends)


def test_id_ranges_text_is_compact_and_deflated_when_long():
    run_of_ids = IdRanges(range(1, 1_000_001))
    assert run_of_ids.encode() == PLAIN + "1+1000000"
    # A million orders with one in a hundred deleted: about 10,000 ranges, a few bytes each.
    chooser = random.Random(3)
    gappy = IdRanges(i for i in range(1, 1_000_001) if chooser.random() > 0.01)
    text = gappy.encode()
    assert text.startswith(DEFLATED)
    assert COMPRESS_ABOVE < len(text) < 4 * gappy.ranges
    assert list(IdRanges.decode(text)) == list(gappy)
    for bad in ("1,2,3", "r1:3+x", "r1:5+2,0+1", "z1:!!", 17):
        with pytest.raises(ValueError):
            IdRanges.decode(bad)


# ------------------------------------------------------------------ full-table streams


FULL_TABLE = ["source_items", "companies", "store_views", "customer_groups"]


def test_full_table_streams_activate_their_version_after_the_last_record(sandbox_factory):
    sandbox = sandbox_factory(seed=31, orders=5)
    config = sandbox_config(sandbox)
    first = run_tap(config, streams=FULL_TABLE)
    versions = {}
    for stream in FULL_TABLE:
        positions = [i for i, m in enumerate(first.messages) if m.get("stream") == stream]
        kinds = [first.messages[i]["type"] for i in positions]
        # SCHEMA, the records, then ACTIVATE_VERSION: never before a record (a loader would
        # empty the table while the read runs).
        assert kinds[0] == "SCHEMA"
        assert kinds[-1] == "ACTIVATE_VERSION", stream
        assert kinds.count("ACTIVATE_VERSION") == 1
        version = first.messages[positions[-1]]["version"]
        records = [first.messages[i] for i in positions if first.messages[i]["type"] == "RECORD"]
        assert records
        assert {m["version"] for m in records} == {version}
        assert stream_state(first, stream)["table_version"] == version
        versions[stream] = version

    # Versions only grow, whatever this machine's clock says.
    state = copy.deepcopy(first.final_state)
    for stream in FULL_TABLE:
        state["bookmarks"][stream]["table_version"] = 4_000_000_000
    second = run_tap(config, streams=FULL_TABLE, state=state)
    for stream in FULL_TABLE:
        assert stream_state(second, stream)["table_version"] == 4_000_000_001


def test_no_activate_version_when_off_or_when_the_read_dies(sandbox_factory):
    sandbox = sandbox_factory(seed=31, orders=5)
    off = run_tap(sandbox_config(sandbox, emit_activate_version_messages=False), streams=FULL_TABLE)
    assert not [m for m in off.messages if m["type"] == "ACTIVATE_VERSION"]
    assert not [m for m in off.messages if m["type"] == "RECORD" and "version" in m]

    # Killed in the middle of source_items (sorted first): that table is not activated.
    killed = run_tap(sandbox_config(sandbox, page_size=5), streams=["source_items"], kill_after=7)
    assert killed.killed
    assert killed.records["source_items"]
    assert not [m for m in killed.messages if m["type"] == "ACTIVATE_VERSION"]


def test_a_store_without_the_module_activates_nothing(sandbox_factory):
    sandbox = sandbox_factory(seed=31, orders=5, b2b=False, msi=False)
    run = run_tap(sandbox_config(sandbox), streams=["companies", "source_items", "websites"])
    activated = {m["stream"] for m in run.messages if m["type"] == "ACTIVATE_VERSION"}
    # A 404 says the module is absent, not that the table is empty: nothing is dropped.
    assert activated == {"websites"}


# ---------------------------------------------------------------- incremental streams


def test_deleted_rows_come_as_records_with_sdc_deleted_at(sandbox_factory):
    sandbox = sandbox_factory(seed=32, orders=40)
    config = sandbox_config(
        sandbox,
        page_size=7,
        store_codes=["default", "fr"],
        deletion_check_streams=["orders", "customers", "products", "categories"],
        **CHECKED,
    )
    streams = ["orders", "customers", "products", "categories"]
    first = run_tap(config, streams=streams)
    assert not any(deletions(first, stream) for stream in streams)
    for stream, key in (("orders", "entity_id"), ("customers", "id"), ("categories", "id")):
        assert emitted(stream_state(first, stream)) == {r[key] for r in first.records[stream]}
    for code in ("default", "fr"):
        assert emitted(stream_state(first, "products", code)) == {
            r["id"] for r in first.records["products"] if r["store_code"] == code
        }
    # The first run that tracks a stream reads no ids: they were all there a moment ago.
    assert not id_walks(sandbox, "/V1/orders")

    api = Api(sandbox)
    products = sorted(first.records["products"], key=lambda r: r["id"])
    gone_products = {products[0]["id"], products[5]["id"]}
    for product in products:
        if product["id"] in gone_products and product["store_code"] == "default":
            answer = requests.delete(api.url(f"/products/{product['sku']}"), auth=api.auth)
            assert answer.json() is True
    gone_orders = {3, 17, 40}
    sandbox.control.delete("orders", sorted(gone_orders))
    assert requests.delete(api.url("/customers/2"), auth=api.auth).json() is True
    leaf = max(first.records["categories"], key=lambda r: r["level"])["id"]
    assert requests.delete(api.url(f"/categories/{leaf}"), auth=api.auth).json() is True
    sandbox.control.clear_requests()

    second = run_tap(config, streams=streams, state=first.final_state)
    assert {r["entity_id"] for r in deletions(second, "orders")} == gone_orders
    assert {r["id"] for r in deletions(second, "customers")} == {2}
    assert {r["id"] for r in deletions(second, "categories")} == {leaf}
    assert sorted((r["id"], r["store_code"]) for r in deletions(second, "products")) == sorted(
        (key, code) for key in gone_products for code in ("default", "fr")
    )
    for record in deletions(second, "orders"):
        assert set(record) == {"entity_id", DELETED_AT}
        assert record[DELETED_AT].endswith("+00:00")
    # Deletions come under a schema of the key and _sdc_deleted_at, then the full one again.
    orders = [m for m in second.messages if m.get("stream") == "orders"]
    marked = [
        i for i, m in enumerate(orders) if m["type"] == "RECORD" and DELETED_AT in m["record"]
    ]
    narrow, full = orders[marked[0] - 1], orders[marked[-1] + 1]
    assert narrow["type"] == full["type"] == "SCHEMA"
    assert set(narrow["schema"]["properties"]) == {"entity_id", DELETED_AT}
    assert narrow["key_properties"] == full["key_properties"] == ["entity_id"]
    assert full["schema"] == orders[0]["schema"]
    # A deletion moves no bookmark, and the ids it reports leave the state.
    for stream in ("orders", "customers", "categories"):
        assert second.bookmark(stream) == first.bookmark(stream)
    assert emitted(stream_state(second, "orders")) == emitted(stream_state(first, "orders")) - (
        gone_orders
    )
    # The walk: ids only, a keyset on entity_id ascending, always the first page.
    walks = id_walks(sandbox, "/V1/orders")
    assert len(walks) == -(-(40 - len(gone_orders)) // 7)
    for number, query in enumerate(walks):
        assert query["fields"] == "items[entity_id],total_count"
        assert query["searchCriteria[currentPage]"] == "1"
        assert query["searchCriteria[sortOrders][0][field]"] == "entity_id"
        assert query["searchCriteria[sortOrders][0][direction]"] == "ASC"
        if number:
            assert query["searchCriteria[filter_groups][0][filters][0][field]"] == "entity_id"
            assert query["searchCriteria[filter_groups][0][filters][0][condition_type]"] == "gt"
    assert {q["fields"] for q in id_walks(sandbox, "/V1/customers/search")} == {
        "items[id],total_count"
    }

    # Found once: the next check reports nothing again.
    third = run_tap(config, streams=streams, state=second.final_state)
    assert not any(deletions(third, stream) for stream in streams)


def test_the_check_runs_at_most_once_per_interval(sandbox_factory):
    sandbox = sandbox_factory(seed=33, orders=20, b2b=False, msi=False)
    config = sandbox_config(sandbox, deletion_check_streams=["orders"])  # default: 24 hours
    first = run_tap(config, streams=["orders"])
    sandbox.control.delete("orders", [4])
    second = run_tap(config, streams=["orders"], state=first.final_state)
    assert not deletions(second, "orders")
    assert not id_walks(sandbox, "/V1/orders")
    # A day later on the store's clock, the check is due.
    sandbox.control.set_clock(24 * 3600 + 5)
    third = run_tap(config, streams=["orders"], state=second.final_state)
    assert [r["entity_id"] for r in deletions(third, "orders")] == [4]


def test_without_the_setting_nothing_is_tracked_or_deleted(sandbox_factory):
    sandbox = sandbox_factory(seed=33, orders=20, b2b=False, msi=False)
    config = sandbox_config(sandbox, **CHECKED)
    first = run_tap(config, streams=["orders", "customers"])
    sandbox.control.delete("orders", [4])
    sandbox.control.delete("customers", [1])
    second = run_tap(config, streams=["orders", "customers"], state=first.final_state)
    assert not deletions(second, "orders")
    assert not deletions(second, "customers")
    assert EMITTED_IDS not in stream_state(second, "orders")
    assert not id_walks(sandbox, "/V1/orders")


def test_every_state_holds_the_ids_written_before_it_so_kills_lose_none(sandbox_factory):
    sandbox = sandbox_factory(seed=34, orders=60, b2b=False, msi=False)
    config = sandbox_config(sandbox, page_size=9, deletion_check_streams=["orders"], **CHECKED)
    runs = resume_until_done(config, ["orders"], kills=[13, 20])
    # What a target keeps of a killed run is what came before its last STATE.
    kept: set[int] = set()
    for run in runs:
        written = set(kept)
        for message in run.messages:
            if message["type"] == "RECORD":
                written.add(message["record"]["entity_id"])
            elif message["type"] == "STATE":
                orders = message["value"]["bookmarks"].get("orders", {})
                if EMITTED_IDS in orders:
                    assert emitted(orders) >= written
                kept = set(written)
    assert emitted(stream_state(runs[-1], "orders")) == {
        int(row["id"]) for row in sandbox.control.truth("orders")
    }
    sandbox.control.delete("orders", [1, 60])
    after = run_tap(config, streams=["orders"], state=runs[-1].final_state)
    assert sorted(r["entity_id"] for r in deletions(after, "orders")) == [1, 60]


def test_only_order_items_selected_tracks_no_orders(sandbox_factory):
    sandbox = sandbox_factory(seed=35, orders=10, b2b=False, msi=False)
    config = sandbox_config(sandbox, deletion_check_streams=["orders"], **CHECKED)
    run = run_tap(config, streams=["order_items"])
    assert run.records["order_items"]
    assert EMITTED_IDS not in run.final_state["bookmarks"].get("orders", {})


def test_deletion_settings_are_checked_and_documented(capsys):
    base = {"url": "http://127.0.0.1:9", "access_token": "x"}
    with pytest.raises(ConfigValidationError) as raised:
        TapMagento2(config={**base, "deletion_check_streams": ["orders", "order_items"]})
    assert raised.value.errors == [
        "deletion_check_streams: order_items cannot be checked; give some of "
        + ", ".join(DELETION_CHECK_STREAMS)
        + " (order_items go with orders)"
    ]
    with pytest.raises(ConfigValidationError):
        TapMagento2(config={**base, "deletion_check_interval_hours": -1})
    tap = TapMagento2(config=base)
    checkable = [name for name, s in tap.streams.items() if DELETED_AT in s.schema["properties"]]
    assert sorted(checkable) == sorted(DELETION_CHECK_STREAMS)
    assert tap.deletion_check_interval_hours == 24
    TapMagento2.print_about(output_format="markdown")
    about = capsys.readouterr().out
    for name in ("deletion_check_streams", "deletion_check_interval_hours"):
        assert name in about
    assert "emit_activate_version_messages" in about


def test_an_unreadable_id_set_in_state_is_named(sandbox_factory):
    sandbox = sandbox_factory(seed=36, orders=5, b2b=False, msi=False)
    config = sandbox_config(sandbox, deletion_check_streams=["orders"])
    state = {"bookmarks": {"orders": {EMITTED_IDS: "r1:5+x"}}}
    catalog = catalog_for(config, ["orders"])
    with pytest.raises(DeletionStateError) as raised:
        run_tap(config, catalog=catalog, state=state)
    message = str(raised.value)
    assert message.startswith("state bookmarks.orders.emitted_ids: ")
    assert "remove that key from the state" in message
    assert "\n" not in message


def test_batch_mode_writes_no_activate_version_and_checks_nothing(sandbox_factory, tmp_path):
    sandbox = sandbox_factory(seed=37, orders=8, b2b=False, msi=False)
    batch = {
        "encoding": {"format": "jsonl", "compression": "gzip"},
        "storage": {"root": f"file://{tmp_path}"},
    }
    config = sandbox_config(
        sandbox, batch_config=batch, deletion_check_streams=["orders"], **CHECKED
    )
    first = run_tap(config, streams=["orders", "store_views"])
    assert [m["type"] for m in first.messages if m["type"] == "BATCH"] == ["BATCH", "BATCH"]
    sandbox.control.delete("orders", [2])
    second = run_tap(config, streams=["orders", "store_views"], state=first.final_state)
    # BATCH files carry no table version: an ACTIVATE_VERSION would drop every row of them.
    assert not [m for m in second.messages if m["type"] in {"ACTIVATE_VERSION", "RECORD"}]
    assert EMITTED_IDS not in stream_state(second, "orders")


def test_an_unreadable_order_counts_as_present_in_the_check(sandbox_factory, tmp_path, caplog):
    # An order whose product was deleted fails every answer holding it, ids only included
    # (magento2 #7518): the walk finds it and goes on; it is not reported deleted.
    sandbox = sandbox_factory(seed=38, orders=50, b2b=False, msi=False)
    config = sandbox_config(
        sandbox,
        page_size=8,
        deletion_check_streams=["orders"],
        skip_unreadable_records=True,
        unreadable_records_file=str(tmp_path / "unreadable.jsonl"),
        **CHECKED,
    )
    first = run_tap(config, streams=["orders"])
    sandbox.control.delete("orders", [5, 30, 31])
    sandbox.control.update_settings(unreadable={"orders": [21]})
    with caplog.at_level(logging.WARNING):
        second = run_tap(config, streams=["orders"], state=first.final_state)
    assert sorted(r["entity_id"] for r in deletions(second, "orders")) == [5, 30, 31]
    found = [r.getMessage() for r in caplog.records if "counted as present" in r.getMessage()]
    assert len(found) == 1
    assert found[0].startswith("orders: id 21 fails every answer that holds it")
    assert 21 in emitted(stream_state(second, "orders"))
    assert len(emitted(stream_state(second, "orders"))) == 47
