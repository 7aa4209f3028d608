# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""Unreadable records and slow pages, as real stores have them."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from .conftest import Api, criteria

if TYPE_CHECKING:
    from magento2_sandbox import Sandbox

PRODUCT_GONE = "The product that was requested doesn't exist. Verify the product and try again."


def test_an_unreadable_order_fails_every_answer_that_holds_it(sandbox: Sandbox, api: Api) -> None:
    sandbox.control.update_settings(unreadable={"orders": [17]})
    page = [
        *criteria([("entity_id", "10", "gteq")]),
        ("searchCriteria[sortOrders][0][field]", "entity_id"),
        ("searchCriteria[sortOrders][0][direction]", "ASC"),
        ("searchCriteria[pageSize]", "10"),
    ]
    answer = api.get("/orders", page)
    assert answer.status_code == 404
    assert answer.json() == {"message": PRODUCT_GONE}
    # `fields` filters the output only: the store still loads the order (FACTS.md, Searching).
    assert (
        api.get("/orders", [*page, ("fields", "items[entity_id],total_count")]).status_code == 404
    )
    assert api.get("/orders/17").status_code == 404
    # Pages without it are fine, and its count is still right.
    before = api.search("/orders", criteria([("entity_id", "17", "lt")]))
    assert before["total_count"] == 16
    after = api.search("/orders", criteria([("entity_id", "17", "gt")]))
    assert after["total_count"] == 60 - 17
    assert api.json("/orders/18")["entity_id"] == 18


def test_other_kinds_fail_with_a_masked_500(sandbox: Sandbox, api: Api) -> None:
    sandbox.control.update_settings(unreadable={"customers": [3]})
    answer = api.get("/customers/search", criteria([("entity_id", "5", "lt")]))
    assert answer.status_code == 500
    assert answer.json()["message"].startswith("Internal Error. Details are available")
    sandbox.control.update_settings(unreadable_error="404")
    assert api.get("/customers/3").status_code == 404


def test_cost_grows_with_matched_rows_and_the_gateway_answers_504(
    sandbox: Sandbox, api: Api
) -> None:
    sandbox.control.update_settings(per_matched_row_ms=10)
    started = time.monotonic()
    api.search("/orders", criteria([("entity_id", "30", "lteq")], pageSize=1))
    assert time.monotonic() - started >= 0.3  # 30 rows matched, one returned
    sandbox.control.update_settings(gateway_timeout_s=0.4)
    started = time.monotonic()
    answer = api.get("/orders", criteria(pageSize=5))  # all 60 match: 0.6 s
    assert answer.status_code == 504
    assert "504 Gateway Time-out" in answer.text
    assert answer.headers["Content-Type"].startswith("text/html")
    assert time.monotonic() - started >= 0.4  # the gateway waited its limit, then gave up
    assert sandbox.control.requests()[-1]["fault"] == "gateway_timeout"
    assert api.get("/orders", criteria([("entity_id", "20", "lteq")])).status_code == 200
