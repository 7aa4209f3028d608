# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""Catalog reads: products (per store view), attributes, categories, legacy stock items."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from magento2_sandbox.errors import PRODUCT_NOT_FOUND, WebapiError
from magento2_sandbox.routes.customers import no_such_entity
from magento2_sandbox.routing import Ctx, RawJson, route

if TYPE_CHECKING:
    from magento2_sandbox.store import Store

# Catalog/Model/ProductRepository/MediaGalleryProcessor... ProductAttributeRepository::get
ATTRIBUTE_NOT_FOUND = (
    'The attribute with a "%1" attributeCode doesn\'t exist. Verify the attribute and try again.'
)


def product_id(store: Store, sku: str) -> int:
    """The product id of a sku, or Magento's 404 (ProductRepository::get)."""
    found = store.find("products", sku=sku)
    if not found:
        raise WebapiError(404, PRODUCT_NOT_FOUND)
    return int(found[0]["id"])


@route("GET", "/V1/products")
def search_products(ctx: Ctx) -> RawJson:
    # `/rest/{store_code}/V1/products` answers that store view's names and statuses.
    return ctx.search("products", store_code=ctx.store_code)


@route("GET", "/V1/products/{sku}")
def get_product(ctx: Ctx, sku: str) -> RawJson:
    return ctx.one(
        "products",
        product_id(ctx.store, sku),
        WebapiError(404, PRODUCT_NOT_FOUND),
        store_code=ctx.store_code,
    )


@route("GET", "/V1/products/attributes")
def search_product_attributes(ctx: Ctx) -> RawJson:
    return ctx.search("product_attributes")


@route("GET", "/V1/products/attributes/{attributeCode}")
def get_product_attribute(ctx: Ctx, attributeCode: str) -> dict[str, Any]:  # noqa: N803
    found = ctx.store.find("product_attributes", attribute_code=attributeCode)
    if not found:
        raise WebapiError(404, ATTRIBUTE_NOT_FOUND, [attributeCode])
    return found[0]


@route("GET", "/V1/stockItems/{productSku}")
def get_stock_item(ctx: Ctx, productSku: str) -> dict[str, Any]:  # noqa: N803
    found = ctx.store.find("stock_items", product_id=product_id(ctx.store, productSku))
    if not found:
        raise WebapiError(404, PRODUCT_NOT_FOUND)
    return found[0]


@route("GET", "/V1/categories/list")
def search_categories(ctx: Ctx) -> RawJson:
    return ctx.search("categories", store_code=ctx.store_code)


@route("GET", "/V1/categories/{categoryId}")
def get_category(ctx: Ctx, categoryId: str) -> RawJson:  # noqa: N803
    return ctx.one(
        "categories", categoryId, no_such_entity("id", categoryId), store_code=ctx.store_code
    )


@route("GET", "/V1/categories")
def category_tree(ctx: Ctx) -> dict[str, Any]:
    """Catalog/Model/CategoryManagement::getTree(rootCategoryId, depth)."""
    categories = {doc["id"]: doc for doc in ctx.store.find("categories")}
    root = int(ctx.query.get("rootCategoryId") or 2)
    depth = ctx.query.get("depth")
    if root not in categories:
        raise no_such_entity("id", str(root))
    counts: dict[int, int] = {}
    for product in ctx.store.find("products"):
        for link in product.get("extension_attributes", {}).get("category_links", []):
            key = int(link["category_id"])
            counts[key] = counts.get(key, 0) + 1

    def node(category_id: int, level: int) -> dict[str, Any]:
        doc = categories[category_id]
        children = [int(c) for c in str(doc.get("children") or "").split(",") if c]
        below = [] if depth is not None and level >= int(depth) else children
        return {
            "id": category_id,
            "parent_id": doc["parent_id"],
            "name": doc["name"],
            "is_active": doc["is_active"],
            "position": doc["position"],
            "level": doc["level"],
            "product_count": counts.get(category_id, 0),
            "children_data": [node(child, level + 1) for child in below if child in categories],
        }

    return node(root, 0)
