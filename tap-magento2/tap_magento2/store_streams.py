# Copyright 2026 The tap-magento2 authors. Licensed under the Apache License, Version 2.0.
"""Store views, store groups and websites: small lists, read whole (no searchCriteria)."""

from __future__ import annotations

from tap_magento2.client import FullTableStream


class StoreListStream(FullTableStream):
    searchable = False


class StoreViewsStream(StoreListStream):
    name = "store_views"
    route = "/store/storeViews"
    primary_keys = ("id",)


class StoreGroupsStream(StoreListStream):
    name = "store_groups"
    route = "/store/storeGroups"
    primary_keys = ("id",)


class WebsitesStream(StoreListStream):
    name = "websites"
    route = "/store/websites"
    primary_keys = ("id",)
