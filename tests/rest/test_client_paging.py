# Copyright 2026 The magento2-rest authors. Licensed under the Apache License, Version 2.0.
"""Searching and paging, Magento's errors, statistics and the store's clock."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

import pytest
from magento2_rest import (
    MagentoError,
    MagentoInputLimitError,
    MagentoNotFound,
    MagentoResponseError,
    SearchCriteria,
)

from tests.rest.helpers import client_for

if TYPE_CHECKING:
    from collections.abc import Callable

    from magento2_sandbox import Sandbox

BY_ID = SearchCriteria().order_by("entity_id")


@pytest.mark.parametrize("mode", ["repeat", "empty"])
@pytest.mark.parametrize("page_size", [20, 25])
def test_iter_pages_stops_on_total_count(sandbox: Sandbox, mode: str, page_size: int) -> None:
    sandbox.control.update_settings(past_end_mode=mode)
    client = client_for(sandbox)
    pages = list(client.iter_pages("/orders", BY_ID, page_size))
    ids = [item["entity_id"] for page in pages for item in page.items]
    truth = sorted(entry["id"] for entry in sandbox.control.truth("orders"))
    assert ids == truth
    assert len(ids) == 60
    expected_pages = -(-60 // page_size)
    assert len(pages) == expected_pages
    # No request past the end: a client stopping on an empty page would loop forever when the
    # store repeats its last page.
    assert len(sandbox.control.requests()) == expected_pages
    assert {page.total_count for page in pages} == {60}


def test_iter_pages_with_a_filter_and_no_match(sandbox: Sandbox) -> None:
    criteria = BY_ID.where("increment_id", "eq", "no-such-order")
    pages = list(client_for(sandbox).iter_pages("/orders", criteria, 10))
    assert [(page.items, page.total_count) for page in pages] == [([], 0)]


@pytest.mark.parametrize("mode", ["repeat", "empty"])
def test_past_the_end_behaviour_of_the_store(sandbox: Sandbox, mode: str) -> None:
    """What iter_pages guards against, shown on the store itself."""
    sandbox.control.update_settings(past_end_mode=mode)
    client = client_for(sandbox)
    last = client.search("/orders", BY_ID.page(25, 3))
    beyond = client.search("/orders", BY_ID.page(25, 4))
    assert beyond.total_count == 60
    assert beyond.items == (last.items if mode == "repeat" else [])


def test_input_limit_refusal_carries_the_maximum(sandbox: Sandbox) -> None:
    sandbox.control.update_settings(input_limits=True)
    client = client_for(sandbox)
    with pytest.raises(MagentoInputLimitError) as caught:
        client.search("/orders", BY_ID.page(500))
    assert caught.value.max == 300
    assert caught.value.status == 400
    assert caught.value.message == "Maximum SearchCriteria pageSize is 300"
    assert str(caught.value).startswith(
        "GET /V1/orders answered 400: Maximum SearchCriteria pageSize is 300"
    )


def test_iter_pages_falls_back_to_the_stores_maximum(
    sandbox_factory: Callable[..., Sandbox], caplog: pytest.LogCaptureFixture
) -> None:
    sandbox = sandbox_factory(seed=2, orders=320, settings={"input_limits": True})
    client = client_for(sandbox)
    with caplog.at_level(logging.WARNING, logger="magento2_rest"):
        pages = list(client.iter_pages("/orders", BY_ID, 500))
    assert [len(page.items) for page in pages] == [300, 20]
    assert "pages of 300 at most" in caplog.text
    # The client keeps the store's maximum: a later walk is not refused again.
    sandbox.control.clear_requests()
    assert sum(len(page.items) for page in client.iter_pages("/orders", BY_ID, 500)) == 320
    sizes = {entry["query"].count("pageSize%5D=500") + entry["query"].count("pageSize]=500")
             for entry in sandbox.control.requests()}  # fmt: skip
    assert sizes == {0}
    assert client.page_size(500) == 300


def test_not_found_entity(sandbox: Sandbox) -> None:
    with pytest.raises(MagentoNotFound) as caught:
        client_for(sandbox).get("/orders/999999")
    assert caught.value.status == 404
    assert "doesn't exist" in str(caught.value)
    assert str(caught.value).startswith("GET /V1/orders/999999 answered 404: ")


def test_not_found_route_of_a_store_without_b2b(sandbox_factory: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_factory(seed=1, orders=5, b2b=False)
    with pytest.raises(MagentoNotFound) as caught:
        client_for(sandbox).search("/company/", BY_ID.page(5))
    assert "Request does not match any route." in str(caught.value)


def test_magento_refusal_with_parameters_filled(sandbox: Sandbox) -> None:
    client = client_for(sandbox)
    with pytest.raises(MagentoError) as caught:
        client.request("GET", "/orders", params=[("searchCriteria[pageSize]", "ten")])
    error = caught.value
    assert type(error) is MagentoError
    assert (error.method, error.route, error.status) == ("GET", "/V1/orders", 400)
    assert error.parameters == {"value": "ten", "type": "int"}
    assert str(error) == (
        'GET /V1/orders answered 400: The "ten" value\'s type is invalid. The "int" type was '
        "expected. Verify and try again."
    )
    # A 400 is Magento's answer, not a hiccup: not retried.
    assert len(sandbox.control.requests()) == 1


def test_search_of_a_route_that_is_not_a_search(sandbox: Sandbox) -> None:
    first = client_for(sandbox).search("/orders", BY_ID.page(1)).items[0]
    with pytest.raises(MagentoResponseError, match="without items and total_count"):
        client_for(sandbox).search(f"/orders/{first['entity_id']}", BY_ID)


def test_stats_count_requests_bytes_and_seconds(sandbox: Sandbox) -> None:
    client = client_for(sandbox)
    list(client.iter_pages("/orders", BY_ID, 30))
    assert client.stats.requests == 2
    assert client.stats.retries == 0
    assert client.stats.bytes > 1000
    assert client.stats.seconds > 0


def test_last_response_date_is_the_stores_clock(sandbox: Sandbox) -> None:
    sandbox.control.set_clock(86400)
    client = client_for(sandbox)
    assert client.last_response_date is None
    client.search("/orders", BY_ID.page(1))
    store_now = client.last_response_date
    assert store_now is not None
    assert store_now.tzinfo is not None
    expected = datetime.now(timezone.utc) + timedelta(days=1)
    assert abs((store_now - expected).total_seconds()) < 5


def test_one_client_shared_by_worker_threads(sandbox: Sandbox) -> None:
    client = client_for(sandbox)
    results: list[int] = []
    errors: list[BaseException] = []

    def work(page: int) -> None:
        try:
            results.extend(
                i["entity_id"] for i in client.search("/orders", BY_ID.page(10, page)).items
            )
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(page,)) for page in range(1, 7)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == sorted(e["id"] for e in sandbox.control.truth("orders"))
    assert client.stats.requests == 6


def test_iter_pages_with_fields_keeps_total_count(sandbox: Sandbox) -> None:
    client = client_for(sandbox)
    pages = list(client.iter_pages("/orders", BY_ID, 40, fields="items[entity_id],total_count"))
    assert [len(page.items) for page in pages] == [40, 20]
    assert all(set(item) == {"entity_id"} for page in pages for item in page.items)
    with pytest.raises(MagentoResponseError, match="without items and total_count"):
        client.search("/orders", BY_ID.page(5), fields="items[entity_id]")
