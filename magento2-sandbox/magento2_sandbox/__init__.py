# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""A local server that behaves like Magento 2.4.7's REST API, quirks included."""

from magento2_sandbox.control import SandboxControl, SandboxControlError
from magento2_sandbox.sandbox import Sandbox

__all__ = ["Sandbox", "SandboxControl", "SandboxControlError"]
