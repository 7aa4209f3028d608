# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""Magento's REST error: `{"message": "... %1 ...", "parameters": [...]}` with its HTTP status."""

from __future__ import annotations

import random
from typing import Any

# Framework/Webapi/ErrorProcessor.php leaves the placeholders in `message` for the client to fill.
NOT_FOUND = "The entity that was requested doesn't exist. Verify the entity and try again."
PRODUCT_NOT_FOUND = (
    "The product that was requested doesn't exist. Verify the product and try again."
)
# Webapi/Controller/Rest/Router.php
NO_ROUTE = "Request does not match any route."


class WebapiError(Exception):
    """An answer Magento gives as an error: status code, message with placeholders, parameters."""

    def __init__(
        self,
        status: int,
        message: str,
        parameters: list[Any] | dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        answer: dict[str, Any] = {"message": self.message}
        if self.parameters:
            answer["parameters"] = self.parameters
        return answer

    def __repr__(self) -> str:
        return f"WebapiError({self.status}, {self.message!r}, {self.parameters!r})"


def not_found(message: str = NOT_FOUND, parameters: Any = None) -> WebapiError:
    return WebapiError(404, message, parameters)


def masked_internal_error() -> WebapiError:
    """What an unexpected exception (an SQL error, a broken record) answers outside developer
    mode: Framework/Webapi/ErrorProcessor.php masks it behind a report id."""
    return WebapiError(
        500,
        "Internal Error. Details are available in Magento log file. "
        f"Report ID: webapi-{random.getrandbits(48):x}",
    )
