"""The README publishes every kind's record schema, exactly as the shipped schema files say, and
every setting of the target: a field, type, requirement or note that drifts fails here."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from target_magento2.records import KINDS, kind_schema
from target_magento2.target import TARGET_SETTINGS

README = Path(__file__).resolve().parents[2] / "target-magento2" / "README.md"


def type_text(spec: dict[str, Any]) -> str:
    """`string`, `integer (0, 1)`, `array of objects`, `string or array of strings`..."""
    if any("type" in option for option in spec.get("anyOf", [])):
        return " or ".join(type_text(option) for option in spec["anyOf"])
    kinds = spec.get("type")
    if isinstance(kinds, list):
        return " or ".join(kinds)
    if kinds == "array":
        return f"array of {type_text(spec.get('items') or {})}s"
    if "enum" in spec:
        return f"{kinds} ({', '.join(str(v) for v in spec['enum'])})"
    return str(kinds)


def rows(properties: dict[str, Any], required: list[str], prefix: str = "") -> list[str]:
    lines = []
    for name, spec in properties.items():
        mark = "yes" if name in required else ""
        note = spec.get("description", "")
        lines.append(f"| `{prefix}{name}` | {type_text(spec)} | {mark} | {note} |")
        inner = spec.get("items") if spec.get("type") == "array" else spec
        if isinstance(inner, dict) and inner.get("type") == "object" and "properties" in inner:
            nested = f"{prefix}{name}[]." if spec.get("type") == "array" else f"{prefix}{name}."
            lines += rows(inner["properties"], inner.get("required", []), nested)
    return lines


def render(kind: str) -> str:
    """The README's section of a kind, from its schema file."""
    schema = kind_schema(kind)
    parts = [f"#### `{kind}`", schema["description"]]
    if "anyOf" in schema:
        names = ", ".join(f"`{option['required'][0]}`" for option in schema["anyOf"])
        parts.append(f"Also required: at least one of {names}.")
    table = ["| field | type | required | notes |", "|---|---|:---:|---|"]
    table += rows(schema["properties"], schema.get("required", []))
    parts.append("\n".join(line.replace("|  |", "| |").replace(" |  ", " | ") for line in table))
    if schema.get("additionalProperties") is True:
        parts.append("Any other field of Magento's product is sent as given.")
    return "\n\n".join(parts)


def section(text: str, kind: str) -> str:
    match = re.search(rf"^#### `{kind}`\n.*?(?=^#{{2,4}} )", text, re.DOTALL | re.MULTILINE)
    assert match, f"the README has no section #### `{kind}`"
    return match.group(0).strip()


def normal(text: str) -> str:
    return re.sub(r"[ \t]+", " ", text).strip()


@pytest.mark.parametrize("kind", KINDS)
def test_readme_shows_each_kind_schema_as_shipped(kind: str) -> None:
    jsonschema.Draft7Validator.check_schema(kind_schema(kind))
    assert normal(section(README.read_text("utf-8"), kind)) == normal(render(kind))


def test_readme_lists_every_setting_with_its_default_and_description() -> None:
    text = README.read_text("utf-8")
    for setting, spec in TARGET_SETTINGS["properties"].items():
        row = f"| {setting} | False | {spec.get('default')} | {spec['description']} |"
        assert row in text, f"setting {setting} is missing from the README or differs: {row}"
