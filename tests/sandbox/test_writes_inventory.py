# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""Stock writes: MSI source items and the legacy stock item, kept in step, without moving the
product's updated_at."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests

from .conftest import Api, criteria

if TYPE_CHECKING:
    from magento2_sandbox import Sandbox


def _send(api: Api, method: str, route: str, body: Any) -> Any:
    return requests.request(method, api.url(route), json=body, auth=api.auth, timeout=30)


def _source_items(api: Api, sku: str) -> dict[str, dict[str, Any]]:
    found = api.search("/inventory/source-items", criteria([("sku", sku, "eq")]))
    return {item["source_code"]: item for item in found["items"]}


def test_source_items_save_updates_msi_and_the_legacy_stock(sandbox: Sandbox, api: Api) -> None:
    product = sandbox.store.find("products", type_id="simple")[0]
    sku = product["sku"]
    answer = _send(
        api,
        "POST",
        "/inventory/source-items",
        {"sourceItems": [
            {"sku": sku, "source_code": "default", "quantity": 37, "status": 1},
            {"sku": sku, "source_code": "us_warehouse", "quantity": 5.5, "status": 1},
        ]},
    )  # fmt: skip
    assert (answer.status_code, answer.json()) == (200, [])
    items = _source_items(api, sku)
    assert (items["default"]["quantity"], items["default"]["status"]) == (37, 1)
    assert items["us_warehouse"]["quantity"] == 5.5
    legacy = api.json(f"/stockItems/{sku}")
    assert (legacy["qty"], legacy["is_in_stock"]) == (37, True)
    saved = api.json(f"/products/{sku}")
    assert saved["extension_attributes"]["stock_item"]["qty"] == 37
    # Source items live outside the product entity: its updated_at stays.
    assert saved["updated_at"] == product["updated_at"]
    # The fr store view's version (every seeded product has one) follows the global stock item,
    # keeps its own name, and carries the same updated_at.
    french = api.json(f"/products/{sku}", store="fr")
    assert french["extension_attributes"]["stock_item"]["qty"] == 37
    assert french["name"] != saved["name"]
    assert french["updated_at"] == product["updated_at"]
    entity = sandbox.control.entity("source_items", (sku, "us_warehouse"))
    assert entity["quantity"] == 5.5


def test_a_stock_save_reaches_a_store_views_version_equal_to_the_global_product(
    sandbox: Sandbox, api: Api
) -> None:
    # A save through the `default` store view that changes only a global field (price) leaves
    # that view a version of its own, the same as the global document; a stock save afterwards
    # must change it too (a version was once skipped when it equalled the global document).
    product = sandbox.store.find("products", type_id="simple")[0]
    sku = product["sku"]
    saved = _send(api, "PUT", f"/products/{sku}", {"product": {"sku": sku, "price": 12.5}})
    assert saved.status_code == 200, saved.text
    assert "default" in sandbox.store.scoped_versions("products", product["id"])
    answer = _send(
        api,
        "POST",
        "/inventory/source-items",
        {"sourceItems": [{"sku": sku, "source_code": "default", "quantity": 37, "status": 1}]},
    )
    assert answer.status_code == 200, answer.text
    for store in ("default", "fr", "all"):
        shown = api.json(f"/products/{sku}", store=store)
        assert shown["extension_attributes"]["stock_item"]["qty"] == 37, store
        assert shown["price"] == 12.5, store


def test_source_items_refusals_carry_magentos_words(sandbox: Sandbox, api: Api) -> None:
    sku = sandbox.store.find("products", type_id="simple")[0]["sku"]

    def save(*items: dict[str, Any]) -> Any:
        return _send(api, "POST", "/inventory/source-items", {"sourceItems": list(items)})

    unknown = save({"sku": "NO-SUCH-SKU", "source_code": "default", "quantity": 1, "status": 1})
    # Inventory/Model/Validators/NotExistentSku.php (its "was was" included).
    assert (unknown.status_code, unknown.json()) == (
        400,
        {"message": 'Validation Failed: Product with requested "sku": '
                    '"NO-SUCH-SKU" was was not found.'},
    )  # fmt: skip
    status = save({"sku": sku, "source_code": "default", "quantity": 1, "status": 7})
    assert status.json() == {"message": 'Validation Failed: "status" should a known status.'}
    source = save({"sku": sku, "source_code": "mars", "quantity": 1, "status": 1})
    assert (source.status_code, source.json()) == (400, {"message": "Could not save Source Item"})
    empty = save()
    assert (empty.status_code, empty.json()) == (400, {"message": "Input data is empty"})
    # All or nothing: a refused batch changes no item.
    before = _source_items(api, sku)
    mixed = save(
        {"sku": sku, "source_code": "default", "quantity": 999, "status": 1},
        {"sku": "NO-SUCH-SKU", "source_code": "default", "quantity": 1, "status": 1},
    )
    assert mixed.status_code == 400
    assert _source_items(api, sku) == before


def test_legacy_stock_item_put_answers_the_item_id_and_syncs_the_default_source(
    sandbox: Sandbox, api: Api
) -> None:
    product = sandbox.store.find("products", type_id="simple")[0]
    sku = product["sku"]
    current = api.json(f"/stockItems/{sku}")
    answer = _send(
        api,
        "PUT",
        f"/products/{sku}/stockItems/{current['item_id']}",
        {"stockItem": {"qty": 0, "is_in_stock": True}},
    )
    assert (answer.status_code, answer.json()) == (200, current["item_id"])
    legacy = api.json(f"/stockItems/{sku}")
    # StockItemRepository::save: nothing left and no backorders is out of stock.
    assert (legacy["qty"], legacy["is_in_stock"]) == (0, False)
    default = _source_items(api, sku)["default"]
    assert (default["quantity"], default["status"]) == (0, 0)
    assert api.json(f"/products/{sku}")["updated_at"] == product["updated_at"]

    missing = _send(api, "PUT", "/products/NO-SUCH-SKU/stockItems/1", {"stockItem": {"qty": 1}})
    assert (missing.status_code, missing.json()) == (
        404,
        {"message": 'Product with SKU "%1" does not exist', "parameters": ["NO-SUCH-SKU"]},
    )


def test_input_limits_cap_the_source_items_of_one_request(sandbox: Sandbox, api: Api) -> None:
    sandbox.control.update_settings(input_limits=True)
    skus = [p["sku"] for p in sandbox.store.find("products", type_id="simple")][:21]
    items = [{"sku": sku, "source_code": "default", "quantity": 1, "status": 1} for sku in skus]
    refused = _send(api, "POST", "/inventory/source-items", {"sourceItems": items})
    # Framework/Webapi/Validator/EntityArrayValidator.php: 20 items in a synchronous body.
    assert refused.status_code == 400
    assert refused.json() == {
        "message": 'Maximum items of type "%type" is %max',
        "parameters": {
            "type": "\\Magento\\InventoryApi\\Api\\Data\\SourceItemInterface",
            "max": 20,
        },
    }
    accepted = _send(api, "POST", "/inventory/source-items", {"sourceItems": items[:20]})
    assert (accepted.status_code, accepted.json()) == (200, [])
