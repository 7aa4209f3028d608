# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
"""B2B: companies and their credit (limit, and balance changes exactly once by reference)."""

from __future__ import annotations

from typing import Any

from magento2_rest import MagentoError, SearchCriteria

from target_magento2.rejects import error_label, is_refusal
from target_magento2.sinks import Entry, MagentoSink, Plan, Write

LIMIT_FIELDS = ("credit_limit", "currency_code", "exceed_limit")
# The operationType Magento's admin uses for a manual change of each direction
# (FACTS.md, Writing: 3 purchased, 4 reimbursed).
DEFAULT_INCREASE_TYPE = 4
DEFAULT_DECREASE_TYPE = 3


class CompaniesSink(MagentoSink):
    """`PUT /V1/company/{companyId} {"company": {...}}`: Magento wants the whole company (street,
    customer group, sales representative, super user... are required in its schema), so the
    stored company is read and only the given fields change. Nothing is sent when nothing differs.
    """

    kind = "companies"

    def wave_key(self, entry: Entry) -> Any:
        return entry.data["company_id"]

    def plan(self, entry: Entry) -> Plan | None:
        company_id = entry.data["company_id"]
        try:
            company = self.magento.get(f"/company/{company_id}")
        except MagentoError as error:
            if not is_refusal(error):
                raise
            self.refuse(entry, error.message or str(error), route=error_label(error))
            return None
        changes = {k: v for k, v in entry.data.items() if k != "company_id"}
        if isinstance(changes.get("street"), str):
            changes["street"] = [changes["street"]]
        if all(company.get(k) == v for k, v in changes.items()):
            return Plan(entry)
        merged = {**company, **changes}
        return Plan(
            entry,
            [
                Write(
                    "PUT",
                    f"/company/{company_id}",
                    {"company": merged},
                    "/company/byCompanyId",
                    {"companyId": company_id, "company": merged},
                )
            ],
        )


class CompanyCreditsSink(MagentoSink):
    """Credit limit: `PUT /V1/companyCredits/{id} {"creditLimit": {...}}` (a value: repeatable).
    Balance: `POST /V1/companyCredits/{creditId}/increaseBalance|decreaseBalance`, not idempotent:
    the record's reference goes into the history entry's `custom_reference_number`, and a history
    entry holding it means the change is already there.
    """

    kind = "company_credits"
    can_read_back = True
    flight_routes = (
        ("POST", "/companyCredits/byCreditId/increaseBalance"),
        ("POST", "/companyCredits/byCreditId/decreaseBalance"),
    )
    flight_noun = "company credit"

    def flight_key(self, body: dict[str, Any]) -> str | None:
        return None if body.get("creditId") is None else str(body["creditId"])

    def wave_key(self, entry: Entry) -> Any:
        return entry.data["company_id"]

    def plan(self, entry: Entry) -> Plan | None:
        try:
            return self._plan(entry)
        except MagentoError as error:
            if not is_refusal(error):
                raise
            self.refuse(entry, error.message or str(error), route=error_label(error))
            return None

    def _plan(self, entry: Entry) -> Plan:
        data = entry.data
        credit = self.magento.get(f"/companyCredits/company/{data['company_id']}")
        credit_id = credit["id"]
        writes = []
        wanted = {k: data[k] for k in LIMIT_FIELDS if k in data}
        if any(credit.get(k) != v for k, v in wanted.items()):
            limit = {
                "id": credit_id,
                "company_id": data["company_id"],
                "credit_limit": credit.get("credit_limit"),
                "currency_code": credit.get("currency_code"),
                "exceed_limit": bool(credit.get("exceed_limit")),
                **wanted,
            }
            if "credit_comment" in data:
                limit["credit_comment"] = data["credit_comment"]
            writes.append(
                Write(
                    "PUT",
                    f"/companyCredits/{credit_id}",
                    {"creditLimit": limit},
                    "/companyCredits/byId",
                    {"id": credit_id, "creditLimit": limit},
                )
            )
        change = data.get("balance_change")
        if change is not None and not self._has_reference(credit_id, change["reference"]):
            writes.append(self._balance_write(credit, data, change))
        return Plan(entry, writes, replan=lambda: self._plan(entry))

    def _has_reference(self, credit_id: int, reference: str) -> bool:
        criteria = (
            SearchCriteria()
            .where("company_credit_id", "eq", credit_id)
            .where("custom_reference_number", "eq", reference)
            .page(1)
        )
        return self.magento.search("/companyCredits/history", criteria).total_count > 0

    def _balance_write(
        self, credit: dict[str, Any], data: dict[str, Any], change: dict[str, Any]
    ) -> Write:
        value = change["value"]
        action = "increaseBalance" if value > 0 else "decreaseBalance"
        default_type = DEFAULT_INCREASE_TYPE if value > 0 else DEFAULT_DECREASE_TYPE
        currency = data.get("currency_code") or credit.get("currency_code")
        body: dict[str, Any] = {
            "value": abs(value),
            "currency": currency,
            "operationType": change.get("operation_type", default_type),
            "comment": change.get("comment", ""),
            "options": {
                "custom_reference_number": change["reference"],
                "purchase_order": change.get("purchase_order", ""),
                "order_increment": "",
                "currency_display": currency,
                "currency_base": currency,
            },
        }
        return Write(
            "POST",
            f"/companyCredits/{credit['id']}/{action}",
            body,
            f"/companyCredits/byCreditId/{action}",
            {"creditId": credit["id"], **body},
            idempotent=False,
        )

    def confirm(self, plans: list[Plan]) -> list[Plan]:
        """The plans the store does not show yet: limit not as asked, or no history entry."""
        return [plan for plan in plans if self._plan(plan.entry).writes]
