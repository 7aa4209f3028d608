# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
"""Prices from an ERP price list: base, special and tier prices, many SKUs per request, through
Magento's price storage APIs (`POST /V1/products/base-prices|special-price|tier-prices`).

Each kind sets values, so a body may be sent again; still, the stored prices are read first
(`*-information`, many SKUs per request) and a record already in the store is already_done: a
replay sends no write. Magento saves the valid rows of a body and answers the failed ones
(PriceUpdateResultInterface[]: `message`, `parameters`), without saying which row each is: the
parameters name it - its SKU, store or website, group and quantity, always last and in that
order (Catalog/Model/Product/Price/Validation/TierPriceValidator.php, SpecialPriceStorage.php
addFailedItemPrice, BasePriceStorage.php retrieveValidPrices), and a base price's "Invalid
attribute %fieldName = %fieldValue." names the SKU or the price alone.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar

from target_magento2.sinks import ArraySink, Entry

if TYPE_CHECKING:
    from collections.abc import Sequence

# Skus per `*-information` read: an array of strings, which Magento's input limits do not count.
INFORMATION_CHUNK = 500
# Magento keeps prices as decimal(20,6) (catalog_product_entity_decimal, tier_price).
PRICE_DIGITS = 6
ALL_GROUPS = "all groups"
# A failure's parameters by placeholder -> the row field they name.
ROW_FIELDS = {
    "SKU": "sku",
    "storeId": "store_id",
    "websiteId": "website_id",
    "customerGroup": "customer_group",
    "qty": "quantity",
}
_PLACEHOLDER = re.compile(r"%([A-Za-z_]\w*)")


def _same(a: Any, b: Any) -> bool:
    """Values compared as Magento stores them: numbers to six places, text without case."""
    try:
        return round(float(a), PRICE_DIGITS) == round(float(b), PRICE_DIGITS)
    except (TypeError, ValueError):
        return str(a if a is not None else "").lower() == str(b if b is not None else "").lower()


def named_parameters(
    message: str, parameters: Sequence[Any], tail: Sequence[str]
) -> dict[str, Any]:
    """A failure's parameters by name. The message's own placeholders when they are all there
    are ("Invalid attribute %fieldName = %fieldValue."); otherwise the row's placeholders
    (`tail`) take the last ones and the message's other placeholders the first."""
    values = [str(v) for v in parameters]
    head = [p for p in dict.fromkeys(_PLACEHOLDER.findall(message)) if p not in tail]
    if len(head) == len(values):
        return dict(zip(head, values, strict=True))
    if len(values) < len(tail):
        return {str(i): v for i, v in enumerate(values, start=1)}
    lead = len(values) - len(tail)
    names = [*head, *(str(i) for i in range(1, lead + 1))][:lead] + list(tail)
    return dict(zip(names, values, strict=True))


def filled(message: str, names: dict[str, Any]) -> str:
    """The message with the placeholders its parameters name filled (Phrase::render)."""

    def value(match: re.Match[str]) -> str:
        return str(names.get(match[1], match[0]))

    return _PLACEHOLDER.sub(value, message)


def failure_fields(names: dict[str, Any]) -> dict[str, Any]:
    """The row fields a failure names: its row placeholders, or the field of %fieldName."""
    fields = {ROW_FIELDS[name]: value for name, value in names.items() if name in ROW_FIELDS}
    field_name = str(names.get("fieldName") or "").lower()
    if field_name in {"sku", "price"} and "fieldValue" in names:
        fields[field_name] = names["fieldValue"]
    return fields


