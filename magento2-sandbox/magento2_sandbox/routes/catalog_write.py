# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""Product writes: `POST /V1/products` (create or update by sku) and `PUT /V1/products/{sku}`
(Catalog/Model/ProductRepository.php save()), scoped by the store code of the URL.

An update changes only the fields sent; custom_attributes merge by attribute_code. Through
`/rest/{store_view}/...` the store view's values change: store-scoped attributes (name,
status, visibility, description, url_key...) only there, global ones (sku, price with the
default price scope, weight, color, size...) everywhere. ProductRepository::save takes the
store id of the URL's store code (StoreManager::getStore()), so `default` - and `/rest/V1/`,
which is the default store view - is store view 1 like any other: its store-scoped values
become overrides of that view (magento2 #9186, #17284, #7612, #4952). Only `all` (store 0)
saves the global values. A read through a view shows its override, else the global value.
The answer is the saved product as that store view shows it; updated_at moves.
"""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Any

from magento2_sandbox.asyncbulk import body_of, webapi_input
from magento2_sandbox.errors import WebapiError
from magento2_sandbox.routes.catalog import product_id
from magento2_sandbox.routes.customers import no_such_entity
from magento2_sandbox.routing import Ctx, RawJson, route

if TYPE_CHECKING:
    from collections.abc import Callable

    from magento2_sandbox.store import Store

SERVICE = "Magento\\Catalog\\Model\\ProductRepository\\Interceptor::save"
# The product's arrays of data objects (Catalog/Api/Data/ProductInterface.php).
PRODUCT_ARRAYS = {
    "product.custom_attributes": "\\Magento\\Framework\\Api\\AttributeInterface",
    "product.product_links": "\\Magento\\Catalog\\Api\\Data\\ProductLinkInterface",
    "product.options": "\\Magento\\Catalog\\Api\\Data\\ProductCustomOptionInterface",
    "product.media_gallery_entries": (
        "\\Magento\\Catalog\\Api\\Data\\ProductAttributeMediaGalleryEntryInterface"
    ),
    "product.tier_prices": "\\Magento\\Catalog\\Api\\Data\\ProductTierPriceInterface",
    "product.extension_attributes.category_links": (
        "\\Magento\\Catalog\\Api\\Data\\CategoryLinkInterface"
    ),
}
# Eav/Model/Entity/Attribute/Backend/AbstractBackend.php validate() (the Sku backend names the
# attribute by its code, the others by their label).
EMPTY_ATTRIBUTE = 'The "%1" attribute value is empty. Set the attribute and try again.'
GLOBAL_STORE_CODES = frozenset({"", "all", "admin"})
# Fields of the product entity itself, never store-scoped.
ENTITY_FIELDS = frozenset({"id", "sku", "type_id", "attribute_set_id", "created_at", "updated_at",
                           "extension_attributes", "product_links", "options",
                           "media_gallery_entries", "tier_prices"})  # fmt: skip
# Catalog price scope is Global by default (catalog/price/scope = 0), so price is global even
# though its attribute is declared website-scoped.
GLOBAL_ATTRIBUTES = frozenset({"price", "special_price", "cost"})
DEFAULT_ATTRIBUTE_SET = 4
DEFAULT_WEBSITE = 1


def _scoped(store_code: str | None) -> bool:
    return (store_code or "") not in GLOBAL_STORE_CODES


def _attribute_scopes(store: Store) -> dict[str, str]:
    return {
        str(attribute["attribute_code"]): str(attribute.get("scope") or "store")
        for attribute in store.find("product_attributes")
    }


def _is_global(name: str, scopes: dict[str, str]) -> bool:
    if name in ENTITY_FIELDS or name in GLOBAL_ATTRIBUTES:
        return True
    return scopes.get(name, "store") == "global"


def change_product(
    store: Store,
    product_id: int,
    change: Callable[[dict[str, Any]], None],
    *,
    touch: bool,
) -> None:
    """Change a product's global values. Each store view's version is a whole document: it
    takes the new global value of every field it does not override (a field it overrides
    differs from the global value it had before)."""
    with store.transaction():
        base_text = store.get_json("products", product_id)
        if base_text is None:
            return
        base = json.loads(base_text)
        # Every version follows, one equal to the global document too (a store view's save
        # that changed only global fields leaves one): it takes the change whole.
        versions = {
            code: json.loads(text)
            for code, text in store.scoped_versions("products", product_id).items()
        }
        # Parsing the text again is the cheap deep copy (a stock save's main cost otherwise).
        before = json.loads(base_text) if versions else base
        change(base)
        saved = store.put("products", base, touch=touch)
        for code, version in versions.items():
            followed = _follow(before, saved, version)
            # A store view's save sets the global updated_at to the version's own.
            followed["updated_at"] = saved.get("updated_at")
            store.put("products", followed, touch=False, store_code=code)


def _follow(
    before: dict[str, Any], after: dict[str, Any], version: dict[str, Any]
) -> dict[str, Any]:
    """The store view's version after a global change from `before` to `after`. It shares the
    values it takes from `after`, not copies: change_product only serializes it (copying them
    was a third of a source item's save)."""
    result = dict(version)
    for name in (set(before) | set(after)) - {"custom_attributes", "updated_at"}:
        if version.get(name) == before.get(name):
            if name in after:
                result[name] = after[name]
            else:
                result.pop(name, None)
    old = {a.get("attribute_code"): a for a in before.get("custom_attributes") or []}
    new = {a.get("attribute_code"): a for a in after.get("custom_attributes") or []}
    mine = {a.get("attribute_code"): a for a in version.get("custom_attributes") or []}
    merged = []
    for code in [*new, *(code for code in mine if code not in new)]:
        if code in mine and mine[code] != old.get(code):
            merged.append(mine[code])  # the store view's own value
        elif code in new:
            merged.append(new[code])
    result["custom_attributes"] = merged
    return result


def _merge_custom_attributes(
    current: list[dict[str, Any]], changes: list[Any]
) -> list[dict[str, Any]]:
    merged = [dict(item) for item in current if isinstance(item, dict)]
    index = {item.get("attribute_code"): position for position, item in enumerate(merged)}
    for item in changes:
        if not isinstance(item, dict) or not item.get("attribute_code"):
            continue
        code = item["attribute_code"]
        if code in index:
            merged[index[code]] = {**merged[index[code]], **item}
        else:
            index[code] = len(merged)
            merged.append(dict(item))
    return merged


def _apply(doc: dict[str, Any], changes: dict[str, Any], keep: Callable[[str], bool]) -> None:
    """Merge the fields of `changes` that `keep` accepts into a product document."""
    for name, value in changes.items():
        if name in {"id", "created_at", "updated_at"}:
            continue
        if name == "custom_attributes":
            wanted = [item for item in value or [] if isinstance(item, dict)]
            wanted = [item for item in wanted if keep(str(item.get("attribute_code")))]
            doc["custom_attributes"] = _merge_custom_attributes(
                doc.get("custom_attributes") or [], wanted
            )
        elif name == "extension_attributes" and isinstance(value, dict):
            if keep(name):
                extension = doc.setdefault("extension_attributes", {})
                for key, sub in value.items():
                    if key == "stock_item" and isinstance(sub, dict):
                        extension["stock_item"] = {**(extension.get("stock_item") or {}), **sub}
                    else:
                        extension[key] = copy.deepcopy(sub)
        elif keep(name):
            doc[name] = copy.deepcopy(value)


def _check_required(store: Store, doc: dict[str, Any]) -> None:
    if not str(doc.get("sku") or "").strip():
        raise WebapiError(400, EMPTY_ATTRIBUTE.replace("%1", "sku"))
    custom = {item.get("attribute_code") for item in doc.get("custom_attributes") or []}
    for attribute in store.find("product_attributes"):
        code = attribute["attribute_code"]
        if not attribute.get("is_required") or code == "sku":
            continue
        value = doc.get(code)
        if (value is None or value == "") and code not in custom:
            label = attribute.get("default_frontend_label") or code
            raise WebapiError(400, EMPTY_ATTRIBUTE.replace("%1", str(label)))


def _new_product(store: Store, changes: dict[str, Any], now: str) -> dict[str, Any]:
    product_id = store.next_id("products")
    doc: dict[str, Any] = {
        "id": product_id,
        "sku": str(changes.get("sku") or ""),
        "attribute_set_id": DEFAULT_ATTRIBUTE_SET,
        "status": 1,
        "visibility": 4,
        "type_id": "simple",
        "created_at": now,
        "extension_attributes": {
            "website_ids": [DEFAULT_WEBSITE],
            "category_links": [],
            "stock_item": new_stock_item(product_id),
        },
        "product_links": [],
        "options": [],
        "media_gallery_entries": [],
        "tier_prices": [],
        "custom_attributes": [],
    }
    _apply(doc, changes, lambda _name: True)
    doc["extension_attributes"]["stock_item"]["product_id"] = product_id
    doc["extension_attributes"]["stock_item"]["item_id"] = product_id
    return doc


def new_stock_item(product_id: int) -> dict[str, Any]:
    """A product's legacy stock item before any quantity is set (cataloginventory_stock_item)."""
    return {
        "item_id": product_id, "product_id": product_id, "stock_id": 1, "qty": 0,
        "is_in_stock": False, "is_qty_decimal": False,
        "show_default_notification_message": False, "use_config_min_qty": True,
        "min_qty": 0, "use_config_min_sale_qty": 1, "min_sale_qty": 1,
        "use_config_max_sale_qty": True, "max_sale_qty": 10000, "use_config_backorders": True,
        "backorders": 0, "use_config_notify_stock_qty": True, "notify_stock_qty": 1,
        "use_config_qty_increments": True, "qty_increments": 0,
        "use_config_enable_qty_inc": True, "enable_qty_increments": False,
        "use_config_manage_stock": True, "manage_stock": True, "low_stock_date": None,
        "is_decimal_divided": False, "stock_status_changed_auto": 0,
    }  # fmt: skip


def save_product(ctx: Ctx, changes: dict[str, Any]) -> RawJson:
    """ProductRepository::save: update the product with this sku, or create it."""
    store = ctx.store
    sku = str(changes.get("sku") or "")
    code = ctx.store_code
    with store.transaction():
        found = store.find("products", sku=sku) if sku else []
        now = store.now()
        if not found:
            doc = _new_product(store, changes, now)
            _check_required(store, doc)
            store.put("products", doc)
            product_id = int(doc["id"])
            stock = doc["extension_attributes"]["stock_item"]
            store.put("stock_items", stock)
            if "stock_item" in (changes.get("extension_attributes") or {}):
                sync_default_source_item(store, sku, stock)
        else:
            product_id = int(found[0]["id"])
            scopes = _attribute_scopes(store)
            stock_change = (changes.get("extension_attributes") or {}).get("stock_item")

            def global_part(doc: dict[str, Any]) -> None:
                if _scoped(code):
                    _apply(doc, changes, lambda name: _is_global(name, scopes))
                else:
                    _apply(doc, changes, lambda _name: True)

            change_product(store, product_id, global_part, touch=True)
            if _scoped(code):
                version = store.get("products", product_id, code) or {}
                _apply(version, changes, lambda name: not _is_global(name, scopes))
                base = store.get("products", product_id) or {}
                # Global values stay shared: the version keeps the just saved ones.
                for name in ENTITY_FIELDS - {"updated_at"}:
                    if name in base:
                        version[name] = base[name]
                store.put("products", version, store_code=code)
            if isinstance(stock_change, dict):
                saved = store.get("products", product_id) or {}
                stock = (saved.get("extension_attributes") or {}).get("stock_item") or {}
                stock = {**stock, "product_id": product_id}
                store.put("stock_items", stock)
                sync_default_source_item(store, sku, stock)
        text = store.get_json("products", product_id, code if _scoped(code) else None)
    # ProductRepository::save answers get($sku, false, $storeId): the product as saved.
    return RawJson(text or "{}")


def sync_default_source_item(store: Store, sku: str, stock: dict[str, Any]) -> None:
    """With MSI, a legacy stock item save sets the default source's item
    (InventoryCatalog: the legacy stock item plugins keep `default` in step)."""
    if store.get("inventory_sources", "default") is None:
        return
    quantity = float(stock.get("qty") or 0)
    store.put(
        "source_items",
        {
            "sku": sku,
            "source_code": "default",
            "quantity": quantity,
            "status": 1 if stock.get("is_in_stock") else 0,
        },
    )


def _product_body(ctx: Ctx) -> dict[str, Any]:
    product = body_of(ctx).get("product")
    return dict(product) if isinstance(product, dict) else {}


@route("POST", "/V1/products")
@webapi_input(required=("product",), service=SERVICE, arrays=PRODUCT_ARRAYS)
def post_product(ctx: Ctx) -> RawJson:
    return save_product(ctx, _product_body(ctx))


@route("PUT", "/V1/products/{sku}")
@webapi_input(
    required=("product",),
    path_params={"sku": "product.sku"},
    service=SERVICE,
    arrays=PRODUCT_ARRAYS,
)
def put_product(ctx: Ctx, sku: str) -> RawJson:
    # Webapi/Controller/Rest/ParamsOverrider.php: the URL's sku replaces the body's (a sku
    # cannot be renamed, magento2 #3687, #30143); an unknown sku creates the product
    # (ProductRepository::save catches NoSuchEntityException, magento2 #8173).
    changes = _product_body(ctx)
    changes["sku"] = sku
    return save_product(ctx, changes)


@route("DELETE", "/V1/products/{sku}")
def delete_product(ctx: Ctx, sku: str) -> bool:
    """ProductRepository::deleteById: the product, its store view values and its legacy stock
    item go (cataloginventory_stock_item's foreign key cascades). MSI source items stay: they
    are cleaned up later by the `inventory.source.items.cleanup` queue, and only when
    cataloginventory/options/synchronize_with_catalog is on (magento/inventory,
    InventoryCatalog/Plugin/Catalog/Model/ResourceModel/Product/DeleteSourceItemsPlugin.php)."""
    store = ctx.store
    with store.transaction():
        found = product_id(store, sku)
        for stock in store.find("stock_items", product_id=found):
            store.delete("stock_items", stock["item_id"])
        store.delete("products", found)
    return True


# Catalog/Model/CategoryRepository.php delete(): any refusal becomes this StateException.
CATEGORY_NOT_DELETED = "Cannot delete category with id %1"


@route("DELETE", "/V1/categories/{categoryId}")
def delete_category(ctx: Ctx, categoryId: str) -> bool:  # noqa: N803 - Magento's name
    """CategoryRepository::deleteByIdentifier: the category and every category below it
    (Catalog/Model/ResourceModel/Category.php _beforeDelete, deleteChildren). The tree root and
    the root category of a store group are refused (Category::beforeDelete, isForbiddenToDelete)."""
    store = ctx.store
    with store.transaction():
        category = store.get("categories", categoryId)
        if category is None:
            raise no_such_entity("id", categoryId)
        roots = {group.get("root_category_id") for group in store.find("store_groups")}
        if not category.get("parent_id") or category["id"] in roots:
            raise WebapiError(400, CATEGORY_NOT_DELETED, [str(category["id"])])
        doomed = [category["id"]]
        for below in doomed:
            doomed += [child["id"] for child in store.find("categories", parent_id=below)]
        for key in doomed:
            store.delete("categories", key)
    return True
