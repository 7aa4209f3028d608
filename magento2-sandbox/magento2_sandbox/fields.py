# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""The `fields` query parameter, applied as Framework/Webapi/Rest/Response/FieldsFilter.php does:
`items[entity_id,items[sku]],total_count` keeps those keys; lists apply the filter to each
element; a malformed filter gives an empty answer."""

from __future__ import annotations

import re
from typing import Any

_ALLOWED = re.compile(r"^[\w\[\],]+$")

Tree = dict[str, Any]


def parse(text: str) -> Tree | None:  # noqa: C901 - FieldsFilter::parse, step by step
    if not text or not _ALLOWED.match(text):
        return None
    current: Tree = {}
    stack: list[Tree] = []
    parents: list[str | None] = []
    element: str | None = None
    start = 0
    for position, char in enumerate(text):
        if char in "[],":
            if position > start:
                element = text[start:position]
                current[element] = True
            start = position + 1
        if char == "[":
            parents.append(element)
            stack.append(current)
            current = {}
        elif char == "]":
            if not stack:
                return None
            nested = current
            current = stack.pop()
            parent = parents.pop()
            if parent is not None:
                current[parent] = nested
    if stack:
        return None
    if start != len(text):
        current[text[start:]] = True
    return current


def apply(response: Any, tree: Tree) -> Any:
    if isinstance(response, list):
        return [_intersect(item, tree) if isinstance(item, dict) else item for item in response]
    if isinstance(response, dict):
        return _intersect(response, tree)
    return response


def _intersect(document: dict[str, Any], tree: Tree) -> dict[str, Any]:
    kept = {key: value for key, value in document.items() if key in tree}
    for key, value in kept.items():
        if isinstance(value, (dict, list)) and isinstance(tree[key], dict):
            kept[key] = apply(value, tree[key])
    return kept


def filter_answer(response: Any, text: str) -> Any:
    if not isinstance(response, (dict, list)):
        return response
    tree = parse(text)
    if tree is None:
        return []
    return apply(response, tree)
