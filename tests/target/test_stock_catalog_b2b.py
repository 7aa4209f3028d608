# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
"""Source items, stock items, products, companies and company credit, in both modes: the store's
data changes as asked, a replay changes nothing more, refusals carry Magento's words."""

from __future__ import annotations

import json
from typing import Any

import pytest
from magento2_rest import SearchCriteria, path_segment

from tests.target.helpers import CONCURRENCY, MODES, client, posts_to, stream_messages


def product_skus(sb, count: int) -> list[str]:
    criteria = SearchCriteria().where("type_id", "eq", "simple").order_by("entity_id").page(count)
    with client(sb) as api:
        return [p["sku"] for p in api.search("/products", criteria).items]


def source_item(sb, sku: str, source_code: str) -> dict:
    criteria = SearchCriteria().where("sku", "eq", sku).where("source_code", "eq", source_code)
    with client(sb) as api:
        (item,) = api.search("/inventory/source-items", criteria.page(10)).items
        return item


@pytest.mark.parametrize("mode", MODES)
def test_source_items_are_set(sandbox, make_config, run_target, mode):
    skus = product_skus(sandbox, 3)
    records = [
        {"sku": skus[0], "source_code": "default", "quantity": 17},
        {"sku": skus[1], "source_code": "default", "quantity": 0},
        {"sku": skus[2], "source_code": "default", "quantity": 5.5, "status": 0},
    ]
    run = run_target(make_config(sandbox, api_type=mode), stream_messages("source_items", records))

    assert run.summary["source_items"]["written"] == 3
    first = source_item(sandbox, skus[0], "default")
    assert (float(first["quantity"]), int(first["status"])) == (17, 1)
    second = source_item(sandbox, skus[1], "default")
    assert (float(second["quantity"]), int(second["status"])) == (0, 0)
    third = source_item(sandbox, skus[2], "default")
    assert (float(third["quantity"]), int(third["status"])) == (5.5, 0)


@pytest.mark.parametrize("concurrency", CONCURRENCY)
def test_array_limit_splits_the_batch_never_drops_or_doubles_it(
    sandbox, make_config, run_target, concurrency
):
    """Input limits on (20 items per synchronous array): the first body is refused, the store's
    limit is learned, and every item is in exactly one accepted body; the second source of each
    SKU goes after the first, never in a body in flight at the same time."""
    skus = product_skus(sandbox, 30)
    assert len(skus) > 20  # more than one body's worth per source
    pairs = [(sku, source) for source in ("default", "eu_warehouse") for sku in skus]
    sandbox.control.update_settings(input_limits=True)
    records = [
        {"sku": sku, "source_code": source, "quantity": 100 + n}
        for n, (sku, source) in enumerate(pairs)
    ]
    config = make_config(sandbox, batch_size=100, max_concurrency=concurrency)
    run = run_target(config, stream_messages("source_items", records))

    assert run.summary["source_items"]["written"] == len(records)
    posts = posts_to(sandbox, r"/V1/inventory/source-items$")
    # The store named its limit once, on the first body (one SKU per item: one source)...
    assert (posts[0]["status"], posts[0]["body_items"]) == (400, len(skus))
    accepted = posts[1:]
    # ...then 20 + the rest, for each source.
    assert [p["status"] for p in accepted] == [200] * 4
    rest = len(skus) - 20
    assert sorted(p["body_items"] for p in accepted) == sorted([20, rest, 20, rest])
    assert sum(p["body_items"] for p in accepted) == len(records)
    first_source = [p for p in accepted if p["seq"] <= posts[0]["seq"] + 2]
    second_source = [p for p in accepted if p not in first_source]
    assert max(p["ended"] for p in first_source) <= min(p["started"] for p in second_source)
    for n, (sku, source) in enumerate(pairs):
        assert float(source_item(sandbox, sku, source)["quantity"]) == 100 + n


def test_async_array_limit_is_learned_from_the_refused_bulk(sandbox, make_config, run_target):
    """Async mode: a body holding more items than the store's asynchronous limit is refused
    with that limit; the target splits the bodies' items by it and loses none."""
    # The store's limit for arrays in an asynchronous body (5000 on Magento), made small.
    sandbox.control.update_settings(input_limits=True, async_array_limit=7)
    skus = product_skus(sandbox, 20)
    records = [
        {"sku": sku, "source_code": "default", "quantity": 300 + n} for n, sku in enumerate(skus)
    ]
    config = make_config(sandbox, api_type="async/V1", batch_size=10)
    run = run_target(config, stream_messages("source_items", records))

    assert run.summary["source_items"]["written"] == len(records)
    posts = posts_to(sandbox, r"/async/bulk/V1/inventory/source-items$")
    # Bodies of 10 refused as a whole, then the same items in bodies of 7 at most.
    assert [p["status"] for p in posts] == [400, 202]
    assert len(records) == 20
    assert posts[1]["body_items"] == 4  # 7 + 3 of each body of 10
    for n, sku in enumerate(skus):
        assert float(source_item(sandbox, sku, "default")["quantity"]) == 300 + n


