"""Scale-out on Dagster: the definitions of orchestration/dagster_magento run in-process against
a sandbox. A backfill cut into updated_at windows, one `meltano run` per window with its own
state id, brings every order of the store's ground truth, none missing and none twice."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from magento2_sandbox import Sandbox

from tests.e2e.meltano_runner import ROOT, needs_meltano

pytestmark = needs_meltano

dagster = pytest.importorskip("dagster")
magento_jobs = pytest.importorskip("orchestration.dagster_magento.magento_jobs")


@pytest.fixture
def meltano_env(tmp_path: Path, sandbox_factory: Callable[..., Sandbox]) -> Iterator[Sandbox]:
    sandbox = sandbox_factory(seed=7, orders=150)
    saved = dict(os.environ)
    os.environ |= {
        "MAGENTO_SANDBOX_URL": sandbox.url,
        "MELTANO_DATABASE_URI": f"sqlite:///{tmp_path / 'meltano.db'}",
        "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    # dagster-meltano asks Meltano for its jobs and its schedules at once; on a database that
    # does not exist yet both create it and one fails ("table job already exists"). One Meltano
    # command first creates and migrates it.
    subprocess.run(
        ["meltano", "state", "list"], cwd=ROOT, check=True, capture_output=True, timeout=300
    )
    try:
        yield sandbox
    finally:
        os.environ.clear()
        os.environ |= saved


def test_windows_cover_the_range() -> None:
    windows = magento_jobs.date_windows(datetime(2024, 1, 1), datetime(2024, 1, 5), 4)  # noqa: DTZ001
    assert [(w.start.day, w.end.day) for w in windows] == [(1, 2), (2, 3), (3, 4), (4, 5)]
    open_ended = magento_jobs.date_windows(datetime(2024, 1, 1), None, 3)  # noqa: DTZ001
    assert open_ended[-1].end is None
    assert "TAP_MAGENTO2_END_DATE" not in open_ended[-1].env()


def test_backfill_windows_union_is_the_truth(tmp_path: Path, meltano_env: Sandbox) -> None:
    # The sandbox's orders span the two years before its clock: four windows of 200 days.
    start = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(days=800)
    windows = magento_jobs.date_windows(start, None, 4)
    name = f"bf-{tmp_path.name[-12:]}"
    job = magento_jobs.backfill_job(
        name,
        windows,
        env={"TAP_MAGENTO2__SELECT": json.dumps(["orders.*"])},
        window_env={"TARGET_JSONL_DESTINATION_PATH": str(tmp_path / "{suffix}")},
    )
    for folder in (tmp_path / f"{name}-{w.label}" for w in windows):
        folder.mkdir()
    try:
        result = job.execute_in_process()
    finally:  # the ops' Meltano system folders (links to the plugins, their run/ files)
        for window in windows:
            shutil.rmtree(ROOT / ".meltano" / "ops" / f"{name}-{window.label}", ignore_errors=True)
    assert result.success

    seen: list[int] = []
    for path in tmp_path.glob("bf-*/orders.jsonl"):
        seen += [json.loads(line)["entity_id"] for line in path.read_text().splitlines()]
    truth = [row["id"] for row in meltano_env.control.truth("orders")]
    assert sorted(seen) == sorted(truth)  # nothing missing, nothing twice
    assert len(list(tmp_path.glob("bf-*/orders.jsonl"))) == len(windows)  # each window brought some


def test_definitions_load_meltano_jobs_and_schedules(meltano_env: Sandbox) -> None:
    del meltano_env
    definitions = pytest.importorskip("orchestration.dagster_magento.definitions")
    repository = definitions.defs.get_repository_def()
    jobs = {job.name for job in repository.get_all_jobs()}
    assert {"magento_to_duckdb", "erp_to_magento", "sales_to_duckdb", "sales_backfill"} <= jobs
    schedules = {s.name: s.cron_schedule for s in repository.schedule_defs}
    assert schedules == {
        "magento_to_duckdb_daily": "0 3 * * *",
        "erp_to_magento_hourly": "0 * * * *",
    }
    assert ROOT.exists()
