# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""Catalog's price storage APIs: base, special and tier prices of many SKUs per request.

`POST /V1/products/base-prices|special-price|tier-prices {"prices": [...]}` validate each row,
save the valid ones and answer the failed ones as PriceUpdateResultInterface[] (`message`,
`parameters`); `[]` when every row was saved (Catalog/Model/Product/Price/BasePriceStorage.php,
SpecialPriceStorage.php, TierPriceStorage.php, Validation/Result.php, TierPriceValidator.php).
The answer does not say which row failed: each failure's parameters name it (its SKU, store,
website, group, quantity), in the order the storage added them - Webapi's output drops the
array's keys (ServiceOutputProcessor::convertValue). `*-information {"skus": [...]}` answer the
stored rows; an unknown SKU is dropped (InvalidSkuProcessor::filterSkuList), not refused.

The catalog price scope is Global (catalog/price/scope = 0): base prices are saved on store 0
whatever store they name, special prices must name store 0, tier prices website 0. Only a base
price moves the product's updated_at (PricePersistence::updateLastUpdatedAt); special prices
(ResourceModel/Product/Price/SpecialPrice::update) and tier prices (TierPricePersistence) write
their tables alone.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import TYPE_CHECKING, Any

from magento2_sandbox.asyncbulk import body_of, fill, webapi_input
from magento2_sandbox.routes.catalog_write import change_product
from magento2_sandbox.routing import Ctx, route

if TYPE_CHECKING:
    from collections.abc import Callable

    from magento2_sandbox.store import Store

PRICE_STORAGE = "Magento\\Catalog\\Model\\Product\\Price\\"
# Customer/Api/GroupManagementInterface::CUST_GROUP_ALL: a tier price for all groups.
ALL_GROUPS_ID = 32000
ALL_GROUPS = "all groups"
FIXED = "fixed"
DISCOUNT = "discount"
# Product types that cannot sell fractions (their canUseQtyDecimals() is false).
NO_QTY_DECIMALS = frozenset({"configurable", "bundle", "grouped"})

SKU_FIELD = "Invalid attribute %fieldName = %fieldValue."
STORE_NOT_FOUND = "Requested store is not found. Row ID: SKU = %SKU, Store ID: %storeId."
SPECIAL_ROW = " Row ID: SKU = %SKU, Store ID: %storeId, Price From: %priceFrom, Price To: %priceTo."
DUPLICATE = (
    "We found a duplicate website, tier price, customer group and quantity: "
    "Customer Group = %customerGroup, Website ID = %websiteId, Quantity = %qty."
)
TIER_ROW = (
    " Row ID: SKU = %SKU, Website ID: %websiteId, Customer Group: %customerGroup, Quantity: %qty."
)

Failure = tuple[str, dict[str, Any]]


def _text(value: Any) -> str:
    """A value as PHP prints it: 5.0 as "5", None as ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _rendered(message: str, parameters: dict[str, Any]) -> str:
    """__($message, $parameters) cast to text: the placeholders filled as PHP prints values."""
    return fill(message, {name: _text(value) for name, value in parameters.items()})


def _number(value: Any) -> float | None:
    try:
        return None if value is None or isinstance(value, bool) else float(value)
    except (TypeError, ValueError):
        return None


def _rows(ctx: Ctx) -> list[dict[str, Any]]:
    return [row for row in body_of(ctx).get("prices") or [] if isinstance(row, dict)]


def _products(store: Store, skus: list[Any]) -> dict[str, dict[str, Any]]:
    found = {}
    for sku in {str(s) for s in skus if s}:
        docs = store.find("products", sku=sku)
        if docs:
            found[sku] = docs[0]
    return found


def _answer(failures: list[Failure]) -> list[dict[str, Any]]:
    """Validation/Result::getFailedItems: one item per failure, the parameters' values only."""
    return [
        {"message": message, "parameters": [_text(v) for v in parameters.values()]}
        for message, parameters in failures
    ]


def _store_exists(store: Store, store_id: Any) -> bool:
    number = _number(store_id)
    return number is not None and store.get("store_views", int(number)) is not None


def _update(
    ctx: Ctx,
    validate: Callable[[Store, list[dict[str, Any]]], dict[int, list[Failure]]],
    apply: Callable[[Store, dict[str, Any], dict[str, Any]], None],
    *,
    touch: bool,
) -> list[dict[str, Any]]:
    """The storages' update(): validate every row, save the valid ones - each applied to its
    product's global values - and answer the failures."""
    rows, store = _rows(ctx), ctx.store
    with store.transaction():
        failures = validate(store, rows)
        for index, row in enumerate(rows):
            if index not in failures:
                product = store.find("products", sku=str(row["sku"]))[0]
                change = functools.partial(apply, store, row)
                change_product(store, int(product["id"]), change, touch=touch)
    return _answer([f for found in failures.values() for f in found])


