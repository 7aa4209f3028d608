# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""B2B writes: `PUT /V1/company/{companyId}`, `PUT /V1/companyCredits/{id}` and the credit
balance operations `POST /V1/companyCredits/{creditId}/increaseBalance|decreaseBalance`
(Magento_Company, Magento_CompanyCredit). Each balance change adds a credit history record,
read back with `GET /V1/companyCredits/history`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from magento2_sandbox.asyncbulk import (
    SEVERAL_ERRORS,
    USER_TYPE_ADMIN,
    USER_TYPE_INTEGRATION,
    WebapiInputError,
    as_int,
    body_of,
    php_json,
    webapi_input,
)
from magento2_sandbox.errors import WebapiError
from magento2_sandbox.routes.customers import no_such_entity
from magento2_sandbox.routing import Ctx, route

if TYPE_CHECKING:
    from magento2_sandbox.store import Store

REQUIRED_FIELD = '"%fieldName" is required. Enter and try again.'
INVALID_VALUE = 'Invalid value of "%value" provided for the %fieldName field.'
INVALID_ATTRIBUTE = "Invalid attribute value. Row ID: %fieldName = %fieldValue."
# Company/Model/SaveValidator/CompanyEmail.php
DUPLICATE_EMAIL = (
    "Company with this email address already exists in the system. "
    "Enter a different email address to continue."
)
CREDIT_NOT_FOUND = "Requested company is not found. Row ID: %fieldName = %fieldValue."
# Company/Model/SaveValidator/RequiredFields.php
COMPANY_REQUIRED = ("company_name", "company_email", "street", "city", "postcode",
                    "telephone", "country_id", "super_user_id", "customer_group_id")  # fmt: skip
# CompanyCredit/Model/HistoryInterface.php
TYPE_ALLOCATED, TYPE_UPDATED, TYPE_PURCHASED = 1, 2, 3
TYPE_REIMBURSED, TYPE_REFUNDED, TYPE_REVERTED = 4, 5, 6
# CompanyCredit/Model/CreditBalanceManagement.php
DECREASE_TYPES = frozenset({TYPE_PURCHASED, TYPE_REIMBURSED, TYPE_UPDATED})
INCREASE_TYPES = frozenset({TYPE_REFUNDED, TYPE_REVERTED, TYPE_REIMBURSED, TYPE_UPDATED})
BAD_OPERATION = "Cannot process the request. Please check the operation type and try again."
# The sandbox's one admin user (sales representatives are admin users).
ADMIN_USER_IDS = frozenset({1})
INTEGRATION_ID = 1
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _money(value: float) -> float:
    return round(value + 0.0, 4)


def _num(value: Any) -> float:
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        return 0.0


# -- company -------------------------------------------------------------------------------


def _company_errors(store: Store, company: dict[str, Any], original: dict[str, Any]) -> None:
    """Company/Model/SaveValidatorPool: RequiredFields and CompanyEmail collect errors into one
    InputException; CustomerGroup and SalesRepresentative throw NoSuchEntityException."""
    errors: list[tuple[str, dict[str, Any]]] = [
        (REQUIRED_FIELD, {"fieldName": name}) for name in COMPANY_REQUIRED if not company.get(name)
    ]
    email = str(company.get("company_email") or "")
    if email:
        if not _EMAIL.match(email):
            errors.append((INVALID_VALUE, {"fieldName": "company_email", "value": email}))
        elif email.lower() != str(original.get("company_email") or "").lower() and any(
            other["id"] != company["id"] for other in store.find("companies", company_email=email)
        ):
            errors.append((DUPLICATE_EMAIL, {}))
    if len(errors) == 1:
        raise WebapiError(400, errors[0][0], errors[0][1] or None)
    if errors:
        raise WebapiInputError(400, SEVERAL_ERRORS, errors)
    group = company.get("customer_group_id")
    if store.get("customer_groups", group) is None:
        raise no_such_entity("customerGroupId", str(group))
    sales_rep = company.get("sales_representative_id")
    if sales_rep and as_int(sales_rep) not in ADMIN_USER_IDS:
        raise no_such_entity("salesRepresentativeId", str(sales_rep))


