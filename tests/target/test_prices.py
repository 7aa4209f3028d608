# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
"""base_prices, special_prices and tier_prices in both modes: many SKUs per request, visible on
the product; a replay reads the stored prices and sends no price write; Magento's per-row
failures go to the records they name, in Magento's words, and the other rows are written."""

from __future__ import annotations

import pytest

from tests.target.helpers import MODES, client, posts_to, stream_messages

PRICE_WRITES = r"/products/(base-prices|special-price|tier-prices)$"


def simple_skus(sb, count: int) -> list[str]:
    skus = sorted(str(p["sku"]) for p in sb.store.find("products", type_id="simple"))
    assert len(skus) >= count
    return skus[:count]


def product(sb, sku: str) -> dict:
    with client(sb) as api:
        return dict(api.get(f"/products/{sku}"))


def outcomes(run, kind: str) -> dict[str, int]:
    return {name: count for name, count in run.summary[kind].items() if count}


def attribute(doc: dict, code: str):
    return next(
        (a["value"] for a in doc.get("custom_attributes") or [] if a["attribute_code"] == code),
        None,
    )


@pytest.mark.parametrize("mode", MODES)
def test_base_prices_written_many_per_request_and_a_replay_sends_nothing(
    sandbox, make_config, run_target, mode
):
    skus = simple_skus(sandbox, 20)
    before = product(sandbox, skus[0])["updated_at"]
    records = [{"sku": sku, "price": 10 + i / 4} for i, sku in enumerate(skus)]
    config = make_config(sandbox, api_type=mode, batch_size=5)
    sandbox.control.clear_requests()
    run = run_target(config, stream_messages("base_prices", records))
    sent = len(posts_to(sandbox, PRICE_WRITES))
    # Reads and writes together, the bulk status polls of async mode included.
    assert len(sandbox.control.requests()) / len(skus) < 0.5
    replay = run_target(config, stream_messages("base_prices", records))

    assert run.summary["base_prices"]["written"] == 20, run.rejects
    assert [product(sandbox, sku)["price"] for sku in skus[:3]] == [10, 10.25, 10.5]
    # PricePersistence::updateLastUpdatedAt: a base price moves updated_at.
    assert product(sandbox, skus[0])["updated_at"] >= before
    # Five SKUs per request; in async mode five per operation, the four in one bulk request.
    assert sent == (4 if mode == "V1" else 1)
    assert replay.summary["base_prices"]["already_done"] == 20
    assert len(posts_to(sandbox, PRICE_WRITES)) == sent


@pytest.mark.parametrize("mode", MODES)
def test_unknown_sku_and_negative_price_refused_in_magentos_words_the_rest_written(
    sandbox, make_config, run_target, mode
):
    good, cheap, nowhere = simple_skus(sandbox, 3)
    records = [
        {"sku": good, "price": 42},
        {"sku": "NO-SUCH-SKU", "price": 5},
        {"sku": cheap, "price": -3},
        {"sku": nowhere, "price": 4, "store_id": 9},
    ]
    run = run_target(make_config(sandbox, api_type=mode), stream_messages("base_prices", records))

    assert outcomes(run, "base_prices") == {"written": 1, "refused": 3}, run.rejects
    assert product(sandbox, good)["price"] == 42
    assert product(sandbox, cheap)["price"] != -3
    words = {r["record"]["sku"]: r["message"] for r in run.rejects}
    assert words == {
        "NO-SUCH-SKU": "Invalid attribute SKU = NO-SUCH-SKU.",
        cheap: "Invalid attribute Price = -3.",
        nowhere: f"Requested store is not found. Row ID: SKU = {nowhere}, Store ID: 9.",
    }
    assert len(posts_to(sandbox, PRICE_WRITES)) == 1


