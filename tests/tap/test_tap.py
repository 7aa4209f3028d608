# Copyright 2026 The tap-magento2 authors. Licensed under the Apache License, Version 2.0.
"""The tap's behaviour against the sandbox: settings, streams, requests it sends, state it keeps."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl

import pytest
from magento2_rest import SearchCriteria
from singer_sdk.exceptions import ConfigValidationError
from tap_magento2.client import IncrementalStream, MagentoCursorError
from tap_magento2.tap import INCREMENTAL_STREAMS, STREAM_TYPES, TapMagento2

from tests.conftest import platform_config
from tests.tap.runner import catalog_for, magento_time, run_tap, sandbox_config


def truth(sandbox, kind: str) -> dict[int, str]:
    return {int(row["id"]): row.get("updated_at") for row in sandbox.control.truth(kind)}


def search_queries(sandbox, route: str) -> list[dict[str, str]]:
    """The decoded query of every request the store received on one route."""
    return [
        dict(parse_qsl(entry["query"], keep_blank_values=True))
        for entry in sandbox.control.requests()
        if entry["path"].endswith(route)
    ]


def parse_fields(text: str | None) -> dict:
    """Magento's `fields` value as a tree: `items[a,b[c]],total_count` -> {items: {a, b: {c}}}."""
    assert text is not None
    root: dict = {}
    stack = [root]
    name = ""
    for char in text + ",":
        if char in ",[]":
            if name:
                stack[-1][name] = {}
            if char == "[":
                stack.append(stack[-1][name])
            elif char == "]":
                stack.pop()
            name = ""
        else:
            name += char
    return root


def distinct_instants(sandbox) -> list[str]:
    """The orders' updated_at seconds, each once: starts chosen among them are distinct
    instants, so a test tells which setting the tap took (many seeded rows share a second)."""
    instants = sorted(set(truth(sandbox, "orders").values()))
    assert len(instants) >= 6, "too few distinct seconds to compare starts"
    return instants


def rows_from(sandbox, start: str) -> set[tuple[int, str]]:
    return {(key, at) for key, at in truth(sandbox, "orders").items() if at >= start}


def iso(magento: str) -> str:
    return f"{magento[:10]}T{magento[11:]}+00:00"


