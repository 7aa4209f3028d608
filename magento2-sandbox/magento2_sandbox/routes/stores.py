# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""Store structure (Magento_Store webapi.xml): plain arrays, no searchCriteria."""

from __future__ import annotations

from typing import Any

from magento2_sandbox.routing import Ctx, route


@route("GET", "/V1/store/storeViews")
def store_views(ctx: Ctx) -> list[dict[str, Any]]:
    return ctx.store.find("store_views")


@route("GET", "/V1/store/storeGroups")
def store_groups(ctx: Ctx) -> list[dict[str, Any]]:
    return ctx.store.find("store_groups")


@route("GET", "/V1/store/websites")
def websites(ctx: Ctx) -> list[dict[str, Any]]:
    return ctx.store.find("websites")
