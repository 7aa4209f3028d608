"""The README's recipes, run as written against a sandbox, each in a copy of this project.

Selecting fields with `meltano select`, stream maps that rename a stream and hash or drop a field,
a second store view as an inherited plugin, and moving state to another backend.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from magento2_sandbox import Sandbox

from tests.e2e.meltano_runner import needs_meltano, plugin, project_copy, run_meltano

pytestmark = needs_meltano


def rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_select_fields(tmp_path: Path, sandbox_factory: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_factory(seed=8, orders=40)
    project = project_copy(tmp_path)
    for field in ("entity_id", "increment_id", "grand_total"):
        run_meltano(tmp_path, sandbox, "select", "tap-magento2", "orders", field, project=project)
    listed = run_meltano(tmp_path, sandbox, "select", "tap-magento2", "--list", project=project)
    assert "orders.grand_total" in listed.stdout
    run_meltano(tmp_path, sandbox, "run", "tap-magento2", "target-jsonl", project=project)
    orders = rows(tmp_path / "jsonl" / "orders.jsonl")
    assert len(orders) == len(sandbox.control.truth("orders"))
    # The key and the replication key always come; nothing else but what was selected.
    assert set(orders[0]) == {"entity_id", "increment_id", "grand_total", "updated_at"}
    assert sorted(path.name for path in (tmp_path / "jsonl").iterdir()) == ["orders.jsonl"]


def test_stream_maps_rename_hash_and_drop(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    sandbox = sandbox_factory(seed=8, orders=40)

    def edit(document: dict[str, Any]) -> None:
        tap = plugin(document, "extractors", "tap-magento2")
        tap["select"] = ["customers.*"]
        tap["config"] = {
            "stream_maps": {
                "customers": {
                    "__alias__": "shop_customers",
                    "email_hash": "md5(email)",
                    "email": "__NULL__",
                    "lastname": "__NULL__",
                }
            }
        }

    project = project_copy(tmp_path, edit)
    run_meltano(tmp_path, sandbox, "run", "tap-magento2", "target-jsonl", project=project)
    customers = rows(tmp_path / "jsonl" / "shop_customers.jsonl")
    first = sandbox.control.entity("customers", customers[0]["id"])
    assert customers[0]["email_hash"] == hashlib.md5(first["email"].encode()).hexdigest()
    assert "email" not in customers[0]
    assert "lastname" not in customers[0]
    assert len(customers) == len(sandbox.control.truth("customers"))


def test_store_view_as_inherited_plugin(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    sandbox = sandbox_factory(seed=8, orders=40)

    def edit(document: dict[str, Any]) -> None:
        document["plugins"]["extractors"].append(
            {
                "name": "tap-magento2-fr",
                "inherit_from": "tap-magento2",
                "config": {"store_codes": ["fr"]},
                "select": ["products.*"],
            }
        )

    project = project_copy(tmp_path, edit)
    run_meltano(tmp_path, sandbox, "run", "tap-magento2-fr", "target-jsonl", project=project)
    products = rows(tmp_path / "jsonl" / "products.jsonl")
    assert {row["store_code"] for row in products} == {"fr"}
    assert len(products) == len(sandbox.control.truth("products"))
    states = run_meltano(tmp_path, sandbox, "state", "list", project=project).stdout
    assert "sandbox:tap-magento2-fr-to-target-jsonl" in states


def test_move_state_to_another_backend(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    sandbox = sandbox_factory(seed=8, orders=40)
    project = project_copy(tmp_path)
    select = {"TAP_MAGENTO2__SELECT": json.dumps(["orders.*"])}
    run_meltano(
        tmp_path, sandbox, "run", "tap-magento2", "target-jsonl", project=project, env=select
    )
    state_id = "sandbox:tap-magento2-to-target-jsonl"
    state = run_meltano(tmp_path, sandbox, "state", "get", state_id, project=project).stdout
    assert json.loads(state)["singer_state"]["bookmarks"]["orders"]

    # The same state into a file backend: the next run there reads only what changed.
    backend = {"MELTANO_STATE_BACKEND_URI": f"file://{tmp_path / 'state-backend'}"}
    run_meltano(
        tmp_path, sandbox, "state", "set", "--force", state_id, state.strip(),
        project=project, env=backend,
    )  # fmt: skip
    changed = set(sandbox.control.mass_update("orders", count=5)["ids"])
    (tmp_path / "jsonl" / "orders.jsonl").unlink()
    run_meltano(
        tmp_path, sandbox, "run", "tap-magento2", "target-jsonl",
        project=project, env=backend | select,
    )  # fmt: skip
    second = {row["entity_id"] for row in rows(tmp_path / "jsonl" / "orders.jsonl")}
    assert changed <= second
    assert len(second) < len(sandbox.control.truth("orders"))
    assert list((tmp_path / "state-backend").rglob("*.json"))
