"""Deletes reach real loaders: `meltano run tap-magento2 target-postgres` (and target-duckdb).

target-postgres (MeltanoLabs, on a throwaway server, hard_delete and activate_version on) drops
the rows a full-table read no longer brings when ACTIVATE_VERSION arrives. A record with
`_sdc_deleted_at` (the tap's deletion check of incremental streams) marks its row: target-postgres
0.8 on Singer SDK 0.54 hard-deletes only on ACTIVATE_VERSION (meltano/sdk#3444), so the row stays,
with its values. target-duckdb with hard_delete deletes such rows.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest
import requests
from magento2_sandbox import Sandbox

from tests.e2e.conftest import Postgres
from tests.e2e.meltano_runner import needs_meltano, run_meltano
from tests.sandbox.conftest import Api

pytestmark = needs_meltano

STREAMS = ["products", "customers", "source_items", "companies"]
KEYS = {
    "products": ["id", "store_code"],
    "customers": ["id"],
    "source_items": ["sku", "source_code"],
    "companies": ["id"],
}


def postgres_env(postgres: Postgres, database: str, **tap: Any) -> dict[str, str]:
    env = {
        **postgres.plugin_env("TARGET_POSTGRES", database),
        "TAP_MAGENTO2__SELECT": json.dumps([f"{stream}.*" for stream in STREAMS]),
        "TAP_MAGENTO2_STORE_CODES": json.dumps(["default", "fr"]),
    }
    for name, value in tap.items():
        env[f"TAP_MAGENTO2_{name.upper()}"] = value if isinstance(value, str) else json.dumps(value)
    return env


def table(postgres: Postgres, database: str, stream: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Every row of a stream's table by key, with the Magento columns and `_sdc_deleted_at`."""
    rows = postgres.rows(f'SELECT * FROM magento."{stream}"', database)
    return {
        tuple(row[key] for key in KEYS[stream]): {
            name: value
            for name, value in row.items()
            if not name.startswith("_sdc_") or name == "_sdc_deleted_at"
        }
        for row in rows
    }


def deleted(rows: dict[tuple[Any, ...], dict[str, Any]]) -> set[tuple[Any, ...]]:
    return {key for key, row in rows.items() if row["_sdc_deleted_at"] is not None}


def delete_in_store(sandbox: Sandbox) -> dict[str, set[tuple[Any, ...]]]:
    """Delete two products (REST), two customers (REST, database), two source items and a
    company (database); answer the warehouse keys that are gone."""
    api = Api(sandbox)
    control = sandbox.control
    products = sorted(control.truth("products"), key=lambda row: row["id"])[2:4]
    for product in products:
        sku = control.entity("products", product["id"])["sku"]
        assert requests.delete(api.url(f"/products/{sku}"), auth=api.auth, timeout=30).json()
    assert requests.delete(api.url("/customers/4"), auth=api.auth, timeout=30).json() is True
    control.delete("customers", [7])
    source_items = [row["id"] for row in control.truth("source_items")][3:5]
    control.delete("source_items", [(item["sku"], item["source_code"]) for item in source_items])
    control.delete("companies", [2])
    return {
        "products": {(row["id"], code) for row in products for code in ("default", "fr")},
        "customers": {(4,), (7,)},
        "source_items": {(item["sku"], item["source_code"]) for item in source_items},
        "companies": {(2,)},
    }


@pytest.fixture
def store(sandbox_factory: Callable[..., Sandbox]) -> Sandbox:
    return sandbox_factory(seed=6, orders=10, customers=15, products=12, companies=4)