class PriceSink(ArraySink):
    """A price kind: `{"prices": [...]}` bodies; per-row failures go back to their records."""

    array_field = "prices"
    MAX_SIZE_DEFAULT = 10000
    information_route: ClassVar[str]
    # The placeholders that end each failure's parameters: the row's identity.
    row_placeholders: ClassVar[tuple[str, ...]]
    # The fields of a row that are its value (the rest identify it).
    value_fields: ClassVar[tuple[str, ...]] = ("price",)

    def key(self, row: dict[str, Any]) -> tuple[Any, ...]:
        raise NotImplementedError

    def wave_key(self, entry: Entry) -> Any:
        # One row per request and wave: two rows with one key in a body are refused by the tier
        # prices' duplicate check, and the later record of a price list must land last.
        return self.key(self.item(entry))

    def route_label(self) -> str:
        return self.bulk_route if self.async_mode else f"POST /V1{self.array_route}"

    # ----------------------------------------------------------------------------- reading

    def stored(self, entries: list[Entry]) -> dict[tuple[Any, ...], dict[str, Any]]:
        """The store's rows for these records' SKUs, by key."""
        skus = sorted({str(entry.data["sku"]) for entry in entries})
        chunks = [skus[i : i + INFORMATION_CHUNK] for i in range(0, len(skus), INFORMATION_CHUNK)]
        answers = self.workers.map(
            lambda chunk: self.magento.request(
                "POST", self.information_route, json={"skus": chunk}, idempotent=True
            ),
            chunks,
        )
        return {
            self.key(row): row
            for answer in answers
            for row in answer or []
            if isinstance(row, dict)
        }

    def is_stored(self, row: dict[str, Any], stored: dict[tuple[Any, ...], dict[str, Any]]) -> bool:
        current = stored.get(self.key(row))
        return current is not None and all(
            _same(current.get(name), row[name]) for name in self.value_fields if name in row
        )

    def pending(self, entries: list[Entry]) -> list[Entry]:
        stored = self.stored(entries)
        todo = []
        for entry in entries:
            if self.is_stored(self.item(entry), stored):
                self.settle(entry, "already_done")
            else:
                todo.append(entry)
        return todo

    # ---------------------------------------------------------------------------- answers

    def settle_answer(self, part: list[Entry], answer: Any) -> None:
        """Each failure to the records it names; a failure naming none leaves the store to say
        (read back) which records of the body it was."""
        refused: dict[int, list[str]] = {}
        unplaced: list[str] = []
        for failure in answer if isinstance(answer, list) else []:
            if not isinstance(failure, dict):
                continue
            message = str(failure.get("message") or "")
            names = named_parameters(
                message, failure.get("parameters") or [], self.row_placeholders
            )
            text = filled(message, names)
            fields = failure_fields(names)
            matched = [
                entry
                for entry in part
                if fields and all(_same(self.item(entry).get(f), v) for f, v in fields.items())
            ]
            for entry in matched:
                refused.setdefault(id(entry), []).append(text)
            if not matched:
                unplaced.append(text)
        rest = [entry for entry in part if id(entry) not in refused]
        if unplaced and rest:
            stored = self.stored(rest)
            for entry in rest:
                if not self.is_stored(self.item(entry), stored):
                    refused[id(entry)] = unplaced
        for entry in part:
            if id(entry) in refused:
                self.refuse(entry, " ".join(dict.fromkeys(refused[id(entry)])), self.route_label())
            else:
                self.settle(entry, "written")


class BasePricesSink(PriceSink):
    """`POST /V1/products/base-prices {"prices": [{sku, price, store_id}]}`; the price moves the
    product's updated_at (PricePersistence::updateLastUpdatedAt)."""

    kind = "base_prices"
    array_route = "/products/base-prices"
    information_route = "/products/base-prices-information"
    row_placeholders = ("SKU", "storeId")

    def item(self, entry: Entry) -> dict[str, Any]:
        data = entry.data
        return {"sku": data["sku"], "price": data["price"], "store_id": data.get("store_id", 0)}

    def key(self, row: dict[str, Any]) -> tuple[Any, ...]:
        return (str(row.get("sku")).lower(), int(row.get("store_id") or 0))


class SpecialPricesSink(PriceSink):
    """`POST /V1/products/special-price {"prices": [{sku, price, store_id, price_from,
    price_to}]}`; a date left out keeps the stored one (ResourceModel/Product/Price/
    SpecialPrice::update writes only the dates given)."""

    kind = "special_prices"
    array_route = "/products/special-price"
    information_route = "/products/special-price-information"
    row_placeholders = ("SKU", "storeId", "priceFrom", "priceTo")
    value_fields = ("price", "price_from", "price_to")

    def item(self, entry: Entry) -> dict[str, Any]:
        data = entry.data
        row = {"sku": data["sku"], "price": data["price"], "store_id": data.get("store_id", 0)}
        row.update({name: data[name] for name in ("price_from", "price_to") if data.get(name)})
        return row

    def key(self, row: dict[str, Any]) -> tuple[Any, ...]:
        return (str(row.get("sku")).lower(), int(row.get("store_id") or 0))


class TierPricesSink(PriceSink):
    """`POST /V1/products/tier-prices {"prices": [{sku, price, price_type, website_id,
    customer_group, quantity}]}`: adds or updates the tiers named, keeps the others
    (TierPriceStorage::update; `PUT` would replace all of a product's tiers)."""

    kind = "tier_prices"
    array_route = "/products/tier-prices"
    information_route = "/products/tier-prices-information"
    row_placeholders = ("SKU", "websiteId", "customerGroup", "qty")
    value_fields = ("price", "price_type")

    def item(self, entry: Entry) -> dict[str, Any]:
        data = entry.data
        return {
            "sku": data["sku"],
            "price": data["price"],
            "price_type": data.get("price_type", "fixed"),
            "website_id": data.get("website_id", 0),
            "customer_group": data.get("customer_group", ALL_GROUPS),
            "quantity": data["quantity"],
        }

    def key(self, row: dict[str, Any]) -> tuple[Any, ...]:
        return (
            str(row.get("sku")).lower(),
            int(row.get("website_id") or 0),
            str(row.get("customer_group") or "").lower(),
            round(float(row.get("quantity") or 0), PRICE_DIGITS),
        )
