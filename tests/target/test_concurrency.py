# Copyright 2026 The target-magento2 authors. Licensed under the Apache License, Version 2.0.
"""Writes at once (max_concurrency): never two for one order at the same moment - the sandbox's
request log holds when each request arrived and was answered. Faults at once: test_faults.py."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from magento2_rest import SearchCriteria
from magento2_sandbox.control import requests_at_once

from tests.target.helpers import client, fresh_orders, posts_to, stream_messages, top_items

ORDER_POST = re.compile(r"/V1/order/(\d+)/(invoice|ship)$")


def order_posts(sb) -> dict[int, list[dict]]:
    """The invoice and ship POSTs of each order, as the sandbox's request log has them."""
    posts: dict[int, list[dict]] = defaultdict(list)
    for entry in posts_to(sb, ORDER_POST.pattern):
        found = ORDER_POST.search(entry["path"])
        assert found is not None
        posts[int(found.group(1))].append(entry)
    return posts


def test_two_writes_for_one_order_never_overlap(shop, make_config, run_target):
    """Three invoices of one unit per order (three references), the records of the orders
    interleaved: the orders' POSTs run at once, the POSTs of one order one after the other."""
    orders = fresh_orders(shop, 6, min_qty=3)
    records = []
    for round_ in ("A", "B", "C"):
        for o in orders:
            line = max(top_items(o), key=lambda i: float(i["qty_ordered"]))
            records.append(
                {
                    "order_id": o["entity_id"],
                    "reference": f"{round_}-{o['entity_id']}",
                    "items": [{"order_item_id": line["item_id"], "qty": 1}],
                }
            )
    shop.control.update_settings(latency_ms=60)
    run = run_target(make_config(shop, max_concurrency=4), stream_messages("invoices", records))

    assert run.summary["invoices"]["written"] == len(records)
    posts = order_posts(shop)
    assert sorted(posts) == sorted(int(o["entity_id"]) for o in orders)
    for order_id, own in posts.items():
        assert len(own) == 3, f"order {order_id}: {len(own)} POSTs"
        assert requests_at_once(own) == 1, f"order {order_id}: two invoice POSTs at once"
    # ...while different orders were written at once.
    assert requests_at_once([entry for own in posts.values() for entry in own]) == 4
    with client(shop) as api:
        criteria = SearchCriteria().where("order_id", "in", sorted(posts)).order_by("entity_id")
        invoices = api.search("/invoices", criteria.page(100)).items
    assert Counter(int(i["order_id"]) for i in invoices) == dict.fromkeys(posts, 3)
