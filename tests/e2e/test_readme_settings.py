"""The plugins' READMEs and meltano.yml say what `--about` says: settings tables, capabilities."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from readme_settings import PLUGINS, about_table, rendered  # noqa: E402


@pytest.mark.parametrize("plugin", sorted(PLUGINS))
def test_readme_settings_table_is_about(plugin: str) -> None:
    readme = (PLUGINS[plugin] / "README.md").read_text()
    assert rendered(readme, about_table(plugin)) == readme, (
        "run .venv/bin/python scripts/readme_settings.py"
    )


@pytest.mark.parametrize(
    ("kind", "plugin"), [("extractors", "tap-magento2"), ("loaders", "target-magento2")]
)
def test_meltano_yml_capabilities_are_about(kind: str, plugin: str) -> None:
    about = subprocess.run(
        [str(Path(sys.executable).parent / plugin), "--about", "--format=json"],
        capture_output=True, text=True, check=True, timeout=120,
    ).stdout  # fmt: skip
    project = yaml.safe_load((ROOT / "meltano.yml").read_text())
    declared = next(p for p in project["plugins"][kind] if p["name"] == plugin)["capabilities"]
    # `discover` is Meltano's name for what the SDK calls `catalog` plus discovery.
    assert set(declared) - {"discover"} == set(json.loads(about)["capabilities"]) - {"discover"}
