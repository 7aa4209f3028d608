# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""The route registry: `@route("GET", "/V1/orders")` binds a handler to a Magento route.

Route modules live in `magento2_sandbox/routes/`; the app imports every module there.
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from magento2_sandbox import criteria as criteria_module
from magento2_sandbox.errors import PRODUCT_NOT_FOUND, WebapiError, masked_internal_error
from magento2_sandbox.store import dumps

if TYPE_CHECKING:
    from magento2_sandbox.settings import Settings
    from magento2_sandbox.store import Store

Handler = Callable[..., Any]

# Webapi input limits (2.4.7, webapi/validation/*): Webapi/Controller/Rest/InputParamsResolver
# and Framework/Webapi/Validator/SearchCriteriaValidator.php.
MAX_PAGE_SIZE = 300
DEFAULT_PAGE_SIZE = 20


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    segments: tuple[str, ...]
    handler: Handler
    anonymous: bool = False

    @property
    def params(self) -> int:
        return sum(1 for part in self.segments if part.startswith("{"))


_ROUTES: list[Route] = []


def route(method: str, path: str, *, anonymous: bool = False) -> Callable[[Handler], Handler]:
    """Register a handler for METHOD and a path such as `/V1/order/{orderId}/invoice`;
    `anonymous` routes need no authentication (the admin token route)."""

    def register(handler: Handler) -> Handler:
        segments = tuple(part for part in path.strip("/").split("/") if part)
        _ROUTES.append(
            Route(method.upper(), "/" + "/".join(segments), segments, handler, anonymous)
        )
        return handler

    return register


def resolve(method: str, path: str) -> tuple[Handler, dict[str, str]] | None:
    """The handler and path parameters for METHOD and a path like `/V1/orders/5`.

    Magento's router trims slashes (`/V1/company/` is `/V1/company`); where a literal and a
    parameter both match (`/V1/products/attributes` and `/V1/products/{sku}`) the route with
    fewer parameters wins, as Webapi/Model/Rest/Config orders them.
    """
    found = match(method, path)
    return None if found is None else (found[0].handler, found[1])


def match(method: str, path: str | list[str]) -> tuple[Route, dict[str, str]] | None:
    """Like resolve(); `path` may be the decoded segments (a sku may hold an encoded `/`)."""
    load_routes()
    parts = path if isinstance(path, list) else [p for p in path.strip("/").split("/") if p]
    best: tuple[Route, dict[str, str]] | None = None
    for candidate in _ROUTES:
        if candidate.method != method.upper() or len(candidate.segments) != len(parts):
            continue
        params: dict[str, str] = {}
        for pattern, part in zip(candidate.segments, parts, strict=True):
            if pattern.startswith("{") and pattern.endswith("}"):
                params[pattern[1:-1]] = part
            elif pattern != part:
                break
        else:
            if best is None or candidate.params < best[0].params:
                best = (candidate, params)
    return best


def routes() -> list[Route]:
    load_routes()
    return list(_ROUTES)


_loaded = False
# Requests arrive at once from the start (a tap's workers): the first of them loads the routes
# while the others wait, so none meets a half-filled registry (a 404 for a route that exists).
_loading = threading.Lock()


def load_routes() -> None:
    """Import every module of magento2_sandbox.routes, and asyncbulk (the bulk status routes)."""
    global _loaded  # noqa: PLW0603 - one registry per process
    if _loaded:
        return
    with _loading:
        if _loaded:
            return
        from magento2_sandbox import routes as package  # noqa: PLC0415 - import cycle

        for info in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{info.name}")
        importlib.import_module("magento2_sandbox.asyncbulk")
        _loaded = True


@dataclass
class Ctx:
    """What a handler sees of one request."""

    store: Store
    settings: Settings
    method: str
    path: str
    body: Any = None
    query: dict[str, str] = field(default_factory=dict)
    store_code: str = "default"
    api: str = "V1"
    auth_kind: str = "none"
    sandbox: Any = None

    @property
    def fields(self) -> str | None:
        value = self.query.get("fields")
        return value or None

    def search_criteria(self) -> criteria_module.Criteria:
        """searchCriteria of the query, with the 2.4.7 input limits when they are on."""
        parsed = criteria_module.parse(self.query)
        too_big = parsed.page_size is not None and parsed.page_size > MAX_PAGE_SIZE
        if self.settings.input_limits and too_big:
            raise WebapiError(
                400, "Maximum SearchCriteria pageSize is %max", {"max": MAX_PAGE_SIZE}
            )
        return parsed

    def default_page_size(self) -> int | None:
        """With input limits on, a search without pageSize answers 20 items, not everything."""
        return DEFAULT_PAGE_SIZE if self.settings.input_limits else None

    def one(
        self, kind: str, key: Any, missing: WebapiError, *, store_code: str | None = None
    ) -> RawJson:
        """One stored document as it is, or `missing`: each repository words its 404 itself."""
        text = self.store.get_json(kind, key, store_code, visible=True)
        if text is None:
            raise missing
        unreadable = self.unreadable(kind)
        if unreadable is not None and str(key) in unreadable[0]:
            raise unreadable[1]
        return RawJson(text)

    def unreadable(self, kind: str) -> tuple[frozenset[str], WebapiError] | None:
        """The ids of `kind` no answer can hold (the `unreadable` setting) and their error."""
        ids = self.settings.unreadable.get(kind)
        if not ids:
            return None
        mode = self.settings.unreadable_error
        if mode == "404" or (mode == "auto" and kind == "orders"):
            # An order whose product was deleted: the repository's item loading fails on every
            # read that holds it, lists included (magento2 #7518).
            return frozenset(ids), WebapiError(404, PRODUCT_NOT_FOUND)
        return frozenset(ids), masked_internal_error()

    def search(self, kind: str, *, store_code: str | None = None) -> RawJson:
        """Answer a search route: `{"items": [...], "search_criteria": {...}, "total_count": N}`
        built from the stored JSON text without re-encoding the documents."""
        parsed = self.search_criteria()
        texts, total = self.store.search_json(
            kind,
            parsed,
            store_code=store_code,
            past_end_mode=self.settings.past_end_mode,
            default_page_size=self.default_page_size(),
            unreadable=self.unreadable(kind),
        )
        text = (
            '{"items":['
            + ",".join(texts)
            + '],"search_criteria":'
            + dumps(parsed.echo())
            + f',"total_count":{total}}}'
        )
        return RawJson(text, len(texts), total)


@dataclass(frozen=True)
class RawJson:
    """An answer already encoded as JSON text, with the number of items it carries and, for a
    search, the number of rows its filter matched (what the store's COUNT read)."""

    text: str
    item_count: int = 1
    matched: int = 0