@route("PUT", "/V1/company/{companyId}")
@webapi_input(
    required=("company",),
    integers=("companyId",),
    path_params={"companyId": "company.id"},
    service="Magento\\Company\\Model\\CompanyRepository\\Interceptor::save",
)
def save_company(ctx: Ctx, companyId: str) -> dict[str, Any]:  # noqa: N803
    changes = body_of(ctx).get("company")
    changes = dict(changes) if isinstance(changes, dict) else {}
    company_id = as_int(companyId)
    store = ctx.store
    with store.transaction():
        original = store.get("companies", company_id)
        if original is None:
            # Company/Model/SaveValidator/CompanyId.php
            raise no_such_entity("companyId", str(company_id))
        company = {**original, **changes, "id": company_id}
        if isinstance(changes.get("extension_attributes"), dict):
            company["extension_attributes"] = {
                **(original.get("extension_attributes") or {}),
                **changes["extension_attributes"],
            }
        _company_errors(store, company, original)
        store.put("companies", company)
    return company


# -- company credit ------------------------------------------------------------------------


def _credit(store: Store, credit_id: Any) -> dict[str, Any]:
    credit = store.get("company_credits", credit_id)
    if credit is None:
        # CompanyCredit/Model/Validator.php checkCompanyCreditExist()
        raise WebapiError(
            404, CREDIT_NOT_FOUND, {"fieldName": "CompanyCreditID", "fieldValue": str(credit_id)}
        )
    return credit


def _enabled_currencies(store: Store) -> set[str]:
    """The credit currencies the website allows (CompanyCredit/Model/WebsiteCurrency.php):
    the base currency of the sandbox's orders and credits."""
    return {str(credit.get("currency_code")) for credit in store.find("company_credits")} or {"USD"}


def _user(ctx: Ctx) -> tuple[int, int]:
    if ctx.auth_kind == "admin_token":
        return 1, USER_TYPE_ADMIN
    return INTEGRATION_ID, USER_TYPE_INTEGRATION


def _comment(custom: Any, system: dict[str, Any]) -> str:
    """CompanyCredit/Model/HistoryHydrator.php buildCommentString(): JSON of the custom and
    system comments, empty when there is neither."""
    comment: dict[str, Any] = {}
    if custom:
        comment["custom"] = str(custom)
    if system:
        comment["system"] = system
    return php_json(comment) if comment else ""


def _log(
    ctx: Ctx,
    credit: dict[str, Any],
    kind: int,
    amount: float,
    *,
    currency: str,
    comment: str,
    options: dict[str, Any],
) -> dict[str, Any]:
    user_id, user_type = _user(ctx)
    record = {
        "id": ctx.store.next_id("credit_history"),
        "company_credit_id": credit["id"],
        "user_id": user_id,
        "user_type": user_type,
        "currency_credit": credit.get("currency_code"),
        "currency_operation": currency or credit.get("currency_code"),
        "rate": 1,
        "amount": _money(amount),
        "balance": credit.get("balance"),
        "credit_limit": credit.get("credit_limit"),
        "available_limit": credit.get("available_limit"),
        "type": kind,
        "datetime": ctx.store.now(),
        "comment": comment,
    }
    for name in ("purchase_order", "custom_reference_number"):
        if options.get(name) not in {None, ""}:
            record[name] = str(options[name])
    ctx.store.put("credit_history", record)
    return record


@route("PUT", "/V1/companyCredits/{id}")
@webapi_input(
    required=("creditLimit",),
    integers=("id",),
    path_params={"id": "creditLimit.id"},
    service="Magento\\CompanyCredit\\Model\\CreditLimitRepository\\Interceptor::save",
)
def save_credit_limit(ctx: Ctx, id: str) -> dict[str, Any]:  # noqa: A002 - Magento's name
    changes = body_of(ctx).get("creditLimit")
    changes = dict(changes) if isinstance(changes, dict) else {}
    store = ctx.store
    with store.transaction():
        original = _credit(store, as_int(id))
        # CompanyCredit/Model/CreditLimitRepository.php save() validates the data sent
        # (Validator::validateCreditData): company_id and currency_code must be in it.
        for name in ("company_id", "currency_code"):
            if changes.get(name) in {None, ""}:
                raise WebapiError(400, REQUIRED_FIELD, {"fieldName": name})
        company_id = as_int(changes["company_id"])
        of_company = store.find("company_credits", company_id=company_id)
        if not of_company or of_company[0]["id"] != original["id"]:
            raise WebapiError(
                400, INVALID_VALUE, {"fieldName": "company_id", "value": str(changes["company_id"])}
            )
        currency = str(changes["currency_code"])
        if currency not in _enabled_currencies(store):
            raise WebapiError(
                400, INVALID_ATTRIBUTE, {"fieldName": "currency_code", "fieldValue": currency}
            )
        if "credit_limit" in changes and _num(changes["credit_limit"]) < 0:
            raise WebapiError(
                400,
                INVALID_ATTRIBUTE,
                {"fieldName": "credit_limit", "fieldValue": str(changes["credit_limit"])},
            )
        credit = dict(original)
        if "credit_limit" in changes:
            credit["credit_limit"] = _money(_num(changes["credit_limit"]))
        if "exceed_limit" in changes:
            credit["exceed_limit"] = bool(changes["exceed_limit"])
        credit["currency_code"] = currency
        credit["available_limit"] = _money(_num(credit["credit_limit"]) + _num(credit["balance"]))
        store.put("company_credits", credit)
        # CreditLimitHistory::logUpdateItem: a change of limit, currency or exceed_limit is
        # logged as "updated" with amount 0 and the credit_comment sent.
        if any(credit.get(name) != original.get(name)
               for name in ("credit_limit", "currency_code", "exceed_limit")):  # fmt: skip
            comment = _comment(changes.get("credit_comment"), {})
            _log(ctx, credit, TYPE_UPDATED, 0.0, currency="", comment=comment, options={})
    return credit


