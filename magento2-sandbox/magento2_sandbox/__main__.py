# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
import sys

from magento2_sandbox.cli import main

sys.exit(main())