def _set_attribute(doc: dict[str, Any], code: str, value: str) -> None:
    attributes = [a for a in doc.get("custom_attributes") or [] if a.get("attribute_code") != code]
    doc["custom_attributes"] = [*attributes, {"attribute_code": code, "value": value}]


def _attribute(doc: dict[str, Any], code: str) -> Any:
    for attribute in doc.get("custom_attributes") or []:
        if attribute.get("attribute_code") == code:
            return attribute.get("value")
    return None


# -- base prices -------------------------------------------------------------------------------


def _base_failures(store: Store, rows: list[dict[str, Any]]) -> dict[int, list[Failure]]:
    """BasePriceStorage::retrieveValidPrices: SKU, price, store, in that order, per row."""
    products = _products(store, [row.get("sku") for row in rows])
    failures: dict[int, list[Failure]] = {}
    for index, row in enumerate(rows):
        sku, price = row.get("sku"), _number(row.get("price"))
        found: list[Failure] = []
        if not sku or str(sku) not in products:
            found.append((SKU_FIELD, {"fieldName": "SKU", "fieldValue": sku}))
        if price is None or price < 0:
            found.append((SKU_FIELD, {"fieldName": "Price", "fieldValue": row.get("price")}))
        if not _store_exists(store, row.get("store_id")):
            parameters = {"SKU": sku, "storeId": row.get("store_id")}
            # The message is rendered with the row's values; the SKU one keeps its placeholders.
            found.append((_rendered(STORE_NOT_FOUND, parameters), parameters))
        if found:
            failures[index] = found
    return failures


@route("POST", "/V1/products/base-prices")
@webapi_input(
    required=("prices",),
    service=PRICE_STORAGE + "BasePriceStorage\\Interceptor::update",
    arrays={"prices": "\\Magento\\Catalog\\Api\\Data\\BasePriceInterface"},
)
def update_base_prices(ctx: Ctx) -> list[dict[str, Any]]:
    return _update(ctx, _base_failures, _apply_base, touch=True)


def _apply_base(store: Store, row: dict[str, Any], doc: dict[str, Any]) -> None:
    _ = store
    # Price scope Global: the row is saved on store 0 whatever store it names.
    doc["price"] = float(row["price"])


@route("POST", "/V1/products/base-prices-information")
@webapi_input(required=("skus",), service=PRICE_STORAGE + "BasePriceStorage\\Interceptor::get")
def base_prices(ctx: Ctx) -> list[dict[str, Any]]:
    products = _products(ctx.store, list(body_of(ctx).get("skus") or []))
    return [
        {"price": float(doc.get("price") or 0), "store_id": 0, "sku": sku}
        for sku, doc in products.items()
        if doc.get("price") is not None
    ]


# -- special prices ----------------------------------------------------------------------------


def _date_ok(value: Any) -> bool:
    """SpecialPriceStorage::isCorrectDateValue: the value reads back as itself, Y-m-d H:i:s."""
    try:
        return datetime.strptime(str(value), "%Y-%m-%d %H:%M:%S").strftime(  # noqa: DTZ007
            "%Y-%m-%d %H:%M:%S"
        ) == str(value)
    except ValueError:
        return False


def _special_failures(store: Store, rows: list[dict[str, Any]]) -> dict[int, list[Failure]]:
    """SpecialPriceStorage::retrieveValidPrices: SKU, store, price, dates; every message ends
    with the row's SKU, store and dates and is rendered with them (addFailedItemPrice)."""
    products = _products(store, [row.get("sku") for row in rows])
    failures: dict[int, list[Failure]] = {}
    for index, row in enumerate(rows):
        tail = {
            "SKU": row.get("sku"),
            "storeId": row.get("store_id"),
            "priceFrom": row.get("price_from"),
            "priceTo": row.get("price_to"),
        }
        found: list[tuple[str, dict[str, Any]]] = []
        if not row.get("sku") or str(row["sku"]) not in products:
            found.append(
                (
                    "The product that was requested doesn't exist. Verify the product and try "
                    "again." + SPECIAL_ROW,
                    {},
                )
            )
        if _number(row.get("store_id")) != 0:
            found.append(
                ("Could not change non global Price when price scope is global." + SPECIAL_ROW, {})
            )
        if not _store_exists(store, row.get("store_id")):
            found.append(("Requested store is not found." + SPECIAL_ROW, {}))
        price = _number(row.get("price"))
        if price is None or price < 0:
            found.append(
                ("Invalid attribute Price = %price." + SPECIAL_ROW, {"price": row.get("price")})
            )
        for label, name in (("Price From", "price_from"), ("Price To", "price_to")):
            if row.get(name) and not _date_ok(row[name]):
                # Magento's message names %priceTo for both dates.
                found.append(
                    ("Invalid attribute %label = %priceTo." + SPECIAL_ROW, {"label": label})
                )
        if found:
            failures[index] = [
                (_rendered(message, {**first, **tail}), {**first, **tail})
                for message, first in found
            ]
    return failures