def test_deleted_rows_leave_postgres(tmp_path: Path, store: Sandbox, postgres: Postgres) -> None:
    database = postgres.create_database(f"e2e_{uuid.uuid4().hex[:8]}")
    env = postgres_env(
        postgres,
        database,
        deletion_check_streams=["products", "customers"],
        deletion_check_interval_hours="0",
    )
    run_meltano(tmp_path, store, "run", "tap-magento2", "target-postgres", env=env)
    before = {stream: table(postgres, database, stream) for stream in STREAMS}
    assert len(before["products"]) == 2 * len(store.control.truth("products"))
    assert len(before["source_items"]) == len(store.control.truth("source_items"))
    assert not any(deleted(rows) for rows in before.values())

    gone = delete_in_store(store)
    run_meltano(tmp_path, store, "run", "tap-magento2", "target-postgres", env=env)
    after = {stream: table(postgres, database, stream) for stream in STREAMS}

    # Full-table streams: ACTIVATE_VERSION with hard_delete drops exactly the deleted rows.
    for stream in ("source_items", "companies"):
        assert set(after[stream]) == set(before[stream]) - gone[stream], stream
        assert {key: after[stream][key] for key in after[stream]} == {
            key: row for key, row in before[stream].items() if key not in gone[stream]
        }
    # Incremental streams: exactly the deleted rows are marked, and keep their last values
    # (the tap sends them under a schema of the key and _sdc_deleted_at); no other row changed.
    for stream in ("products", "customers"):
        assert set(after[stream]) == set(before[stream]), stream
        assert deleted(after[stream]) == gone[stream], stream
        for key, row in after[stream].items():
            marked = {"_sdc_deleted_at": row["_sdc_deleted_at"]} if key in gone[stream] else {}
            assert row == {**before[stream][key], **marked}, (stream, key)
        live = {key for key, row in after[stream].items() if row["_sdc_deleted_at"] is None}
        assert live == set(before[stream]) - gone[stream]


def test_without_the_check_incremental_rows_stay(
    tmp_path: Path, store: Sandbox, postgres: Postgres
) -> None:
    database = postgres.create_database(f"e2e_{uuid.uuid4().hex[:8]}")
    env = postgres_env(postgres, database, deletion_check_interval_hours="0")
    run_meltano(tmp_path, store, "run", "tap-magento2", "target-postgres", env=env)
    before = {stream: table(postgres, database, stream) for stream in STREAMS}
    gone = delete_in_store(store)
    run_meltano(tmp_path, store, "run", "tap-magento2", "target-postgres", env=env)
    after = {stream: table(postgres, database, stream) for stream in STREAMS}
    for stream in ("products", "customers"):
        assert after[stream] == before[stream], stream
        assert gone[stream] <= set(after[stream])
    # ACTIVATE_VERSION is on by default: full-table deletes still reach the warehouse.
    assert set(after["source_items"]) == set(before["source_items"]) - gone["source_items"]


def test_target_duckdb_hard_deletes_checked_rows(tmp_path: Path, store: Sandbox) -> None:
    # target-duckdb 0.8.0 (pipelinewise) deletes a row whose record carries _sdc_deleted_at
    # when hard_delete is on; it ignores ACTIVATE_VERSION.
    env = {
        "TAP_MAGENTO2__SELECT": json.dumps(["products.*", "customers.*"]),
        "TAP_MAGENTO2_STORE_CODES": json.dumps(["default", "fr"]),
        "TAP_MAGENTO2_DELETION_CHECK_STREAMS": json.dumps(["products", "customers"]),
        "TAP_MAGENTO2_DELETION_CHECK_INTERVAL_HOURS": "0",
        "TARGET_DUCKDB_HARD_DELETE": "true",
    }

    def rows(stream: str) -> dict[tuple[Any, ...], tuple[Any, ...]]:
        with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as connection:
            found = connection.execute(
                f"select {', '.join(KEYS[stream])}, updated_at from magento.{stream}"
            ).fetchall()
        return {tuple(row[:-1]): row for row in found}

    run_meltano(tmp_path, store, "run", "tap-magento2", "target-duckdb", env=env)
    before = {stream: rows(stream) for stream in ("products", "customers")}
    gone = delete_in_store(store)
    run_meltano(tmp_path, store, "run", "tap-magento2", "target-duckdb", env=env)
    for stream in ("products", "customers"):
        after = rows(stream)
        assert set(after) == set(before[stream]) - gone[stream], stream
        assert after == {key: row for key, row in before[stream].items() if key in after}
