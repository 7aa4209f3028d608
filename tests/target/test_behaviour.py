# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
"""Behaviour common to every kind: schema refusals before any write, dry runs, stream routing,
the exit status, stop_on_reject, and STATE only after confirmed writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.target.helpers import (
    MODES,
    fresh_orders,
    read_rejects,
    schema_message,
    stream_messages,
    writes_in_log,
)


@pytest.mark.parametrize("mode", MODES)
def test_schema_invalid_records_are_refused_before_any_write(
    sandbox, make_config, run_target, mode
):
    (first,) = fresh_orders(sandbox, 1)
    messages = [
        *stream_messages(
            "source_items",
            [
                {"sku": "A", "source_code": "default", "quantity": "ten"},
                {"sku": "B", "source_code": "default"},
            ],
        ),
        *stream_messages(
            "invoices",
            [
                {"order_id": first["entity_id"], "items": [{"sku": "X", "qty": -1}]},
                {"reference": "no order given"},
            ],
        ),
    ]
    run = run_target(make_config(sandbox, api_type=mode), messages)

    assert run.summary["source_items"]["refused"] == 2
    assert run.summary["invoices"]["refused"] == 2
    assert writes_in_log(sandbox) == []
    fields = [line["field"] for line in run.rejects]
    assert fields[0] == "quantity"
    assert "'ten' is not of type 'number'" in run.rejects[0]["message"]
    assert "'quantity' is a required property" in run.rejects[1]["message"]
    assert fields[2] == "items[0].qty"
    assert all(line["route"] is None for line in run.rejects)


@pytest.mark.parametrize("mode", MODES)
def test_dry_run_reads_and_writes_nothing(sandbox, make_config, run_target, mode):
    (first,) = fresh_orders(sandbox, 1)
    messages = [
        *stream_messages("invoices", [{"order_id": first["entity_id"], "reference": "D-1"}]),
        *stream_messages("shipments", [{"order_id": first["entity_id"], "reference": "D-2"}]),
        *stream_messages(
            "source_items", [{"sku": "CA00011", "source_code": "default", "quantity": 9}]
        ),
        *stream_messages("stock_items", [{"sku": "CA00011", "qty": 9}]),
        *stream_messages("products", [{"sku": "CA00011", "price": 1.0}]),
        *stream_messages("companies", [{"company_id": 1, "status": 2}]),
        *stream_messages(
            "company_credits",
            [{"company_id": 1, "balance_change": {"value": 5, "reference": "D-3"}}],
        ),
    ]
    run = run_target(make_config(sandbox, api_type=mode, dry_run=True), messages)

    for stream in (
        "invoices",
        "shipments",
        "source_items",
        "stock_items",
        "products",
        "companies",
        "company_credits",
    ):
        assert run.summary[stream]["would_write"] == 1, stream
        assert run.summary[stream]["written"] == 0
    requests = sandbox.control.requests()
    assert requests, "the dry run reads the store"
    assert {r["method"] for r in requests} == {"GET"}


def test_unknown_stream_fails_with_one_line_naming_it(sandbox, make_config, run_cli):
    messages = stream_messages(
        "erp_stock", [{"sku": "A", "source_code": "default", "quantity": 1}], kind="source_items"
    )
    result = run_cli(make_config(sandbox), messages)

    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if "target-magento2 stopped" in line]
    assert len(errors) == 1
    assert "'erp_stock'" in errors[0]
    assert "stream_routes" in errors[0]


def test_the_old_max_workers_setting_stops_with_one_line_naming_its_new_name(
    sandbox, make_config, run_cli
):
    messages = stream_messages("source_items", [])
    result = run_cli(make_config(sandbox, max_workers=4), messages)

    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if "max_workers" in line]
    assert errors
    assert all("rename the setting" in line and "max_concurrency" in line for line in errors)


def test_stream_routes_and_ignored_streams(sandbox, make_config, run_target):
    messages = [
        *stream_messages(
            "erp_stock",
            [{"sku": "CA00011", "source_code": "default", "quantity": 8}],
            kind="source_items",
        ),
        {
            "type": "SCHEMA",
            "stream": "audit",
            "schema": {"type": "object", "properties": {"id": {"type": "integer"}}},
            "key_properties": [],
        },
        {"type": "RECORD", "stream": "audit", "record": {"id": 1}},
    ]
    config = make_config(
        sandbox, stream_routes={"erp_stock": "source_items"}, unknown_streams="ignore"
    )
    run = run_target(config, messages)

    assert run.summary["erp_stock"]["written"] == 1
    assert run.summary["audit"]["ignored"] == 1
    assert float(sandbox.control.entity("source_items", ("CA00011", "default"))["quantity"]) == 8


def test_exit_status_follows_fail_on_reject(sandbox, make_config, run_cli):
    messages = stream_messages("stock_items", [{"sku": "NO-SUCH-SKU", "qty": 1}])

    failing = run_cli(make_config(sandbox), messages)
    tolerant = run_cli(make_config(sandbox, fail_on_reject=False), messages)

    assert failing.returncode == 1
    assert "fail_on_reject" in failing.stderr
    assert tolerant.returncode == 0


def test_stop_on_reject_stops_at_the_first_refusal(sandbox, make_config, run_cli):
    messages = stream_messages(
        "source_items",
        [
            {"sku": "A", "source_code": "default"},
            {"sku": "CA00011", "source_code": "default", "quantity": 77},
        ],
        state={"done": True},
    )
    result = run_cli(make_config(sandbox, stop_on_reject=True), messages)

    assert result.returncode == 1
    assert "stop_on_reject" in result.stderr
    assert result.stdout.strip() == ""  # no STATE after the refusal
    assert writes_in_log(sandbox) == []


def test_state_is_withheld_when_a_bulk_does_not_finish(sandbox, make_config, run_cli):
    """A bulk still open at bulk_timeout: its records are unknown, no STATE goes out, exit 1."""
    sandbox.control.update_settings(async_consumer="manual")
    messages = stream_messages(
        "source_items",
        [{"sku": "CA00011", "source_code": "default", "quantity": 3}],
        state={"bookmark": 1},
    )
    config = make_config(sandbox, api_type="async/V1", bulk_timeout=1, settle_seconds=0)
    result = run_cli(config, messages)

    assert result.returncode == 1
    assert result.stdout.strip() == ""
    assert "1 unknown" in result.stderr
    (line,) = read_rejects(Path(config["rejects_file"]))
    assert line["outcome"] == "unknown"
    assert "did not finish within bulk_timeout (1 s)" in line["message"]
    assert "/detailed-status" in line["message"]


def test_state_follows_the_confirmed_writes(sandbox, make_config, run_cli):
    messages = [
        schema_message("source_items"),
        {
            "type": "RECORD",
            "stream": "source_items",
            "record": {"sku": "CA00011", "source_code": "default", "quantity": 4},
        },
        {"type": "STATE", "value": {"bookmark": 1}},
    ]
    result = run_cli(make_config(sandbox), messages)

    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == '{"bookmark": 1}'
    assert float(sandbox.control.entity("source_items", ("CA00011", "default"))["quantity"]) == 4
