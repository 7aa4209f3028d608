# Copyright 2026 The tap-magento2 authors. Licensed under the Apache License, Version 2.0.