@pytest.mark.parametrize("mode", MODES)
def test_special_price_with_dates_and_a_refused_date(sandbox, make_config, run_target, mode):
    sale, wrong = simple_skus(sandbox, 2)
    records = [
        {"sku": sale, "price": 7.5, "price_from": "2026-12-01 00:00:00",
         "price_to": "2026-12-31 23:59:59"},
        # No 13th month: SpecialPriceStorage::isCorrectDateValue reads it back as another date.
        {"sku": wrong, "price": 8, "price_to": "2026-13-01 00:00:00"},
    ]  # fmt: skip
    config = make_config(sandbox, api_type=mode)
    run = run_target(config, stream_messages("special_prices", records))
    replay = run_target(config, stream_messages("special_prices", records[:1]))

    assert outcomes(run, "special_prices") == {"written": 1, "refused": 1}, run.rejects
    doc = product(sandbox, sale)
    assert float(attribute(doc, "special_price")) == 7.5
    assert attribute(doc, "special_from_date") == "2026-12-01 00:00:00"
    assert attribute(doc, "special_to_date") == "2026-12-31 23:59:59"
    assert attribute(product(sandbox, wrong), "special_price") is None
    (reject,) = run.rejects
    assert reject["message"] == (
        f"Invalid attribute Price To = 2026-13-01 00:00:00. Row ID: SKU = {wrong}, Store ID: 0, "
        "Price From: , Price To: 2026-13-01 00:00:00."
    )
    assert replay.summary["special_prices"]["already_done"] == 1


@pytest.mark.parametrize("mode", MODES)
def test_tier_prices_fixed_and_discount_with_a_refused_group(
    sandbox, make_config, run_target, mode
):
    sku, other = simple_skus(sandbox, 2)
    records = [
        {"sku": sku, "price": 9, "quantity": 10},
        {"sku": sku, "price": 15, "price_type": "discount", "quantity": 50,
         "customer_group": "Wholesale"},
        {"sku": other, "price": 5, "quantity": 3, "customer_group": "Resellers"},
        {"sku": other, "price": 4, "quantity": 0},
    ]  # fmt: skip
    config = make_config(sandbox, api_type=mode)
    run = run_target(config, stream_messages("tier_prices", records))
    replay = run_target(config, stream_messages("tier_prices", records[:2]))

    assert outcomes(run, "tier_prices") == {"written": 2, "refused": 2}, run.rejects
    base = product(sandbox, sku)["price"]
    tiers = {(t["customer_group_id"], t["qty"]): t for t in product(sandbox, sku)["tier_prices"]}
    assert tiers[32000, 10]["value"] == 9
    assert tiers[2, 50]["extension_attributes"]["percentage_value"] == 15
    assert tiers[2, 50]["value"] == pytest.approx(base * 0.85)
    assert product(sandbox, other)["tier_prices"] == []
    row = f"Row ID: SKU = {other}, Website ID: 0, Customer Group:"
    assert sorted(r["message"] for r in run.rejects) == [
        f"Invalid attribute Quantity = 0. {row} all groups, Quantity: 0.",
        f"No such entity with Customer Group = Resellers. {row} Resellers, Quantity: 3.",
    ]
    assert replay.summary["tier_prices"]["already_done"] == 2


def test_input_limits_split_the_price_list_and_every_price_is_written(
    sandbox, make_config, run_target
):
    sandbox.control.update_settings(input_limits=True)
    skus = simple_skus(sandbox, 23)
    records = [{"sku": sku, "price": 3 + i} for i, sku in enumerate(skus)]
    run = run_target(make_config(sandbox), stream_messages("base_prices", records))

    assert outcomes(run, "base_prices") == {"written": 23}, run.rejects
    assert [product(sandbox, sku)["price"] for sku in skus] == [3 + i for i in range(23)]
    statuses = [r["status"] for r in posts_to(sandbox, PRICE_WRITES)]
    # The first body of 23 is refused (at most 20 items), then 20 + 3.
    assert statuses == [400, 200, 200]


def test_dry_run_reads_and_writes_nothing(sandbox, make_config, run_target):
    (sku,) = simple_skus(sandbox, 1)
    run = run_target(
        make_config(sandbox, dry_run=True),
        stream_messages("base_prices", [{"sku": sku, "price": 1}]),
    )
    assert run.summary["base_prices"]["would_write"] == 1
    assert posts_to(sandbox, PRICE_WRITES) == []