@pytest.mark.parametrize("mode", MODES)
def test_stock_items_are_set(sandbox, make_config, run_target, mode):
    sku = product_skus(sandbox, 1)[0]
    run = run_target(
        make_config(sandbox, api_type=mode),
        stream_messages("stock_items", [{"sku": sku, "qty": 33, "is_in_stock": True}]),
    )
    assert run.summary["stock_items"]["written"] == 1
    with client(sandbox) as api:
        item = api.get(f"/stockItems/{path_segment(sku)}")
    assert (float(item["qty"]), bool(item["is_in_stock"])) == (33, True)


@pytest.mark.parametrize("mode", MODES)
def test_stock_item_of_unknown_sku_is_refused_with_magentos_words(
    sandbox, make_config, run_target, mode
):
    run = run_target(
        make_config(sandbox, api_type=mode),
        stream_messages("stock_items", [{"sku": "NO-SUCH-SKU", "qty": 1}]),
    )
    assert run.summary["stock_items"]["refused"] == 1
    (line,) = run.rejects
    assert "NO-SUCH-SKU" in line["message"]
    assert line["route"]
    assert line["record"] == {"sku": "NO-SUCH-SKU", "qty": 1}


@pytest.mark.parametrize("mode", MODES)
def test_products_change_only_the_fields_given(sandbox, make_config, run_target, mode):
    sku = product_skus(sandbox, 1)[0]
    with client(sandbox) as api:
        before = api.get(f"/products/{path_segment(sku)}")
        global_before = api.get(f"/products/{path_segment(sku)}", store_code="all")
    records: list[dict[str, Any]] = [
        {
            "sku": sku,
            "store_code": "all",
            "price": 12.5,
            "custom_attributes": {"description": "From the PIM"},
        },
        # The seed's French store view.
        {"sku": sku, "store_code": "fr", "name": "Store view name"},
    ]
    run = run_target(make_config(sandbox, api_type=mode), stream_messages("products", records))

    assert run.summary["products"]["written"] == 2
    with client(sandbox) as api:
        after = api.get(f"/products/{path_segment(sku)}")
        global_after = api.get(f"/products/{path_segment(sku)}", store_code="all")
        french = api.get(f"/products/{path_segment(sku)}", store_code="fr")
    assert float(after["price"]) == 12.5
    assert after["weight"] == before.get("weight")
    attributes = {a["attribute_code"]: a["value"] for a in after.get("custom_attributes") or []}
    assert attributes["description"] == "From the PIM"
    # The name went to the store view only; the global name stays.
    assert french["name"] == "Store view name"
    assert global_after["name"] == global_before["name"] != "Store view name"
    assert float(global_after["price"]) == 12.5


@pytest.mark.parametrize("mode", MODES)
def test_products_go_to_all_and_a_store_view_only_where_named(
    sandbox, make_config, run_target, mode
):
    """Without store_code a product is written through /rest/all/V1 and every store view shows
    it; a record naming a view (here `default`, store view 1) changes that view only."""
    sku = f"scope-{mode.replace('/', '-')}"

    def names() -> dict[str, str]:
        with client(sandbox) as api:
            return {
                code: api.get(f"/products/{sku}", store_code=code)["name"]
                for code in ("all", "default", "fr")
            }

    config = make_config(sandbox, api_type=mode)
    first: list[dict[str, Any]] = [
        {"sku": sku, "name": "Global name", "price": 9, "attribute_set_id": 4},
        {"sku": sku, "store_code": "default", "name": "Default view name"},
    ]
    run = run_target(config, stream_messages("products", first))
    assert run.summary["products"]["written"] == 2
    assert names() == {"all": "Global name", "default": "Default view name", "fr": "Global name"}

    run = run_target(config, stream_messages("products", [{"sku": sku, "name": "Global 2"}]))
    assert run.summary["products"]["written"] == 1
    assert names() == {"all": "Global 2", "default": "Default view name", "fr": "Global 2"}


