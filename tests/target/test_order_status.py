# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
"""order_status records in both modes: hold, unhold and cancel move the order once; a comment is
added once, a replay finds it in the status history; refusals carry Magento's words."""

from __future__ import annotations

import pytest

from tests.target.helpers import MODES, fresh_orders, order, posts_to, stream_messages, top_items


def comments_with(sb, order_id: int, text: str) -> list[dict]:
    return [h for h in order(sb, order_id).get("status_histories") or [] if text in h["comment"]]


@pytest.mark.parametrize("mode", MODES)
def test_hold_comment_and_unhold_happen_once(shop, make_config, run_target, mode):
    first, second = fresh_orders(shop, 2)
    records = [
        {"order_id": first["entity_id"], "action": "hold", "comment": "Payment check",
         "reference": "ERP-H-1", "status": "holded"},
        {"order_increment_id": second["increment_id"], "comment": "Picked in Lyon"},
    ]  # fmt: skip
    config = make_config(shop, api_type=mode)
    run = run_target(config, stream_messages("order_status", records))
    replay = run_target(config, stream_messages("order_status", records))

    assert run.summary["order_status"]["written"] == 2, run.rejects
    assert replay.summary["order_status"]["already_done"] == 2
    held = order(shop, first["entity_id"])
    assert (held["state"], held["status"]) == ("holded", "holded")
    (note,) = comments_with(shop, first["entity_id"], "[ref:ERP-H-1]")
    assert note["comment"] == "Payment check [ref:ERP-H-1]"
    assert note["status"] == "holded"
    assert len(comments_with(shop, second["entity_id"], "Picked in Lyon")) == 1
    assert len(posts_to(shop, r"/hold$")) == 1

    released = run_target(
        config,
        stream_messages("order_status", [{"order_id": first["entity_id"], "action": "unhold"}]),
    )
    assert released.summary["order_status"]["written"] == 1
    assert order(shop, first["entity_id"])["state"] == first["state"]


@pytest.mark.parametrize("mode", MODES)
def test_cancel_once_and_refusals_in_magentos_words(shop, make_config, run_target, mode):
    doomed, other = fresh_orders(shop, 2)
    records = [
        {"order_id": doomed["entity_id"], "action": "cancel", "comment": "Out of stock at ERP"},
        # processing is no status of state new: Magento refuses the comment.
        {"order_id": other["entity_id"], "comment": "Shipped", "status": "complete"},
    ]
    config = make_config(shop, api_type=mode)
    run = run_target(config, stream_messages("order_status", records))
    again = run_target(config, stream_messages("order_status", records[:1]))

    assert run.summary["order_status"]["written"] == 1
    assert run.summary["order_status"]["refused"] == 1
    (reject,) = run.rejects
    assert reject["record"]["order_id"] == other["entity_id"]
    assert reject["message"] == (
        'Unable to add comment: The status "complete" is not part of the order status history.'
    )
    assert again.summary["order_status"]["already_done"] == 1
    canceled = order(shop, doomed["entity_id"])
    assert canceled["state"] == "canceled"
    assert all(float(i["qty_canceled"]) == float(i["qty_ordered"]) for i in top_items(canceled))
    assert len(comments_with(shop, doomed["entity_id"], "Out of stock at ERP")) == 1


def test_cancel_of_an_order_magento_cannot_cancel_is_refused_before_sending(
    shop, make_config, run_target
):
    complete = next(o for o in shop.store.find("orders") if o["state"] == "complete")
    record = {"order_id": complete["entity_id"], "action": "cancel"}
    run = run_target(make_config(shop), stream_messages("order_status", [record]))

    assert run.summary["order_status"]["refused"] == 1
    assert "cannot be canceled in state 'complete'" in run.rejects[0]["message"]
    assert posts_to(shop, r"/cancel$") == []


def test_dry_run_reads_and_writes_nothing(shop, make_config, run_target):
    (target_order,) = fresh_orders(shop, 1)
    record = {"order_id": target_order["entity_id"], "action": "hold", "comment": "Dry"}
    run = run_target(make_config(shop, dry_run=True), stream_messages("order_status", [record]))

    assert run.summary["order_status"]["would_write"] == 1
    assert posts_to(shop, r"/orders/") == []
    assert order(shop, target_order["entity_id"])["state"] == "new"