def test_integration_platform_config_runs_unchanged(sandbox_factory):
    sandbox = sandbox_factory(seed=8, orders=200, b2b=False, msi=False)
    instants = distinct_instants(sandbox)
    last_pull = instants[len(instants) // 2]
    config = platform_config(sandbox, type="V1", orders_last_pull=last_pull)
    run = run_tap(config, streams=["orders"])
    assert set(run.keys("orders")) == rows_from(sandbox, last_pull)
    assert rows_from(sandbox, last_pull) != rows_from(sandbox, instants[0])


def test_last_pull_in_iso_8601_with_an_offset_is_read_as_utc(sandbox_factory):
    sandbox = sandbox_factory(seed=8, orders=200, b2b=False, msi=False)
    instants = distinct_instants(sandbox)
    cut = instants[len(instants) // 2]  # 'Y-m-d H:i:s' UTC
    # The same moment two hours east of UTC: read as local time it would be two hours off.
    east = timezone(timedelta(hours=2))
    local = datetime.fromisoformat(cut + "+00:00").astimezone(east).isoformat()
    run = run_tap(sandbox_config(sandbox, orders_last_pull=local), streams=["orders"])
    assert set(run.keys("orders")) == rows_from(sandbox, cut)


@pytest.mark.parametrize("last_pull_is", ["later", "earlier"])
def test_last_pull_wins_over_start_date(sandbox_factory, last_pull_is):
    sandbox = sandbox_factory(seed=8, orders=200, b2b=False, msi=False)
    instants = distinct_instants(sandbox)
    early, late = instants[len(instants) // 3], instants[2 * len(instants) // 3]
    last_pull, start_date = (late, early) if last_pull_is == "later" else (early, late)
    config = sandbox_config(sandbox, orders_last_pull=last_pull, start_date=start_date)
    run = run_tap(config, streams=["orders"])
    assert set(run.keys("orders")) == rows_from(sandbox, last_pull)


@pytest.mark.parametrize("start_date_is", ["later", "earlier"])
def test_bookmark_in_state_wins_over_last_pull_and_start_date(sandbox_factory, start_date_is):
    sandbox = sandbox_factory(seed=9, orders=200, b2b=False, msi=False)
    instants = distinct_instants(sandbox)
    bookmark = instants[len(instants) // 2]
    # start_date later than the bookmark (or earlier), orders_last_pull earlier: both lose.
    start_date = instants[-2] if start_date_is == "later" else instants[0]
    state = {
        "bookmarks": {
            "orders": {"replication_key": "updated_at", "replication_key_value": iso(bookmark)}
        }
    }
    config = sandbox_config(
        sandbox, start_date=start_date, orders_last_pull=instants[1], end_date="2100-01-01"
    )
    run = run_tap(config, streams=["orders"], state=state)
    assert set(run.keys("orders")) == rows_from(sandbox, bookmark)


def test_end_date_bounds_the_sync(sandbox_factory):
    sandbox = sandbox_factory(seed=9, orders=30, b2b=False, msi=False)
    updated = sorted(truth(sandbox, "orders").values())
    end = updated[15]
    run = run_tap(sandbox_config(sandbox, end_date=end), streams=["orders"])
    assert {at for _, at in run.keys("orders")} == {at for at in updated if at < end}


def test_upper_bound_follows_the_store_clock(sandbox_factory):
    sandbox = sandbox_factory(seed=10, orders=20, b2b=False, msi=False)
    # The store's clock runs an hour behind this machine's. Rows stamped half an hour ahead of
    # the store's clock are in this machine's past but in the store's future: a bound taken
    # from this machine's clock would read them, the store's Date header keeps them out.
    store_now = sandbox.control.set_clock(-3600)["now"]
    ahead = datetime.fromisoformat(store_now + "+00:00") + timedelta(minutes=30)
    future = sandbox.control.mass_update("orders", 3, at=ahead.strftime("%Y-%m-%d %H:%M:%S"))
    run = run_tap(sandbox_config(sandbox), streams=["orders"])
    written = dict(run.keys("orders"))
    assert not set(future["ids"]) & set(written)
    assert set(written.items()) == {
        (key, at) for key, at in truth(sandbox, "orders").items() if at < store_now
    }


def test_a_store_without_b2b_or_msi_says_so_and_goes_on(sandbox_factory, caplog):
    sandbox = sandbox_factory(seed=11, orders=10, b2b=False, msi=False)
    optional = ["companies", "company_credits", "inventory_sources", "inventory_stocks"]
    optional.append("source_items")
    with caplog.at_level(logging.INFO):
        run = run_tap(sandbox_config(sandbox), streams=[*optional, "store_views", "orders"])
    assert not any(run.records.get(stream) for stream in optional)
    assert run.records["store_views"]
    assert len(run.records["orders"]) == 10
    for stream in optional:
        lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith(f"{stream}:")]
        absent = [line for line in lines if "answered 404" in line]
        assert len(absent) == 1, f"{stream}: {lines}"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_page_size_is_lowered_to_the_store_limit(sandbox_factory, caplog):
    sandbox = sandbox_factory(seed=12, orders=30, b2b=False, msi=False)
    sandbox.control.update_settings(input_limits=True)
    # Streams run in name order: a full-table stream (offset pages) meets the limit first,
    # then the incremental ones (keyset pages) start at the size it learned.
    streams = ["customer_groups", "customers", "orders", "product_attributes"]
    with caplog.at_level(logging.WARNING):
        run = run_tap(sandbox_config(sandbox, page_size=500), streams=streams)
    assert set(run.keys("orders")) == set(truth(sandbox, "orders").items())
    for stream in ("customers", "customer_groups"):
        assert sorted(r["id"] for r in run.records[stream]) == sorted(truth(sandbox, stream))
    assert len(run.records["product_attributes"]) == len(truth(sandbox, "product_attributes"))
    lowered = [r for r in caplog.records if "pages of 300 at most" in r.getMessage()]
    assert len(lowered) == 1, [r.getMessage() for r in caplog.records]
    assert lowered[0].getMessage().endswith("asking 300 instead of 500 from now on")
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == lowered
    requests = sandbox.control.requests()
    sizes = [dict(parse_qsl(entry["query"])).get("searchCriteria[pageSize]") for entry in requests]
    # Refused once, then every request of every stream at the store's limit.
    assert requests[0]["path"].endswith("/V1/customerGroups/search")
    assert sizes[0] == "500"
    assert set(sizes[1:]) == {"300"}


def page_sizes(sandbox) -> dict[str, list[str]]:
    """The pageSize of every search the store received, by route."""
    sizes: dict[str, list[str]] = {}
    for entry in sandbox.control.requests():
        size = dict(parse_qsl(entry["query"])).get("searchCriteria[pageSize]")
        if size is not None:
            sizes.setdefault(entry["path"].rsplit("/V1", 1)[1], []).append(size)
    return sizes


def test_small_records_are_read_in_larger_pages_and_a_limited_store_says_so_once(
    sandbox_factory, caplog
):
    sandbox = sandbox_factory(seed=13, orders=30, customers=4500, products=700, b2b=False)
    truth_rows = sandbox.control.truth("source_items")
    expected = sorted((r["id"]["sku"], r["id"]["source_code"]) for r in truth_rows)
    assert len(expected) > 1000
    run = run_tap(sandbox_config(sandbox), streams=["orders", "customers", "source_items"])
    assert sorted((r["sku"], r["source_code"]) for r in run.records["source_items"]) == expected
    customers = sorted(r["id"] for r in run.records["customers"])
    assert customers == sorted(r["id"] for r in sandbox.control.truth("customers"))
    assert len(customers) > 4000
    sizes = page_sizes(sandbox)
    assert set(sizes["/inventory/source-items"]) == {"1000"}
    # Customers, incremental, are cut into windows at max_concurrency 8: their probes ask one row.
    assert set(sizes["/customers/search"]) == {"1000", "1"}
    assert set(sizes["/orders"]) == {"300"}

    # With input limits on the first page of 1,000 is refused once; the tap asks the store's
    # maximum from then on, and says so as news: nothing in the config is wrong.
    sandbox.control.clear_requests()
    sandbox.control.update_settings(input_limits=True)
    with caplog.at_level(logging.INFO):
        run = run_tap(sandbox_config(sandbox), streams=["orders", "source_items"])
    assert sorted((r["sku"], r["source_code"]) for r in run.records["source_items"]) == expected
    refused = page_sizes(sandbox)["/inventory/source-items"]
    assert refused[0] == "1000"
    assert set(refused[1:]) == {"300"}
    lowered = [r for r in caplog.records if "pages of 300 at most" in r.getMessage()]
    assert [r.levelno for r in lowered] == [logging.INFO]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_stream_page_sizes_and_page_size_choose_the_size_of_each_stream(sandbox_factory):
    sandbox = sandbox_factory(seed=13, orders=30, products=20, b2b=False)
    config = sandbox_config(sandbox, max_concurrency=1, stream_page_sizes={"orders": 7})
    run_tap(config, streams=["orders", "source_items", "customers"])
    sizes = page_sizes(sandbox)
    assert set(sizes["/orders"]) == {"7"}
    assert set(sizes["/inventory/source-items"]) == {"1000"}
    assert set(sizes["/customers/search"]) == {"1000"}
    # page_size given: every stream not named in stream_page_sizes, source_items included.
    sandbox.control.clear_requests()
    run_tap({**config, "page_size": 11}, streams=["orders", "source_items", "customers"])
    sizes = page_sizes(sandbox)
    assert set(sizes["/orders"]) == {"7"}
    assert set(sizes["/inventory/source-items"]) == {"11"}
    assert set(sizes["/customers/search"]) == {"11"}


@pytest.mark.parametrize(
    ("sizes", "problem"),
    [
        ({"source_item": 10}, "stream_page_sizes: 'source_item' is no stream of this tap; give "),
        ({"orders": 0}, "stream_page_sizes: orders is 0; give a whole number of records, 1 or "),
        ([10], "[10] is not of type 'object' in config['stream_page_sizes']"),
    ],
)
def test_stream_page_sizes_are_checked(sizes, problem):
    config = {"url": "http://127.0.0.1:9", "access_token": "x", "stream_page_sizes": sizes}
    with pytest.raises(ConfigValidationError) as raised:
        TapMagento2(config=config)
    assert len(raised.value.errors) == 1, raised.value.errors
    assert raised.value.errors[0].startswith(problem)


def test_progress_lines_and_the_summary(sandbox_factory, caplog):
    sandbox = sandbox_factory(seed=12, orders=30, b2b=False, msi=False)
    with caplog.at_level(logging.INFO):
        # One request at a time: the pages are the page_size the test counts on.
        config = sandbox_config(sandbox, page_size=10, max_concurrency=1)
        run_tap(config, streams=["orders", "customer_groups"])
    lines = [r.getMessage() for r in caplog.records]
    pages = [line for line in lines if line.startswith("orders: page ")]
    assert len(pages) == 3, lines
    assert pages[0].startswith("orders: page 1, 10 of 30 records (33%), about ")
    assert pages[0].endswith(" s left")
    assert pages[2] == "orders: page 3, 30 of 30 records (100%), done"
    groups = len(truth(sandbox, "customer_groups"))
    summaries = [line for line in lines if line.startswith("summary: ")]
    assert summaries == [
        f"summary: customer_groups: {groups} records, 1 pages, 1 requests, 0 retries, "
        + summaries[0].rsplit(", ", 1)[1],
        "summary: orders: 30 records, 3 pages, 3 requests, 0 retries, "
        + summaries[1].rsplit(", ", 1)[1],
        "summary: the store was read with one request at a time",
    ]
    assert all(summary.endswith(" s") for summary in summaries[:2])


def test_secrets_never_reach_the_log_even_at_debug(sandbox_factory, tmp_path):
    sandbox = sandbox_factory(seed=21, orders=12, b2b=False, msi=False)
    secrets = list(sandbox.credentials.values())
    assert len(secrets) == 4
    environment = {**os.environ, "TAP_MAGENTO2_LOGLEVEL": "DEBUG"}
    config = tmp_path / "config.json"
    outputs = []
    # A good run, and one the store refuses (a wrong access token secret).
    for wrong in ({}, {"access_token_secret": "not-the-secret-8d1f"}):
        config.write_text(json.dumps(sandbox_config(sandbox, page_size=5, **wrong)))
        done = subprocess.run(
            [sys.executable, "-m", "tap_magento2", "--config", str(config)],
            capture_output=True,
            text=True,
            env=environment,
            check=False,
            timeout=120,
        )
        outputs.append((done.returncode, done.stdout + done.stderr))
    (good, log), (refused, refused_log) = outputs
    assert good == 0
    assert refused == 1
    assert "| DEBUG " in log, "the tap did not log at DEBUG"
    assert "tap-magento2.http" in log, "no HTTP exchange was logged"
    assert '"type":"RECORD"' in log.replace(" ", "")
    assert "401" in refused_log
    for text in (log, refused_log):
        for secret in [*secrets, "not-the-secret-8d1f"]:
            assert secret not in text


def test_deselected_properties_are_not_requested(sandbox_factory):
    sandbox = sandbox_factory(seed=13, orders=12, b2b=False, msi=False)
    config = sandbox_config(sandbox, page_size=5)
    schema = TapMagento2(config=config).streams["orders"].schema["properties"]
    keep = {"entity_id", "updated_at", "increment_id", "grand_total", "items"}
    item_keep = {"item_id", "order_id", "sku", "qty_ordered", "order_updated_at"}
    item_schema = TapMagento2(config=config).streams["order_items"].schema["properties"]
    catalog = catalog_for(
        config,
        ["orders", "order_items"],
        deselect={
            "orders": set(schema) - keep,
            "order_items": set(item_schema) - item_keep,
        },
    )
    run = run_tap(config, catalog=catalog)
    (fields,) = {query.get("fields") for query in search_queries(sandbox, "/V1/orders")}
    assert parse_fields(fields) == {
        "items": {name: {} for name in keep},
        "total_count": {},
    }
    assert {key for record in run.records["orders"] for key in record} == keep
    assert len(run.records["orders"]) == 12

    # order_items alone: the orders route is asked for the cursor and the selected item fields.
    sandbox.control.clear_requests()
    only_items = catalog_for(
        config, ["order_items"], deselect={"order_items": set(item_schema) - item_keep}
    )
    items_run = run_tap(config, catalog=only_items)
    (fields,) = {query.get("fields") for query in search_queries(sandbox, "/V1/orders")}
    item_fields: dict[str, dict] = {name: {} for name in item_keep - {"order_updated_at"}}
    assert parse_fields(fields) == {
        "items": {"entity_id": {}, "updated_at": {}, "items": item_fields},
        "total_count": {},
    }
    assert "orders" not in items_run.records
    assert {key for record in items_run.records["order_items"] for key in record} == item_keep
    assert len(items_run.records["order_items"]) == len(run.records["order_items"])


def test_order_items_come_from_the_orders_answers(sandbox_factory):
    sandbox = sandbox_factory(seed=14, orders=25, b2b=False, msi=False)
    # One request at a time: the count below is of pages (several at once add window cuts).
    config = sandbox_config(sandbox, page_size=10, max_concurrency=1)
    both = run_tap(config, streams=["orders", "order_items"])
    requests_with_orders = len(sandbox.control.requests())
    expected = {
        (item["item_id"], order["entity_id"])
        for order in both.records["orders"]
        for item in order["items"]
    }
    assert {(r["item_id"], r["order_id"]) for r in both.records["order_items"]} == expected
    by_order = {order["entity_id"]: order["updated_at"] for order in both.records["orders"]}
    assert all(
        r["order_updated_at"] == by_order[r["order_id"]] for r in both.records["order_items"]
    )
    assert requests_with_orders == 3
    state = both.final_state["bookmarks"]
    assert state["order_items"]["replication_key_value"] == state["orders"]["replication_key_value"]

    # Selected alone, order_items keeps its own bookmark and orders writes nothing.
    alone = run_tap(config, streams=["order_items"])
    assert "orders" not in alone.records
    assert len(alone.records["order_items"]) == len(expected)
    assert alone.bookmark("order_items") == both.bookmark("order_items")
    assert "replication_key_value" not in alone.final_state["bookmarks"].get("orders", {})


def test_products_per_store_view_keep_a_bookmark_each(sandbox_factory):
    sandbox = sandbox_factory(seed=15, orders=5, b2b=False, msi=False)
    codes = [code for code in sandbox.control.info()["store_codes"] if code != "admin"]
    assert len(codes) >= 2
    config = sandbox_config(sandbox, page_size=7, store_codes=codes)
    first = run_tap(config, streams=["products"])
    products = truth(sandbox, "products")
    for code in codes:
        ids = [r["id"] for r in first.records["products"] if r["store_code"] == code]
        assert sorted(ids) == sorted(products)
    partitions = first.final_state["bookmarks"]["products"]["partitions"]
    assert sorted(p["context"]["store_code"] for p in partitions) == sorted(codes)
    newest = max(products.values())
    assert all(magento_time(p["replication_key_value"]) == newest for p in partitions)
    paths = {entry["path"].split("/V1/")[0] for entry in sandbox.control.requests()}
    assert paths == {f"/rest/{code}" for code in codes}

    # One store view's bookmark moves on its own.
    partitions[0]["replication_key_value"] = "2000-01-01T00:00:00+00:00"
    second = run_tap(config, streams=["products"], state=first.last_state)
    again = dict.fromkeys(codes, 0)
    for record in second.records["products"]:
        again[record["store_code"]] += 1
    first_code = partitions[0]["context"]["store_code"]
    assert again[first_code] == len(products)
    assert all(again[code] < len(products) for code in codes if code != first_code)


def test_custom_attributes_by_code_typed_after_discovery(sandbox_factory):
    sandbox = sandbox_factory(seed=16, orders=5, b2b=False, msi=False)
    config = sandbox_config(sandbox)
    tap = TapMagento2(config=config)
    with contextlib.redirect_stdout(io.StringIO()) as out:
        tap.run_discovery()
    catalog = json.loads(out.getvalue())
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            if not item["breadcrumb"]:
                item["metadata"]["selected"] = entry["tap_stream_id"] in {"products", "customers"}
    products_schema = next(e for e in catalog["streams"] if e["tap_stream_id"] == "products")
    typed = products_schema["schema"]["properties"]["custom_attributes_by_code"]["properties"]
    attributes = tap.client.search("/products/attributes", SearchCriteria()).items
    assert set(typed) == {attribute["attribute_code"] for attribute in attributes}
    assert typed["price"]["type"] == ["number", "null"]
    run = run_tap(config, catalog=catalog)
    record = run.records["products"][0]
    raw = {a["attribute_code"]: a["value"] for a in record["custom_attributes"]}
    for code, value in record["custom_attributes_by_code"].items():
        kinds = typed.get(code, {}).get("type", [])
        if "integer" in kinds and raw[code] not in (None, ""):
            assert value == int(raw[code])
        if "string" in kinds:
            assert value == raw[code]
    for customer in run.records["customers"]:
        listed = customer.get("custom_attributes")
        expected = None if listed is None else {a["attribute_code"]: a["value"] for a in listed}
        assert customer["custom_attributes_by_code"] == expected


def test_settings_are_documented_and_secrets_marked(capsys):
    TapMagento2.print_about(output_format="json")
    about = json.loads(capsys.readouterr().out)
    properties = about["settings"]["properties"]
    for name in ("start_date", "end_date", "page_size", "store_codes", "url"):
        assert properties[name].get("description"), name
    for stream in INCREMENTAL_STREAMS:
        assert f"{stream}_last_pull" in properties
    for name in ("consumer_key", "consumer_secret", "access_token", "access_token_secret"):
        assert properties[name].get("secret") is True, name
    TapMagento2.print_about(output_format="markdown")
    markdown = capsys.readouterr().out
    assert "orders_last_pull" in markdown
    assert "consumer_secret" in markdown


def test_every_incremental_stream_has_a_last_pull_setting():
    tap = TapMagento2(config={"url": "http://127.0.0.1:9", "access_token": "x"})
    incremental = sorted(name for name, s in tap.streams.items() if s.replication_key)
    assert incremental == sorted(INCREMENTAL_STREAMS)
    assert len(STREAM_TYPES) == len(tap.streams)


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("start_date", "last tuesday", "start_date: 'last tuesday' is not a date"),
        ("orders_last_pull", "2025-13-01", "orders_last_pull: '2025-13-01' is not a date"),
        ("url", "shop.example.com", "url: 'shop.example.com' is not an http(s) URL"),
    ],
)
def test_wrong_settings_are_named_in_one_line(setting, value, message):
    config = {"url": "http://127.0.0.1:9", "access_token": "x", setting: value}
    with pytest.raises(ConfigValidationError) as raised:
        TapMagento2(config=config)
    assert len(raised.value.errors) == 1
    assert raised.value.errors[0].startswith(message)
    assert "\n" not in raised.value.errors[0]


def test_full_table_streams_ask_for_selected_fields_too(sandbox_factory):
    sandbox = sandbox_factory(seed=18, orders=5, b2b=False, msi=False)
    config = sandbox_config(sandbox, page_size=2)
    schema = TapMagento2(config=config).streams["customer_groups"].schema["properties"]
    catalog = catalog_for(
        config, ["customer_groups"], deselect={"customer_groups": set(schema) - {"id", "code"}}
    )
    run = run_tap(config, catalog=catalog)
    queries = search_queries(sandbox, "/V1/customerGroups/search")
    assert len(queries) > 1
    assert {
        parse_fields(query.get("fields")) == {"items": {"id": {}, "code": {}}, "total_count": {}}
        for query in queries
    } == {True}
    assert sorted(r["id"] for r in run.records["customer_groups"]) == sorted(
        truth(sandbox, "customer_groups")
    )
    assert {key for record in run.records["customer_groups"] for key in record} == {"id", "code"}


def test_a_page_that_does_not_move_the_cursor_stops_the_sync():
    # A store that ignored the keyset filters would answer the same page forever.
    tap = TapMagento2(config={"url": "http://127.0.0.1:9", "access_token": "x"})
    orders = tap.streams["orders"]
    assert isinstance(orders, IncrementalStream)
    cursor = ("2025-01-01 10:00:00", 42)
    row = {"updated_at": "2025-01-01 10:00:00", "entity_id": 42}
    with pytest.raises(MagentoCursorError, match="not after the cursor"):
        orders.advance(cursor, row, "orders")
    assert orders.advance(cursor, {**row, "entity_id": 43}, "orders") == (row["updated_at"], 43)
