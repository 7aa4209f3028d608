# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
"""Invoices and shipments against the sandbox: written once, never twice - not on a replay, not
after a kill and rerun, not after a lost answer - and Magento's refusals in the rejects file."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest

from tests.target.helpers import (
    CONCURRENCY,
    MODES,
    comments,
    documents,
    fresh_orders,
    kill_then_rerun,
    order,
    posts_to,
    singer_text,
    stream_messages,
    top_items,
)

INVOICE_POST = r"/order/[^/]+/invoice$"
SHIP_POST = r"/order/[^/]+/ship$"


def qty(order_doc: dict, sku: str, field: str) -> float:
    return sum(float(i.get(field) or 0) for i in top_items(order_doc) if i["sku"] == sku)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("concurrency", CONCURRENCY)
def test_invoices_written_once_and_replay_is_already_done(
    shop, make_config, run_target, mode, concurrency
):
    first, second = fresh_orders(shop, 2)
    item = top_items(second)[0]
    records = [
        {"order_increment_id": first["increment_id"], "reference": "ERP-INV-1", "comment": "paid"},
        # No reference: quantities decide.
        {"order_id": second["entity_id"], "items": [{"sku": item["sku"], "qty": 1}]},
    ]
    config = make_config(shop, max_concurrency=concurrency, api_type=mode)

    run = run_target(config, stream_messages("invoices", records, state={"line": 2}))

    assert run.summary["invoices"]["written"] == 2
    assert run.states == [{"line": 2}]
    invoices = documents(shop, "/invoices", first["entity_id"])
    assert len(invoices) == 1
    notes = comments(shop, f"/invoices/{invoices[0]['entity_id']}")
    ours = [c for c in notes if "[ref:ERP-INV-1]" in c["comment"]]
    assert len(ours) == 1
    assert ours[0]["comment"] == "paid [ref:ERP-INV-1]"
    assert int(ours[0]["is_visible_on_front"]) == 0
    assert all(
        float(i["qty_invoiced"]) == float(i["qty_ordered"])
        for i in top_items(order(shop, first["entity_id"]))
    )
    assert qty(order(shop, second["entity_id"]), item["sku"], "qty_invoiced") == 1

    shop.control.clear_requests()
    replay = run_target(config, stream_messages("invoices", records, state={"line": 2}))

    assert replay.summary["invoices"]["already_done"] == 2
    assert replay.summary["invoices"]["written"] == 0
    assert posts_to(shop, INVOICE_POST) == []
    assert len(documents(shop, "/invoices", first["entity_id"])) == 1
    assert len(documents(shop, "/invoices", second["entity_id"])) == 1


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("concurrency", CONCURRENCY)
def test_shipments_written_once_with_tracks(shop, make_config, run_target, mode, concurrency):
    first, second = fresh_orders(shop, 2)
    records = [
        {
            "order_increment_id": first["increment_id"],
            "reference": "WMS-PARCEL-1",
            "tracks": [{"track_number": "1Z999", "carrier_code": "ups", "title": "UPS"}],
        },
        # No reference: the tracking number tells a replay.
        {
            "order_id": second["entity_id"],
            "tracks": [{"track_number": "DHL-77", "carrier_code": "dhl"}],
        },
    ]
    config = make_config(shop, max_concurrency=concurrency, api_type=mode)

    run = run_target(config, stream_messages("shipments", records))
    replay = run_target(config, stream_messages("shipments", records))

    assert run.summary["shipments"]["written"] == 2
    assert replay.summary["shipments"]["already_done"] == 2
    shipped = documents(shop, "/shipments", first["entity_id"])
    assert len(shipped) == 1
    assert [t["track_number"] for t in shipped[0].get("tracks") or []] == ["1Z999"]
    notes = comments(shop, f"/shipment/{shipped[0]['entity_id']}")
    assert any("[ref:WMS-PARCEL-1]" in c["comment"] for c in notes)
    assert len(documents(shop, "/shipments", second["entity_id"])) == 1
    assert all(
        float(i["qty_shipped"]) == float(i["qty_ordered"])
        for i in top_items(order(shop, second["entity_id"]))
    )


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("concurrency", CONCURRENCY)
def test_partial_invoices_by_reference_and_by_quantity(
    shop, make_config, run_target, mode, concurrency
):
    (target_order,) = fresh_orders(shop, 1, min_qty=2)
    item = max(top_items(target_order), key=lambda i: float(i["qty_ordered"]))
    sku = item["sku"]
    records = [
        # Two ERP invoices of one unit each: distinct references, two documents.
        {
            "order_id": target_order["entity_id"],
            "items": [{"sku": sku, "qty": 1}],
            "reference": "A",
        },
        {
            "order_id": target_order["entity_id"],
            "items": [{"sku": sku, "qty": 1}],
            "reference": "B",
        },
        # The same as a total without reference: 2 already invoiced, nothing to do.
        {"order_id": target_order["entity_id"], "items": [{"sku": sku, "qty": 2}]},
    ]
    run = run_target(
        make_config(shop, max_concurrency=concurrency, api_type=mode),
        stream_messages("invoices", records),
    )

    assert run.summary["invoices"]["written"] == 2
    assert run.summary["invoices"]["already_done"] == 1
    assert len(documents(shop, "/invoices", target_order["entity_id"])) == 2
    assert qty(order(shop, target_order["entity_id"]), sku, "qty_invoiced") == 2


@pytest.mark.parametrize("mode", MODES)
def test_refusals_reach_the_rejects_file_with_magentos_words(shop, make_config, run_target, mode):
    first, second = fresh_orders(shop, 2)
    item = top_items(second)[0]
    records = [
        {"order_id": first["entity_id"], "reference": "R-1"},
        # The same order again under a new reference: nothing is left to invoice.
        {"order_id": first["entity_id"], "reference": "R-2"},
        # More than was ordered.
        {
            "order_id": second["entity_id"],
            "reference": "R-3",
            "items": [{"sku": item["sku"], "qty": float(item["qty_ordered"]) + 5}],
        },
        {"order_id": second["entity_id"], "items": [{"sku": "NO-SUCH-SKU", "qty": 1}]},
        {"order_increment_id": "999999999", "reference": "R-5"},
    ]
    config = make_config(shop, api_type=mode)
    run = run_target(config, stream_messages("invoices", records))

    assert run.summary["invoices"]["written"] == 1
    assert run.summary["invoices"]["refused"] == 4
    assert run.target.exit_status() == 1
    by_ref = {
        r["record"].get("reference", r["record"].get("items", [{}])[0].get("sku")): r
        for r in run.rejects
    }
    assert "The order does not allow an invoice to be created." in by_ref["R-2"]["message"]
    # Magento's words for an item asked above what is left: InvoiceService refuses it as "We found
    # an invalid quantity to invoice item ...", InvoiceOrder's validator as "The quantity to invoice
    # must not be greater than the uninvoiced quantity ..." (Sales/Model/Service/InvoiceService.php)
    assert "quantity to invoice" in by_ref["R-3"]["message"]
    assert by_ref["R-3"]["record"]["items"][0]["qty"] == float(item["qty_ordered"]) + 5
    assert "/order/" in by_ref["R-3"]["route"]
    assert "has no item with SKU 'NO-SUCH-SKU'" in by_ref["NO-SUCH-SKU"]["message"]
    assert "no order with order_increment_id '999999999'" in by_ref["R-5"]["message"]
    for line in run.rejects:
        assert line["stream"] == "invoices"
        assert line["outcome"] == "refused"
        assert line["time"]
    assert len(documents(shop, "/invoices", first["entity_id"])) == 1
    assert documents(shop, "/invoices", second["entity_id"]) == []


@pytest.mark.parametrize("concurrency", CONCURRENCY)
def test_lost_answer_creates_no_second_invoice(shop, make_config, run_target, concurrency):
    """The store commits the invoice, then drops the connection: the target reads the order back
    and counts the invoice as written instead of sending it again."""
    first, second = fresh_orders(shop, 2)
    shop.control.update_settings(
        drop_after_commit={"route": r"/V1/order/\d+/(invoice|ship)$", "method": "POST", "count": 2}
    )
    config = make_config(shop, max_concurrency=concurrency)
    invoices = run_target(
        config, stream_messages("invoices", [{"order_id": first["entity_id"], "reference": "L-1"}])
    )
    shipments = run_target(
        config, stream_messages("shipments", [{"order_id": second["entity_id"]}])
    )

    assert invoices.summary["invoices"]["written"] == 1
    assert shipments.summary["shipments"]["written"] == 1
    assert len(posts_to(shop, INVOICE_POST)) == 1
    assert len(posts_to(shop, SHIP_POST)) == 1
    assert len(documents(shop, "/invoices", first["entity_id"])) == 1
    assert len(documents(shop, "/shipments", second["entity_id"])) == 1
    assert invoices.rejects == []


@pytest.mark.parametrize("concurrency", CONCURRENCY)
def test_lost_bulk_answer_creates_no_second_invoice(shop, make_config, run_target, concurrency):
    (first,) = fresh_orders(shop, 1)
    shop.control.update_settings(
        drop_after_commit={
            "route": r"/async/bulk/V1/order/.*/invoice$",
            "method": "POST",
            "count": 1,
        }
    )
    config = make_config(shop, max_concurrency=concurrency, api_type="async/V1")
    run = run_target(
        config, stream_messages("invoices", [{"order_id": first["entity_id"], "reference": "LB-1"}])
    )

    assert run.summary["invoices"]["written"] == 1
    assert len(documents(shop, "/invoices", first["entity_id"])) == 1


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("concurrency", CONCURRENCY)
def test_kill_and_rerun_creates_no_second_invoice(shop, make_config, tmp_path, mode, concurrency):
    orders = fresh_orders(shop, 16)
    records = [{"order_id": o["entity_id"], "reference": f"K-{o['entity_id']}"} for o in orders]
    # Batches of one record per worker, so STATE follows each batch and each batch's writes are
    # in flight at once.
    config = make_config(
        shop, max_concurrency=concurrency, api_type=mode, batch_size_rows=concurrency
    )
    # Slow answers, as in the other kill tests: at full speed the target wrote all 16 before
    # the kill could land after the third.
    shop.control.update_settings(latency_ms=150)
    before, _ = kill_then_rerun(
        shop,
        config,
        tmp_path,
        stream_messages("invoices", records),
        r"/invoice$",
        done=lambda: sum(1 for o in orders if documents(shop, "/invoices", o["entity_id"])),
    )
    assert 3 <= before < len(records)
    for o in orders:
        invoices = documents(shop, "/invoices", o["entity_id"])
        assert len(invoices) == 1, f"order {o['entity_id']} has {len(invoices)} invoices"


def test_a_visible_comment_keeps_the_reference(shop, make_config, run_target):
    (first,) = fresh_orders(shop, 1)
    record = {
        "order_id": first["entity_id"],
        "comment": "Thank you",
        "comment_visible_on_front": True,
        "reference": "C-1",
    }
    run = run_target(make_config(shop), stream_messages("invoices", [record]))

    assert run.summary["invoices"]["written"] == 1
    (invoice,) = documents(shop, "/invoices", first["entity_id"])
    (note,) = comments(shop, f"/invoices/{invoice['entity_id']}")
    assert note["comment"] == "Thank you [ref:C-1]"
    assert int(note["is_visible_on_front"]) == 1


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("concurrency", CONCURRENCY)
def test_one_order_named_two_ways_is_invoiced_once(
    shop, make_config, run_target, mode, concurrency
):
    (first,) = fresh_orders(shop, 1)
    sku = top_items(first)[0]["sku"]
    records = [
        {"order_id": first["entity_id"], "items": [{"sku": sku, "qty": 1}]},
        {"order_increment_id": first["increment_id"], "items": [{"sku": sku, "qty": 1}]},
    ]
    run = run_target(
        make_config(shop, max_concurrency=concurrency, api_type=mode),
        stream_messages("invoices", records),
    )

    assert run.summary["invoices"]["written"] == 1
    assert run.summary["invoices"]["already_done"] == 1
    assert len(documents(shop, "/invoices", first["entity_id"])) == 1


@pytest.mark.parametrize("concurrency", CONCURRENCY)
def test_sigterm_during_a_batch_emits_no_state_and_rerun_completes(
    shop, make_config, tmp_path, concurrency
):
    orders = fresh_orders(shop, 12)
    records = [{"order_id": o["entity_id"], "reference": f"T-{o['entity_id']}"} for o in orders]
    shop.control.update_settings(latency_ms=150)
    config = make_config(shop, max_concurrency=concurrency)
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config), "utf-8")
    input_path = tmp_path / "input.singer"
    messages = stream_messages("invoices", records, state={"bookmark": "all"})
    input_path.write_text(singer_text(messages), "utf-8")
    command = [sys.executable, "-m", "target_magento2", "--config", str(config_path)]

    with input_path.open() as stdin:
        process = subprocess.Popen(
            command, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        deadline = time.monotonic() + 60
        while len(posts_to(shop, INVOICE_POST)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=60)

    assert process.returncode == 1, stderr[-2000:]
    assert stdout.strip() == ""  # no STATE covers the interrupted batch
    assert "while writing a batch" in stderr
    shop.control.update_settings(latency_ms=0)
    with input_path.open() as stdin:
        rerun = subprocess.run(
            command, stdin=stdin, capture_output=True, text=True, timeout=120, check=False
        )
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert rerun.stdout.strip() == '{"bookmark": "all"}'
    for o in orders:
        assert len(documents(shop, "/invoices", o["entity_id"])) == 1


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("concurrency", CONCURRENCY)
def test_replayed_shipment_gets_only_its_missing_track(
    shop, make_config, run_target, mode, concurrency
):
    first, second = fresh_orders(shop, 2)
    config = make_config(shop, max_concurrency=concurrency, api_type=mode)
    parcel = {
        "order_id": first["entity_id"],
        "reference": "WMS-T-1",
        "tracks": [{"track_number": "T-1", "carrier_code": "ups", "title": "UPS"}],
    }
    # Without a reference, the known tracking number names the shipment.
    unnamed = {
        "order_id": second["entity_id"],
        "tracks": [{"track_number": "U-1", "carrier_code": "dhl"}],
    }
    run_target(config, stream_messages("shipments", [parcel, unnamed]))
    later = [
        {**parcel, "tracks": [*parcel["tracks"], {"track_number": "T-2", "carrier_code": "fedex"}]},
        {**unnamed, "tracks": [*unnamed["tracks"], {"track_number": "U-2", "carrier_code": "dhl"}]},
    ]

    shop.control.clear_requests()
    replay = run_target(config, stream_messages("shipments", later))
    again = run_target(config, stream_messages("shipments", later))

    assert replay.summary["shipments"]["written"] == 2
    assert again.summary["shipments"]["already_done"] == 2
    assert posts_to(shop, SHIP_POST) == []
    # One call per missing track; in async mode both are operations of one bulk request.
    assert len(posts_to(shop, r"/shipment/track$")) == (2 if mode == "V1" else 1)
    for order_doc, numbers in ((first, ["T-1", "T-2"]), (second, ["U-1", "U-2"])):
        (shipment,) = documents(shop, "/shipments", order_doc["entity_id"])
        assert sorted(t["track_number"] for t in shipment["tracks"]) == numbers
    (shipment,) = documents(shop, "/shipments", first["entity_id"])
    added = next(t for t in shipment["tracks"] if t["track_number"] == "T-2")
    assert (added["carrier_code"], added["title"]) == ("fedex", "fedex")


@pytest.mark.parametrize("mode", MODES)
def test_items_named_by_order_item_id_invoice_and_ship_just_those(
    shop, make_config, run_target, mode
):
    (target_order,) = fresh_orders(shop, 1, min_qty=2)
    line = max(top_items(target_order), key=lambda i: float(i["qty_ordered"]))
    others = [i for i in top_items(target_order) if i["item_id"] != line["item_id"]]
    config = make_config(shop, api_type=mode)
    part = {
        "order_id": target_order["entity_id"],
        "items": [{"order_item_id": line["item_id"], "qty": 1}],
    }

    invoiced = run_target(config, stream_messages("invoices", [part]))
    shipped = run_target(config, stream_messages("shipments", [part]))

    assert invoiced.summary["invoices"]["written"] == 1
    assert shipped.summary["shipments"]["written"] == 1
    after = {i["item_id"]: i for i in top_items(order(shop, target_order["entity_id"]))}
    assert float(after[line["item_id"]]["qty_invoiced"]) == 1
    assert float(after[line["item_id"]]["qty_shipped"]) == 1
    for other in others:
        assert not float(after[other["item_id"]].get("qty_invoiced") or 0)
        assert not float(after[other["item_id"]].get("qty_shipped") or 0)
