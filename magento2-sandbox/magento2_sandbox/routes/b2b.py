# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""B2B reads: companies and company credit (Magento_Company, Magento_CompanyCredit);
404 when the sandbox runs without B2B."""

from __future__ import annotations

from magento2_sandbox.errors import WebapiError
from magento2_sandbox.routes.customers import no_such_entity
from magento2_sandbox.routing import Ctx, RawJson, route


@route("GET", "/V1/company")
def search_companies(ctx: Ctx) -> RawJson:
    return ctx.search("companies")


@route("GET", "/V1/company/{companyId}")
def get_company(ctx: Ctx, companyId: str) -> RawJson:  # noqa: N803
    # Company/Model/CompanyRepository.php get()
    return ctx.one("companies", companyId, no_such_entity("id", companyId))


@route("GET", "/V1/companyCredits")
def search_credits(ctx: Ctx) -> RawJson:
    return ctx.search("company_credits")


@route("GET", "/V1/companyCredits/history")
def search_credit_history(ctx: Ctx) -> RawJson:
    return ctx.search("credit_history")


@route("GET", "/V1/companyCredits/company/{companyId}")
def credit_of_company(ctx: Ctx, companyId: str) -> RawJson:  # noqa: N803
    found = ctx.store.find("company_credits", company_id=companyId)
    if not found:
        # CompanyCredit/Model/CreditLimitRepository.php (credit by company)
        raise WebapiError(
            404,
            "Requested company is not found. Row ID: %fieldName = %fieldValue.",
            {"fieldName": "CompanyID", "fieldValue": companyId},
        )
    text = ctx.store.get_json("company_credits", found[0]["id"])
    return RawJson(text or "{}")


@route("GET", "/V1/companyCredits/{creditId}")
def get_credit(ctx: Ctx, creditId: str) -> RawJson:  # noqa: N803
    return ctx.one("company_credits", creditId, no_such_entity("id", creditId))
