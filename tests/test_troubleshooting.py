# Copyright 2026 The tap-magento2 authors. Licensed under the Apache License, Version 2.0.
"""README's Troubleshooting table cannot drift: every message it quotes that comes from this
project is text the code (or, for Magento's own words, the sandbox) has.

A message is matched piece by piece: the table writes `...` where a value varies, and the code
builds a line from parts (the call, Magento's message, the hint after " - "), so each part of
at least MIN_CHARS characters must stand in one string literal of the source.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).parent.parent
SOURCES = ("magento2-rest", "tap-magento2", "target-magento2", "magento2-sandbox", "scripts")
# Messages of the tools around the project (pip, Meltano, Dagster, the shell), not of its code.
OTHERS = (
    "No matching distribution found",
    "A Meltano environment must be specified",
    "Could not connect to Meltano Hub",
    "Could not process json",
    "command not found",
)
MIN_CHARS = 12
# Where a message is cut into parts: values (`...`, an HTTP status), the joints between the
# parts the code puts together, and the SDK's prefix to a config error.
PART = re.compile(
    r"\.\.\.|answered \d{3}| - |; |: |\(|\)| with (?=an HTML)|Config validation error"
)


def literals() -> list[str]:
    """Every string literal of the sources; an f-string's fields become a NUL, which no part of
    a message in the table can contain."""
    found: list[str] = []
    for package in SOURCES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if isinstance(node, ast.JoinedStr):
                    found.append(
                        "".join(
                            str(v.value) if isinstance(v, ast.Constant) else "\0"
                            for v in node.values
                        )
                    )
                elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                    found.append(node.value)
    return found


def table_messages() -> list[str]:
    text = (ROOT / "README.md").read_text("utf-8")
    section = text.split("## Troubleshooting", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return [re.match(r"\| (``?)(.+?)\1 ", row).group(2) for row in rows]  # type: ignore[union-attr]


def test_every_message_in_the_table_is_printed_by_the_code():
    haystack = "\n".join(literals())
    messages = [m for m in table_messages() if not any(other in m for other in OTHERS)]
    assert len(messages) >= 25, "the table lost its rows"
    missing = []
    for message in messages:
        for raw in PART.split(message):
            part = raw.strip(" .,'\"`")
            if len(part) >= MIN_CHARS and part not in haystack:
                missing.append(f"{part!r} (from {message!r})")
    assert not missing, "\n".join(missing)
