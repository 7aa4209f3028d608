# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""B2B writes: company updates, credit limits, balance changes and their credit history."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import requests

from .conftest import Api, criteria

if TYPE_CHECKING:
    from magento2_sandbox import Sandbox

REQUIRED = '"%fieldName" is required. Enter and try again.'
INVALID_ATTRIBUTE = "Invalid attribute value. Row ID: %fieldName = %fieldValue."


def _send(api: Api, method: str, route: str, body: Any) -> Any:
    return requests.request(method, api.url(route), json=body, auth=api.auth, timeout=30)


def _history(api: Api, credit_id: int) -> list[dict[str, Any]]:
    found = api.search(
        "/companyCredits/history",
        [
            *criteria([("company_credit_id", credit_id, "eq")]),
            ("searchCriteria[sortOrders][0][field]", "id"),
            ("searchCriteria[sortOrders][0][direction]", "ASC"),
        ],
    )
    return list(found["items"])


def test_company_put_changes_the_fields_sent(sandbox: Sandbox, api: Api) -> None:
    company = sandbox.store.get("companies", 1)
    assert company is not None
    answer = _send(api, "PUT", "/company/1", {"company": {"company_name": "Renamed Ltd"}})
    assert answer.status_code == 200, answer.text
    assert answer.json()["company_name"] == "Renamed Ltd"
    saved = api.json("/company/1")
    assert saved == {**company, "company_name": "Renamed Ltd"}


def test_company_put_refusals_carry_magentos_words(api: Api) -> None:
    missing = _send(api, "PUT", "/company/999", {"company": {"company_name": "X"}})
    assert (missing.status_code, missing.json()["parameters"]) == (
        404,
        {"fieldName": "companyId", "fieldValue": "999"},
    )
    group = _send(api, "PUT", "/company/1", {"company": {"customer_group_id": 77}})
    assert (group.status_code, group.json()) == (
        404,
        {"message": "No such entity with %fieldName = %fieldValue",
         "parameters": {"fieldName": "customerGroupId", "fieldValue": "77"}},
    )  # fmt: skip
    several = _send(api, "PUT", "/company/1", {"company": {"city": "", "company_email": "nope"}})
    assert several.status_code == 400
    assert several.json() == {
        "message": "One or more input exceptions have occurred.",
        "errors": [
            {"message": REQUIRED, "parameters": {"fieldName": "city"}},
            {"message": 'Invalid value of "%value" provided for the %fieldName field.',
             "parameters": {"fieldName": "company_email", "value": "nope"}},
        ],
    }  # fmt: skip
    assert api.json("/company/1")["city"] != ""


def test_credit_limit_put_logs_an_update(sandbox: Sandbox, api: Api) -> None:
    credit = api.json("/companyCredits/1")
    before = _history(api, 1)
    answer = _send(
        api,
        "PUT",
        "/companyCredits/1",
        {"creditLimit": {"company_id": credit["company_id"], "currency_code": "USD",
                         "credit_limit": 123456, "credit_comment": "New terms"}},
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    saved = api.json("/companyCredits/1")
    assert saved["credit_limit"] == 123456
    assert saved["available_limit"] == round(123456 + credit["balance"], 2)
    added = _history(api, 1)[len(before) :]
    assert [(h["type"], h["amount"], h["credit_limit"]) for h in added] == [(2, 0, 123456)]
    assert json.loads(added[0]["comment"]) == {"custom": "New terms"}
    refused = _send(api, "PUT", "/companyCredits/1", {"creditLimit": {"credit_limit": 1}})
    assert refused.json() == {"message": REQUIRED, "parameters": {"fieldName": "company_id"}}


def test_balance_changes_move_the_balance_and_add_history(sandbox: Sandbox, api: Api) -> None:
    credit = api.json("/companyCredits/2")
    decrease = _send(
        api,
        "POST",
        "/companyCredits/2/decreaseBalance",
        {"value": 250.5, "currency": "USD", "operationType": 3, "comment": "Order 42",
         "options": {"purchase_order": "PO-42", "order_increment": "000000042",
                     "custom_reference_number": "REF-42"}},
    )  # fmt: skip
    assert (decrease.status_code, decrease.json()) == (200, True)
    increase = _send(
        api,
        "POST",
        "/companyCredits/2/increaseBalance",
        {"value": 100, "currency": "USD", "operationType": 5, "comment": "Refund"},
    )
    assert (increase.status_code, increase.json()) == (200, True)
    saved = api.json("/companyCredits/2")
    assert saved["balance"] == round(credit["balance"] - 250.5 + 100, 2)
    assert saved["available_limit"] == round(saved["credit_limit"] + saved["balance"], 2)
    last = _history(api, 2)[-2:]
    assert [(h["type"], h["amount"]) for h in last] == [(3, -250.5), (5, 100)]
    assert last[0]["purchase_order"] == "PO-42"
    assert last[0]["custom_reference_number"] == "REF-42"
    assert json.loads(last[0]["comment"]) == {
        "custom": "Order 42",
        "system": {"order": "000000042"},
    }
    assert last[1]["balance"] == saved["balance"]
    truth = sandbox.control.entity("credit_history", last[1]["id"])
    assert truth["available_limit"] == saved["available_limit"]


def test_balance_refusals_carry_magentos_words(api: Api) -> None:
    wrong_type = _send(
        api,
        "POST",
        "/companyCredits/1/increaseBalance",
        {"value": 1, "currency": "USD", "operationType": 3},
    )
    assert (wrong_type.status_code, wrong_type.json()) == (
        400,
        {"message": "Cannot process the request. Please check the operation type and try again."},
    )
    negative = _send(
        api,
        "POST",
        "/companyCredits/1/decreaseBalance",
        {"value": -1, "currency": "USD", "operationType": 3},
    )
    assert negative.json() == {
        "message": INVALID_ATTRIBUTE,
        "parameters": {"fieldName": "value", "fieldValue": "-1"},
    }
    currency = _send(
        api,
        "POST",
        "/companyCredits/1/decreaseBalance",
        {"value": 1, "currency": "EUR", "operationType": 3},
    )
    assert currency.json()["parameters"] == {"fieldName": "currency", "fieldValue": "EUR"}
    missing = _send(
        api, "POST", "/companyCredits/999/decreaseBalance",
        {"value": 1, "currency": "USD", "operationType": 3},
    )  # fmt: skip
    assert (missing.status_code, missing.json()) == (
        404,
        {"message": "Requested company is not found. Row ID: %fieldName = %fieldValue.",
         "parameters": {"fieldName": "CompanyCreditID", "fieldValue": "999"}},
    )  # fmt: skip
    no_value = _send(
        api, "POST", "/companyCredits/1/decreaseBalance", {"currency": "USD", "operationType": 3}
    )
    assert no_value.json() == {"message": REQUIRED, "parameters": {"fieldName": "value"}}
