"""README.md, "The sandbox": what `magento2-sandbox serve --seed 1 --orders 500` holds."""

from __future__ import annotations

from collections.abc import Callable

from magento2_sandbox import Sandbox


def test_seed_one_holds_what_the_readme_says(sandbox_factory: Callable[..., Sandbox]) -> None:
    store = sandbox_factory(seed=1, orders=500).control
    counts = {
        kind: len(store.truth(kind))
        for kind in (
            "orders", "customers", "customer_groups", "products", "categories",
            "inventory_sources", "source_items", "companies", "store_views",
        )
    }  # fmt: skip
    assert counts == {
        "orders": 500,
        "customers": 125,
        "customer_groups": 4,
        "products": 50,
        "categories": 14,
        "inventory_sources": 3,
        "source_items": 75,
        "companies": 6,
        "store_views": 3,
    }
    assert {row["id"] for row in store.truth("inventory_sources")} == {
        "default", "eu_warehouse", "us_warehouse",
    }  # fmt: skip
    skus = {store.entity("products", row["id"])["sku"] for row in store.truth("products")}
    assert {"SH00001", "SH00001-M-Black", "TA00049"} <= skus
