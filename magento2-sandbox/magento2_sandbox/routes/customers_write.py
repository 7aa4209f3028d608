# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""Customer writes: `DELETE /V1/customers/{customerId}` (Customer/Model/ResourceModel/
CustomerRepository.php deleteById, answering true)."""

from __future__ import annotations

from magento2_sandbox.routes.customers import no_such_entity
from magento2_sandbox.routing import Ctx, route


@route("DELETE", "/V1/customers/{customerId}")
def delete_customer(ctx: Ctx, customerId: str) -> bool:  # noqa: N803 - Magento's name
    store = ctx.store
    with store.transaction():
        if store.get("customers", customerId) is None:
            # CustomerRepository::getById: NoSuchEntityException::singleField('customerId', ..)
            raise no_such_entity("customerId", customerId)
        store.delete("customers", customerId)
    return True
