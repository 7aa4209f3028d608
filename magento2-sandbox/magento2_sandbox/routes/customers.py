# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""Customer reads (Magento_Customer webapi.xml)."""

from __future__ import annotations

from magento2_sandbox.errors import WebapiError
from magento2_sandbox.routing import Ctx, RawJson, route

# Framework/Exception/NoSuchEntityException.php singleField()
NO_SUCH_ENTITY = "No such entity with %fieldName = %fieldValue"


def no_such_entity(field: str, value: str) -> WebapiError:
    return WebapiError(404, NO_SUCH_ENTITY, {"fieldName": field, "fieldValue": value})


@route("GET", "/V1/customers/search")
def search_customers(ctx: Ctx) -> RawJson:
    return ctx.search("customers")


@route("GET", "/V1/customers/{customerId}")
def get_customer(ctx: Ctx, customerId: str) -> RawJson:  # noqa: N803 - Magento's name
    return ctx.one("customers", customerId, no_such_entity("customerId", customerId))


@route("GET", "/V1/customerGroups/search")
def search_customer_groups(ctx: Ctx) -> RawJson:
    return ctx.search("customer_groups")


@route("GET", "/V1/customerGroups/default")
def default_customer_group(ctx: Ctx) -> RawJson:
    return ctx.one("customer_groups", 1, no_such_entity("id", "1"))


@route("GET", "/V1/customerGroups/{id}")
def get_customer_group(ctx: Ctx, id: str) -> RawJson:  # noqa: A002
    return ctx.one("customer_groups", id, no_such_entity("id", id))
