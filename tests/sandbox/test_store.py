# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""The Store API the route handlers build on: put/get/find/delete, ids, transactions,
store-view versions and searches on any field."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import pytest
from magento2_sandbox.criteria import Criteria, Filter
from magento2_sandbox.routing import resolve
from magento2_sandbox.store import Deflate, Store

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(str(tmp_path / "store.sqlite"))


def test_put_sets_ids_and_timestamps(store: Store) -> None:
    store.clock_offset = -3600
    created = store.put("orders", {"increment_id": "000000001", "status": "pending"})
    assert created["entity_id"] == 1
    assert created["created_at"] == created["updated_at"] == store.now()
    store.clock_offset = 0
    created["status"] = "processing"
    updated = store.put("orders", created)
    assert updated["created_at"] == created["created_at"]
    assert updated["updated_at"] > created["updated_at"]
    assert store.get("orders", 1) == updated
    assert store.get("orders", "1") == updated
    untouched = store.put("orders", {**updated, "status": "complete"}, touch=False)
    assert untouched["updated_at"] == updated["updated_at"]
    assert store.next_id("orders") == 2
    assert store.next_id("orders") == 3  # never handed out twice


def test_kinds_without_updated_at_and_composite_keys(store: Store) -> None:
    store.put("companies", {"id": 4, "company_name": "Acme", "status": 1})
    assert store.get("companies", 4) == {"id": 4, "company_name": "Acme", "status": 1}
    item = {"sku": "S-1", "source_code": "eu", "quantity": 3.0, "status": 1}
    store.put("source_items", item)
    assert store.get("source_items", ("S-1", "eu")) == item
    assert store.find("source_items", sku="S-1") == [item]
    store.delete("source_items", ("S-1", "eu"))
    assert store.get("source_items", ("S-1", "eu")) is None


def _failing_write(store: Store) -> None:
    with store.transaction():
        store.put("customers", {"id": 1, "email": "a@example.com"})
        raise RuntimeError


def test_transaction_is_all_or_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError):
        _failing_write(store)
    assert store.get("customers", 1) is None
    with store.transaction():
        store.put("customers", {"id": 1, "email": "a@example.com"})
        store.put("customers", {"id": 2, "email": "b@example.com"})
    assert [c["id"] for c in store.find("customers")] == [1, 2]


def test_store_view_version(store: Store) -> None:
    store.put("products", {"id": 1, "sku": "S-1", "name": "Bottle", "status": 1})
    store.put("products", {"id": 1, "sku": "S-1", "name": "Gourde", "status": 2}, store_code="fr")
    default = store.get("products", 1)
    french = store.get("products", 1, "fr")
    assert default is not None
    assert french is not None
    assert (default["name"], french["name"]) == ("Bottle", "Gourde")
    assert french["updated_at"] == default["updated_at"]
    criteria = Criteria(filter_groups=[[Filter("name", "Gourde")]])
    assert store.search("products", criteria, store_code="fr")[1] == 1
    assert store.search("products", criteria)[1] == 0


def test_search_on_nested_and_custom_fields(store: Store) -> None:
    store.put(
        "products",
        {
            "id": 1,
            "sku": "S-1",
            "custom_attributes": [{"attribute_code": "color", "value": "49"}],
            "extension_attributes": {"website_ids": [1]},
        },
    )
    store.put("products", {"id": 2, "sku": "S-2", "custom_attributes": []})
    by_color = Criteria(filter_groups=[[Filter("color", "49")]])
    assert [p["sku"] for p in store.search("products", by_color)[0]] == ["S-1"]
    by_price = Criteria(filter_groups=[[Filter("price", None, "null")]], page_size=1)
    items, total = store.search("products", by_price)
    assert (len(items), total) == (1, 2)


def test_resolve_finds_handlers_and_parameters() -> None:
    found = resolve("GET", "/V1/orders/12")
    assert found is not None
    assert found[1] == {"id": "12"}
    literal = resolve("GET", "/V1/products/attributes/")
    assert literal is not None
    assert literal[1] == {}
    assert resolve("GET", "/V1/nothing/here") is None


def test_deflate_shares_its_primed_compressor_across_threads() -> None:
    # One primed compressor, copied for every document, by eight threads at once.
    deflate = Deflate(b'{"sku":"name","price":' * 200)
    texts = [f'{{"sku":"SKU-{n}","price":{n}.5,"name":"{"x" * (n % 50)}"}}' for n in range(400)]
    failures: list[str] = []

    def work(offset: int) -> None:
        rotated = texts[offset:] + texts[:offset]
        failures.extend(text for text in rotated if deflate.unpack(deflate.pack(text)) != text)

    threads = [threading.Thread(target=work, args=(n * 50,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert Deflate().unpack(Deflate().pack("plain")) == "plain"
