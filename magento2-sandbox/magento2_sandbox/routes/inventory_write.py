# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""Stock writes: MSI `POST /V1/inventory/source-items` and the legacy single-source
`PUT /V1/products/{productSku}/stockItems/{itemId}`.

The two stay in step as Magento keeps them: the `default` source's item mirrors the legacy
stock item (InventoryCatalog's synchronisation plugins). Neither moves the product's
updated_at: source items and stock items live in their own tables, not in the product entity.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from magento2_sandbox.asyncbulk import as_int, body_of, webapi_input
from magento2_sandbox.errors import WebapiError
from magento2_sandbox.routes.catalog_write import (
    change_product,
    new_stock_item,
    sync_default_source_item,
)
from magento2_sandbox.routing import Ctx, route

if TYPE_CHECKING:
    from magento2_sandbox.store import Store

DEFAULT_SOURCE = "default"
STATUS_IN_STOCK = 1
STATUS_OUT_OF_STOCK = 0


def _numeric(value: Any) -> bool:
    """PHP's is_numeric: numbers and numeric strings."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    try:
        float(str(value).strip())
    except ValueError:
        return False
    return bool(str(value).strip())


def _source_item_errors(store: Store, item: dict[str, Any]) -> list[str]:
    """InventoryApi SourceItemValidatorChain as Inventory/etc/di.xml orders it: sku, source_code,
    quantity, status, existent_sku (Inventory/Model/SourceItem/Validator/*, messages filled)."""
    errors = []
    sku = str(item.get("sku") if item.get("sku") is not None else "")
    if not sku.strip():
        errors.append('"sku" can not be empty.')
    code = str(item.get("source_code") if item.get("source_code") is not None else "")
    if not code.strip():
        errors.append('"source_code" can not be empty.')
    elif any(char.isspace() for char in code):
        errors.append('"source_code" can not contain whitespaces.')
    if not _numeric(item.get("quantity")):
        errors.append('"quantity" should be numeric.')
    status = item.get("status")
    if not _numeric(status):
        # StatusValidator checks the status with IsNumericValue named "quantity".
        errors.append('"quantity" should be numeric.')
    if not _numeric(status) or int(float(str(status))) not in {
        STATUS_IN_STOCK,
        STATUS_OUT_OF_STOCK,
    }:
        errors.append('"status" should a known status.')
    if sku.strip() and not store.find_ids("products", sku=sku):
        errors.append(f'Product with requested "sku": "{sku}" was was not found.')
    return errors


@route("POST", "/V1/inventory/source-items")
@webapi_input(
    required=("sourceItems",),
    service="Magento\\Inventory\\Model\\SourceItem\\Command\\SourceItemsSave\\Interceptor::execute",
    void=True,
    arrays={"sourceItems": "\\Magento\\InventoryApi\\Api\\Data\\SourceItemInterface"},
)
def save_source_items(ctx: Ctx) -> list[Any]:
    items = [item for item in body_of(ctx).get("sourceItems") or [] if isinstance(item, dict)]
    store = ctx.store
    if not items:
        # Inventory/Model/SourceItem/Command/Handler/SourceItemsSaveHandler.php
        raise WebapiError(400, "Input data is empty")
    with store.transaction():
        for item in items:
            errors = _source_item_errors(store, item)
            if errors:
                # SourceItemsSaveHandler: 'Validation Failed: ' and the first error.
                raise WebapiError(400, "Validation Failed: " + errors[0])
        for item in items:
            if store.get("inventory_sources", str(item["source_code"])) is None:
                # The foreign key to inventory_source refuses the row: SaveMultiple fails
                # and SourceItemsSaveHandler answers CouldNotSaveException.
                raise WebapiError(400, "Could not save Source Item")
        for item in items:
            sku = str(item["sku"])
            quantity = float(item["quantity"])
            status = int(float(item["status"]))
            store.put(
                "source_items",
                {"sku": sku, "source_code": str(item["source_code"]),
                 "quantity": quantity, "status": status},
            )  # fmt: skip
            if item["source_code"] == DEFAULT_SOURCE:
                _legacy_from_source(store, sku, quantity, status)
    # SourceItemsSaveInterface::execute returns void: Magento answers [].
    return []


def _legacy_from_source(store: Store, sku: str, quantity: float, status: int) -> None:
    """The default source's item sets the legacy stock item's qty and is_in_stock."""
    found = store.find_ids("products", sku=sku)
    if not found:
        return
    product_id = int(found[0])
    stock = _stock_item(store, product_id)
    stock.update({"qty": quantity, "is_in_stock": status == STATUS_IN_STOCK})
    _save_stock_item(store, product_id, stock)


def _stock_item(store: Store, product_id: int) -> dict[str, Any]:
    found = store.find("stock_items", product_id=product_id)
    return dict(found[0]) if found else new_stock_item(product_id)


def _save_stock_item(store: Store, product_id: int, stock: dict[str, Any]) -> None:
    store.put("stock_items", stock)

    def embed(doc: dict[str, Any]) -> None:
        doc.setdefault("extension_attributes", {})["stock_item"] = dict(stock)

    # The product answers its stock item, but its updated_at stays.
    change_product(store, product_id, embed, touch=False)


def _verify_stock(stock: dict[str, Any]) -> None:
    """CatalogInventory/Model/StockItemRepository.php save(): with stock managed, a quantity at
    or below min_qty without backorders puts the item out of stock (and back in stock when it
    was taken out automatically and the quantity returns)."""
    if not stock.get("manage_stock", True):
        return
    qty = float(stock.get("qty") or 0)
    min_qty = float(stock.get("min_qty") or 0)
    in_stock = qty > min_qty or bool(stock.get("backorders"))
    if not in_stock:
        if stock.get("is_in_stock"):
            stock["stock_status_changed_auto"] = 1
        stock["is_in_stock"] = False
    elif stock.get("stock_status_changed_auto") and not stock.get("is_in_stock"):
        stock["is_in_stock"] = True
        stock["stock_status_changed_auto"] = 0


@route("PUT", "/V1/products/{productSku}/stockItems/{itemId}")
@webapi_input(
    required=("productSku", "stockItem"),
    integers=("itemId",),
    path_params={"productSku": None, "itemId": "stockItem.item_id"},
    service="Magento\\CatalogInventory\\Model\\StockRegistry\\Interceptor::updateStockItemBySku",
)
def update_stock_item(ctx: Ctx, productSku: str, itemId: str) -> int:  # noqa: N803
    changes = body_of(ctx).get("stockItem")
    changes = dict(changes) if isinstance(changes, dict) else {}
    store = ctx.store
    with store.transaction():
        found = store.find("products", sku=productSku)
        if not found:
            # CatalogInventory/Model/StockRegistry.php resolveProductId()
            raise WebapiError(404, 'Product with SKU "%1" does not exist', [productSku])
        product_id = int(found[0]["id"])
        current = _stock_item(store, product_id)
        if {**current, **changes} == current:
            # StockRegistry::updateStockItemBySku: nothing to change, the item id sent back.
            return as_int(changes.get("item_id", itemId))
        # The stored item keeps its id; the body's item_id (the URL's) is dropped.
        changes.pop("item_id", None)
        stock = {**current, **changes, "product_id": product_id}
        _verify_stock(stock)
        _save_stock_item(store, product_id, stock)
        sync_default_source_item(store, productSku, stock)
    return int(stock["item_id"])


# -- source deduction at shipment (magento/inventory InventoryShipping) -------------------------

# Sales/Model/ShipOrder.php execute(): any exception while saving the shipment - the source
# deduction runs in that transaction - is rolled back and answered with this message only.
SHIPMENT_NOT_SAVED = "Could not save a shipment, see error log for details"


def shipment_source_code(store: Store, body: dict[str, Any]) -> str | None:
    """The source a shipment deducts from on an MSI store (None: no MSI, nothing is deducted).

    `arguments.extension_attributes.source_code` when given (Sales ShipmentDocumentFactory's
    ExtensionAttributesProcessor copies it onto the shipment); otherwise InventoryShipping/Plugin/
    Sales/Shipment/AssignSourceCodeToShipmentPlugin.php afterCreate: the only source of the
    website's stock, else the default source. The sandbox's website stock (Default Stock) holds
    the default source alone, so both give `default`."""
    if not store.find("inventory_sources"):
        return None
    arguments = body.get("arguments")
    extension = arguments.get("extension_attributes") if isinstance(arguments, dict) else None
    code = extension.get("source_code") if isinstance(extension, dict) else None
    return str(code) if code else DEFAULT_SOURCE


def deduct_shipped(store: Store, source_code: str, shipped: list[tuple[str, float]]) -> None:
    """InventorySourceDeductionApi/Model/SourceDeductionService.php execute(): each shipped sku
    whose stock is managed loses the quantity on that source; a missing source item
    ("Source item not found by source code: %1 and sku: %2.", GetSourceItemBySourceCodeAndSku)
    or a quantity below zero ("Not all of your products are available in the requested
    quantity.") fails the shipment, which ShipOrder answers with SHIPMENT_NOT_SAVED."""
    # InventoryShipping/Model/GetItemsToDeductFromShipment.php: one deduction per sku.
    totals: dict[str, float] = {}
    for sku, qty in shipped:
        totals[sku] = totals.get(sku, 0.0) + qty
    changed = []
    for sku, qty in totals.items():
        products = store.find("products", sku=sku)
        stock = store.find("stock_items", product_id=products[0]["id"]) if products else []
        if stock and stock[0].get("manage_stock") is False:
            continue
        item = store.get("source_items", (sku, source_code))
        if item is None or float(item.get("quantity") or 0) - qty < 0:
            raise WebapiError(400, SHIPMENT_NOT_SAVED)
        quantity = float(item.get("quantity") or 0) - qty
        # getSourceStockStatus: out of stock once the quantity reaches min_qty (0) without
        # backorders; an item already out of stock stays so.
        status = int(item.get("status") or 0)
        if status != STATUS_OUT_OF_STOCK and quantity == 0:
            status = STATUS_OUT_OF_STOCK
        changed.append({**item, "quantity": quantity, "status": status})
    for item in changed:
        store.put("source_items", item)
