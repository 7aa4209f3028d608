# Copyright 2026 The tap-magento2 authors. Licensed under the Apache License, Version 2.0.
"""No secret reaches Meltano's output: a real `meltano run` at debug level, with credentials of
the store's own (not the sandbox's documented ones), through the `prod` environment as a user
runs a real store; neither stdout, stderr, the Singer output files nor Meltano's log folder
holds any of them."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from tests.e2e.meltano_runner import ROOT, needs_meltano, run_meltano

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from magento2_sandbox import Sandbox

pytestmark = needs_meltano


def test_a_debug_meltano_run_leaks_no_secret(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    values = {name: f"{name}-{secrets.token_hex(8)}" for name in (
        "consumer_key", "consumer_secret", "access_token", "access_token_secret"
    )}  # fmt: skip
    sandbox = sandbox_factory(seed=2, orders=20, b2b=False, msi=False, **values)
    env = {"TAP_MAGENTO2_URL": sandbox.url, "TAP_MAGENTO2_COMMIT_LAG_SECONDS": "0"}
    env |= {f"TAP_MAGENTO2_{name.upper()}": value for name, value in values.items()}
    logs = ROOT / ".meltano" / "logs"
    logs_before = set(logs.rglob("*")) if logs.exists() else set()
    done = run_meltano(
        tmp_path,
        sandbox,
        "--log-level=debug",
        "run",
        "tap-magento2",
        "target-jsonl",
        env=env,
        environment_name="prod",
    )
    assert (tmp_path / "jsonl" / "orders.jsonl").stat().st_size > 0  # the run did read the store
    texts = [done.stdout, done.stderr]
    texts += [path.read_text(errors="replace") for path in (tmp_path / "jsonl").glob("*")]
    if logs.exists():
        texts += [
            path.read_text(errors="replace")
            for path in set(logs.rglob("*")) - logs_before
            if path.is_file()
        ]
    for name, value in values.items():
        leaked = [text for text in texts if value in text]
        assert not leaked, f"{name} appears in Meltano's output"
