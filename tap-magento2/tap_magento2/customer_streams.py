# Copyright 2026 The tap-magento2 authors. Licensed under the Apache License, Version 2.0.
"""Customers and customer groups."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from tap_magento2.client import FullTableStream
from tap_magento2.deletions import DeletionCheckedStream

if TYPE_CHECKING:
    from singer_sdk.helpers.types import Context


def custom_attributes_by_code(record: dict[str, Any]) -> dict[str, Any] | None:
    """Magento's custom_attributes list as an object keyed by attribute_code."""
    attributes = record.get("custom_attributes")
    if not isinstance(attributes, list):
        return None
    return {
        item["attribute_code"]: item.get("value")
        for item in attributes
        if isinstance(item, dict) and isinstance(item.get("attribute_code"), str)
    }


class CustomersStream(DeletionCheckedStream):
    """GET /V1/customers/search: an EAV collection, filtered by entity_id, answering `id`."""

    name = "customers"
    route = "/customers/search"
    primary_keys = ("id",)
    derived_fields: ClassVar = {"custom_attributes_by_code": "custom_attributes"}

    def shape(self, record: dict[str, Any], context: Context | None) -> dict[str, Any]:
        record = super().shape(record, context)
        record["custom_attributes_by_code"] = custom_attributes_by_code(record)
        return record


class CustomerGroupsStream(FullTableStream):
    """GET /V1/customerGroups/search; `id` sorts as customer_group_id (Customer/etc/di.xml,
    GroupSortingProcessor fieldMapping)."""

    name = "customer_groups"
    route = "/customerGroups/search"
    primary_keys = ("id",)