@pytest.mark.parametrize("mode", MODES)
def test_companies_change_only_the_fields_given(sandbox, make_config, run_target, mode):
    with client(sandbox) as api:
        before = api.get("/company/1")
    new_status = 3 if int(before["status"]) != 3 else 1
    records = [{"company_id": 1, "status": new_status}]
    config = make_config(sandbox, api_type=mode)

    run = run_target(config, stream_messages("companies", records))
    replay = run_target(config, stream_messages("companies", records))

    assert run.summary["companies"]["written"] == 1
    assert replay.summary["companies"]["already_done"] == 1
    with client(sandbox) as api:
        after = api.get("/company/1")
    assert int(after["status"]) == new_status
    assert after["company_name"] == before["company_name"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("concurrency", CONCURRENCY)
def test_company_credit_limit_and_balance_change_once(
    sandbox, make_config, run_target, mode, concurrency
):
    with client(sandbox) as api:
        credit = api.get("/companyCredits/company/1")
    records = [
        {
            "company_id": 1,
            "credit_limit": float(credit.get("credit_limit") or 0) + 1000,
            "exceed_limit": True,
            "balance_change": {"value": 250, "reference": "ERP-PAY-1", "comment": "payment"},
        },
        {"company_id": 1, "balance_change": {"value": -40, "reference": "ERP-CHG-1"}},
    ]
    config = make_config(sandbox, api_type=mode, max_concurrency=concurrency)

    run = run_target(config, stream_messages("company_credits", records))
    replay = run_target(config, stream_messages("company_credits", records))

    assert run.summary["company_credits"]["written"] == 2
    assert replay.summary["company_credits"]["already_done"] == 2
    with client(sandbox) as api:
        after = api.get("/companyCredits/company/1")
        history = api.search(
            "/companyCredits/history",
            SearchCriteria().where("company_credit_id", "eq", credit["id"]).page(100),
        ).items
    assert float(after["credit_limit"]) == float(credit.get("credit_limit") or 0) + 1000
    assert bool(after["exceed_limit"]) is True
    assert float(after["balance"]) == pytest.approx(float(credit.get("balance") or 0) + 210)
    refs = [h.get("custom_reference_number") for h in history]
    assert refs.count("ERP-PAY-1") == 1
    assert refs.count("ERP-CHG-1") == 1


def test_rejects_file_lines_are_json(sandbox, make_config, run_target):
    run = run_target(
        make_config(sandbox),
        stream_messages("stock_items", [{"sku": "NO-SUCH-SKU", "qty": 1}]),
    )
    text = (run.target.ledger.rejects_path).read_text("utf-8")
    assert [json.loads(line)["outcome"] for line in text.splitlines()] == ["refused"]


@pytest.mark.parametrize("mode", MODES)
def test_unknown_sku_in_a_source_item_batch_is_refused_alone(
    sandbox, make_config, run_target, mode
):
    skus = product_skus(sandbox, 4)
    records = [{"sku": sku, "source_code": "default", "quantity": 61} for sku in skus]
    records.insert(2, {"sku": "NO-SUCH-SKU", "source_code": "default", "quantity": 1})
    run = run_target(make_config(sandbox, api_type=mode), stream_messages("source_items", records))

    assert run.summary["source_items"]["written"] == 4
    assert run.summary["source_items"]["refused"] == 1
    (line,) = run.rejects
    assert line["record"]["sku"] == "NO-SUCH-SKU"
    assert 'Product with requested "sku": "NO-SUCH-SKU"' in line["message"]
    for sku in skus:
        assert float(source_item(sandbox, sku, "default")["quantity"]) == 61


@pytest.mark.parametrize("mode", MODES)
def test_new_product_without_a_name_is_refused_with_magentos_words(
    sandbox, make_config, run_target, mode
):
    run = run_target(
        make_config(sandbox, api_type=mode),
        stream_messages("products", [{"sku": "NEW-WITHOUT-NAME", "price": 3}]),
    )
    assert run.summary["products"]["refused"] == 1
    (line,) = run.rejects
    assert 'The "Product Name" attribute value is empty' in line["message"]


@pytest.mark.parametrize("concurrency", CONCURRENCY)
def test_lost_answer_to_a_balance_change_changes_the_balance_once(
    sandbox, make_config, run_target, concurrency
):
    """The store commits increaseBalance, then drops the connection: the target finds the history
    entry by its reference instead of sending the change again."""
    with client(sandbox) as api:
        credit = api.get("/companyCredits/company/1")
    sandbox.control.update_settings(
        drop_after_commit={"route": r"/increaseBalance$", "method": "POST", "count": 1}
    )
    run = run_target(
        make_config(sandbox, max_concurrency=concurrency),
        stream_messages(
            "company_credits",
            [{"company_id": 1, "balance_change": {"value": 30, "reference": "LOST-PAY-1"}}],
        ),
    )

    assert sandbox.control.settings()["drop_after_commit"]["count"] == 0  # it was dropped
    assert run.summary["company_credits"]["written"] == 1
    assert len(posts_to(sandbox, r"/increaseBalance$")) == 1
    with client(sandbox) as api:
        after = api.get("/companyCredits/company/1")
    assert float(after["balance"]) == pytest.approx(float(credit.get("balance") or 0) + 30)
