# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""Magento REST routes, one module per family; the app imports every module here."""
