# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
"""Async mode on stores that move or number operations differently: the in-flight check reads
every open operation while the consumer finishes some between its pages, and a 2.3 store's row
ids never assign a result to the wrong record."""

from __future__ import annotations

from typing import Any

import pytest
from magento2_rest import MagentoClient, MagentoSettings, SearchCriteria, SearchPage
from target_magento2 import bulk
from target_magento2.bulk import BulkRunner, topic_name
from target_magento2.rejects import RunStoppedError

from tests.target.helpers import client, posts_to, stream_messages

SOURCE_ITEMS = "/inventory/source-items"


class ConsumerBetweenPages(MagentoClient):
    """A real client of the sandbox that, after the first page of GET /V1/bulk, lets the store's
    consumer finish the `finish` oldest open operations (POST /_sandbox/consumer/run)."""

    def __init__(self, sb: Any, finish: int) -> None:
        super().__init__(MagentoSettings.from_config({"url": sb.url, **sb.credentials}))
        self.sb = sb
        self.finish = finish
        self.pages = 0

    def search(self, route: str, criteria: SearchCriteria, *args: Any, **kw: Any) -> SearchPage:
        page = super().search(route, criteria, *args, **kw)
        self.pages += 1
        if route == "/bulk" and self.pages == 1:
            self.sb.control.run_consumer(self.finish)
        return page


def test_open_operations_are_all_seen_while_the_consumer_finishes_some(sandbox, monkeypatch):
    sandbox.control.update_settings(async_consumer="manual")
    skus = [p["sku"] for p in sandbox.store.find("products", type_id="simple")[:12]]
    bodies = [
        {"sourceItems": [{"sku": sku, "source_code": "default", "quantity": 7, "status": 1}]}
        for sku in skus
    ]
    with client(sandbox) as api:
        api.request("POST", SOURCE_ITEMS, json=bodies, api="async/bulk/V1")
    monkeypatch.setattr(bulk, "OPEN_PAGE_SIZE", 5)
    api = ConsumerBetweenPages(sandbox, finish=5)
    runner = BulkRunner(api, size=100, timeout=5, poll_interval=0.2)

    seen = runner.open_operations([topic_name("POST", SOURCE_ITEMS)])

    assert api.pages >= 2  # it paged, and the consumer ran after the first page
    still_open = sandbox.store.find("operations", status=bulk.STATUS_OPEN)
    assert len(still_open) == 7
    seen_skus = {o.body["sourceItems"][0]["sku"] for o in seen if o.body}
    # Offset paging would have skipped five of the seven still open (rows 5-9 slid under page 1).
    assert {op_sku(op) for op in still_open} <= seen_skus


def op_sku(operation: dict[str, Any]) -> str:
    body = bulk.operation_body(operation)
    assert body is not None
    return str(body["sourceItems"][0]["sku"])


def test_results_go_to_their_records_when_the_store_numbers_operations_by_row(
    sandbox, make_config, run_target
):
    """2.3: detailed-status shows magento_operation row ids, in no fixed order. Results are
    matched by the body each operation carries (completed ones by elimination)."""
    sandbox.control.update_settings(operation_ids="2.3")
    sku = sandbox.store.find("products", type_id="simple")[0]["sku"]
    records = [
        {"sku": sku, "price": 11.5},
        {"sku": "NEW-WITHOUT-NAME-23", "price": 3},  # refused: a new product needs a name
        {"sku": sku, "weight": 2.5},
        {"sku": "NEW-WITH-NAME-23", "name": "Named", "price": 4, "attribute_set_id": 4},
    ]
    config = make_config(sandbox, api_type="async/V1", max_concurrency=1)
    run = run_target(config, stream_messages("products", records))

    assert run.summary["products"]["written"] == 3
    assert run.summary["products"]["refused"] == 1
    (reject,) = run.rejects
    assert reject["record"]["sku"] == "NEW-WITHOUT-NAME-23"
    assert "attribute value is empty" in reject["message"]
    with client(sandbox) as api:
        assert api.get("/products/NEW-WITH-NAME-23")["name"] == "Named"


def test_bulk_size_above_the_async_array_limit_is_one_request(sandbox, make_config, run_target):
    """The async array limit (5000) caps the items of an array inside one operation's body; a
    bulk request of more operations than that is accepted whole, so bulk_size may exceed it.
    An operation carrying more source items than the limit fails the request as a whole: the
    target splits its items by the limit Magento names and writes them all."""
    sandbox.control.update_settings(input_limits=True, async_array_limit=3)
    skus = [p["sku"] for p in sandbox.store.find("products", type_id="simple")[:8]]

    def quantities() -> list[float]:
        criteria = SearchCriteria().where("sku", "in", skus).where("source_code", "eq", "default")
        with client(sandbox) as api:
            return sorted(
                float(i["quantity"]) for i in api.search(SOURCE_ITEMS, criteria.page(20)).items
            )

    bulk_posts = r"/async/bulk/V1/inventory/source-items$"
    one_each = make_config(sandbox, api_type="async/V1", bulk_size=10, batch_size=1)
    records = [{"sku": sku, "source_code": "default", "quantity": 11} for sku in skus]
    run = run_target(one_each, stream_messages("source_items", records))
    assert run.summary["source_items"]["written"] == 8, run.rejects
    assert len(posts_to(sandbox, bulk_posts)) == 1  # 8 operations > 3: one request
    assert quantities() == [11.0] * 8

    wide = make_config(sandbox, api_type="async/V1", bulk_size=10)
    records = [{"sku": sku, "source_code": "default", "quantity": 12} for sku in skus]
    run = run_target(wide, stream_messages("source_items", records))
    assert run.summary["source_items"]["written"] == 8, run.rejects
    assert run.rejects == []
    assert quantities() == [12.0] * 8


def test_row_ids_without_bodies_to_match_stop_the_run_in_one_line():
    """A 2.3 answer whose unmatched operations did not all complete cannot be assigned: the run
    stops rather than guess by position."""
    bodies = [{"sku": "A"}, {"sku": "B"}]
    operations = [
        {"id": 41, "status": bulk.STATUS_COMPLETE, "serialized_data": None},
        {"id": 40, "status": bulk.STATUS_FAILED, "serialized_data": None},
    ]
    with pytest.raises(RunStoppedError) as stopped:
        bulk.operation_indexes("u-1", operations, bodies)
    assert "\n" not in str(stopped.value)
    assert "bulk u-1" in str(stopped.value)
    # Completed ones without bodies take the bodies left: exact, they share one status.
    done = [dict(op, status=bulk.STATUS_COMPLETE) for op in operations]
    assert sorted(i for i, _ in bulk.operation_indexes("u-1", done, bodies)) == [0, 1]
