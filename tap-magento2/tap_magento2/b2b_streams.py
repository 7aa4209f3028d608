# Copyright 2026 The tap-magento2 authors. Licensed under the Apache License, Version 2.0.
"""Adobe Commerce B2B: companies and company credits. A store without B2B answers 404.

Magento keeps no updated_at for either (FACTS.md), so both are read whole every run, sorted on
their tables' key column entity_id (tables `company` and `company_credit`; records say `id`).
"""

from __future__ import annotations

from tap_magento2.client import FullTableStream


class B2BStream(FullTableStream):
    sort_fields = ("entity_id",)
    module = "B2B"


class CompaniesStream(B2BStream):
    name = "companies"
    route = "/company/"
    primary_keys = ("id",)


class CompanyCreditsStream(B2BStream):
    name = "company_credits"
    route = "/companyCredits/"
    primary_keys = ("id",)
