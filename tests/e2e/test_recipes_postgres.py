"""README recipe "ERP from PostgreSQL to Magento": `meltano run tap-erp-postgres target-magento2`
(MeltanoLabs' tap-postgres) on a throwaway PostgreSQL sets the store's stock per source."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from magento2_sandbox import Sandbox

from tests.e2e.conftest import Postgres
from tests.e2e.meltano_runner import needs_meltano, run_meltano

pytestmark = needs_meltano

# Source items of the sandbox store the ERP sample is made for (seed 1, 500 orders).
STOCK = [("SH00001-M-Black", "default", 11), ("SH00001-M-Black", "eu_warehouse", 12),
         ("JA00004-M-Blue", "default", 13)]  # fmt: skip


def test_erp_stock_from_postgres_into_magento(
    tmp_path: Path, postgres: Postgres, sandbox_factory: Callable[..., Sandbox]
) -> None:
    sandbox = sandbox_factory(seed=1, orders=500)
    database = postgres.create_database(f"erp_{tmp_path.name[-8:].lower()}")
    values = ", ".join(f"('{sku}', '{source}', {quantity}, 1)" for sku, source, quantity in STOCK)
    postgres.psql(
        "CREATE SCHEMA erp;"
        " CREATE TABLE erp.source_items (sku text, source_code text, quantity numeric,"
        " status integer, PRIMARY KEY (sku, source_code));"
        f" INSERT INTO erp.source_items VALUES {values};",
        database,
    )
    env = {
        "TAP_ERP_POSTGRES_PORT": str(postgres.port),
        "TAP_ERP_POSTGRES_USER": postgres.user,
        "TAP_ERP_POSTGRES_PASSWORD": "trusted",
        "TAP_ERP_POSTGRES_DATABASE": database,
    }
    run_meltano(tmp_path, sandbox, "run", "tap-erp-postgres", "target-magento2", env=env)
    for sku, source, quantity in STOCK:
        assert sandbox.control.entity("source_items", (sku, source))["quantity"] == quantity
    assert not (tmp_path / "rejects.jsonl").exists()
