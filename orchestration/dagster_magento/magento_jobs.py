"""Dagster jobs that run this project's Meltano pipelines, one Meltano run per op.

- `sync_job`: one pipeline for one store, store view or group of streams, with a state id of its
  own (`--state-id-suffix`), so several run side by side and each resumes where it stopped.
- `backfill_job`: a date range cut into `updated_at` windows (start_date, end_date), one op per
  window, with nothing between them: Dagster's multiprocess executor runs them at once.

Each op is `meltano <command>` through elt-dagster-meltano (`dagster_meltano.meltano_command_op`).
Meltano 4 keeps a plugin's config, catalog and state files in `.meltano/run/<plugin>/` and
removes them when the plugin ends, so two runs of one plugin at once in one project overwrite
each other's files. Each op therefore gets a system folder of its own (MELTANO_SYS_DIR_ROOT)
that links the project's installed plugins and keeps its own `run/`; state stays in the
project's database (MELTANO_DATABASE_URI), under each op's own state id.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from dagster import JobDefinition, OpDefinition, job
from dagster_meltano import meltano_command_op, meltano_resource

PROJECT = Path(__file__).resolve().parents[2]
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"  # Magento's form, as start_date and end_date take it


@dataclass(frozen=True)
class Window:
    """[start, end) of updated_at; end None: up to the store's clock when the run starts."""

    start: datetime
    end: datetime | None

    @property
    def label(self) -> str:
        return self.start.strftime("%Y%m%d")

    def env(self) -> dict[str, str]:
        env = {"TAP_MAGENTO2_START_DATE": self.start.strftime(TIME_FORMAT)}
        if self.end is not None:
            env["TAP_MAGENTO2_END_DATE"] = self.end.strftime(TIME_FORMAT)
        return env


def date_windows(start: datetime, end: datetime | None, count: int) -> list[Window]:
    """`count` windows of equal length from start; the last one open when end is None (then
    the cut points run up to now)."""
    stop = end or datetime.now().replace(microsecond=0)  # noqa: DTZ005 - the store's clock is UTC; windows only need to cover
    step = (stop - start) / count
    cuts = [start + step * i for i in range(count)]
    return [
        Window(cut.replace(microsecond=0), nxt.replace(microsecond=0) if nxt else end)
        for cut, nxt in zip(cuts, [*cuts[1:], None], strict=True)
    ]


@dataclass(frozen=True)
class Pipeline:
    """One `meltano run` with its own state id suffix and environment variables."""

    suffix: str
    blocks: Sequence[str] = ("tap-magento2", "target-jsonl")
    environment: str = "sandbox"
    env: Mapping[str, str] = field(default_factory=dict)

    @property
    def command(self) -> str:
        return f"--environment={self.environment} run --state-id-suffix={self.suffix} " + " ".join(
            self.blocks
        )


def isolated_env(suffix: str, project: Path = PROJECT) -> dict[str, str]:
    """A Meltano system folder of the op's own that links the project's installed plugins."""
    project_sys = project / ".meltano"
    own = project_sys / "ops" / suffix
    own.mkdir(parents=True, exist_ok=True)
    for kind in ("extractors", "loaders", "utilities", "mappers"):
        link = own / kind
        if (project_sys / kind).exists() and not link.exists():
            link.symlink_to(project_sys / kind)
    database = os.environ.get("MELTANO_DATABASE_URI", f"sqlite:///{project_sys / 'meltano.db'}")
    return {"MELTANO_SYS_DIR_ROOT": str(own), "MELTANO_DATABASE_URI": database}


def pipelines_job(name: str, pipelines: Sequence[Pipeline]) -> JobDefinition:
    """A job of one op per pipeline, none waiting for another."""
    ops: list[tuple[OpDefinition, dict[str, str]]] = [
        (meltano_command_op(p.command), {**isolated_env(p.suffix), **p.env}) for p in pipelines
    ]

    @job(
        name=name,
        resource_defs={"meltano": meltano_resource.configured({"project_dir": str(PROJECT)})},
        config={"ops": {op.name: {"config": {"env": env}} for op, env in ops}},
        tags={"kind": "meltano"},
    )
    def the_job() -> None:
        for op, _ in ops:
            op()

    return the_job


def backfill_job(
    name: str,
    windows: Sequence[Window],
    blocks: Sequence[str] = ("tap-magento2", "target-jsonl"),
    environment: str = "sandbox",
    *,
    env: Mapping[str, str] | None = None,
    window_env: Mapping[str, str] | None = None,
) -> JobDefinition:
    """One op per window, state id `<name>-<window start>`. `window_env` values may hold
    `{suffix}` (a loader's output folder per window, say)."""
    pipelines = []
    for window in windows:
        suffix = f"{name}-{window.label}"
        own = {key: value.format(suffix=suffix) for key, value in (window_env or {}).items()}
        pipelines.append(
            Pipeline(suffix, blocks, environment, {**(env or {}), **window.env(), **own})
        )
    return pipelines_job(name.replace("-", "_"), pipelines)


def sync_job(
    name: str,
    blocks: Sequence[str],
    environment: str = "sandbox",
    env: Mapping[str, str] | None = None,
) -> JobDefinition:
    """One pipeline (a store, a store view, a group of streams) under state id suffix `name`."""
    return pipelines_job(name.replace("-", "_"), [Pipeline(name, blocks, environment, env or {})])
