# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
"""customers records in both modes: created or updated by email and website, a replay sends
nothing, addresses are not added twice, one email in one batch and a kill-and-rerun make one
customer, refusals carry Magento's words, and the same email on two websites is two customers."""

from __future__ import annotations

import time

import pytest
from magento2_rest import SearchCriteria
from magento2_sandbox.control import requests_at_once

from tests.conftest import add_website
from tests.target.helpers import MODES, client, kill_then_rerun, posts_to, stream_messages

CUSTOMER_WRITE = r"/customers(/\d+|/byCustomerId)?$"
AUSTIN = {"street": "1 Congress Ave", "city": "Austin", "postcode": "78701", "country_id": "US",
          "region_id": 57, "telephone": "555-0101", "default_billing": True,
          "default_shipping": True}  # fmt: skip
LYON = {"street": ["5 Rue de la Paix", "Bat. B"], "city": "Lyon", "postcode": "69002",
        "country_id": "FR", "region_id": 259, "telephone": "+33 4 00 00 00"}  # fmt: skip


def customers_with(sb, email: str) -> list[dict]:
    criteria = SearchCriteria().where("email", "eq", email).order_by("entity_id").page(100)
    with client(sb) as api:
        return api.search("/customers/search", criteria).items


def crm(email: str, **fields) -> dict:
    return {"email": email, "website_id": 1, "firstname": "Ada", "lastname": "Lovelace", **fields}


@pytest.mark.parametrize("mode", MODES)
def test_create_update_and_replay(shop, make_config, run_target, mode):
    records = [
        crm("ada@example.com", group="Wholesale", dob="1985-12-10", gender=2, taxvat="FR12",
            addresses=[AUSTIN]),
        crm("grace@example.com", firstname="Grace", lastname="Hopper", group_id=3,
            addresses=[AUSTIN, LYON]),
    ]  # fmt: skip
    config = make_config(shop, api_type=mode)
    run = run_target(config, stream_messages("customers", records))
    writes = len(posts_to(shop, CUSTOMER_WRITE))
    replay = run_target(config, stream_messages("customers", records))

    assert run.summary["customers"]["written"] == 2, run.rejects
    assert replay.summary["customers"]["already_done"] == 2
    assert writes > 0
    assert len(posts_to(shop, CUSTOMER_WRITE)) == writes  # the replay wrote nothing
    (ada,) = customers_with(shop, "ada@example.com")
    assert ada["group_id"] == 2  # Wholesale, by its code
    assert (ada["dob"], ada["gender"], ada["taxvat"]) == ("1985-12-10", 2, "FR12")
    (address,) = ada["addresses"]
    assert address["street"] == ["1 Congress Ave"]
    assert address["region"]["region_code"] == "TX"
    assert ada["default_billing"] == ada["default_shipping"] == str(address["id"])
    (grace,) = customers_with(shop, "grace@example.com")
    assert grace["group_id"] == 3
    assert len(grace["addresses"]) == 2

    # The CRM moves Ada to Retailer, renames her, fixes a phone and adds Lyon.
    changed = crm("ADA@example.com", lastname="King", group="Retailer",
                  addresses=[{**AUSTIN, "telephone": "555-0199", "street": "1  congress ave"},
                             LYON])  # fmt: skip
    before = ada["updated_at"]
    time.sleep(1.1)  # updated_at has whole seconds
    update = run_target(config, stream_messages("customers", [changed]))
    again = run_target(config, stream_messages("customers", [changed]))

    assert update.summary["customers"]["written"] == 1, update.rejects
    assert again.summary["customers"]["already_done"] == 1
    (ada,) = customers_with(shop, "ADA@example.com")
    assert (ada["lastname"], ada["group_id"], ada["dob"]) == ("King", 3, "1985-12-10")
    assert ada["updated_at"] > before  # the tap sees the change
    assert len(ada["addresses"]) == 2
    austin = next(a for a in ada["addresses"] if a["city"] == "Austin")
    assert austin["id"] == address["id"]  # the same address, updated
    assert austin["telephone"] == "555-0199"
    assert ada["default_billing"] == str(austin["id"])
    # One customer, found in any case (MySQL's collation), the email written as the CRM has it.
    assert [c["email"] for c in customers_with(shop, "ada@example.com")] == ["ADA@example.com"]


