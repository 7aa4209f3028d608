# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
from target_magento2.target import TargetMagento2

TargetMagento2.cli()
