# Copyright 2026 The magento2-rest authors. Licensed under the Apache License, Version 2.0.
"""magento2_rest: the one place that talks HTTP to Magento 2 / Adobe Commerce.

Settings and their JSON schema, OAuth 1.0a / bearer / admin-token auth, URLs, searchCriteria,
retries and readable errors, shared by tap-magento2 and target-magento2.
"""

from magento2_rest.client import ClientStats, MagentoClient, SearchPage
from magento2_rest.errors import (
    MagentoAuthError,
    MagentoError,
    MagentoInputLimitError,
    MagentoNotFound,
    MagentoResponseError,
    MagentoTimeout,
    MagentoUnavailable,
    MagentoUnknownOutcome,
    MagentoUnreachable,
)
from magento2_rest.search import ConditionType, Direction, Filter, SearchCriteria
from magento2_rest.settings import ConfigError, MagentoSettings, config_jsonschema
from magento2_rest.urls import path_segment

__all__ = [
    "ClientStats",
    "ConditionType",
    "ConfigError",
    "Direction",
    "Filter",
    "MagentoAuthError",
    "MagentoClient",
    "MagentoError",
    "MagentoInputLimitError",
    "MagentoNotFound",
    "MagentoResponseError",
    "MagentoSettings",
    "MagentoTimeout",
    "MagentoUnavailable",
    "MagentoUnknownOutcome",
    "MagentoUnreachable",
    "SearchCriteria",
    "SearchPage",
    "config_jsonschema",
    "path_segment",
]