@pytest.mark.parametrize("mode", MODES)
def test_one_email_twice_in_a_batch_is_one_customer(shop, make_config, run_target, mode):
    records = [crm("twice@example.com", lastname="First"), crm("Twice@Example.com", lastname="Two")]
    run = run_target(make_config(shop, api_type=mode), stream_messages("customers", records))

    assert run.summary["customers"]["written"] == 2, run.rejects
    (one,) = [c for c in shop.store.find("customers") if c["email"].lower() == "twice@example.com"]
    assert one["lastname"] == "Two"
    assert len(posts_to(shop, r"/customers$")) == 1


@pytest.mark.parametrize("mode", MODES)
def test_refusals_carry_magentos_words_and_the_rest_is_written(shop, make_config, run_target, mode):
    records = [
        crm("nofirst@example.com", firstname=" "),
        crm("nogroup@example.com", group_id=77),
        crm(
            "noregion@example.com",
            addresses=[{k: v for k, v in AUSTIN.items() if k != "region_id"}],
        ),
        crm("nosite@example.com", website="nowhere"),
        crm("fine@example.com"),
    ]
    run = run_target(make_config(shop, api_type=mode), stream_messages("customers", records))

    assert run.summary["customers"]["written"] == 1
    assert run.summary["customers"]["refused"] == 4
    by_email = {r["record"]["email"]: r["message"] for r in run.rejects}
    assert '"First Name" is a required value.' in by_email["nofirst@example.com"]
    assert "The specified customer group id does not exist." in by_email["nogroup@example.com"]
    assert '"regionId" is required. Enter and try again.' in by_email["noregion@example.com"]
    assert "no website 'nowhere'" in by_email["nosite@example.com"]
    assert len(customers_with(shop, "fine@example.com")) == 1
    for email in by_email:
        assert customers_with(shop, email) == []  # the refused address left no customer


def test_same_email_on_two_websites_is_two_customers(shop, make_config, run_target):
    add_website(shop)
    pro = {k: v for k, v in crm("both@example.com", website="pro", lastname="Pro").items()
           if k != "website_id"}  # fmt: skip
    records = [crm("both@example.com"), pro]
    config = make_config(shop)
    run = run_target(config, stream_messages("customers", records))
    replay = run_target(config, stream_messages("customers", records))

    assert run.summary["customers"]["written"] == 2, run.rejects
    assert replay.summary["customers"]["already_done"] == 2
    found = {c["website_id"]: c for c in customers_with(shop, "both@example.com")}
    assert sorted(found) == [1, 2]
    assert (found[2]["lastname"], found[2]["store_id"]) == ("Pro", 3)


@pytest.mark.parametrize("mode", MODES)
def test_kill_and_rerun_creates_no_second_customer(shop, make_config, tmp_path, mode):
    records = [crm(f"kill{n}@example.com", addresses=[AUSTIN]) for n in range(12)]
    shop.control.update_settings(latency_ms=150)
    config = make_config(shop, api_type=mode, batch_size_rows=2, max_concurrency=2)
    before, _ = kill_then_rerun(
        shop,
        config,
        tmp_path,
        stream_messages("customers", records),
        r"/customers$",
        done=lambda: sum(1 for r in records if customers_with(shop, r["email"])),
    )
    assert 3 <= before < len(records)
    for record in records:
        (one,) = customers_with(shop, record["email"])
        assert len(one["addresses"]) == 1


