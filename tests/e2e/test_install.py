"""Install from anywhere: a Meltano project of a user's own, outside this repository, installs the
plugins from a git URL of a clone (README.md, "Install in your own Meltano project") or from
wheels built with `python -m build`, with no plugin index, and runs against a sandbox.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import yaml
from magento2_sandbox import Sandbox

from tests.e2e.meltano_runner import ROOT, needs_meltano

pytestmark = needs_meltano

PLACEHOLDER = "git+file:///path/to/clone"


def readme_plugins() -> dict[str, list[dict[str, object]]]:
    """The plugins of the README's install block."""
    text = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- install-from-git[^>]*-->\n```yaml\n(.*?)```", text, re.DOTALL)
    assert block, "README.md has no install-from-git block"
    return dict(yaml.safe_load(block.group(1))["plugins"])


def run(command: list[str], cwd: Path, env: dict[str, str], timeout: int = 600) -> str:
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    shown = f"{' '.join(command)}:\n{done.stdout[-2000:]}{done.stderr[-4000:]}"
    assert done.returncode == 0, shown
    return done.stdout


def test_own_project_installs_from_git_and_wheels(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MELTANO_", "TAP_", "TARGET_"))
    }
    env["MELTANO_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    clone = tmp_path / "clone"
    run(["git", "clone", "--quiet", str(ROOT), str(clone)], tmp_path, env)

    # Wheels and sdists of the target and its client, built from the clone.
    dist = tmp_path / "dist"
    for package in ("magento2-rest", "target-magento2"):
        run(
            [sys.executable, "-m", "build", "--outdir", str(dist), str(clone / package)], clone, env
        )
    wheel = next(dist.glob("target_magento2-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = archive.read(name).decode()
    assert "License-Expression: Apache-2.0" in metadata
    assert sorted(path.suffix for path in dist.iterdir()) == [".gz", ".gz", ".whl", ".whl"]

    plugins = readme_plugins()
    tap = plugins["extractors"][0]
    tap["pip_url"] = str(tap["pip_url"]).replace(PLACEHOLDER, f"git+file://{clone}")
    target = plugins["loaders"][0]
    target["pip_url"] = f"--find-links {dist} target-magento2"
    plugins["loaders"].append(
        {
            "name": "target-jsonl",
            "namespace": "target_jsonl",
            "pip_url": "target-jsonl==0.1.4",
            "settings": [{"name": "destination_path"}, {"name": "do_timestamp_file"}],
            "config": {"destination_path": "out", "do_timestamp_file": False},
        }
    )
    project = tmp_path / "project"
    project.mkdir()
    (project / "out").mkdir()
    (project / "meltano.yml").write_text(
        yaml.safe_dump(
            {
                "default_environment": "dev",
                "environments": [{"name": "dev"}],
                "send_anonymous_usage_stats": False,
                "plugins": plugins,
            }
        )
    )
    run(["meltano", "install"], project, env, timeout=900)

    sandbox = sandbox_factory(seed=6, orders=30)
    credentials = sandbox.credentials
    store = {"URL": sandbox.url} | {key.upper(): value for key, value in credentials.items()}
    env |= {f"TAP_MAGENTO2_{key}": value for key, value in store.items()}
    env["TAP_MAGENTO2__SELECT"] = json.dumps(["orders.*", "order_items.*"])
    run(["meltano", "run", "tap-magento2", "target-jsonl"], project, env)
    lines = (project / "out" / "orders.jsonl").read_text().splitlines()
    assert {json.loads(line)["entity_id"] for line in lines} == {
        row["id"] for row in sandbox.control.truth("orders")
    }
    about = run(["meltano", "invoke", "target-magento2", "--about", "--format=json"], project, env)
    assert json.loads(about)["name"] == "target-magento2"
