# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""Customer writes: POST /V1/customers (createAccount) and PUT /V1/customers/{id} (save), with
Magento's checks in its order and words, addresses replaced by PUT, the sharing scope, async."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import requests

from tests.conftest import add_website

from .conftest import Api, criteria

if TYPE_CHECKING:
    from magento2_sandbox import Sandbox

ADDRESS = {"firstname": "Ann", "lastname": "Lee", "street": ["1 Main"], "city": "Austin",
           "postcode": "78701", "country_id": "US", "region_id": 57, "telephone": "555",
           "default_billing": True, "default_shipping": True}  # fmt: skip


NO_WEBSITE = (
    "The website with id %1 that was requested wasn't found. Verify the website and try again."
)


def _send(api: Api, method: str, route: str, body: Any) -> requests.Response:
    return requests.request(method, api.url(route), json=body, auth=api.auth, timeout=30)


def _customer(email: str, **fields: Any) -> dict[str, Any]:
    return {"email": email, "firstname": "Ann", "lastname": "Lee", "website_id": 1, **fields}


def _create(api: Api, customer: dict[str, Any], **extra: Any) -> requests.Response:
    return _send(api, "POST", "/customers", {"customer": customer, **extra})


def test_create_answers_the_customer_and_the_search_shows_it(api: Api) -> None:
    answer = _create(api, _customer("ann@example.org", addresses=[ADDRESS]))
    assert answer.status_code == 200, answer.text
    created = answer.json()
    (address,) = created["addresses"]
    assert address["region"] == {"region_code": "TX", "region": "Texas", "region_id": 57}
    assert created["default_billing"] == created["default_shipping"] == str(address["id"])
    assert (created["group_id"], created["store_id"], created["created_in"]) == (
        1,
        1,
        "Default Store View",
    )
    assert "password" not in answer.text
    found = api.search("/customers/search", criteria([("email", "ANN@example.org", "eq")]))
    assert [c["id"] for c in found["items"]] == [created["id"]]


def test_create_refusals_in_magentos_order_and_words(api: Api) -> None:
    assert _create(api, _customer("dup@example.org")).status_code == 200
    cases = [
        (_customer("dup@example.org", group_id=99), 400,
         "The specified customer group id does not exist."),
        (_customer("DUP@example.org", firstname=""), 400,
         "A customer with the same email address already exists in an associated website."),
        ({"firstname": "A", "lastname": "B"}, 400,
         "The customer email is missing. Enter and try again."),
        (_customer("new@example.org", firstname="", lastname=""), 400,
         '"First Name" is a required value.\n"Last Name" is a required value.'),
        (_customer("not-an-email"), 400, '"Email" is not a valid email address.'),
        (_customer("x@example.org", website_id=7), 404,
         NO_WEBSITE),
        (_customer("x@example.org", store_id=0), 400,
         "The store view is not in the associated website."),
    ]  # fmt: skip
    for customer, status, message in cases:
        answer = _create(api, customer)
        assert (answer.status_code, answer.json()["message"]) == (status, message), customer
    weak = _create(api, _customer("pw@example.org"), password="short")
    assert weak.json()["message"].startswith("The password needs at least %1 characters.")


def test_a_refused_address_leaves_no_customer(sandbox: Sandbox, api: Api) -> None:
    before = sandbox.store.count("customers")
    bad = {**ADDRESS, "city": "", "region_id": 999}
    answer = _create(api, _customer("addr@example.org", addresses=[bad]))
    assert answer.status_code == 400
    assert answer.json()["message"] == "One or more input exceptions have occurred."
    assert [e["parameters"] for e in answer.json()["errors"]] == [
        {"fieldName": "city"},
        {"fieldName": "regionId", "value": 999},
    ]
    assert sandbox.store.count("customers") == before


def test_put_keeps_what_it_does_not_send_and_replaces_the_addresses(
    sandbox: Sandbox, api: Api
) -> None:
    created = _create(api, _customer("put@example.org", dob="1980-01-02", addresses=[ADDRESS]))
    customer = created.json()
    kept = customer["addresses"][0]
    time.sleep(1.1)  # updated_at has whole seconds
    renamed = _send(api, "PUT", f"/customers/{customer['id']}",
                    {"customer": _customer("put@example.org", lastname="King")})  # fmt: skip
    assert renamed.status_code == 200, renamed.text
    saved = renamed.json()
    assert (saved["lastname"], saved["dob"], saved["group_id"]) == ("King", "1980-01-02", 1)
    assert saved["addresses"] == [kept]  # no addresses sent: kept, defaults too
    assert saved["default_billing"] == str(kept["id"])
    assert saved["updated_at"] > customer["updated_at"]

    lyon = {**ADDRESS, "city": "Lyon", "country_id": "FR", "region_id": 259, "postcode": "69002"}
    moved = _send(api, "PUT", f"/customers/{customer['id']}",
                  {"customer": _customer("put@example.org", addresses=[lyon])})  # fmt: skip
    (only,) = moved.json()["addresses"]
    assert only["city"] == "Lyon"
    assert only["id"] != kept["id"]  # the Austin address is gone
    assert moved.json()["default_billing"] == str(only["id"])
    assert sandbox.control.entity("customers", customer["id"])["addresses"] == [only]

    unnamed = _send(api, "PUT", f"/customers/{customer['id']}",
                    {"customer": {"email": "put@example.org", "website_id": 1}})  # fmt: skip
    assert unnamed.json()["message"] == (
        '"First Name" is a required value.\n"Last Name" is a required value.'
    )
    missing = _send(api, "PUT", "/customers/99999", {"customer": _customer("x@example.org")})
    assert missing.status_code == 404


def test_global_share_scope_refuses_the_email_on_another_website(
    sandbox: Sandbox, api: Api
) -> None:
    add_website(sandbox)
    assert _create(api, _customer("two@example.org")).status_code == 200
    other = _create(api, _customer("two@example.org", website_id=2))
    assert other.status_code == 200
    assert other.json()["store_id"] == 3
    sandbox.control.update_settings(customer_share_scope="global")
    third = _create(api, _customer("three@example.org"))
    assert third.status_code == 200
    again = _create(api, _customer("three@example.org", website_id=2))
    assert again.json()["message"] == (
        "A customer with the same email address already exists in an associated website."
    )


def test_bulk_create_and_update_run_on_the_consumer(sandbox: Sandbox, api: Api) -> None:
    bulk = requests.post(
        f"{sandbox.url}/rest/async/bulk/V1/customers",
        json=[{"customer": _customer("bulk@example.org")}, {"customer": {"email": "x"}}],
        auth=api.auth,
        timeout=30,
    )
    assert bulk.status_code == 202, bulk.text
    uuid = bulk.json()["bulk_uuid"]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        operations = api.json(f"/bulk/{uuid}/detailed-status")["operations_list"]
        if all(o["status"] != 4 for o in operations):
            break
        time.sleep(0.1)
    assert [o["status"] for o in operations] == [1, 3]
    assert '"First Name" is a required value.' in operations[1]["result_message"]
    found = api.search("/customers/search", criteria([("email", "bulk@example.org", "eq")]))
    (customer,) = found["items"]
    put = requests.put(
        f"{sandbox.url}/rest/async/bulk/V1/customers/byCustomerId",
        json=[{"customer": _customer("bulk@example.org", id=customer["id"], lastname="B")}],
        auth=api.auth,
        timeout=30,
    )
    assert put.status_code == 202, put.text
    deadline = time.monotonic() + 10
    while sandbox.control.entity("customers", customer["id"])["lastname"] != "B":
        assert time.monotonic() < deadline
        time.sleep(0.1)
