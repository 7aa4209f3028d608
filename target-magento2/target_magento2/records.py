# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
"""The record kinds the target writes: their published schemas, stream-name routing, validation."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
from magento2_rest.timestamps import to_magento

KINDS = (
    "source_items",
    "stock_items",
    "products",
    "invoices",
    "shipments",
    "company_credits",
    "companies",
    "order_status",
    "customers",
    "base_prices",
    "special_prices",
    "tier_prices",
    "refunds",
)


@cache
def kind_schema(kind: str) -> dict[str, Any]:
    """The published JSON schema of a kind (target_magento2/schemas/<kind>.json)."""
    text = (
        resources.files("target_magento2")
        .joinpath("schemas")
        .joinpath(f"{kind}.json")
        .read_text("utf-8")
    )
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator(kind: str) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(kind_schema(kind))


def resolve_kind(stream_name: str, routes: dict[str, str]) -> str | None:
    """The kind a stream writes to: `stream_routes` first, then the default stream names."""
    if stream_name in routes:
        return routes[stream_name]
    return stream_name if stream_name in KINDS else None


def to_plain(value: Any) -> Any:
    """JSON values Magento accepts: the SDK parses date-time strings into datetimes and numbers
    into Decimals; undo that.

    Magento stores and compares times as UTC `Y-m-d H:i:s` (see FACTS.md, Time).
    """
    if isinstance(value, datetime):
        # An offset the source gave must not be dropped: Magento's times are UTC.
        return to_magento(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        # The SDK reads JSON numbers with a fraction as Decimal; Magento's JSON wants numbers.
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    return value


def clean_record(record: dict[str, Any]) -> dict[str, Any]:
    """The record without Singer metadata (`_sdc_*`) and without nulls (null = not given)."""
    return {
        key: to_plain(value)
        for key, value in record.items()
        if not key.startswith("_sdc_") and value is not None
    }


def field_path(path: Any) -> str:
    """`items[0].qty` from jsonschema's absolute path."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(record)"


def schema_problem(kind: str, record: dict[str, Any]) -> tuple[str, str] | None:
    """(field, reason) of the first way `record` breaks its kind's schema, or None."""
    error = jsonschema.exceptions.best_match(_validator(kind).iter_errors(record))
    if error is None:
        return None
    return field_path(error.absolute_path), error.message


def unknown_fields(kind: str, record: dict[str, Any]) -> list[str]:
    """Top-level fields the kind does not use (ignored with a warning), except for products."""
    schema = kind_schema(kind)
    if schema.get("additionalProperties") is True:
        return []
    return sorted(set(record) - set(schema["properties"]))
