# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""The asynchronous API: /async/V1 and /async/bulk/V1 requests, the operations they queue,
the consumer that runs them, and the bulk status routes."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

import pytest
import requests

from .conftest import Api, criteria

if TYPE_CHECKING:
    from collections.abc import Callable

    from magento2_sandbox import Sandbox

REQUIRED = '"%fieldName" is required. Enter and try again.'


def _async(
    sandbox: Sandbox,
    api: Api,
    method: str,
    route: str,
    body: Any,
    *,
    bulk: bool,
    store: str = "all",
) -> requests.Response:
    prefix = "async/bulk/V1" if bulk else "async/V1"
    url = f"{sandbox.url}/rest/{store}/{prefix}{route}"
    return requests.request(method, url, json=body, auth=api.auth, timeout=30)


def _detailed(api: Api, bulk_uuid: str) -> dict[int, dict[str, Any]]:
    answer = api.json(f"/bulk/{bulk_uuid}/detailed-status")
    return {operation["id"]: operation for operation in answer["operations_list"]}


def _wait(api: Api, bulk_uuid: str, timeout: float = 10.0) -> dict[int, dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        operations = _detailed(api, bulk_uuid)
        if all(op["status"] != 4 for op in operations.values()) or time.monotonic() > deadline:
            return operations
        time.sleep(0.05)


@pytest.fixture
def manual(sandbox_factory: Callable[..., Sandbox]) -> Sandbox:
    """A store whose consumer runs only when asked (POST /_sandbox/consumer/run)."""
    return sandbox_factory(seed=1, orders=60, settings={"async_consumer": "manual"})


def test_bulk_operations_stay_open_until_the_consumer_runs_them(manual: Sandbox) -> None:
    api = Api(manual)
    skus = [p["sku"] for p in manual.store.find("products", type_id="simple")[:2]]
    body = [
        {"product": {"sku": skus[0], "name": "Bulk renamed"}},
        {"product": {"sku": "BULK-NEW", "price": 3}},  # a new product without a name
        {"sku": skus[1], "product": {"sku": skus[1], "price": 77}},
        # save(product) has no sku parameter: a top-level sku is ignored, product.sku is empty.
        {"sku": skus[1], "product": {"price": 1}},
    ]
    answer = _async(manual, api, "PUT", "/products/bySku", body, bulk=True)
    assert answer.status_code == 202, answer.text
    accepted = answer.json()
    assert accepted["errors"] is False
    assert accepted["request_items"] == [
        {"id": index, "data_hash": None, "status": "accepted"} for index in range(4)
    ]
    bulk_uuid = accepted["bulk_uuid"]

    status = api.json(f"/bulk/{bulk_uuid}/status")
    assert status["bulk_id"] == bulk_uuid
    assert status["operation_count"] == 4
    assert status["description"] == "Topic async.V1.products.sku.PUT"
    assert [(op["id"], op["status"]) for op in status["operations_list"]] == [
        (0, 4), (1, 4), (2, 4), (3, 4)
    ]  # fmt: skip
    assert api.json(f"/products/{skus[0]}")["name"] != "Bulk renamed"
    time.sleep(0.5)  # the background consumer is off: nothing runs by itself
    assert api.json(f"/bulk/{bulk_uuid}/operation-status/4") == 4

    assert manual.control.run_consumer() == {"processed": 4, "complete": 2, "failed": 2}
    operations = _detailed(api, bulk_uuid)
    assert [operations[i]["status"] for i in range(4)] == [1, 3, 1, 3]
    assert operations[0]["result_message"].startswith("Service execution success ")
    assert json.loads(operations[0]["result_serialized_data"])["name"] == "Bulk renamed"
    assert operations[0]["serialized_data"] is None  # cleared once the operation succeeded
    # The failure keeps its request and carries Magento's message, placeholders filled.
    assert operations[1]["result_message"] == (
        'The "Product Name" attribute value is empty. Set the attribute and try again.'
    )
    meta = json.loads(json.loads(operations[1]["serialized_data"])["meta_information"])
    assert meta == body[1]
    assert operations[3]["result_message"] == (
        'The "sku" attribute value is empty. Set the attribute and try again.'
    )
    assert api.json(f"/products/{skus[0]}")["name"] == "Bulk renamed"
    assert api.json(f"/products/{skus[1]}")["price"] == 77
    assert api.get("/products/BULK-NEW").status_code == 404
    assert api.json(f"/bulk/{bulk_uuid}/operation-status/1") == 2
    assert api.json(f"/bulk/{bulk_uuid}/operation-status/3") == 2
    assert manual.control.run_consumer()["processed"] == 0  # nothing is run twice


def test_async_invoice_runs_in_the_background_with_the_synchronous_rules(
    sandbox: Sandbox, api: Api
) -> None:
    orders = sandbox.store.find("orders")
    new = next(order for order in orders if order["state"] == "new")
    canceled = next(order for order in orders if order["state"] == "canceled")
    single = _async(
        sandbox, api, "POST", f"/order/{new['entity_id']}/invoice", {"capture": True}, bulk=False
    )
    assert single.status_code == 202, single.text
    assert single.json()["request_items"] == [{"id": 0, "data_hash": None, "status": "accepted"}]
    operation = _wait(api, single.json()["bulk_uuid"])[0]
    assert operation["status"] == 1, operation
    invoice_id = json.loads(operation["result_serialized_data"])
    assert api.json(f"/invoices/{invoice_id}")["order_id"] == new["entity_id"]
    assert api.json(f"/orders/{new['entity_id']}")["state"] == "processing"

    # Bulk: the order id travels in each body, the URL holds the by<Param> placeholder.
    bulk = _async(
        sandbox,
        api,
        "POST",
        "/order/byOrderId/invoice",
        [{"orderId": canceled["entity_id"]}, {"order_id": new["entity_id"]}],
        bulk=True,
    )
    assert bulk.status_code == 202, bulk.text
    operations = _wait(api, bulk.json()["bulk_uuid"])
    assert operations[0]["status"] == 3
    assert operations[0]["result_message"] == (
        "Invoice Document Validation Error(s):\nYou can't create an invoice without products.\n"
        "An invoice cannot be created when an order has a status of canceled"
    )
    assert operations[1]["status"] == 3  # already invoiced by the single request
    assert operations[1]["error_code"] == 0
    found = api.search(
        "/bulk", criteria([("bulk_uuid", bulk.json()["bulk_uuid"], "eq")], pageSize=10)
    )
    assert found["total_count"] == 2
    assert {item["status"] for item in found["items"]} == {3}


def test_async_requests_are_checked_like_the_synchronous_route(sandbox: Sandbox, api: Api) -> None:
    sku = sandbox.store.find("products", type_id="simple")[0]["sku"]
    # One bad entry refuses the whole bulk: nothing is queued.
    refused = _async(
        sandbox,
        api,
        "PUT",
        "/products/bySku",
        [{"product": {"sku": sku, "name": "never"}}, {"foo": 1}],
        bulk=True,
    )
    assert (refused.status_code, refused.json()) == (
        400,
        {"message": REQUIRED, "parameters": {"fieldName": "product"}},
    )
    no_order = _async(sandbox, api, "POST", "/order/byOrderId/invoice", [{}], bulk=True)
    assert no_order.json() == {"message": REQUIRED, "parameters": {"fieldName": "orderId"}}
    typed = _async(sandbox, api, "POST", "/order/abc/invoice", {}, bulk=False)
    assert typed.status_code == 400
    assert typed.json()["parameters"] == {"value": "abc", "type": "int"}
    no_route = _async(sandbox, api, "POST", "/nothing/here", {}, bulk=False)
    assert (no_route.status_code, no_route.json()) == (
        404,
        {"message": "Request does not match any route."},
    )
    assert sandbox.control.truth("operations") == []
    missing = api.get("/bulk/00000000-0000-0000-0000-000000000000/status")
    assert (missing.status_code, missing.json()) == (
        404,
        {"message": "Bulk uuid %bulkUuid not exist",
         "parameters": {"bulkUuid": "00000000-0000-0000-0000-000000000000"}},
    )  # fmt: skip


def test_bulk_through_a_store_view_keeps_its_scope(sandbox: Sandbox, api: Api) -> None:
    sku = sandbox.store.find("products", type_id="simple")[0]["sku"]
    default_name = api.json(f"/products/{sku}", store="default")["name"]
    answer = _async(
        sandbox,
        api,
        "PUT",
        "/products/bySku",
        [{"product": {"sku": sku, "name": "Nom en vrac"}}],
        bulk=True,
        store="fr",
    )
    assert answer.status_code == 202, answer.text
    operation = _wait(api, answer.json()["bulk_uuid"])[0]
    assert operation["status"] == 1, operation
    assert api.json(f"/products/{sku}", store="fr")["name"] == "Nom en vrac"
    assert api.json(f"/products/{sku}", store="default")["name"] == default_name


def test_async_put_takes_the_sku_from_the_url(sandbox: Sandbox, api: Api) -> None:
    sku = sandbox.store.find("products", type_id="simple")[0]["sku"]
    answer = _async(
        sandbox, api, "PUT", f"/products/{sku}", {"product": {"price": 5.25}}, bulk=False
    )
    assert answer.status_code == 202, answer.text
    operation = _wait(api, answer.json()["bulk_uuid"])[0]
    assert operation["status"] == 1, operation
    assert api.json(f"/products/{sku}")["price"] == 5.25


def test_async_array_limit_counts_items_of_one_body_not_operations(
    sandbox: Sandbox, api: Api
) -> None:
    """EntityArrayValidator runs on each bulk entry: five one-item operations pass a limit of 2,
    one entry with three items fails the whole request."""
    sandbox.control.update_settings(input_limits=True, async_array_limit=2)
    skus = [p["sku"] for p in sandbox.store.find("products", type_id="simple")[:5]]
    url = f"{sandbox.url}/rest/default/async/bulk/V1/inventory/source-items"

    def item(sku: str) -> dict[str, Any]:
        return {"sku": sku, "source_code": "default", "quantity": 3, "status": 1}

    many = requests.post(
        url, json=[{"sourceItems": [item(s)]} for s in skus], auth=api.auth, timeout=30
    )
    assert many.status_code == 202, many.text
    assert len(many.json()["request_items"]) == 5
    wide = requests.post(
        url, json=[{"sourceItems": [item(s) for s in skus[:3]]}], auth=api.auth, timeout=30
    )
    assert wide.status_code == 400
    assert wide.json()["message"] == 'Maximum items of type "%type" is %max'
    assert wide.json()["parameters"]["max"] == 2
