# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
