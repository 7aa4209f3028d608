# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
