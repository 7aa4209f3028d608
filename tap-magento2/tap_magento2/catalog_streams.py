# Copyright 2026 The tap-magento2 authors. Licensed under the Apache License, Version 2.0.
"""The catalog: products (per store view), product attributes, categories."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, ClassVar

from magento2_rest import SearchCriteria

from tap_magento2.client import FullTableStream
from tap_magento2.customer_streams import custom_attributes_by_code
from tap_magento2.deletions import DeletionCheckedStream

if TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

# JSON types of product attribute values, from Magento's attribute metadata. Values arrive as
# strings in custom_attributes (Framework/Api/AttributeValue); these say what they hold.
BOOLEAN_INPUTS = frozenset({"boolean"})
NUMBER_BACKENDS = frozenset({"decimal"})
INTEGER_BACKENDS = frozenset({"int"})
# Multiple choices come as a comma list (multiselect) or an array (category_ids).
LIST_ATTRIBUTES = frozenset({"category_ids"})


def attribute_schema(attribute: dict[str, Any]) -> dict[str, Any]:
    """The JSON schema of one product attribute's value, from its metadata."""
    code = attribute.get("attribute_code")
    frontend = attribute.get("frontend_input")
    backend = attribute.get("backend_type")
    schema: dict[str, Any]
    if code in LIST_ATTRIBUTES:
        schema = {"type": ["array", "null"], "items": {"type": ["string"]}}
    elif frontend in BOOLEAN_INPUTS:
        schema = {"type": ["boolean", "null"]}
    elif backend in NUMBER_BACKENDS:
        schema = {"type": ["number", "null"]}
    elif backend in INTEGER_BACKENDS and frontend != "multiselect":
        schema = {"type": ["integer", "null"]}
    else:
        schema = {"type": ["string", "null"]}
    label = attribute.get("default_frontend_label")
    if isinstance(label, str) and label:
        schema["description"] = label
    return schema


def convert(value: Any, schema: dict[str, Any]) -> Any:
    """A custom attribute value (a string from Magento) as the type its schema says."""
    kinds = schema.get("type") or []
    if value is None or value == "":
        return None
    if "array" in kinds:
        return [str(item) for item in value] if isinstance(value, list) else [str(value)]
    text = ",".join(str(item) for item in value) if isinstance(value, list) else str(value)
    if "boolean" in kinds:
        return text.strip().lower() in {"1", "true", "yes"}
    scalar: type[int | float] | None = (
        int if "integer" in kinds else float if "number" in kinds else None
    )
    if scalar is None:
        return text
    try:
        return scalar(text.strip())
    except ValueError:
        # Not what the metadata says: the raw value stays in custom_attributes.
        return None


class ProductsStream(DeletionCheckedStream):
    """GET /V1/products, once per store view in store_codes, with a bookmark per store view.

    Product values (name, price, status...) differ per store view, so a record's key is
    (id, store_code). An EAV collection: filtered and sorted by entity_id, answering `id`.
    """

    name = "products"
    route = "/products"
    primary_keys = ("id", "store_code")
    derived_fields: ClassVar = {
        "custom_attributes_by_code": "custom_attributes",
        "store_code": None,
    }

    @property
    def partitions(self) -> list[dict[str, Any]]:
        return [{"store_code": code} for code in self.magento_tap.store_codes]

    def required_fields(self) -> set[str]:
        return {"id", "updated_at"}

    def type_custom_attributes(self) -> None:
        """Type custom_attributes_by_code from GET /V1/products/attributes (on discovery)."""
        criteria = SearchCriteria().order_by("attribute_id", "ASC")
        properties: dict[str, Any] = {}
        for page in self.offset_pages(ProductAttributesStream.route, criteria):
            for attribute in page.items:
                code = attribute.get("attribute_code")
                if isinstance(code, str):
                    properties[code] = attribute_schema(attribute)
        schema = copy.deepcopy(self.schema)
        by_code = schema["properties"]["custom_attributes_by_code"]
        by_code["properties"] = properties
        self._schema = schema
        self._metadata = None
        self._mask = None
        self.logger.info(
            "products: custom_attributes_by_code typed from %d attributes", len(properties)
        )

    def shape(self, record: dict[str, Any], context: Context | None) -> dict[str, Any]:
        record = super().shape(record, context)
        if context is not None:
            record["store_code"] = context["store_code"]
        values = custom_attributes_by_code(record)
        typed = (
            self.effective_schema.get("properties", {})
            .get("custom_attributes_by_code", {})
            .get("properties")
        )
        if values is not None and typed:
            values = {
                code: convert(value, typed[code]) if code in typed else value
                for code, value in values.items()
            }
        record["custom_attributes_by_code"] = values
        return record


class ProductAttributesStream(FullTableStream):
    name = "product_attributes"
    route = "/products/attributes"
    primary_keys = ("attribute_id",)


class CategoriesStream(DeletionCheckedStream):
    """GET /V1/categories/list: an EAV collection, filtered by entity_id, answering `id`."""

    name = "categories"
    route = "/categories/list"
    primary_keys = ("id",)
