# Copyright 2026 The tap-magento2 authors. Licensed under the Apache License, Version 2.0.
"""python -m tap_magento2"""

from tap_magento2.tap import TapMagento2

TapMagento2.cli()
