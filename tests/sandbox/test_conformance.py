# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""Every GET route the sandbox implements answers the shape of Adobe's 2.4.7 REST schema,
the bulk status routes included (over a bulk with a complete and a failed operation).

Validation is strict: the types of the fields present must match, and a field the schema
does not declare is an error. A `null` is allowed only for fields the schema marks required:
Magento's DataObjectProcessor drops null values except from required getters, so
`payment.account_status: null` is real Magento, an optional null would not be.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import TYPE_CHECKING, Any

import jsonschema
import pytest
import requests
from magento2_sandbox.routing import routes

if TYPE_CHECKING:
    from pathlib import Path

    from magento2_sandbox import Sandbox

    from .conftest import Api


@cache
def _spec(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:  # noqa: PTH123
        return dict(json.load(handle))


def _strict(node: Any) -> Any:
    if isinstance(node, list):
        return [_strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    if "properties" in node:
        required = set(node.get("required", []))
        answer = {key: value for key, value in node.items() if key != "properties"}
        answer["additionalProperties"] = False
        answer["properties"] = {
            name: (_nullable(_strict(schema)) if name in required else _strict(schema))
            for name, schema in node["properties"].items()
        }
        return answer
    return {key: _strict(value) for key, value in node.items()}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if isinstance(schema.get("type"), str):
        return {**schema, "type": [schema["type"], "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def _validator(spec: dict[str, Any], schema: dict[str, Any]) -> jsonschema.Draft4Validator:
    root = {**_strict(schema), "definitions": _strict(spec["definitions"])}
    return jsonschema.Draft4Validator(root)


def _key(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path.rstrip("/"))


def _bulk(sandbox: Sandbox, api: Api, sku: str) -> str:
    """A bulk with one complete and one failed operation (a product without a name)."""
    body = [{"product": {"sku": sku, "price": 5}}, {"product": {"sku": "CONFORMANCE-NEW"}}]
    url = f"{sandbox.url}/rest/all/async/bulk/V1/products/bySku"
    answer = requests.put(url, json=body, auth=api.auth, timeout=30)
    assert answer.status_code == 202, answer.text
    assert sandbox.run_consumer()["processed"] == 2
    return str(answer.json()["bulk_uuid"])


def _samples(sandbox: Sandbox, api: Api, route: str) -> dict[str, str]:
    product = api.search("/products", {"searchCriteria[pageSize]": "1"})["items"][0]
    invoice = api.search("/invoices", {"searchCriteria[pageSize]": "1"})["items"][0]
    shipment = api.search("/shipments", {"searchCriteria[pageSize]": "1"})["items"][0]
    creditmemo = api.search("/creditmemos", {"searchCriteria[pageSize]": "1"})["items"][0]
    if "/comments" in route:
        # Seeded documents have no comments: make one of each kind with a comment.
        new = _order_with_nothing_done(api)
        made = (("invoice", invoice), ("ship", shipment), ("refund", creditmemo))
        for action, document in made:
            body = {"appendComment": True, "comment": {"comment": "Conformance"}}
            answer = requests.post(
                api.url(f"/order/{new}/{action}"), json=body, auth=api.auth, timeout=30
            )
            assert answer.status_code == 200, answer.text
            document["entity_id"] = answer.json()
    return {
        "id": "1",
        "customerId": "1",
        "sku": product["sku"],
        "productSku": product["sku"],
        "attributeCode": "color",
        "categoryId": "3",
        "sourceCode": "default",
        "stockId": "1",
        "companyId": "1",
        "creditId": "1",
        "invoiceId": str(invoice["entity_id"]),
        "shipmentId": str(shipment["entity_id"]),
        "creditmemoId": str(creditmemo["entity_id"]),
        "bulkUuid": _bulk(sandbox, api, product["sku"]) if route.startswith("/V1/bulk") else "",
        "status": "3",
    }


def _order_with_nothing_done(api: Api) -> int:
    found = api.search(
        "/orders",
        {
            "searchCriteria[filter_groups][0][filters][0][field]": "state",
            "searchCriteria[filter_groups][0][filters][0][value]": "new",
            "searchCriteria[pageSize]": "1",
        },
    )
    return int(found["items"][0]["entity_id"])


def _describe(error: jsonschema.ValidationError) -> str:
    deepest = jsonschema.exceptions.best_match([error, *error.context])
    return f"{list(deepest.absolute_path)}: {deepest.message[:300]}"


def _get_routes() -> list[str]:
    return sorted(r.path for r in routes() if r.method == "GET")


# The id parameter of these routes names another entity than the plain `{id}` sample.
_ID_OF = {
    "/V1/invoices/{id}/comments": "invoiceId",
    "/V1/shipment/{id}/comments": "shipmentId",
    "/V1/creditmemo/{id}/comments": "creditmemoId",
}


@pytest.mark.parametrize("route", _get_routes())
def test_get_route_matches_the_schema(
    shared_magento_dir: Path, sandbox: Sandbox, api: Api, route: str
) -> None:
    spec = _spec(str(shared_magento_dir / "admin-schema-2.4.7.json"))
    # Several schema paths differ only by parameter names ({id}, {parent_id}): merge them.
    operations = [
        ops["get"]
        for path, ops in spec["paths"].items()
        if _key(path) == _key(route) and "get" in ops
    ]
    operation = operations[0] if operations else None
    assert operation is not None, f"GET {route} is not in Adobe's 2.4.7 schema"
    schema = operation["responses"]["200"]["schema"]
    samples = _samples(sandbox, api, route)
    if route in _ID_OF:
        samples["id"] = samples[_ID_OF[route]]
    url = re.sub(r"\{([^}]+)\}", lambda m: samples[m.group(1)], route)
    stores = ["default", "fr"] if route.startswith("/V1/products") else ["default"]
    for store in stores:
        answer = api.json(url.removeprefix("/V1"), store=store)
        for key in ("items", "operations_list"):
            if isinstance(answer, dict) and key in answer:
                assert answer[key], f"{route} answered no {key}: nothing was checked"
        errors = list(_validator(spec, schema).iter_errors(answer))
        messages = [_describe(error) for error in errors[:10]]
        assert not errors, f"GET {url} ({store}) differs from the schema:\n" + "\n".join(messages)


def test_validation_catches_a_wrong_type(shared_magento_dir: Path) -> None:
    spec = _spec(str(shared_magento_dir / "admin-schema-2.4.7.json"))
    order_schema = {"$ref": "#/definitions/sales-data-order-interface"}
    validator = _validator(spec, order_schema)
    good = {"base_grand_total": 1.0, "customer_email": "a@b.c", "grand_total": 1.0, "items": []}
    assert list(validator.iter_errors(good)) == []
    assert list(validator.iter_errors({**good, "entity_id": "7"}))
    assert list(validator.iter_errors({**good, "unknown_field": 1}))
    assert list(validator.iter_errors({**good, "customer_id": None}))
    assert list(validator.iter_errors({**good, "customer_email": None})) == []
