# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
# ruff: noqa: INP001 - a script run by path, not a module of a package
"""Write samples/erp/*.jsonl: ERP-style records for `magento2-sandbox serve --seed 1 --orders 500`,
and samples/erp/postgres.sql: the same stock, invoices and shipments as ERP tables in PostgreSQL.

The SKUs, sources, order increment ids and company ids are read from such a store through its REST
API, so the samples name things that exist there. Run from the repository root:

    .venv/bin/python target-magento2/samples/generate_erp.py

Numbers stay JSON numbers, and no value looks like a date: tap-jsonl types fields from the values it
samples, and would turn a date-like string into a `date-time` field.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from magento2_rest import MagentoClient, MagentoSettings, SearchCriteria
from magento2_sandbox import Sandbox

HERE = Path(__file__).resolve().parent / "erp"


def write(name: str, records: list[dict[str, Any]]) -> None:
    HERE.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
    (HERE / f"{name}.jsonl").write_text(text, "utf-8")
    print(f"{HERE / name}.jsonl: {len(records)} records")  # noqa: T201


def everything(api: MagentoClient, route: str, sort: str = "entity_id") -> list[dict[str, Any]]:
    criteria = SearchCriteria().order_by(sort)
    return [item for page in api.iter_pages(route, criteria, 100) for item in page.items]


def top(order: dict[str, Any]) -> list[dict[str, Any]]:
    return [i for i in order.get("items") or [] if not i.get("parent_item_id")]


def main() -> None:
    with Sandbox(seed=1, orders=500) as sandbox:
        settings = MagentoSettings.from_config({"url": sandbox.url, **sandbox.credentials})
        with MagentoClient(settings) as api:
            build(api)
    write_postgres()


def build(api: MagentoClient) -> None:
    products = [p for p in everything(api, "/products") if p["type_id"] == "simple"]
    skus = [p["sku"] for p in products]
    write(
        "source_items",
        [
            {"sku": sku, "source_code": source, "quantity": 10 + (n * 7) % 90}
            for n, sku in enumerate(skus[:12])
            for source in ("default", "eu_warehouse")
        ]
        + [{"sku": skus[12], "source_code": "eu_warehouse", "quantity": 0, "status": 0}],
    )
    write(
        "stock_items",
        [{"sku": sku, "qty": 40 + n, "is_in_stock": True} for n, sku in enumerate(skus[13:18])]
        + [{"sku": skus[18], "qty": 0, "is_in_stock": False}],
    )
    write(
        "products",
        [
            {"sku": skus[0], "price": 24.9, "weight": 0.8},
            {
                "sku": skus[1],
                "price": 39.0,
                "custom_attributes": {"description": "Restocked in the spring range."},
            },
            {"sku": skus[2], "status": 2},
            {"sku": skus[3], "store_code": "fr", "name": "Article de saison"},
        ],
    )
    orders = everything(api, "/orders")
    fresh = [
        o
        for o in orders
        if o["state"] == "new"
        and all(not i.get("is_virtual") and not float(i.get("qty_invoiced") or 0) for i in top(o))
    ]
    invoices: list[dict[str, Any]] = []
    for n, order in enumerate(fresh[:8]):
        record: dict[str, Any] = {
            "order_increment_id": order["increment_id"],
            "reference": f"ERP-INV-{order['increment_id']}",
            "capture": False,
        }
        if n % 2:
            item = top(order)[0]
            record["items"] = [{"sku": item["sku"], "qty": float(item["qty_ordered"])}]
            record["comment"] = "Invoiced from the ERP"
        invoices.append(record)
    write("invoices", invoices)
    processing = [
        o
        for o in orders
        if o["state"] == "processing"
        and any(float(i.get("qty_shipped") or 0) < float(i["qty_ordered"]) for i in top(o))
        and all(not i.get("is_virtual") for i in top(o))
    ]
    shipments: list[dict[str, Any]] = []
    for n, order in enumerate(processing[:8]):
        record = {
            "order_increment_id": order["increment_id"],
            "reference": f"WMS-PARCEL-{order['increment_id']}",
            "tracks": [
                {
                    "track_number": f"1Z{int(order['entity_id']):08d}",
                    "carrier_code": "ups",
                    "title": "UPS Standard",
                }
            ],
            "notify": False,
        }
        if n % 4 == 1:  # a partial parcel: the first line only
            item = top(order)[0]
            left = float(item["qty_ordered"]) - float(item.get("qty_shipped") or 0)
            record["items"] = [{"sku": item["sku"], "qty": left}]
        shipments.append(record)
    write("shipments", shipments)
    on_hold, canceled, noted = fresh[8:11]
    write(
        "order_status",
        [
            {
                "order_increment_id": on_hold["increment_id"],
                "action": "hold",
                "comment": "Held: payment not cleared",
                "status": "holded",
                "reference": f"ERP-HOLD-{on_hold['increment_id']}",
            },
            {
                "order_increment_id": canceled["increment_id"],
                "action": "cancel",
                "comment": "Canceled: out of stock at the ERP",
                "reference": f"ERP-CANCEL-{canceled['increment_id']}",
            },
            {
                "order_increment_id": noted["increment_id"],
                "comment": "Customer called: deliver after 5 pm",
            },
            {
                "order_increment_id": processing[8]["increment_id"],
                "comment": "Picked in Lyon",
                "status": "processing",
                "is_visible_on_front": True,
            },
        ],
    )
    complete = [
        o
        for o in orders
        if o["state"] == "complete"
        and float(o.get("total_paid") or 0) > 0
        and not float(o.get("total_refunded") or 0)
    ]
    returned, whole, fee = complete[:3]
    write(
        "refunds",
        [
            {
                "order_increment_id": returned["increment_id"],
                "reference": f"ERP-RMA-{returned['increment_id']}",
                "items": [{"sku": top(returned)[0]["sku"], "qty": 1.0}],
                "return_to_stock": True,
                "shipping_amount": 0,
                "comment": "Returned: damaged in transit",
            },
            {
                "order_increment_id": whole["increment_id"],
                "reference": f"ERP-CM-{whole['increment_id']}",
            },
            {
                "order_increment_id": fee["increment_id"],
                "reference": f"ERP-RMA-{fee['increment_id']}",
                "items": [{"sku": top(fee)[0]["sku"], "qty": 1.0}],
                "shipping_amount": 0,
                "adjustment_negative": 5.0,
                "comment": "Returned: restocking fee",
            },
        ],
    )
    companies = everything(api, "/company/", sort="entity_id")
    company_credits = [api.get(f"/companyCredits/company/{c['id']}") for c in companies[:3]]
    write(
        "company_credits",
        [
            {
                "company_id": credit["company_id"],
                "credit_limit": float(credit.get("credit_limit") or 0) + 2500,
                "currency_code": credit["currency_code"],
                "exceed_limit": False,
                "balance_change": {
                    "value": 500 + 100 * n,
                    "operation_type": 4,
                    "comment": "Payment received",
                    "reference": f"ERP-PAY-{credit['company_id']:04d}",
                },
            }
            for n, credit in enumerate(company_credits)
        ],
    )
    write(
        "companies",
        [
            {"company_id": companies[0]["id"], "status": 1},
            {
                "company_id": companies[1]["id"],
                "telephone": "+1 555 0100",
                "vat_tax_id": "VAT-0042",
            },
        ],
    )


# samples/erp/postgres.sql: the tables `meltano run tap-postgres target-magento2` reads (their
# CREATE statements, kept by hand at the top of the file, say why each is shaped so), then the
# sample's rows, written here from the *.jsonl files.
POSTGRES = HERE / "postgres.sql"
FIRST_INSERT = "INSERT INTO"


def sql(value: Any) -> str:
    """A SQL literal: NULL, a number, a boolean, or a quoted string (lists and objects as jsonb)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return "'" + text.replace("'", "''") + "'"


