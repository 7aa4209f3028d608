# Copyright 2026 The magento2-rest authors. Licensed under the Apache License, Version 2.0.
"""Magento's searchCriteria, as an immutable value that renders to query parameters.

Filters inside one group are ORed, groups are ANDed, and that is all Magento can express
(Magento\\Framework\\Api\\SearchCriteria\\CollectionProcessor\\FilterProcessor).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Literal, get_args

__all__ = ["ConditionType", "Direction", "Filter", "SearchCriteria"]

ConditionType = Literal[
    "eq",
    "neq",
    "gt",
    "gteq",
    "lt",
    "lteq",
    "in",
    "nin",
    "like",
    "nlike",
    "null",
    "notnull",
    "from",
    "to",
    "finset",
    "nfinset",
    "moreq",
]
Direction = Literal["ASC", "DESC"]
Scalar = str | int | float | Decimal
FilterValue = Scalar | Sequence[Scalar] | None

# Magento sorts the signed query keys with PHP's natural order (strnatcmp), oauthlib with byte
# order; they disagree once an index of 10 or more sits beside 2-9 (`[10]` vs `[2]`), and the
# signature is then refused. Keeping every index below 10 makes both orders the same.
MAX_INDEX = 10

_CONDITIONS = frozenset(get_args(ConditionType))
_LIST_CONDITIONS = frozenset({"in", "nin", "finset", "nfinset"})
_VALUELESS = frozenset({"null", "notnull"})


def _scalar(value: Scalar) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


@dataclass(frozen=True)
class Filter:
    """One filter: `Filter("updated_at", "gteq", "2025-01-01 00:00:00")`.

    A sequence value (for `in`, `nin`) is sent as Magento's comma list; `null` and `notnull`
    take no value.
    """

    field: str
    condition_type: ConditionType = "eq"
    value: FilterValue = None

    def __post_init__(self) -> None:
        if not isinstance(self.field, str) or not self.field:
            raise ValueError(f"Filter field {self.field!r} must be a non-empty string")
        if self.condition_type not in _CONDITIONS:
            raise ValueError(
                f"Filter condition_type {self.condition_type!r} is not one of Magento's: "
                f"{', '.join(sorted(_CONDITIONS))}"
            )
        if self.value is None and self.condition_type not in _VALUELESS:
            raise ValueError(f"Filter on {self.field!r} with {self.condition_type!r} needs a value")
        if (
            isinstance(self.value, Sequence)
            and not isinstance(self.value, str)
            and self.condition_type not in _LIST_CONDITIONS
        ):
            raise ValueError(
                f"Filter on {self.field!r}: a list value needs condition_type in, nin, finset "
                f"or nfinset, not {self.condition_type!r}"
            )

    @property
    def wire_value(self) -> str | None:
        """The value as Magento reads it: text, a comma list, or None (no value sent)."""
        if self.value is None:
            return None
        if isinstance(self.value, Sequence) and not isinstance(self.value, str):
            return ",".join(_scalar(item) for item in self.value)
        return _scalar(self.value)


@dataclass(frozen=True)
class SearchCriteria:
    """An immutable searchCriteria; every method returns a new one.

    `SearchCriteria().where("updated_at", "gteq", t).order_by("entity_id", "ASC").page(100)`
    """

    filter_groups: tuple[tuple[Filter, ...], ...] = ()
    sort_orders: tuple[tuple[str, Direction], ...] = ()
    page_size: int | None = None
    current_page: int | None = None

    def __post_init__(self) -> None:
        if len(self.filter_groups) > MAX_INDEX:
            raise ValueError(
                f"searchCriteria: {len(self.filter_groups)} filter groups, at most {MAX_INDEX}: "
                "Magento and OAuth order indexes of 10+ differently, which breaks the signature"
            )
        for group in self.filter_groups:
            if not group:
                raise ValueError("searchCriteria: a filter group needs at least one filter")
            if len(group) > MAX_INDEX:
                raise ValueError(
                    f"searchCriteria: {len(group)} filters in one group, at most {MAX_INDEX}: "
                    "Magento and OAuth order indexes of 10+ differently; use condition_type "
                    "'in' with a list instead"
                )
        if len(self.sort_orders) > MAX_INDEX:
            raise ValueError(f"searchCriteria: {len(self.sort_orders)} sort orders, at most 10")
        for field, direction in self.sort_orders:
            if direction not in get_args(Direction):
                raise ValueError(f"sort direction {direction!r} on {field!r} is not ASC or DESC")
        if self.page_size is not None and (isinstance(self.page_size, bool) or self.page_size < 1):
            raise ValueError(f"searchCriteria pageSize {self.page_size!r} must be 1 or more")
        if self.current_page is not None and (
            isinstance(self.current_page, bool) or self.current_page < 1
        ):
            raise ValueError(f"searchCriteria currentPage {self.current_page!r} must be 1 or more")

    def where(
        self, field: str, condition_type: ConditionType = "eq", value: FilterValue = None
    ) -> SearchCriteria:
        """Add a group of one filter: ANDed with the other groups."""
        return self.any_of(Filter(field, condition_type, value))

    def any_of(self, *filters: Filter) -> SearchCriteria:
        """Add one group whose filters are ORed; the group is ANDed with the others."""
        return replace(self, filter_groups=(*self.filter_groups, tuple(filters)))

    def order_by(self, field: str, direction: Direction = "ASC") -> SearchCriteria:
        """Add a sort order. Magento sorts DESC unless told ASC, so the direction is always sent."""
        return replace(self, sort_orders=(*self.sort_orders, (field, direction)))

    def page(self, size: int, current: int = 1) -> SearchCriteria:
        return replace(self, page_size=size, current_page=current)

    def to_params(self) -> list[tuple[str, str]]:
        """Query pairs, keys as Magento reads them (`searchCriteria[filter_groups][0]...`)."""
        pairs: list[tuple[str, str]] = []
        for i, group in enumerate(self.filter_groups):
            for j, item in enumerate(group):
                prefix = f"searchCriteria[filter_groups][{i}][filters][{j}]"
                pairs.append((f"{prefix}[field]", item.field))
                value = item.wire_value
                if value is not None:
                    pairs.append((f"{prefix}[value]", value))
                pairs.append((f"{prefix}[condition_type]", item.condition_type))
        for k, (field, direction) in enumerate(self.sort_orders):
            pairs.append((f"searchCriteria[sortOrders][{k}][field]", field))
            pairs.append((f"searchCriteria[sortOrders][{k}][direction]", direction))
        if self.page_size is not None:
            pairs.append(("searchCriteria[pageSize]", str(self.page_size)))
        if self.current_page is not None:
            pairs.append(("searchCriteria[currentPage]", str(self.current_page)))
        if not pairs:
            # Search routes refuse a missing searchCriteria ("%fieldName is a required field.",
            # magento2 #11022); an empty one means "everything" (magento2 #6494).
            pairs.append(("searchCriteria", ""))
        return pairs
