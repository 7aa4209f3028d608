"""meltano.yml says what the plugins say: every setting of --about, with its kind and secrecy."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from meltano_settings import plugin_settings  # noqa: E402


def project_plugin(kind: str, name: str) -> dict[str, Any]:
    project = yaml.safe_load((ROOT / "meltano.yml").read_text())
    return next(p for p in project["plugins"][kind] if p["name"] == name)


@pytest.mark.parametrize(
    ("kind", "name"), [("extractors", "tap-magento2"), ("loaders", "target-magento2")]
)
def test_settings_match_about(kind: str, name: str) -> None:
    declared = {
        s["name"]: (s.get("kind", "string"), bool(s.get("sensitive")))
        for s in project_plugin(kind, name)["settings"]
    }
    about = {s["name"]: (s["kind"], bool(s.get("sensitive"))) for s in plugin_settings(name)}
    assert declared == about, "run scripts/meltano_settings.py and paste its output in meltano.yml"


def test_every_secret_is_sensitive() -> None:
    for kind, name in [("extractors", "tap-magento2"), ("loaders", "target-magento2")]:
        settings = {s["name"]: s for s in project_plugin(kind, name)["settings"]}
        for secret in ("consumer_secret", "access_token", "access_token_secret", "password"):
            assert settings[secret].get("sensitive") is True, (name, secret)
