"""The real `meltano run` of this repository's meltano.yml against a sandbox.

Meltano keeps its state in a database of the test's own (MELTANO_DATABASE_URI), so these runs
neither read nor disturb the state of a developer's `make demo`.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from magento2_sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]

needs_meltano = [
    pytest.mark.meltano,
    pytest.mark.skipif(
        shutil.which("meltano") is None or not (ROOT / ".meltano" / ".installed").exists(),
        reason="meltano and its plugins come with `make test` (make meltano)",
    ),
]


def project_copy(tmp_path: Path, edit: Callable[[dict[str, Any]], None] | None = None) -> Path:
    """This repository's Meltano project in a folder of its own, its meltano.yml changed by
    `edit`; the installed plugins are this checkout's (.meltano is linked), so nothing installs."""
    project = tmp_path / "project"
    project.mkdir()
    text = (ROOT / "meltano.yml").read_text()
    if edit is not None:
        document = yaml.safe_load(text)
        edit(document)
        text = yaml.safe_dump(document, sort_keys=False)
    (project / "meltano.yml").write_text(text)
    (project / ".meltano").symlink_to(ROOT / ".meltano")
    (project / "target-magento2").symlink_to(ROOT / "target-magento2")
    (project / "output").mkdir()
    return project


def plugin(document: dict[str, Any], kind: str, name: str) -> dict[str, Any]:
    return next(p for p in document["plugins"][kind] if p["name"] == name)


def run_meltano(
    tmp_path: Path,
    sandbox: Sandbox,
    *args: str,
    env: dict[str, str] | None = None,
    project: Path = ROOT,
    environment_name: str = "sandbox",
) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "MAGENTO_SANDBOX_URL": sandbox.url,
        "MELTANO_DATABASE_URI": f"sqlite:///{tmp_path / 'meltano.db'}",
        "TARGET_JSONL_DESTINATION_PATH": str(tmp_path / "jsonl"),
        "TARGET_DUCKDB_FILEPATH": str(tmp_path / "warehouse.duckdb"),
        "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
        "TARGET_MAGENTO2_REJECTS_FILE": str(tmp_path / "rejects.jsonl"),
        **(env or {}),
    }
    (tmp_path / "jsonl").mkdir(exist_ok=True)
    # Meltano writes each plugin's config, catalog and state under .meltano/run/<plugin>/ and
    # removes them when the plugin ends: two runs at once (pytest -n 2) break each other. One
    # run at a time, across the workers.
    lock = ROOT / ".meltano" / "e2e.lock"
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        completed = subprocess.run(
            ["meltano", f"--environment={environment_name}", *args],
            cwd=project,
            env=environment,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    (tmp_path / "meltano.log").write_text(completed.stderr)
    assert completed.returncode == 0, completed.stderr[-4000:]
    return completed