def insert(table: str, records: list[dict[str, Any]], columns: list[str]) -> str:
    """One INSERT of the records' columns; a missing jsonb array (items, tracks) is []."""
    rows = [
        "("
        + ", ".join(sql(record.get(name, [] if name in JSONB else None)) for name in columns)
        + ")"
        for record in records
    ]
    return (
        f"{FIRST_INSERT} erp.{table} ({', '.join(columns)}) VALUES\n  " + ",\n  ".join(rows) + ";\n"
    )


JSONB = ("items", "tracks")


def write_postgres() -> None:
    """samples/erp/postgres.sql from the source items, invoices and shipments written above."""

    def read(name: str) -> list[dict[str, Any]]:
        return [json.loads(line) for line in (HERE / f"{name}.jsonl").read_text().splitlines()]

    invoices = read("invoices")
    lines = [
        {"reference": invoice["reference"], "line": line, **item}
        for invoice in invoices
        for line, item in enumerate(invoice.get("items", []), 1)
    ]
    schema = POSTGRES.read_text().split(FIRST_INSERT, 1)[0].rstrip("\n") + "\n"
    text = "\n".join(
        [
            schema,
            insert(
                "source_items", read("source_items"), ["sku", "source_code", "quantity", "status"]
            ),
            insert(
                "invoice_headers",
                invoices,
                ["reference", "order_increment_id", "capture", "comment"],
            ),
            insert("invoice_lines", lines, ["reference", "line", "sku", "qty"]),
            insert(
                "shipments",
                read("shipments"),
                ["reference", "order_increment_id", "notify", *JSONB],
            ),
        ]
    )
    POSTGRES.write_text(text, "utf-8")
    print(f"{POSTGRES}: source_items, invoices, shipments")  # noqa: T201


if __name__ == "__main__":
    main()
