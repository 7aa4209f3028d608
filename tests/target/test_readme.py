# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
"""The README publishes every kind's record schema and every setting of the target."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
from target_magento2.records import KINDS, kind_schema
from target_magento2.target import TARGET_SETTINGS

README = Path(__file__).resolve().parents[2] / "target-magento2" / "README.md"


@pytest.mark.parametrize("kind", KINDS)
def test_readme_shows_each_kind_schema(kind: str) -> None:
    text = README.read_text("utf-8")
    schema = kind_schema(kind)
    jsonschema.Draft7Validator.check_schema(schema)
    assert f"#### `{kind}`" in text
    for field in schema["properties"]:
        assert f"| `{field}` |" in text, f"{kind}.{field} is missing from the README"


def test_readme_lists_every_setting() -> None:
    text = README.read_text("utf-8")
    for setting in TARGET_SETTINGS["properties"]:
        assert f"| {setting} |" in text, f"setting {setting} is missing from the README"
