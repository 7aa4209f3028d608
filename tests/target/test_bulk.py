# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
"""bulk.py against the sandbox's asynchronous API: results map back to their bodies, a bulk the
store refuses as a whole is split until the refused body stands alone, a bulk that does not
finish in time leaves its operations unknown."""

from __future__ import annotations

from target_magento2.bulk import STATUS_COMPLETE, STATUS_REJECTED, BulkRunner

from tests.target.helpers import client


def item(sku: str, quantity: float) -> dict:
    return {
        "sourceItems": [{"sku": sku, "source_code": "default", "quantity": quantity, "status": 1}]
    }


def test_each_operation_maps_back_and_a_refused_body_is_split_out(sandbox):
    bodies = [item("CA00011", 5), {"notSourceItems": []}, item("BO00015", 6), item("NO-SUCH", 1)]
    with client(sandbox) as api:
        results = BulkRunner(api, size=10, timeout=30, poll_interval=0.2).run(
            "POST", "/inventory/source-items", bodies
        )
        submissions = [r for r in sandbox.control.requests() if r["method"] == "POST"]

    assert [r.status for r in results[:1] + results[2:3]] == [STATUS_COMPLETE, STATUS_COMPLETE]
    assert results[1].status == STATUS_REJECTED
    assert '"sourceItems" is required' in results[1].message
    assert not results[3].complete
    assert "NO-SUCH" in results[3].message
    # 4 refused as a whole, then 2 + 2, then the bad pair as 1 + 1: nothing accepted twice.
    assert [s["status"] for s in submissions] == [400, 400, 202, 400, 202]
    assert float(sandbox.control.entity("source_items", ("CA00011", "default"))["quantity"]) == 5
    assert float(sandbox.control.entity("source_items", ("BO00015", "default"))["quantity"]) == 6


def test_operations_still_open_at_the_deadline_are_unknown(sandbox):
    sandbox.control.update_settings(async_consumer="manual")
    with client(sandbox) as api:
        (result,) = BulkRunner(api, size=10, timeout=0.5, poll_interval=0.2).run(
            "POST", "/inventory/source-items", [item("CA00011", 9)]
        )
    assert result.unknown
    assert result.bulk_uuid is not None
    assert result.bulk_uuid in result.message
