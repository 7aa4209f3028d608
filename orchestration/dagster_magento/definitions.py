"""This project's pipelines as Dagster definitions.

From the repository's root: `dagster dev -m orchestration.dagster_magento.definitions`.

- Every job and schedule of meltano.yml (magento-to-duckdb daily, erp-to-magento hourly), as
  dagster-meltano reads them from `meltano job list` and `meltano schedule list`.
- One job per group of streams (sales, catalog, customers, inventory, B2B) and one for the
  French store view's products, each with its own state id: they run side by side.
- A backfill of sales cut into quarterly updated_at windows, one op (one `meltano run`) each.

MELTANO_ENVIRONMENT picks the Meltano environment (default: sandbox, with MAGENTO_SANDBOX_URL).
"""

from __future__ import annotations

import json
import os
from datetime import datetime

from dagster import Definitions, JobDefinition, ScheduleDefinition
from dagster_meltano import load_jobs_from_meltano_project

from orchestration.dagster_magento.magento_jobs import PROJECT, backfill_job, date_windows, sync_job

ENVIRONMENT = os.environ.get("MELTANO_ENVIRONMENT", "sandbox")
STREAM_GROUPS = {
    "sales": ["orders", "order_items", "invoices", "shipments", "creditmemos"],
    "catalog": ["products", "categories", "product_attributes"],
    "customers": ["customers", "customer_groups"],
    "inventory": ["source_items", "inventory_sources", "inventory_stocks"],
    "b2b": ["companies", "company_credits"],
}


def select(streams: list[str]) -> dict[str, str]:
    return {"TAP_MAGENTO2__SELECT": json.dumps([f"{stream}.*" for stream in streams])}


def stream_group_jobs() -> list[JobDefinition]:
    jobs = [
        sync_job(
            f"{group}-to-duckdb", ["tap-magento2", "target-duckdb"], ENVIRONMENT, select(streams)
        )
        for group, streams in STREAM_GROUPS.items()
    ]
    french = {**select(["products"]), "TAP_MAGENTO2_STORE_CODES": '["fr"]'}
    jobs.append(
        sync_job("products-fr-to-duckdb", ["tap-magento2", "target-duckdb"], ENVIRONMENT, french)
    )
    return jobs


def sales_backfill(start: datetime = datetime(2024, 1, 1), windows: int = 8) -> JobDefinition:  # noqa: DTZ001
    # Each window writes a JSON-lines folder of its own: a DuckDB file takes one writer at a time.
    return backfill_job(
        "sales-backfill",
        date_windows(start, None, windows),
        ("tap-magento2", "target-jsonl"),
        ENVIRONMENT,
        env=select(STREAM_GROUPS["sales"]),
        window_env={
            "TARGET_JSONL_DESTINATION_PATH": str(PROJECT / "output" / "backfill" / "{suffix}")
        },
    )


meltano_definitions = load_jobs_from_meltano_project(str(PROJECT))
defs = Definitions(
    jobs=[
        *(d for d in meltano_definitions if isinstance(d, JobDefinition)),
        *stream_group_jobs(),
        sales_backfill(),
    ],
    schedules=[d for d in meltano_definitions if isinstance(d, ScheduleDefinition)],
)
