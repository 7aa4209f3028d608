# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""Product writes: create or update by sku, store-view scope, merged custom attributes,
updated_at, and the refusals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests

if TYPE_CHECKING:
    from magento2_sandbox import Sandbox

    from .conftest import Api


def _send(api: Api, method: str, route: str, body: Any, store: str | None = None) -> Any:
    return requests.request(method, api.url(route, store), json=body, auth=api.auth, timeout=30)


def _simple(sandbox: Sandbox) -> dict[str, Any]:
    return sandbox.store.find("products", type_id="simple")[0]


def _custom(product: dict[str, Any], code: str) -> Any:
    for attribute in product["custom_attributes"]:
        if attribute["attribute_code"] == code:
            return attribute["value"]
    return None


def test_store_view_write_changes_that_view_and_global_values_everywhere(
    sandbox: Sandbox, api: Api
) -> None:
    product = _simple(sandbox)
    sku = product["sku"]
    default_name = api.json(f"/products/{sku}", store="default")["name"]
    answer = _send(
        api, "PUT", f"/products/{sku}", {"product": {"name": "Nom boutique", "price": 42.5}}, "fr"
    )
    assert answer.status_code == 200, answer.text
    saved = answer.json()
    assert (saved["sku"], saved["name"], saved["price"]) == (sku, "Nom boutique", 42.5)
    assert saved["updated_at"] > product["updated_at"]

    # name is a store view attribute, price global (the default price scope).
    assert api.json(f"/products/{sku}", store="fr")["name"] == "Nom boutique"
    default = api.json(f"/products/{sku}", store="default")
    assert (default["name"], default["price"]) == (default_name, 42.5)
    assert default["updated_at"] == saved["updated_at"]
    assert sandbox.control.entity("products", product["id"], "fr")["name"] == "Nom boutique"


def test_global_write_keeps_store_view_values_and_merges_custom_attributes(
    sandbox: Sandbox, api: Api
) -> None:
    product = _simple(sandbox)
    sku = product["sku"]
    fr_name = api.json(f"/products/{sku}", store="fr")["name"]
    answer = _send(
        api,
        "PUT",
        f"/products/{sku}",
        {"product": {"name": "Global name",
                     "custom_attributes": [{"attribute_code": "manufacturer", "value": "212"},
                                           {"attribute_code": "gift_wrap", "value": "1"}]}},
        "all",
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    saved = api.json(f"/products/{sku}", store="default")
    assert saved["name"] == "Global name"
    assert saved["updated_at"] > product["updated_at"]
    assert _custom(saved, "manufacturer") == "212"
    assert _custom(saved, "gift_wrap") == "1"
    # Attributes not sent are kept, merged by attribute_code.
    assert _custom(saved, "url_key") == _custom(product, "url_key")
    assert len(saved["custom_attributes"]) == len(product["custom_attributes"]) + 1
    french = api.json(f"/products/{sku}", store="fr")
    assert french["name"] == fr_name  # the store view overrides the name
    assert french["updated_at"] == saved["updated_at"]  # a global value
    assert _custom(french, "manufacturer") == "212"  # a global attribute follows


def test_post_creates_then_updates_by_sku(sandbox: Sandbox, api: Api) -> None:
    created = _send(
        api,
        "POST",
        "/products",
        {"product": {"sku": "SBX-NEW-1", "name": "Sandbox Mug", "price": 9.5,
                     "extension_attributes": {"stock_item": {"qty": 12, "is_in_stock": True}}},
         "saveOptions": True},
    )  # fmt: skip
    assert created.status_code == 200, created.text
    product = created.json()
    assert product["id"] == max(item["id"] for item in sandbox.control.truth("products"))
    assert (product["type_id"], product["attribute_set_id"]) == ("simple", 4)
    assert api.json("/stockItems/SBX-NEW-1")["qty"] == 12

    again = _send(api, "POST", "/products", {"product": {"sku": "SBX-NEW-1", "price": 11}})
    assert again.status_code == 200, again.text
    updated = again.json()
    assert (updated["id"], updated["name"], updated["price"]) == (product["id"], "Sandbox Mug", 11)
    assert len(sandbox.store.find("products", sku="SBX-NEW-1")) == 1


def test_product_refusals_carry_magentos_words(api: Api) -> None:
    missing = _send(api, "POST", "/products", {"saveOptions": True})
    assert (missing.status_code, missing.json()) == (
        400,
        {"message": '"%fieldName" is required. Enter and try again.',
         "parameters": {"fieldName": "product"}},
    )  # fmt: skip
    no_sku = _send(api, "POST", "/products", {"product": {"name": "No sku", "price": 1}})
    assert no_sku.status_code == 400
    assert no_sku.json()["message"] == (
        'The "sku" attribute value is empty. Set the attribute and try again.'
    )
    no_name = _send(api, "PUT", "/products/SBX-NEW-2", {"product": {"price": 1}})
    assert no_name.status_code == 400
    assert no_name.json()["message"] == (
        'The "Product Name" attribute value is empty. Set the attribute and try again.'
    )
    assert api.get("/products/SBX-NEW-2").status_code == 404


def test_default_store_code_is_store_view_one_and_all_is_global(api: Api) -> None:
    """`/rest/default/V1` and `/rest/V1` save store view 1's values; only `all` the global ones
    (ProductRepository::save takes the URL's store id; magento2 #9186, #17284, #7612)."""
    sku = "scope-check-1"
    created = _send(api, "POST", "/products", {"product": {"sku": sku, "name": "Global",
                    "price": 5, "attribute_set_id": 4}}, "all")  # fmt: skip
    assert created.status_code == 200, created.text
    names = {code: api.json(f"/products/{sku}", store=code)["name"] for code in ("default", "fr")}
    assert names == {"default": "Global", "fr": "Global"}

    view = _send(api, "PUT", f"/products/{sku}", {"product": {"name": "Vue 1", "price": 6}},
                 "default")  # fmt: skip
    assert view.status_code == 200, view.text
    assert api.json(f"/products/{sku}", store="default")["name"] == "Vue 1"
    assert api.json(f"/products/{sku}")["name"] == "Vue 1"  # /rest/V1 is the default view
    assert api.json(f"/products/{sku}", store="fr")["name"] == "Global"
    assert api.json(f"/products/{sku}", store="all")["name"] == "Global"
    assert api.json(f"/products/{sku}", store="fr")["price"] == 6  # price is global

    bare = _send(api, "PUT", f"/products/{sku}", {"product": {"name": "Sans code"}})
    assert bare.status_code == 200, bare.text
    assert api.json(f"/products/{sku}", store="default")["name"] == "Sans code"
    assert api.json(f"/products/{sku}", store="all")["name"] == "Global"

    again = _send(api, "PUT", f"/products/{sku}", {"product": {"name": "Global 2"}}, "all")
    assert again.status_code == 200, again.text
    names = {c: api.json(f"/products/{sku}", store=c)["name"] for c in ("default", "fr", "all")}
    assert names == {"default": "Sans code", "fr": "Global 2", "all": "Global 2"}
