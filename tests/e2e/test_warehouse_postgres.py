"""README recipe "PostgreSQL": `meltano run tap-magento2 target-postgres` (MeltanoLabs'
target-postgres 0.8.1) into a throwaway PostgreSQL, twice, the store changed in between.

The second run loads exactly the rows the store changed (new and updated orders, a customer
renamed, a product deleted: the tap's deletion check), plus the rows of each stream's bookmark
second, which the inclusive bookmark reads again by design; every other row keeps the
`_sdc_batched_at` of the first run. The tables, their column types (from the tap's schemas) and
their primary keys are checked against PostgreSQL's catalog.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from magento2_sandbox import Sandbox
from magento2_sandbox.mutator import Mutator

from tests.e2e.conftest import Postgres
from tests.e2e.meltano_runner import ROOT, needs_meltano, run_meltano
from tests.sandbox.conftest import Api

pytestmark = needs_meltano

KEYS = {"orders": ["entity_id"], "customers": ["id"], "products": ["id", "store_code"]}
SCHEMAS = ROOT / "tap-magento2" / "tap_magento2" / "schemas"
# target-postgres 0.8.1's types for the tap's JSON Schema (target_postgres/connector.py,
# jsonschema_to_sql): integer -> bigint, number -> numeric, date-time -> TIMESTAMP (without time
# zone: the tap's values are UTC), object -> jsonb, array of objects -> jsonb[].
SDC_COLUMNS = {
    "_sdc_extracted_at": "timestamp without time zone",
    "_sdc_received_at": "timestamp without time zone",
    "_sdc_batched_at": "timestamp without time zone",
    "_sdc_deleted_at": "timestamp without time zone",
    "_sdc_sequence": "bigint",
    "_sdc_table_version": "bigint",
    "_sdc_sync_started_at": "bigint",
}


def postgres_type(prop: dict[str, Any]) -> str:
    kind = next(name for name in prop["type"] if name != "null")
    if kind == "array":
        return {"object": "jsonb[]", "string": "text[]", "integer": "bigint[]"}[
            next(name for name in prop["items"]["type"] if name != "null")
        ]
    if kind == "string" and prop.get("format") == "date-time":
        return "timestamp without time zone"
    return {"integer": "bigint", "number": "numeric", "string": "text", "boolean": "boolean",
            "object": "jsonb"}[kind]  # fmt: skip


def loaded(postgres: Postgres, database: str, stream: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    rows = postgres.rows(f'SELECT * FROM magento."{stream}"', database)
    return {tuple(row[key] for key in KEYS[stream]): row for row in rows}


def change_store(store: Sandbox) -> dict[str, set[tuple[Any, ...]]]:
    """Update orders by a mass action, create orders, rename a customer (the sandbox's mutator,
    one step at a time), delete a product (REST); answer the warehouse keys each changed."""
    updated = store.control.mass_update("orders", count=4)["ids"]
    orders = Mutator(store.store, rate_per_s=1, kinds=["orders"], create_ratio=1.0, seed=1)
    customers = Mutator(store.store, rate_per_s=1, kinds=["customers"], create_ratio=0.0, seed=2)
    for _ in range(3):
        orders.step()
    customers.step()
    created = orders.report()["created"]["orders"]
    renamed = customers.report()["touched"]["customers"]
    product = store.control.entity("products", store.control.truth("products")[0]["id"])
    api = Api(store)
    deleted = requests.delete(api.url(f"/products/{product['sku']}"), auth=api.auth, timeout=30)
    assert deleted.json() is True
    assert len(created) == 3
    assert len(renamed) == 1
    return {
        "orders": {(key,) for key in [*updated, *created]},
        "customers": {(key,) for key in renamed},
        "products": {(product["id"], "default")},
    }


def test_second_run_loads_exactly_the_changed_rows(
    tmp_path: Path, postgres: Postgres, sandbox_factory: Callable[..., Sandbox]
) -> None:
    store = sandbox_factory(seed=7, orders=40, customers=12, products=10)
    database = postgres.create_database(f"warehouse_{uuid.uuid4().hex[:8]}")
    env = {
        **postgres.plugin_env("TARGET_POSTGRES", database),
        "TAP_MAGENTO2__SELECT": json.dumps([f"{stream}.*" for stream in KEYS]),
        "TAP_MAGENTO2_STORE_CODES": json.dumps(["default"]),
        "TAP_MAGENTO2_DELETION_CHECK_STREAMS": json.dumps(["products"]),
        "TAP_MAGENTO2_DELETION_CHECK_INTERVAL_HOURS": "0",
    }
    run_meltano(tmp_path, store, "run", "tap-magento2", "target-postgres", env=env)
    first = {stream: loaded(postgres, database, stream) for stream in KEYS}
    truth = {stream: store.control.truth(stream) for stream in KEYS}
    assert len(first["orders"]) == len(truth["orders"])
    assert len(first["customers"]) == len(truth["customers"])
    assert len(first["products"]) == len(truth["products"])
    # The rows of each stream's last second: the bookmark, which the next run starts from (gteq).
    boundary = {
        stream: {
            key
            for key, row in rows.items()
            if row["updated_at"] == max(other["updated_at"] for other in rows.values())
        }
        for stream, rows in first.items()
    }
    first_batch = max(row["_sdc_batched_at"] for rows in first.values() for row in rows.values())

    changed = change_store(store)
    run_meltano(tmp_path, store, "run", "tap-magento2", "target-postgres", env=env)
    second = {stream: loaded(postgres, database, stream) for stream in KEYS}
    for stream, rows in second.items():
        brought = {key for key, row in rows.items() if row["_sdc_batched_at"] > first_batch}
        assert brought == changed[stream] | boundary[stream], stream
        assert len(brought) < len(rows), stream  # not a full re-read
        # Every other row is the first run's, untouched.
        assert {key: row for key, row in rows.items() if key not in brought} == {
            key: row for key, row in first[stream].items() if key not in brought
        }, stream
    assert set(second["orders"]) == {(row["id"],) for row in store.control.truth("orders")}
    (customer,) = changed["customers"]
    assert (
        second["customers"][customer]["lastname"]
        == store.control.entity("customers", customer[0])["lastname"]
    )
    assert second["customers"][customer]["lastname"] != first["customers"][customer]["lastname"]
    # The deleted product's row is marked by the deletion check and keeps its values.
    marked = {key for key, row in second["products"].items() if row["_sdc_deleted_at"]}
    assert marked == changed["products"]

    # Tables, column types and primary keys as PostgreSQL holds them.
    columns = postgres.rows(
        "SELECT c.relname AS table_name, a.attname AS column_name,"
        " format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a"
        " JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'magento' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped",
        database,
    )
    for stream in KEYS:
        schema = json.loads((SCHEMAS / f"{stream}.json").read_text())["properties"]
        expected = {name: postgres_type(prop) for name, prop in schema.items()} | SDC_COLUMNS
        held = {row["column_name"]: row["type"] for row in columns if row["table_name"] == stream}
        assert held == expected, stream
    assert {row["table_name"] for row in columns} == set(KEYS)
    primary_keys = postgres.rows(
        "SELECT tc.table_name, kcu.column_name, kcu.ordinal_position"
        " FROM information_schema.table_constraints tc JOIN information_schema.key_column_usage"
        " kcu USING (constraint_schema, constraint_name) WHERE tc.table_schema = 'magento'"
        " AND tc.constraint_type = 'PRIMARY KEY' ORDER BY 1, 3",
        database,
    )
    assert {
        stream: [row["column_name"] for row in primary_keys if row["table_name"] == stream]
        for stream in KEYS
    } == KEYS
