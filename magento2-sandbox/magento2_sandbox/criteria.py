# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""searchCriteria as Magento reads it from a query string, and the echo it sends back."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_plus

from magento2_sandbox.errors import WebapiError

CONDITION_TYPES = frozenset(
    {
        "eq", "neq", "gt", "gteq", "lt", "lteq", "in", "nin", "like", "nlike",
        "null", "notnull", "from", "to", "finset", "nfinset", "moreq",
    }
)  # fmt: skip

_KEY_PART = re.compile(r"\[([^\]]*)\]")
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


@dataclass(frozen=True)
class Filter:
    field: str
    value: str | None
    condition_type: str = "eq"


@dataclass
class Criteria:
    """Filters within a group are ORed, groups are ANDed (FilterProcessor in Framework/Api)."""

    filter_groups: list[list[Filter]] = field(default_factory=list)
    sort_orders: list[tuple[str, str]] = field(default_factory=list)
    page_size: int | None = None
    current_page: int | None = None

    def echo(self) -> dict[str, Any]:
        """The `search_criteria` of an answer; 2.4.4+ leaves page_size out (magento2 #35310)."""
        answer: dict[str, Any] = {
            "filter_groups": [
                {
                    "filters": [
                        {"field": f.field, "value": f.value, "condition_type": f.condition_type}
                        for f in group
                    ]
                }
                for group in self.filter_groups
            ]
        }
        if self.sort_orders:
            answer["sort_orders"] = [
                {"field": name, "direction": direction} for name, direction in self.sort_orders
            ]
        if self.current_page is not None:
            answer["current_page"] = self.current_page
        return answer


def parse_query_string(query_string: str) -> dict[str, str]:
    """Decode a query string the way PHP fills $_GET: `+` is a space, later keys win."""
    answer: dict[str, str] = {}
    for pair in query_string.split("&"):
        if not pair:
            continue
        key, _, value = pair.partition("=")
        answer[unquote_plus(key)] = unquote_plus(value)
    return answer


def nest(query: dict[str, str]) -> dict[str, Any]:
    """`a[b][0][c]=v` -> {"a": {"b": {"0": {"c": "v"}}}} keeping the order of appearance."""
    root: dict[str, Any] = {}
    for key, value in query.items():
        head, _, rest = key.partition("[")
        parts = [head, *_KEY_PART.findall("[" + rest)] if rest else [head]
        node = root
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {}
                node[part] = child
            node = child
        node[parts[-1]] = value
    return root


def snake(name: str) -> str:
    return _CAMEL.sub("_", name).lower()


def _snake_keys(node: Any) -> Any:
    if isinstance(node, dict):
        return {snake(key): _snake_keys(value) for key, value in node.items()}
    return node


def _integer(value: Any) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        # Framework/Reflection/TypeProcessor.php refuses a value of the wrong type this way.
        raise WebapiError(
            400,
            'The "%value" value\'s type is invalid. The "%type" type was expected. '
            "Verify and try again.",
            {"value": str(value), "type": "int"},
        ) from None


def _filter(item: Any) -> Filter | None:
    if not isinstance(item, dict) or not item.get("field"):
        return None
    condition = str(item.get("condition_type") or "eq").lower()
    if condition not in CONDITION_TYPES:
        # Framework/DB/Adapter/Pdo/Mysql.php prepareSqlCondition ignores unknown keys;
        # Magento then builds a broken query. Refuse it clearly instead.
        raise WebapiError(
            400,
            'Invalid value of "%value" provided for the %fieldName field.',
            {"value": condition, "fieldName": "condition_type"},
        )
    value = item.get("value")
    return Filter(str(item["field"]), value if isinstance(value, str) else None, condition)


def _groups(groups: Any) -> list[list[Filter]]:
    answer = []
    for group in groups.values() if isinstance(groups, dict) else []:
        filters = group.get("filters") if isinstance(group, dict) else None
        parsed = [
            f for f in map(_filter, filters.values() if isinstance(filters, dict) else []) if f
        ]
        if parsed:
            answer.append(parsed)
    return answer


def _sorts(sorts: Any) -> list[tuple[str, str]]:
    answer = []
    for sort in sorts.values() if isinstance(sorts, dict) else []:
        if isinstance(sort, dict) and sort.get("field"):
            given = sort.get("direction")
            # Framework/Api/SortOrder.php validates a given direction (any case); without one,
            # CollectionProcessor/SortingProcessor.php sorts DESC.
            if given is not None and str(given).upper() not in {"ASC", "DESC"}:
                raise WebapiError(
                    400,
                    "The sort order has to be specified as %1 for ascending order or %2 for "
                    "descending order.",
                    ["ASC", "DESC"],
                )
            direction = "ASC" if str(given or "").upper() == "ASC" else "DESC"
            answer.append((str(sort["field"]), direction))
    return answer


def parse(query: dict[str, str], root: str = "searchCriteria") -> Criteria:
    """Read `searchCriteria[...]` keys; camelCase and snake_case names are both accepted
    (Framework/Webapi/ServiceInputProcessor converts them to the same setters)."""
    tree = nest(query).get(root)
    if not isinstance(tree, dict):
        return Criteria()
    tree = _snake_keys(tree)
    criteria = Criteria(
        filter_groups=_groups(tree.get("filter_groups")),
        sort_orders=_sorts(tree.get("sort_orders")),
    )
    if "page_size" in tree:
        criteria.page_size = _integer(tree["page_size"])
    if "current_page" in tree:
        criteria.current_page = _integer(tree["current_page"])
    return criteria
