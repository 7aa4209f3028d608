# Copyright 2026 The tap-magento2 authors. Licensed under the Apache License, Version 2.0.
"""Generate tap_magento2/schemas/*.json from Adobe's REST schema (Swagger 2.0).

Run once when the schema changes, and commit the output: a user's clone has no
../shared/magento, so the tap ships the generated files.

    python scripts/generate_schemas.py ../../shared/magento/admin-schema-2.4.7.json

Every property is nullable except the stream's key properties (Magento sends null for
unset columns), nested objects are kept, `extension_attributes` stay open to the
fields a store's modules add, and a `$ref` that recurses is cut to an open object.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

OUT_DIR = Path(__file__).resolve().parents[1] / "tap_magento2" / "schemas"

# stream -> (definition of one record, key properties, top-level timestamps to mark date-time)
STREAMS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "orders": ("sales-data-order-interface", ("entity_id",), ("created_at", "updated_at")),
    "order_items": (
        "sales-data-order-item-interface",
        ("item_id",),
        ("created_at", "updated_at"),
    ),
    "invoices": ("sales-data-invoice-interface", ("entity_id",), ("created_at", "updated_at")),
    "shipments": ("sales-data-shipment-interface", ("entity_id",), ("created_at", "updated_at")),
    "creditmemos": (
        "sales-data-creditmemo-interface",
        ("entity_id",),
        ("created_at", "updated_at"),
    ),
    "customers": ("customer-data-customer-interface", ("id",), ("created_at", "updated_at")),
    "customer_groups": ("customer-data-group-interface", ("id",), ()),
    "products": (
        "catalog-data-product-interface",
        ("id", "store_code"),
        ("created_at", "updated_at"),
    ),
    "product_attributes": ("catalog-data-product-attribute-interface", ("attribute_id",), ()),
    "categories": ("catalog-data-category-interface", ("id",), ("created_at", "updated_at")),
    "store_views": ("store-data-store-interface", ("id",), ()),
    "store_groups": ("store-data-group-interface", ("id",), ()),
    "websites": ("store-data-website-interface", ("id",), ()),
    "inventory_sources": ("inventory-api-data-source-interface", ("source_code",), ()),
    "inventory_stocks": ("inventory-api-data-stock-interface", ("stock_id",), ()),
    "source_items": ("inventory-api-data-source-item-interface", ("sku", "source_code"), ()),
    "companies": ("company-data-company-interface", ("id",), ()),
    "company_credits": ("company-credit-data-credit-data-interface", ("id",), ()),
}

# Properties the tap adds to Magento's records (documented in the README).
EXTRA_PROPERTIES: dict[str, dict[str, dict[str, Any]]] = {
    "order_items": {
        "order_updated_at": {
            "type": ["string", "null"],
            "format": "date-time",
            "description": "updated_at of the order this item came with (the stream's bookmark).",
        },
    },
    "products": {
        "store_code": {
            "type": ["string"],
            "description": "Store view code the product was read in (values are per store view).",
        },
        "custom_attributes_by_code": {
            "type": ["object", "null"],
            "additionalProperties": True,
            "description": "custom_attributes as an object keyed by attribute_code.",
        },
    },
    "customers": {
        "custom_attributes_by_code": {
            "type": ["object", "null"],
            "additionalProperties": True,
            "description": "custom_attributes as an object keyed by attribute_code.",
        },
    },
}

# Adobe types custom attribute values as strings, but Magento sends arrays for some
# (category_ids, multiselects on some versions): Framework/Api/AttributeValue holds mixed.
CUSTOM_ATTRIBUTE_VALUE = {"type": ["string", "array", "null"], "items": {"type": "string"}}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    kind = schema.get("type")
    if isinstance(kind, str):
        schema["type"] = [kind, "null"]
    elif isinstance(kind, list) and "null" not in kind:
        schema["type"] = [*kind, "null"]
    return schema


class Converter:
    def __init__(self, definitions: dict[str, Any]) -> None:
        self.definitions = definitions

    def definition(self, name: str, stack: tuple[str, ...]) -> dict[str, Any]:
        source = self.definitions[name]
        if name in stack:
            # A tree (category children_data): cut the recursion, keep the data.
            return {"type": ["object", "null"], "additionalProperties": True}
        properties = {
            key: self.property(value, (*stack, name), key)
            for key, value in source.get("properties", {}).items()
        }
        result: dict[str, Any] = {"type": ["object", "null"], "properties": properties}
        if name.endswith("-extension-interface"):
            # Every module may add extension attributes: keep those Adobe lists, accept others.
            result["additionalProperties"] = True
        if source.get("description"):
            result["description"] = source["description"]
        return result

    def property(self, source: dict[str, Any], stack: tuple[str, ...], key: str) -> dict[str, Any]:
        if "$ref" in source:
            name = source["$ref"].rsplit("/", 1)[-1]
            if name == "framework-attribute-interface":
                return {
                    "type": ["object", "null"],
                    "properties": {
                        "attribute_code": {"type": ["string", "null"]},
                        "value": dict(CUSTOM_ATTRIBUTE_VALUE),
                    },
                }
            return self.definition(name, stack)
        kind = source.get("type")
        result: dict[str, Any]
        if kind == "array":
            result = {
                "type": ["array", "null"],
                "items": self.property(source["items"], stack, key),
            }
        elif kind == "object":
            result = {"type": ["object", "null"], "additionalProperties": True}
        elif kind in {"string", "integer", "number", "boolean"}:
            result = {"type": [kind, "null"]}
        else:
            msg = f"unexpected Swagger type {kind!r} for {key} in {stack[-1]}"
            raise ValueError(msg)
        if source.get("description"):
            result["description"] = source["description"]
        return result


def stream_schema(converter: Converter, stream: str) -> dict[str, Any]:
    definition, keys, timestamps = STREAMS[stream]
    schema = converter.definition(definition, ())
    schema["type"] = "object"
    properties = schema["properties"]
    properties.update(EXTRA_PROPERTIES.get(stream, {}))
    for name in keys:
        properties[name]["type"] = [t for t in properties[name]["type"] if t != "null"]
    for name in timestamps:
        properties[name]["format"] = "date-time"
        properties[name]["description"] = (
            properties[name].get("description", "") + " (UTC, ISO 8601; Magento's Y-m-d H:i:s)."
        ).strip()
    return schema


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("admin_schema", type=Path, help="path of admin-schema-2.4.7.json")
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    args = parser.parse_args(argv)
    definitions = json.loads(args.admin_schema.read_text(encoding="utf-8"))["definitions"]
    converter = Converter(definitions)
    args.out.mkdir(parents=True, exist_ok=True)
    for stream in STREAMS:
        text = json.dumps(stream_schema(converter, stream), indent=1, sort_keys=False)
        (args.out / f"{stream}.json").write_text(text + "\n", encoding="utf-8")
    sys.stdout.write(f"wrote {len(STREAMS)} schemas to {args.out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
