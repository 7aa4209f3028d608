"""Print the `settings:` list of a plugin for meltano.yml from its `--about --format=json`.

`tests/e2e/test_meltano_yml.py` checks that meltano.yml says what the plugins say, so the two
cannot drift apart; run this after adding a setting and paste its output into meltano.yml:
    python scripts/meltano_settings.py tap-magento2
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

# Settings every SDK plugin has; meltano.yml need not repeat them.
SDK_SETTINGS = frozenset(
    {
        "stream_maps",
        "stream_map_config",
        "faker_config",
        "flattening_enabled",
        "flattening_max_depth",
        "flattening_max_key_length",
        "flattening_separator",
        "batch_config",
        "add_record_metadata",
        "load_method",
        "batch_size_rows",
        "validate_records",
    }
)


def meltano_kind(schema: dict[str, Any]) -> str:
    types = schema.get("type", "string")
    types = [types] if isinstance(types, str) else [t for t in types if t != "null"]
    kind = types[0] if types else "string"
    return {"number": "decimal", "boolean": "boolean", "integer": "integer"}.get(
        kind, kind if kind in {"array", "object"} else "string"
    )


def plugin_settings(executable: str) -> list[dict[str, Any]]:
    about = json.loads(
        subprocess.run(
            [Path(sys.executable).parent / executable, "--about", "--format=json"],
            capture_output=True,
            check=True,
            text=True,
        ).stdout
    )
    settings = []
    for name, schema in about["settings"]["properties"].items():
        if name in SDK_SETTINGS:
            continue
        entry: dict[str, Any] = {"name": name, "kind": meltano_kind(schema)}
        if schema.get("secret"):
            entry["sensitive"] = True
        description = schema.get("description")
        if description:
            entry["description"] = description
        settings.append(entry)
    return settings


def main() -> None:
    for entry in plugin_settings(sys.argv[1]):
        print(f"    - name: {entry['name']}")
        print(f"      kind: {entry['kind']}")
        if entry.get("sensitive"):
            print("      sensitive: true")
        if "description" in entry:
            print(f"      description: {json.dumps(entry['description'])}")


if __name__ == "__main__":
    main()