@route("POST", "/V1/products/special-price")
@webapi_input(
    required=("prices",),
    service=PRICE_STORAGE + "SpecialPriceStorage\\Interceptor::update",
    arrays={"prices": "\\Magento\\Catalog\\Api\\Data\\SpecialPriceInterface"},
)
def update_special_prices(ctx: Ctx) -> list[dict[str, Any]]:
    return _update(ctx, _special_failures, _apply_special, touch=False)


def _apply_special(store: Store, row: dict[str, Any], doc: dict[str, Any]) -> None:
    _ = store
    _set_attribute(doc, "special_price", f"{float(row['price']):.6f}")
    # SpecialPrice::update writes a date only when one is given: an empty one keeps the stored.
    for name, code in (("price_from", "special_from_date"), ("price_to", "special_to_date")):
        if row.get(name):
            _set_attribute(doc, code, str(row[name]))


@route("POST", "/V1/products/special-price-information")
@webapi_input(required=("skus",), service=PRICE_STORAGE + "SpecialPriceStorage\\Interceptor::get")
def special_prices(ctx: Ctx) -> list[dict[str, Any]]:
    products = _products(ctx.store, list(body_of(ctx).get("skus") or []))
    answer = []
    for sku, doc in products.items():
        value = _attribute(doc, "special_price")
        if value is None:
            continue
        answer.append(
            {
                "price": float(value),
                "store_id": 0,
                "sku": sku,
                "price_from": _attribute(doc, "special_from_date"),
                "price_to": _attribute(doc, "special_to_date"),
            }
        )
    return answer


# -- tier prices -------------------------------------------------------------------------------


def _group_id(store: Store, code: Any) -> int | None:
    """TierPriceValidator::retrieveGroupValue: the group by its code (case as MySQL compares)."""
    if str(code or "").lower() == ALL_GROUPS:
        return ALL_GROUPS_ID
    for group in store.find("customer_groups"):
        if str(group["code"]).lower() == str(code or "").lower():
            return int(group["id"])
    return None


def _stored_tiers(doc: dict[str, Any], sku: str, groups: dict[int, str]) -> list[dict[str, Any]]:
    """The product's tier prices as TierPriceFactory::create answers them."""
    tiers = []
    for tier in doc.get("tier_prices") or []:
        extension = tier.get("extension_attributes") or {}
        percentage = extension.get("percentage_value")
        group_id = int(tier["customer_group_id"])
        tiers.append(
            {
                "price": float(percentage if percentage is not None else tier["value"]),
                "price_type": DISCOUNT if percentage is not None else FIXED,
                "website_id": int(extension.get("website_id") or 0),
                "sku": sku,
                "customer_group": ALL_GROUPS if group_id == ALL_GROUPS_ID else groups[group_id],
                "quantity": float(tier["qty"]),
            }
        )
    return tiers


