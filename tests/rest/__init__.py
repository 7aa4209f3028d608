# Copyright 2026 The magento2-rest authors. Licensed under the Apache License, Version 2.0.
