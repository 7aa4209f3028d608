"""A real store's secrets and the sandbox's live side by side in one project.

`meltano --environment=prod config set tap-magento2 consumer_key ...` (README, "Connecting to a
real store") keeps the secret in `.env` as TAP_MAGENTO2_CONSUMER_KEY, which Meltano reads for
every environment and ranks above meltano.yml's config. The sandbox environment sets its url and
credentials in its `env:`, which ranks above `.env` and the shell, so its pipelines still run.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

from magento2_sandbox import Sandbox

from tests.e2e.meltano_runner import needs_meltano, project_copy, run_meltano

pytestmark = needs_meltano

PROD_DOTENV = {
    "TAP_MAGENTO2_URL": "https://shop.invalid",
    "TAP_MAGENTO2_CONSUMER_KEY": "a-real-store-key",
    "TAP_MAGENTO2_CONSUMER_SECRET": "a-real-store-secret",
    "TAP_MAGENTO2_ACCESS_TOKEN": "a-real-store-token",
    "TAP_MAGENTO2_ACCESS_TOKEN_SECRET": "a-real-store-token-secret",
    "TARGET_MAGENTO2_URL": "https://shop.invalid",
    "TARGET_MAGENTO2_CONSUMER_KEY": "a-real-store-key",
}


def project_with_dotenv(tmp_path: Path) -> Path:
    """This repository's project in a folder of its own with a real store's `.env`."""
    project = project_copy(tmp_path)
    (project / ".env").write_text("".join(f"{k}='{v}'\n" for k, v in PROD_DOTENV.items()))
    return project


def config_print(project: Path, environment: str, plugin: str) -> dict[str, object]:
    completed = subprocess.run(
        ["meltano", f"--environment={environment}", "config", "--unsafe", "print", plugin],
        cwd=project,
        env={**os.environ, "MAGENTO_SANDBOX_URL": "http://127.0.0.1:1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return dict(json.loads(completed.stdout))


def test_sandbox_runs_beside_a_real_stores_dotenv(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    project = project_with_dotenv(tmp_path)
    # prod takes the real store's values from .env ...
    prod = config_print(project, "prod", "tap-magento2")
    assert prod["url"] == "https://shop.invalid"
    assert prod["consumer_key"] == "a-real-store-key"
    # ... and the sandbox keeps its own, for the tap and the target.
    for plugin in ("tap-magento2", "target-magento2"):
        sandbox_config = config_print(project, "sandbox", plugin)
        assert sandbox_config["url"] == "http://127.0.0.1:1"
        assert sandbox_config["consumer_key"] == "sandbox-consumer-key"

    sandbox = sandbox_factory(seed=5, orders=40)
    run_meltano(tmp_path, sandbox, "run", "tap-magento2", "target-jsonl", project=project)
    lines = (tmp_path / "jsonl" / "orders.jsonl").read_text().splitlines()
    assert {json.loads(line)["entity_id"] for line in lines} == {
        row["id"] for row in sandbox.control.truth("orders")
    }