def _same_tier(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return str(a.get("customer_group") or "").lower() == str(
        b.get("customer_group") or ""
    ).lower() and _number(a.get("quantity")) == _number(b.get("quantity"))


def _tier_row(of: dict[str, Any]) -> dict[str, Any]:
    """The parameters that end every tier price failure: the row it is about."""
    return {
        "SKU": of.get("sku"),
        "websiteId": of.get("website_id"),
        "customerGroup": of.get("customer_group"),
        "qty": of.get("quantity"),
    }


def _tier_failures(store: Store, rows: list[dict[str, Any]]) -> dict[int, list[Failure]]:
    """TierPriceValidator::retrieveValidationResult, check by check; every message keeps its
    placeholders and ends with the row's SKU, website, group and quantity."""
    products = _products(store, [row.get("sku") for row in rows])
    groups = {int(g["id"]): str(g["code"]) for g in store.find("customer_groups")}
    existing = {sku: _stored_tiers(doc, sku, groups) for sku, doc in products.items()}
    failures: dict[int, list[Failure]] = {}
    for index, row in enumerate(rows):
        sku = str(row.get("sku") or "")
        product = products.get(sku)

        found: list[Failure] = []
        if product is None:
            found.append(("Invalid attribute SKU = %SKU." + TIER_ROW, _tier_row(row)))
        price, kind = _number(row.get("price")), row.get("price_type")
        if price is None or price < 0 or (kind == DISCOUNT and price > 100):  # noqa: PLR2004
            found.append(("Invalid attribute Price = %price." + TIER_ROW,
                          {"price": row.get("price"), **_tier_row(row)}))  # fmt: skip
        bundle = product is not None and product.get("type_id") == "bundle"
        if kind not in {FIXED, DISCOUNT} or (bundle and kind != DISCOUNT):
            found.append(("Invalid attribute Price Type = %priceType." + TIER_ROW,
                          {"priceType": kind, **_tier_row(row)}))  # fmt: skip
        qty = _number(row.get("quantity")) or 0.0
        decimals = product is not None and product.get("type_id") not in NO_QTY_DECIMALS
        if product is not None and (qty <= 0 or (qty < 1 and not decimals)):
            found.append(("Invalid attribute Quantity = %qty." + TIER_ROW, _tier_row(row)))
        website = _number(row.get("website_id"))
        if website is None or store.get("websites", int(website)) is None or website != 0:
            # Price scope Global: only website 0 (checkWebsite).
            found.append(("Invalid attribute Website ID = %websiteId." + TIER_ROW, _tier_row(row)))
        # checkUnique: the request's other rows of the sku on the same website (or one of them
        # on all websites, one base currency), then the stored rows when exactly one of the two
        # is on all websites. The parameters are the other row's.
        others = [
            r
            for r in rows
            if r is not row
            and str(r.get("sku") or "") == sku
            and (
                _number(r.get("website_id")) == website
                or 0 in {_number(r.get("website_id")), website}
            )
        ]
        others += [
            r
            for r in existing.get(sku, [])
            if 0 in {r["website_id"], website} and r["website_id"] != website
        ]
        found += [
            (DUPLICATE + TIER_ROW, _tier_row(other)) for other in others if _same_tier(other, row)
        ]
        if _group_id(store, row.get("customer_group")) is None:
            found.append(("No such entity with Customer Group = %customerGroup." + TIER_ROW,
                          _tier_row(row)))  # fmt: skip
        if found:
            failures[index] = found
    return failures


@route("POST", "/V1/products/tier-prices")
@webapi_input(
    required=("prices",),
    service=PRICE_STORAGE + "TierPriceStorage\\Interceptor::update",
    arrays={"prices": "\\Magento\\Catalog\\Api\\Data\\TierPriceInterface"},
)
def update_tier_prices(ctx: Ctx) -> list[dict[str, Any]]:
    return _update(ctx, _tier_failures, _apply_tier, touch=False)


def _apply_tier(store: Store, row: dict[str, Any], doc: dict[str, Any]) -> None:
    # TierPricePersistence::update: insert on duplicate of (product, all_groups, group,
    # qty, website); TierPriceFactory::createSkeleton keeps a discount as a percentage
    # (value 0) and a fixed price as the value.
    group_id = _group_id(store, row["customer_group"])
    qty = float(row["quantity"])
    price = float(row["price"])
    extension: dict[str, Any] = {"website_id": int(row["website_id"])}
    value = price
    if row["price_type"] == DISCOUNT:
        extension["percentage_value"] = price
        # Product/Type/Price::getTierPrices answers the discounted price as the value.
        value = round(float(doc.get("price") or 0) * (1 - price / 100), 6)
    tiers = [
        t
        for t in doc.get("tier_prices") or []
        if not (
            int(t["customer_group_id"]) == group_id
            and float(t["qty"]) == qty
            and int((t.get("extension_attributes") or {}).get("website_id") or 0)
            == extension["website_id"]
        )
    ]
    tiers.append({"customer_group_id": group_id, "qty": qty, "value": value,
                  "extension_attributes": extension})  # fmt: skip
    doc["tier_prices"] = tiers


@route("POST", "/V1/products/tier-prices-information")
@webapi_input(required=("skus",), service=PRICE_STORAGE + "TierPriceStorage\\Interceptor::get")
def tier_prices(ctx: Ctx) -> list[dict[str, Any]]:
    store = ctx.store
    groups = {int(g["id"]): str(g["code"]) for g in store.find("customer_groups")}
    products = _products(store, list(body_of(ctx).get("skus") or []))
    return [tier for sku, doc in products.items() for tier in _stored_tiers(doc, sku, groups)]
