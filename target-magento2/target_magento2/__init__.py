# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
"""target-magento2: a Singer target writing stock, products, invoices, shipments and B2B credit to
Magento 2 / Adobe Commerce, exactly once, through magento2_rest."""
