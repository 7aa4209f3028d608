"""A config file in the integration platforms' form (camelCase keys, `type`) runs the target
unchanged, in both of its modes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import platform_config
from tests.target.helpers import stream_messages


@pytest.mark.parametrize("api_type", ["V1", "async/V1"])
def test_integration_platform_config_writes_stock(
    sandbox_factory: Any, run_cli: Any, tmp_path: Path, api_type: str
) -> None:
    sb = sandbox_factory(seed=2, orders=20)
    config = platform_config(sb, type=api_type, rejects_file=str(tmp_path / "rejects.jsonl"))
    item = sb.store.find("source_items")[0]
    quantity = float(item["quantity"]) + 17
    records = [{"sku": item["sku"], "source_code": item["source_code"], "quantity": quantity}]

    done = run_cli(config, stream_messages("source_items", records))

    assert done.returncode == 0, done.stderr[-2000:]
    stored = sb.control.entity("source_items", (item["sku"], item["source_code"]))
    assert float(stored["quantity"]) == quantity
    methods = {(r["method"], r["path"].split("/V1/")[0]) for r in sb.control.requests()}
    prefix = "/rest/default/async/bulk" if api_type == "async/V1" else "/rest/default"
    assert ("POST", prefix) in methods, methods
