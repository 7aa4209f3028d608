# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
"""Refunds (credit memos) against the sandbox: written once, never twice - not on a replay, not
after a kill and rerun, not while an earlier run's operation is still queued - refusals in
Magento's words, stock returned to the source that shipped it, online refunds through the
invoice, and never two refunds of one order at once."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from magento2_sandbox.control import requests_at_once

from tests.target.helpers import (
    CONCURRENCY,
    MODES,
    consumer_runs_after,
    documents,
    fresh_orders,
    invoiced,
    kill_then_rerun,
    order,
    posts_to,
    stream_messages,
    top_items,
)
from tests.target.test_msi_shipments import quantities, stock_up

REFUND_POST = re.compile(r"/V1/order/(\d+)/refund$")
BULK_REFUND = r"/async/bulk/V1/order/byOrderId/refund$"


def memos(sb, order_id: int) -> list[dict]:
    return documents(sb, "/creditmemos", order_id)


def refunded(order_doc: dict, sku: str) -> float:
    return sum(float(i.get("qty_refunded") or 0) for i in top_items(order_doc) if i["sku"] == sku)


def widest(order_doc: dict) -> dict:
    return max(top_items(order_doc), key=lambda i: float(i["qty_ordered"]))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("concurrency", CONCURRENCY)
def test_refunds_written_once_and_replay_is_already_done(
    shop, make_config, run_target, mode, concurrency
):
    partial, whole = invoiced(shop, 2, min_qty=2)
    line = widest(partial)
    records = [
        {"order_id": partial["entity_id"], "reference": "RMA-1", "comment": "Damaged",
         "items": [{"sku": line["sku"], "qty": 1}], "shipping_amount": 0,
         "adjustment_positive": 2.5, "adjustment_negative": 1},
        # No reference, no items: everything invoiced and not refunded yet.
        {"order_increment_id": whole["increment_id"]},
    ]  # fmt: skip
    config = make_config(shop, api_type=mode, max_concurrency=concurrency)
    run = run_target(config, stream_messages("refunds", records))
    replay = run_target(config, stream_messages("refunds", records))

    assert run.summary["refunds"]["written"] == 2, run.rejects
    assert replay.summary["refunds"]["already_done"] == 2
    (memo,) = memos(shop, partial["entity_id"])
    assert memo["comments"][0]["comment"] == "Damaged [ref:RMA-1]"
    assert [(i["sku"], float(i["qty"])) for i in memo["items"]] == [(line["sku"], 1.0)]
    assert (memo["adjustment_positive"], memo["adjustment_negative"]) == (2.5, 1)
    assert memo["shipping_amount"] == 0
    after = order(shop, partial["entity_id"])
    assert refunded(after, line["sku"]) == 1
    assert after["state"] == "processing"  # something is left to ship and to refund
    assert len(memos(shop, whole["entity_id"])) == 1
    closed = order(shop, whole["entity_id"])
    assert closed["state"] == "closed"
    assert float(closed["total_refunded"]) == float(closed["total_paid"])


@pytest.mark.parametrize("mode", MODES)
def test_refund_above_what_is_left_is_refused_in_magentos_words(
    shop, make_config, run_target, mode
):
    too_much, fine = invoiced(shop, 2)
    line = widest(too_much)
    asked = float(line["qty_invoiced"]) + 1
    records = [
        {"order_id": too_much["entity_id"], "reference": "RMA-X",
         "items": [{"sku": line["sku"], "qty": asked}], "shipping_amount": 0},
        {"order_id": fine["entity_id"], "reference": "RMA-Y"},
    ]  # fmt: skip
    run = run_target(make_config(shop, api_type=mode), stream_messages("refunds", records))

    assert run.summary["refunds"]["written"] == 1
    assert run.summary["refunds"]["refused"] == 1
    (reject,) = run.rejects
    assert reject["record"]["order_id"] == too_much["entity_id"]
    paid = float(too_much["base_total_paid"])
    lines = reject["message"].split("\n")
    assert lines[0] == "Creditmemo Document Validation Error(s):"
    assert lines[1] == (
        "The quantity to creditmemo must not be greater than the unrefunded quantity for "
        f'product SKU "{line["sku"]}".'
    )
    assert "The quantity to refund must not be greater than the unrefunded quantity." in lines
    if asked * float(line["price"]) > paid:
        assert f"The most money available to refund is {paid:.14g}." in lines
    assert memos(shop, too_much["entity_id"]) == []
    assert len(memos(shop, fine["entity_id"])) == 1


@pytest.mark.parametrize("mode", MODES)
def test_return_to_stock_raises_the_source_that_shipped(shop, make_config, run_target, mode):
    shop.control.update_settings(source_deduction=True)
    skus = sorted({i["sku"] for o in fresh_orders(shop, 2) for i in top_items(o)})
    stock_up(shop, skus, 500)
    returned, kept = invoiced(shop, 2, ship_from="eu_warehouse")
    line = widest(returned)
    before = quantities(shop, line["sku"])
    records = [
        {"order_id": returned["entity_id"], "reference": "R-1", "return_to_stock": True,
         "items": [{"sku": line["sku"], "qty": 1}]},
        {"order_id": kept["entity_id"], "reference": "R-2"},
    ]  # fmt: skip
    others = sorted({i["sku"] for i in top_items(kept)} - {line["sku"]})
    kept_before = {sku: quantities(shop, sku) for sku in others}
    run = run_target(make_config(shop, api_type=mode), stream_messages("refunds", records))

    assert run.summary["refunds"]["written"] == 2, run.rejects
    after = quantities(shop, line["sku"])
    assert after["eu_warehouse"] == before["eu_warehouse"] + 1
    assert after["default"] == before["default"]
    # Refunded without return_to_stock: no source moves.
    assert {sku: quantities(shop, sku) for sku in others} == kept_before


@pytest.mark.parametrize("mode", MODES)
def test_online_refund_through_the_invoice(shop, make_config, run_target, mode):
    card, check = invoiced(shop, 2)
    (card_invoice,) = documents(shop, "/invoices", card["entity_id"])
    (check_invoice,) = documents(shop, "/invoices", check["entity_id"])
    # Paid through a gateway, captured online: the invoice holds the capture's transaction.
    shop.control.patch_entity("orders", card["entity_id"], {"payment": {"method": "braintree"}})
    shop.control.patch_entity("invoices", card_invoice["entity_id"], {"transaction_id": "T-77"})
    shop.control.patch_entity("orders", check["entity_id"], {"payment": {"method": "checkmo"}})
    records = [
        {"order_id": card["entity_id"], "invoice_increment_id": card_invoice["increment_id"],
         "reference": "ON-1"},
        # An offline method's invoice cannot be refunded through the invoice route at all.
        {"order_id": check["entity_id"], "invoice_id": check_invoice["entity_id"],
         "reference": "ON-2"},
    ]  # fmt: skip
    config = make_config(shop, api_type=mode)
    run = run_target(config, stream_messages("refunds", records))
    replay = run_target(config, stream_messages("refunds", records[:1]))

    assert run.summary["refunds"]["written"] == 1, run.rejects
    assert replay.summary["refunds"]["already_done"] == 1
    (memo,) = memos(shop, card["entity_id"])
    assert memo["invoice_id"] == card_invoice["entity_id"]
    assert memo["transaction_id"] == "T-77-refund"
    after = order(shop, card["entity_id"])
    assert float(after["total_online_refunded"]) == float(after["total_paid"])
    assert after["status_histories"][0]["comment"].endswith('Transaction ID: "T-77-refund"')
    (reject,) = run.rejects
    assert reject["message"] == (
        "Creditmemo Document Validation Error(s):\nWe can't create creditmemo for the invoice."
    )
    assert memos(shop, check["entity_id"]) == []


def test_unknown_order_and_invoice_are_refused(shop, make_config, run_target):
    (known,) = invoiced(shop, 1)
    records = [
        {"order_id": 999999, "reference": "U-1"},
        {"order_id": known["entity_id"], "invoice_increment_id": "NO-SUCH", "reference": "U-2"},
    ]
    run = run_target(make_config(shop), stream_messages("refunds", records))

    assert run.summary["refunds"]["refused"] == 2
    messages = [r["message"] for r in run.rejects]
    assert messages[0] == "the store has no order with order_id 999999"
    assert messages[1].startswith(f"order {known['increment_id']} has no invoice with")
    assert posts_to(shop, r"/refund$") == []


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("concurrency", CONCURRENCY)
def test_kill_and_rerun_creates_no_second_credit_memo(
    shop, make_config, tmp_path, mode, concurrency
):
    orders = invoiced(shop, 12)
    records = [{"order_id": o["entity_id"], "reference": f"K-{o['entity_id']}"} for o in orders]
    config = make_config(
        shop, max_concurrency=concurrency, api_type=mode, batch_size_rows=concurrency
    )
    shop.control.update_settings(latency_ms=150)
    before, _ = kill_then_rerun(
        shop,
        config,
        tmp_path,
        stream_messages("refunds", records),
        r"/refund$",
        done=lambda: sum(1 for o in orders if memos(shop, o["entity_id"])),
    )
    assert 3 <= before < len(records)
    for o in orders:
        found = memos(shop, o["entity_id"])
        assert len(found) == 1, f"order {o['entity_id']} has {len(found)} credit memos"


def test_rerun_waits_for_the_refund_an_earlier_run_queued(shop, make_config, run_target):
    """Killed between queuing and the consumer: the rerun finds the open operation (for the
    reference and for quantities alike) and waits for it instead of refunding again."""
    first, second = invoiced(shop, 2)
    shop.control.update_settings(async_consumer="manual")
    records = [
        {"order_id": first["entity_id"], "reference": "Q-1"},
        {"order_id": second["entity_id"]},
    ]
    config = make_config(shop, api_type="async/V1", bulk_timeout=0.5, settle_seconds=0)
    queued = run_target(config, stream_messages("refunds", records))
    assert queued.summary["refunds"]["unknown"] == 2

    with consumer_runs_after(shop):
        rerun = run_target({**config, "bulk_timeout": 30}, stream_messages("refunds", records))

    assert rerun.summary["refunds"]["already_done"] == 2
    assert len(posts_to(shop, BULK_REFUND)) == 1
    for o in (first, second):
        assert len(memos(shop, o["entity_id"])) == 1


def test_two_refunds_of_one_order_never_overlap(shop, make_config, run_target):
    """Three refunds of one unit per order (three references), the orders interleaved: the
    orders' POSTs run at once, the POSTs of one order one after the other."""
    orders = invoiced(shop, 6, min_qty=3)
    records = [
        {"order_id": o["entity_id"], "reference": f"{round_}-{o['entity_id']}",
         "items": [{"order_item_id": widest(o)["item_id"], "qty": 1}], "shipping_amount": 0}
        for round_ in ("A", "B", "C")
        for o in orders
    ]  # fmt: skip
    shop.control.update_settings(latency_ms=60)
    run = run_target(make_config(shop, max_concurrency=4), stream_messages("refunds", records))

    assert run.summary["refunds"]["written"] == len(records), run.rejects
    posts: dict[int, list[dict]] = defaultdict(list)
    for entry in posts_to(shop, REFUND_POST.pattern):
        found = REFUND_POST.search(entry["path"])
        assert found is not None
        posts[int(found.group(1))].append(entry)
    assert sorted(posts) == sorted(int(o["entity_id"]) for o in orders)
    for order_id, own in posts.items():
        assert len(own) == 3, f"order {order_id}: {len(own)} POSTs"
        assert requests_at_once(own) == 1, f"order {order_id}: two refund POSTs at once"
        assert len(memos(shop, order_id)) == 3
    assert requests_at_once([entry for own in posts.values() for entry in own]) > 1


def test_dry_run_reconciles_and_refunds_nothing(shop, make_config, run_target):
    done, new = invoiced(shop, 2)
    records = [{"order_id": done["entity_id"], "reference": "D-1"}]
    run_target(make_config(shop), stream_messages("refunds", records))
    records.append({"order_id": new["entity_id"], "reference": "D-2"})

    dry = run_target(make_config(shop, dry_run=True), stream_messages("refunds", records))

    assert dry.summary["refunds"]["already_done"] == 1
    assert dry.summary["refunds"]["would_write"] == 1
    assert memos(shop, new["entity_id"]) == []