def test_a_lost_answer_creates_no_second_customer(shop, make_config, run_target):
    shop.control.update_settings(
        drop_after_commit={"route": r"/V1/customers$", "method": "POST", "count": 1}
    )
    run = run_target(make_config(shop), stream_messages("customers", [crm("lost@example.com")]))

    assert run.summary["customers"]["written"] == 1, run.rejects
    assert len(customers_with(shop, "lost@example.com")) == 1
    assert len(posts_to(shop, r"/customers$")) == 1


def test_a_create_still_queued_is_waited_for_not_queued_again(shop, make_config, run_target):
    shop.control.update_settings(async_consumer="manual")
    messages = stream_messages("customers", [crm("queued@example.com")])
    config = make_config(shop, api_type="async/V1", bulk_timeout=0.5, settle_seconds=0)
    first = run_target(config, messages)
    rerun = run_target(config, messages)

    assert first.summary["customers"]["unknown"] == 1
    assert rerun.summary["customers"]["unknown"] == 1
    assert "is still open in bulk" in rerun.rejects[-1]["message"]
    assert len(posts_to(shop, r"/async/bulk/V1/customers$")) == 1
    shop.control.run_consumer()
    last = run_target(config, messages)
    assert last.summary["customers"]["already_done"] == 1
    assert len(customers_with(shop, "queued@example.com")) == 1


def test_dry_run_writes_nothing(shop, make_config, run_target):
    run = run_target(
        make_config(shop, dry_run=True), stream_messages("customers", [crm("dry@example.com")])
    )

    assert run.summary["customers"]["would_write"] == 1
    assert posts_to(shop, CUSTOMER_WRITE) == []
    assert customers_with(shop, "dry@example.com") == []


def test_customers_are_written_at_once_but_one_customer_never_twice_at_once(
    shop, make_config, run_target
):
    """Three versions of four customers, interleaved: the four creates run at once, each
    customer's updates after its create and one after the other."""
    records = [
        crm(f"round{n}@example.com", lastname=f"V{version}")
        for version in range(3)
        for n in range(4)
    ]
    shop.control.update_settings(latency_ms=60)
    run = run_target(make_config(shop, max_concurrency=4), stream_messages("customers", records))

    assert run.summary["customers"]["written"] == len(records), run.rejects
    creates = posts_to(shop, r"/V1/customers$")
    updates = posts_to(shop, r"/V1/customers/\d+$")
    assert len(creates) == 4
    assert requests_at_once(creates) == 4
    assert max(c["ended"] for c in creates) <= min(u["started"] for u in updates)
    by_customer: dict[str, list[dict]] = {}
    for update in updates:
        by_customer.setdefault(update["path"], []).append(update)
    assert len(by_customer) == 4
    for path, own in by_customer.items():
        assert len(own) == 2, path
        assert requests_at_once(own) == 1, f"{path}: two updates at once"
    for n in range(4):
        (one,) = customers_with(shop, f"round{n}@example.com")
        assert one["lastname"] == "V2"


@pytest.mark.parametrize("mode", MODES)
def test_a_record_moves_the_default_address(shop, make_config, run_target, mode):
    config = make_config(shop, api_type=mode)
    first = crm("moves@example.com", addresses=[LYON, AUSTIN])  # Austin the default
    run_target(config, stream_messages("customers", [first]))
    # The CRM now bills to Lyon; it says nothing of shipping.
    moved = crm("moves@example.com", addresses=[{**LYON, "default_billing": True}])
    run = run_target(config, stream_messages("customers", [moved]))
    replay = run_target(config, stream_messages("customers", [moved]))

    assert run.summary["customers"]["written"] == 1, run.rejects
    assert replay.summary["customers"]["already_done"] == 1
    (customer,) = customers_with(shop, "moves@example.com")
    by_city = {a["city"]: a for a in customer["addresses"]}
    assert sorted(by_city) == ["Austin", "Lyon"]
    assert customer["default_billing"] == str(by_city["Lyon"]["id"])
    assert customer["default_shipping"] == str(by_city["Austin"]["id"])
