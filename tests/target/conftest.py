# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
"""Running target-magento2 against a sandbox store: in-process, or as a subprocess like Meltano."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from target_magento2.target import TargetMagento2

from tests.target.helpers import Run, read_rejects, singer_text

if TYPE_CHECKING:
    from collections.abc import Callable


@pytest.fixture
def make_config(tmp_path: Path) -> Callable[..., dict[str, Any]]:
    def make(sb: Any, **settings: Any) -> dict[str, Any]:
        return {
            "url": sb.url,
            **sb.credentials,
            "rejects_file": str(tmp_path / "rejects.jsonl"),
            "bulk_poll_interval": 0.2,
            "settle_seconds": 0.2,
            **settings,
        }

    return make


@pytest.fixture
def run_target() -> Callable[..., Run]:
    """Feed messages to a target in this process; returns it with the STATE it emitted."""

    def run(config: dict[str, Any], messages: list[dict[str, Any]]) -> Run:
        target = TargetMagento2(config=config)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            target.process_lines(io.StringIO(singer_text(messages)))
            target.process_endofpipe()
        states = [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]
        return Run(target, states, read_rejects(Path(config["rejects_file"])))

    return run


@pytest.fixture
def run_cli(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run `python -m target_magento2 --config ...` with the messages on stdin."""

    def run(
        config: dict[str, Any], messages: list[dict[str, Any]]
    ) -> subprocess.CompletedProcess[str]:
        config_path = tmp_path / "config.json"
        config_path.write_text(json.dumps(config), "utf-8")
        return subprocess.run(
            [sys.executable, "-m", "target_magento2", "--config", str(config_path)],
            input=singer_text(messages),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    return run


@pytest.fixture
def shop(sandbox_factory: Callable[..., Any]) -> Any:
    """A store with enough orders in state `new` (about 24) for the sales tests."""
    return sandbox_factory(seed=1, orders=200)
