# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
"""Input that is no good (a line that is not JSON, a RECORD before its SCHEMA) is refused with
the reason in the rejects file; the records around it are written, and the exit status says so."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import TYPE_CHECKING

from magento2_rest import MagentoClient, MagentoSettings, SearchCriteria
from target_magento2.records import kind_schema

from tests.target.helpers import read_rejects

if TYPE_CHECKING:
    from pathlib import Path


def test_bad_lines_are_refused_and_the_rest_is_written(sandbox, make_config, tmp_path: Path):
    items = sandbox.control.truth("source_items")[:2]
    records = [
        {"sku": item["id"]["sku"], "source_code": item["id"]["source_code"], "quantity": 41 + n}
        for n, item in enumerate(items)
    ]
    schema = {"type": "object", "properties": kind_schema("source_items")["properties"]}
    lines = [
        json.dumps({"type": "RECORD", "stream": "source_items", "record": records[0]}),
        json.dumps(
            {"type": "SCHEMA", "stream": "source_items", "schema": schema, "key_properties": []}
        ),
        '{"type": "RECORD", "stream": "source_items", "record": {"sku": ',
        '["not", "a", "message"]',
        json.dumps({"type": "RECORD", "stream": "source_items", "record": records[1]}),
        json.dumps({"type": "STATE", "value": {"erp": "after"}}),
    ]
    config = make_config(sandbox)
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    done = subprocess.run(
        [sys.executable, "-m", "target_magento2", "--config", str(path)],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1  # something was refused (fail_on_reject)
    assert "Traceback" not in done.stderr
    rejects = read_rejects(tmp_path / "rejects.jsonl")
    assert [(r["stream"], r["message"]) for r in rejects] == [
        (
            "source_items",
            (
                "a RECORD of stream 'source_items' came before its SCHEMA; the tap must send the "
                "SCHEMA message first (Singer spec)"
            ),
        ),
        ("(input)", "line 3 is not JSON (Expecting value at column 65)"),
        ("(input)", "line 4 is JSON but no Singer message (no type)"),
    ]
    # The record after the bad lines was written; the one before its SCHEMA was not.
    settings = MagentoSettings.from_config({"url": sandbox.url, **sandbox.credentials})
    with MagentoClient(settings) as api:
        criteria = (
            SearchCriteria()
            .where("sku", "eq", records[1]["sku"])
            .where("source_code", "eq", records[1]["source_code"])
        )
        (item,) = api.search("/inventory/source-items", criteria.page(5)).items
    assert float(item["quantity"]) == 42
    assert json.loads(done.stdout.splitlines()[-1]) == {"erp": "after"}
