"""Async mode, exactly once across runs: an invoice, shipment or balance change an earlier run
queued (and the store has not run yet) is waited for, never queued a second time."""

from __future__ import annotations

from magento2_rest import SearchCriteria

from tests.target.helpers import (
    client,
    consumer_runs_after,
    documents,
    fresh_orders,
    posts_to,
    stream_messages,
    top_items,
)

BULK_INVOICE = r"/async/bulk/V1/order/byOrderId/invoice$"


def test_rerun_while_the_earlier_bulk_is_open_queues_nothing(shop, make_config, run_target):
    (first,) = fresh_orders(shop, 1)
    shop.control.update_settings(async_consumer="manual")
    messages = stream_messages("invoices", [{"order_id": first["entity_id"], "reference": "F-1"}])
    config = make_config(shop, api_type="async/V1", bulk_timeout=0.5, settle_seconds=0)

    first_run = run_target(config, messages)
    rerun = run_target(config, messages)

    assert first_run.summary["invoices"]["unknown"] == 1
    assert rerun.summary["invoices"]["unknown"] == 1
    assert rerun.summary["invoices"]["written"] == 0
    assert "is still open in bulk" in rerun.rejects[-1]["message"]
    assert len(posts_to(shop, BULK_INVOICE)) == 1  # the rerun queued nothing
    shop.control.run_consumer()
    assert len(documents(shop, "/invoices", first["entity_id"])) == 1

    last = run_target(make_config(shop, api_type="async/V1"), messages)

    assert last.summary["invoices"]["already_done"] == 1
    assert len(posts_to(shop, BULK_INVOICE)) == 1
    assert len(documents(shop, "/invoices", first["entity_id"])) == 1


def test_rerun_waits_for_the_open_bulk_then_finds_the_invoice(shop, make_config, run_target):
    first, second = fresh_orders(shop, 2)
    shop.control.update_settings(async_consumer="manual")
    records = [
        {"order_id": first["entity_id"], "reference": "W-1"},
        # No reference: quantities decide, and the open operation will invoice everything.
        {"order_id": second["entity_id"]},
    ]
    config = make_config(shop, api_type="async/V1", bulk_timeout=0.5, settle_seconds=0)
    killed = run_target(config, stream_messages("invoices", records))
    assert killed.summary["invoices"]["unknown"] == 2

    # The store's consumer runs while the rerun waits.
    with consumer_runs_after(shop):
        rerun = run_target({**config, "bulk_timeout": 30}, stream_messages("invoices", records))

    assert rerun.summary["invoices"]["already_done"] == 2
    assert rerun.summary["invoices"]["written"] == 0
    assert len(posts_to(shop, BULK_INVOICE)) == 1
    for order in (first, second):
        assert len(documents(shop, "/invoices", order["entity_id"])) == 1


def test_balance_change_open_in_an_earlier_bulk_is_not_queued_again(
    sandbox, make_config, run_target
):
    sandbox.control.update_settings(async_consumer="manual")
    with client(sandbox) as api:
        credit = api.get("/companyCredits/company/1")
    messages = stream_messages(
        "company_credits",
        [{"company_id": 1, "balance_change": {"value": 75, "reference": "F-PAY-1"}}],
    )
    config = make_config(sandbox, api_type="async/V1", bulk_timeout=0.5, settle_seconds=0)
    assert run_target(config, messages).summary["company_credits"]["unknown"] == 1

    with consumer_runs_after(sandbox):
        rerun = run_target({**config, "bulk_timeout": 30}, messages)

    assert rerun.summary["company_credits"]["already_done"] == 1
    assert len(posts_to(sandbox, r"/async/bulk/V1/companyCredits/.*/increaseBalance$")) == 1
    with client(sandbox) as api:
        after = api.get("/companyCredits/company/1")
        history = api.search(
            "/companyCredits/history",
            SearchCriteria().where("custom_reference_number", "eq", "F-PAY-1").page(10),
        ).items
    assert len(history) == 1
    assert float(after["balance"]) == float(credit.get("balance") or 0) + 75


def test_lost_submission_still_queued_is_waited_for_not_sent_again(shop, make_config, run_target):
    """The store queued the bulk, then the answer was lost; its operation runs later: the target
    finds it open, waits, and reads the invoice back instead of submitting again."""
    (first,) = fresh_orders(shop, 1)
    shop.control.update_settings(
        async_consumer="manual",
        drop_after_commit={"route": BULK_INVOICE, "method": "POST", "count": 1},
    )
    with consumer_runs_after(shop, 1.5):
        run = run_target(
            make_config(shop, api_type="async/V1", bulk_timeout=30, settle_seconds=0.3),
            stream_messages("invoices", [{"order_id": first["entity_id"], "reference": "LQ-1"}]),
        )

    assert run.summary["invoices"]["written"] == 1
    assert len(posts_to(shop, BULK_INVOICE)) == 1
    assert len(documents(shop, "/invoices", first["entity_id"])) == 1


def test_lost_submission_not_queued_is_sent_once_more_only(shop, make_config, run_target):
    """503 before anything was queued, twice: the target reads back, finds nothing queued, submits
    once more, then reports the record unknown without waiting for bulk_timeout."""
    (first,) = fresh_orders(shop, 1)
    shop.control.update_settings(
        faults={"rate": 1.0, "kinds": ["503"], "route": BULK_INVOICE, "methods": ["POST"]}
    )
    run = run_target(
        make_config(shop, api_type="async/V1", bulk_timeout=600, settle_seconds=0.2),
        stream_messages("invoices", [{"order_id": first["entity_id"], "reference": "LN-1"}]),
    )

    assert run.summary["invoices"]["unknown"] == 1
    assert len(posts_to(shop, BULK_INVOICE)) == 2
    assert documents(shop, "/invoices", first["entity_id"]) == []


def test_synchronous_rerun_waits_for_an_open_bulk_too(shop, make_config, run_target):
    """An async run timed out with its invoices still queued; the rerun switches to api_type V1:
    it must not invoice what the queue is about to invoice."""
    first, second = fresh_orders(shop, 2)
    shop.control.update_settings(async_consumer="manual")
    records = [
        {"order_id": first["entity_id"], "reference": "S-1"},
        {
            "order_id": second["entity_id"],
            "items": [{"sku": top_items(second)[0]["sku"], "qty": 1}],
        },
    ]
    config = make_config(shop, api_type="async/V1", bulk_timeout=0.5, settle_seconds=0)
    assert (
        run_target(config, stream_messages("invoices", records)).summary["invoices"]["unknown"] == 2
    )

    with consumer_runs_after(shop):
        rerun = run_target(
            {**config, "api_type": "V1", "bulk_timeout": 30}, stream_messages("invoices", records)
        )

    assert rerun.summary["invoices"]["already_done"] == 2
    assert posts_to(shop, r"^/rest/[^/]+/V1/order/\d+/invoice$") == []
    for order in (first, second):
        assert len(documents(shop, "/invoices", order["entity_id"])) == 1