def _balance_change(ctx: Ctx, credit_id: str, *, increase: bool) -> bool:
    body = body_of(ctx)
    store = ctx.store
    value = _num(body.get("value"))
    currency = str(body.get("currency") or "")
    operation = as_int(body.get("operationType", body.get("operation_type")))
    given = body.get("options")
    options: dict[str, Any] = given if isinstance(given, dict) else {}
    with store.transaction():
        credit = _credit(store, as_int(credit_id))
        # CreditBalanceManagement::validate()
        allowed = INCREASE_TYPES if increase else DECREASE_TYPES
        has_history = bool(store.find("credit_history", company_credit_id=credit["id"]))
        if (operation not in allowed and operation != TYPE_ALLOCATED) or (
            operation == TYPE_ALLOCATED and has_history
        ):
            raise WebapiError(400, BAD_OPERATION)
        if value < 0:
            raise WebapiError(
                400, INVALID_ATTRIBUTE, {"fieldName": "value", "fieldValue": str(body.get("value"))}
            )
        if currency not in _enabled_currencies(store):
            raise WebapiError(
                400, INVALID_ATTRIBUTE, {"fieldName": "currency", "fieldValue": currency}
            )
        # No limit check here: CreditBalanceManagement changes the balance as asked; the
        # credit limit is enforced when a "Payment on Account" order is placed.
        signed = value if increase else -value
        comment = _comment(body.get("comment"), {})
        if operation == TYPE_ALLOCATED:
            credit["credit_limit"] = _money(_num(credit.get("credit_limit")) + value)
        else:
            credit["balance"] = _money(_num(credit.get("balance")) + signed)
            order = options.get("order_increment")
            comment = _comment(body.get("comment"), {"order": str(order)} if order else {})
        credit["available_limit"] = _money(_num(credit["credit_limit"]) + _num(credit["balance"]))
        store.put("company_credits", credit)
        amount = value if operation == TYPE_ALLOCATED else signed
        _log(ctx, credit, operation, amount, currency=currency, comment=comment, options=options)
    return True


BALANCE_REQUIRED = ("value", "currency", "operationType")
BALANCE_INTEGERS = ("creditId", "operationType")


@route("POST", "/V1/companyCredits/{creditId}/increaseBalance")
@webapi_input(
    required=BALANCE_REQUIRED,
    integers=BALANCE_INTEGERS,
    path_params={"creditId": None},
    service="Magento\\CompanyCredit\\Model\\CreditBalanceManagement\\Interceptor::increase",
)
def increase_balance(ctx: Ctx, creditId: str) -> bool:  # noqa: N803
    return _balance_change(ctx, creditId, increase=True)


@route("POST", "/V1/companyCredits/{creditId}/decreaseBalance")
@webapi_input(
    required=BALANCE_REQUIRED,
    integers=BALANCE_INTEGERS,
    path_params={"creditId": None},
    service="Magento\\CompanyCredit\\Model\\CreditBalanceManagement\\Interceptor::decrease",
)
def decrease_balance(ctx: Ctx, creditId: str) -> bool:  # noqa: N803
    return _balance_change(ctx, creditId, increase=False)
