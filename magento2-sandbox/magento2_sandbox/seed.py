# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""Sample data from a seed: the same seed gives the same store (on the same UTC day).

Timestamps are UTC 'Y-m-d H:i:s' spread over the two years before today, with groups of rows
sharing one second (imports and mass actions), as real stores have: a sync that bookmarks
with a strict `gt` loses rows there.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import sys
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from magento2_sandbox.store import TIME_FORMAT, Deflate, Store, dumps, row_of

if TYPE_CHECKING:
    from collections.abc import Iterator

DAY = 86400
SPAN_DAYS = 730
# A mass action of this many rows at one second when the store has >= MASS_FROM orders.
MASS_ROWS = 1000
MASS_FROM = 5000
# Orders are generated in chunks of this many; a large store builds its chunks in parallel.
CHUNK = 5000
PARALLEL_FROM = 20000
# Id ranges per chunk: at most 4 lines (8 items, 4 document lines) and one invoice, shipment
# and credit memo per order; ids run on without gaps inside a chunk.
IDS_PER_ORDER = {
    "item": 8,
    "address": 2,
    "invoice": 1,
    "shipment": 1,
    "creditmemo": 1,
    "history": 2,
    "track": 1,
    "invoice_item": 4,
    "shipment_item": 4,
    "creditmemo_item": 4,
    "payment": 1,
}
# The rows nested in sales documents and the counter that numbers them.
NESTED_IDS = {
    ("orders", "status_histories"): "history",
    ("invoices", "items"): "invoice_item",
    ("shipments", "items"): "shipment_item",
    ("shipments", "tracks"): "track",
    ("creditmemos", "items"): "creditmemo_item",
}

FIRST = [
    "Emma",
    "Liam",
    "Olivia",
    "Noah",
    "Ava",
    "Lucas",
    "Mia",
    "Léa",
    "Hugo",
    "Chloé",
    "Jonas",
    "Sofia",
    "Mateo",
    "Zoë",
    "Amélie",
    "Björn",
    "Ines",
    "Oskar",
    "Yuki",
    "Ana",
]
LAST = [
    "Smith",
    "Johnson",
    "Martin",
    "Bernard",
    "Dubois",
    "Müller",
    "Rossi",
    "García",
    "Nowak",
    "O'Brien",
    "Larsen",
    "Kowalski",
    "Silva",
    "Nguyen",
    "Peña",
    "Van Dijk",
]
PLACES = [  # city, region, region_code, region_id, postcode, country
    ("Austin", "Texas", "TX", 57, "78701", "US"),
    ("Portland", "Oregon", "OR", 49, "97201", "US"),
    ("New York", "New York", "NY", 43, "10001", "US"),
    ("Denver", "Colorado", "CO", 13, "80202", "US"),
    ("Lyon", "Rhône", "69", 259, "69002", "FR"),
    ("Paris", "Paris", "75", 257, "75003", "FR"),
    ("Bordeaux", "Gironde", "33", 215, "33000", "FR"),
]
STREETS = [
    "Main Street",
    "Rue de la Paix",
    "Elm Avenue",
    "Boulevard Haussmann",
    "Oak Lane",
    "Quai Saint-Antoine",
    "Market Street",
    "Calle Mayor",
]
COLORS = [("49", "Black"), ("50", "Blue"), ("53", "Green"), ("58", "Red"), ("59", "White")]
SIZES = [("167", "XS"), ("168", "S"), ("169", "M"), ("170", "L"), ("171", "XL")]
NOUNS = [
    "Tee",
    "Hoodie",
    "Jacket",
    "Backpack",
    "Bottle",
    "Watch",
    "Short",
    "Pant",
    "Tank",
    "Bag",
    "Mat",
    "Strap",
    "Sock",
    "Cap",
    "Band",
]
ADJECTIVES = [
    "Aero",
    "Breathe",
    "Cruise",
    "Driven",
    "Echo",
    "Fusion",
    "Helios",
    "Ida",
    "Juno",
    "Karmen",
    "Lando",
    "Mona",
    "Nona",
    "Orion",
    "Proteus",
]
FR_NOUNS = {
    "Tee": "T-shirt",
    "Hoodie": "Sweat à capuche",
    "Jacket": "Veste",
    "Backpack": "Sac à dos",
    "Bottle": "Gourde",
    "Watch": "Montre",
    "Short": "Short",
    "Pant": "Pantalon",
    "Tank": "Débardeur",
    "Bag": "Sac",
    "Mat": "Tapis",
    "Strap": "Sangle",
    "Sock": "Chaussettes",
    "Cap": "Casquette",
    "Band": "Bandeau",
}
STORE_NAME = "Main Website\nMain Website Store\nDefault Store View"
# (state, status, weight): states consistent with the invoices, shipments, credit memos made.
STATES = [
    ("new", "pending", 14),
    ("processing", "processing", 26),
    ("complete", "complete", 38),
    ("closed", "closed", 8),
    ("canceled", "canceled", 9),
    ("holded", "holded", 5),
]


@dataclass(frozen=True)
class Counts:
    orders: int
    customers: int
    products: int
    companies: int

    @classmethod
    def defaults(
        cls,
        *,
        orders: int,
        customers: int | None = None,
        products: int | None = None,
        companies: int | None = None,
    ) -> Counts:
        for name, value in (
            ("orders", orders),
            ("customers", customers),
            ("products", products),
            ("companies", companies),
        ):
            if value is not None and value < 0:
                raise ValueError(f"{name} must be >= 0, not {value}")
        return cls(
            orders=orders,
            customers=customers if customers is not None else max(20, orders // 4),
            products=products if products is not None else max(30, min(orders // 10, 5000)),
            companies=companies if companies is not None else 6,
        )


def _stamp(epoch: float) -> str:
    return datetime.fromtimestamp(int(epoch), tz=timezone.utc).strftime(TIME_FORMAT)


def _anchor() -> float:
    """Midnight UTC today: every generated timestamp is before it, the same all day."""
    today = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    return today.timestamp()


def chunk_count(orders: int) -> int:
    return -(-orders // CHUNK)


def generate(
    store: Store,
    *,
    seed: int,
    counts: Counts,
    b2b: bool,
    msi: bool,
    workers: int | None = None,
) -> None:
    """Fill the store. `workers` processes build the orders (default: one per CPU from
    PARALLEL_FROM orders, else none); the data is the same either way."""
    store.set_dictionary(_dictionary(seed))
    gen = _Generator(seed, counts, b2b=b2b, msi=msi)
    store.write_many("websites", gen.websites())
    store.write_many("store_groups", gen.store_groups())
    store.write_many("store_views", gen.store_views())
    store.write_many("customer_groups", gen.customer_groups())
    store.write_many("categories", gen.categories())
    store.write_many("product_attributes", gen.product_attributes())
    products = gen.products()
    store.write_many("products", products)
    with store.transaction():
        for product_id, doc in gen.product_overrides(products):
            store.put_scoped_raw("products", product_id, "fr", doc)
    store.write_many("stock_items", [p["extension_attributes"]["stock_item"] for p in products])
    if msi:
        store.write_many("inventory_sources", gen.sources())
        store.write_many("inventory_stocks", gen.stocks())
        store.write_many("source_items", gen.source_items(products))
    customers = gen.customers()
    if b2b:
        companies, company_credits, history = gen.companies(customers)
        store.write_many("companies", companies)
        store.write_many("company_credits", company_credits)
        store.write_many("credit_history", history)
    store.write_many("customers", customers)
    if workers is None:
        workers = (os.cpu_count() or 1) if counts.orders >= PARALLEL_FROM else 1
    chunks = chunk_count(counts.orders)
    if workers > 1 and chunks > 1 and _can_spawn():
        try:
            _write_sales_in_parallel(store, gen, min(workers, chunks))
        except BrokenProcessPool:
            # A worker died: build in this process (rows already written are rewritten
            # with the same content, so nothing is duplicated).
            _write_sales(store, gen.sales(customers, products))
    else:
        _write_sales(store, gen.sales(customers, products))
    # No nested id of the sales documents is above its range: new rows are numbered from
    # there without reading every document of a large store.
    store.note_nested_ids(
        {
            (kind, array): counts.orders * IDS_PER_ORDER[counter]
            for (kind, array), counter in NESTED_IDS.items()
        }
    )


def _can_spawn() -> bool:
    """Spawned workers re-import the __main__ script: impossible from stdin or `-c`."""
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    return main_file is None or Path(main_file).is_file()


def _write_sales_in_parallel(store: Store, gen: _Generator, workers: int) -> None:
    """Worker processes (spawned: no fork of a threaded process) rebuild the catalogue and
    the plan from the seed, then each builds, encodes and deflates whole chunks."""
    context = multiprocessing.get_context("spawn")
    setup = (gen.seed, gen.counts, gen.b2b, gen.msi, gen.anchor, store.dictionary)
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_worker_setup, initargs=(setup,)
    ) as pool:
        for rows in pool.map(_worker_chunk, range(chunk_count(gen.counts.orders))):
            for kind, kind_rows in rows.items():
                store.write_rows(kind, kind_rows)


_WORKER: dict[str, Any] = {}


def _worker_setup(setup: tuple[int, Counts, bool, bool, float, bytes]) -> None:
    seed, counts, b2b, msi, anchor, dictionary = setup
    gen = _Generator(seed, counts, b2b=b2b, msi=msi, anchor=anchor)
    _WORKER.update(
        gen=gen,
        products=gen.products(),
        customers=gen.customers(),
        plan=gen.sales_plan(),
        deflate=Deflate(dictionary),
    )


def _worker_chunk(chunk: int) -> dict[str, list[tuple[Any, ...]]]:
    gen: _Generator = _WORKER["gen"]
    rows: dict[str, list[tuple[Any, ...]]] = {}
    sales = gen.sales_chunk(_WORKER["plan"], chunk, _WORKER["customers"], _WORKER["products"])
    for kind, doc in sales:
        _, text = _serialized(kind, doc)
        rows.setdefault(kind, []).append(row_of(kind, doc, _WORKER["deflate"].pack(text)))
    return rows


def _write_sales(store: Store, sales: Iterator[tuple[str, dict[str, Any]]]) -> None:
    batch: dict[str, list[tuple[dict[str, Any], str]]] = {}
    for kind, doc in sales:
        batch.setdefault(kind, []).append(_serialized(kind, doc))
        if len(batch.get("orders", ())) >= 1000:  # noqa: PLR2004 - batch size
            _flush(store, batch)
    _flush(store, batch)


def _flush(store: Store, batch: dict[str, list[tuple[dict[str, Any], str]]]) -> None:
    for kind, rows in batch.items():
        store.write_texts(kind, rows)
    batch.clear()


_ITEMS = "\x00items\x00"
_ITEMS_JSON = dumps(_ITEMS)


def _serialized(kind: str, doc: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """An order carries its items twice (also in its shipping assignment): encode them once."""
    if kind != "orders":
        return doc, dumps(doc)
    items = doc["items"]
    assignments = doc["extension_attributes"]["shipping_assignments"]
    doc["items"] = _ITEMS
    for assignment in assignments:
        assignment["items"] = _ITEMS
    text = dumps(doc).replace(_ITEMS_JSON, dumps(items))
    doc["items"] = items
    for assignment in assignments:
        assignment["items"] = items
    return doc, text


def _dictionary(seed: int) -> bytes:
    """Sample documents of the largest kinds: the preset dictionary of the store's deflate."""
    gen = _Generator(
        seed, Counts(orders=6, customers=3, products=8, companies=0), b2b=False, msi=False
    )
    products = gen.products()
    customers = gen.customers()
    samples: dict[str, str] = {}
    for kind, doc in gen.sales(customers, products):
        samples.setdefault(kind, _serialized(kind, doc)[1])
    texts = [dumps(customers[0]), dumps(products[-1]), *samples.values()]
    # zlib finds matches best near the end of the dictionary: orders go last.
    texts.sort(key=lambda text: text.startswith('{"base_currency_code"') and '"items":[' in text)
    return "".join(texts).encode()


class _Generator:
    def __init__(
        self, seed: int, counts: Counts, *, b2b: bool, msi: bool, anchor: float | None = None
    ) -> None:
        self.seed = seed
        self.counts = counts
        self.b2b = b2b
        self.msi = msi
        self.anchor = _anchor() if anchor is None else anchor
        self.start = self.anchor - SPAN_DAYS * DAY
        # What sales() hands to _order(): the catalogue, the customers, running id counters.
        self._customers: list[dict[str, Any]] = []
        self._simples: list[dict[str, Any]] = []
        self._parents: list[dict[str, Any]] = []
        self._children: dict[int, dict[str, Any]] = {}
        self._counters: dict[str, int] = {}

    def rng(self, name: str) -> random.Random:
        # One stream per kind: changing one count leaves the other kinds' data unchanged.
        return random.Random(f"{self.seed}:{name}")

    # -- stores --------------------------------------------------------------------------

    @staticmethod
    def websites() -> list[dict[str, Any]]:
        return [
            {"id": 0, "code": "admin", "name": "Admin", "default_group_id": 0},
            {"id": 1, "code": "base", "name": "Main Website", "default_group_id": 1},
        ]

    @staticmethod
    def store_groups() -> list[dict[str, Any]]:
        return [
            {
                "id": 0,
                "website_id": 0,
                "root_category_id": 0,
                "default_store_id": 0,
                "name": "Default",
                "code": "default",
            },
            {
                "id": 1,
                "website_id": 1,
                "root_category_id": 2,
                "default_store_id": 1,
                "name": "Main Website Store",
                "code": "main_website_store",
            },
        ]

    @staticmethod
    def store_views() -> list[dict[str, Any]]:
        return [
            {
                "id": 0,
                "code": "admin",
                "name": "Admin",
                "website_id": 0,
                "store_group_id": 0,
                "is_active": 1,
            },
            {
                "id": 1,
                "code": "default",
                "name": "Default Store View",
                "website_id": 1,
                "store_group_id": 1,
                "is_active": 1,
            },
            {
                "id": 2,
                "code": "fr",
                "name": "French Store View",
                "website_id": 1,
                "store_group_id": 1,
                "is_active": 1,
            },
        ]

    @staticmethod
    def customer_groups() -> list[dict[str, Any]]:
        names = ["NOT LOGGED IN", "General", "Wholesale", "Retailer"]
        return [
            {"id": index, "code": name, "tax_class_id": 3, "tax_class_name": "Retail Customer"}
            for index, name in enumerate(names)
        ]

    # -- catalog -------------------------------------------------------------------------

    def categories(self) -> list[dict[str, Any]]:
        rng = self.rng("categories")
        tree: list[tuple[int, int, str, list[int]]] = [
            (1, 0, "Root Catalog", []),
            (2, 1, "Default Category", []),
            (3, 2, "Gear", []),
            (4, 3, "Bags", []),
            (5, 3, "Fitness Equipment", []),
            (6, 3, "Watches", []),
            (7, 2, "Men", []),
            (8, 7, "Tops", []),
            (9, 7, "Bottoms", []),
            (10, 2, "Women", []),
            (11, 10, "Tops", []),
            (12, 10, "Bottoms", []),
            (13, 2, "Sale", []),
            (14, 2, "What's New", []),
        ]
        by_id = {item[0]: item for item in tree}
        for item in tree:
            if item[1] in by_id:
                by_id[item[1]][3].append(item[0])
        docs = []
        for category_id, parent_id, name, children in tree:
            path = [category_id]
            while path[0] in by_id and by_id[path[0]][1] in by_id:
                path.insert(0, by_id[path[0]][1])
            created = self.start + rng.uniform(0, 30) * DAY
            updated = created + rng.uniform(0, SPAN_DAYS - 60) * DAY
            position = (by_id[parent_id][3].index(category_id) + 1) if parent_id in by_id else 0
            docs.append(
                {
                    "id": category_id,
                    "parent_id": parent_id,
                    "name": name,
                    "is_active": True,
                    "position": position,
                    "level": len(path) - 1,
                    "children": ",".join(str(child) for child in children),
                    "created_at": _stamp(created),
                    "updated_at": _stamp(updated),
                    "path": "/".join(str(part) for part in path),
                    "available_sort_by": [],
                    "include_in_menu": category_id > 2,  # noqa: PLR2004
                    "custom_attributes": [
                        {"attribute_code": "url_key", "value": _slug(name)},
                        {"attribute_code": "display_mode", "value": "PRODUCTS"},
                        {"attribute_code": "is_anchor", "value": "1"},
                    ],
                }
            )
        return docs

    @staticmethod
    def product_attributes() -> list[dict[str, Any]]:
        specs = [  # id, code, label, input, backend, scope, required, options
            (73, "name", "Product Name", "text", "varchar", "store", True, []),
            (74, "sku", "SKU", "text", "static", "global", True, []),
            (75, "description", "Description", "textarea", "text", "store", False, []),
            (77, "price", "Price", "price", "decimal", "website", True, []),
            (82, "weight", "Weight", "weight", "decimal", "global", False, []),
            (93, "color", "Color", "select", "int", "global", False, COLORS),
            (97, "status", "Enable Product", "boolean", "int", "website", False, []),
            (
                99,
                "visibility",
                "Visibility",
                "select",
                "int",
                "store",
                False,
                [
                    ("1", "Not Visible Individually"),
                    ("2", "Catalog"),
                    ("3", "Search"),
                    ("4", "Catalog, Search"),
                ],
            ),
            (121, "url_key", "URL Key", "text", "varchar", "store", False, []),
            (
                136,
                "tax_class_id",
                "Tax Class",
                "select",
                "int",
                "website",
                False,
                [("0", "None"), ("2", "Taxable Goods")],
            ),
            (144, "size", "Size", "select", "int", "global", False, SIZES),
            (
                150,
                "manufacturer",
                "Manufacturer",
                "select",
                "int",
                "global",
                False,
                [("210", "Acme"), ("211", "Globex"), ("212", "Initech")],
            ),
        ]
        docs = []
        for position, (
            attribute_id,
            code,
            label,
            kind,
            backend,
            scope,
            required,
            options,
        ) in enumerate(specs):
            docs.append(
                {
                    "is_wysiwyg_enabled": False,
                    "is_html_allowed_on_front": kind != "textarea",
                    "used_for_sort_by": code in {"name", "price"},
                    "is_filterable": kind == "select",
                    "is_filterable_in_search": kind == "select",
                    "is_used_in_grid": True,
                    "is_visible_in_grid": code in {"name", "sku", "price", "status"},
                    "is_filterable_in_grid": True,
                    "position": position,
                    "apply_to": [],
                    "is_searchable": "1" if code in {"name", "sku", "description"} else "0",
                    "is_visible_in_advanced_search": "0",
                    "is_comparable": "0",
                    "is_used_for_promo_rules": "0",
                    "is_visible_on_front": "0",
                    "used_in_product_listing": "1" if code in {"name", "price"} else "0",
                    "is_visible": True,
                    "scope": scope,
                    "attribute_id": attribute_id,
                    "attribute_code": code,
                    "frontend_input": kind,
                    "entity_type_id": "4",
                    "is_required": required,
                    "options": [{"label": " ", "value": ""}]
                    + [{"label": text, "value": value} for value, text in options],
                    "is_user_defined": code in {"color", "size", "manufacturer"},
                    "default_frontend_label": label,
                    "frontend_labels": [],
                    "backend_type": backend,
                    "is_unique": "1" if code == "sku" else "0",
                    "validation_rules": [],
                }
            )
        return docs

    def products(self) -> list[dict[str, Any]]:
        rng = self.rng("products")
        total = self.counts.products
        docs: list[dict[str, Any]] = []
        # An import: a fifth of the catalogue shares one created/updated second.
        import_at = _stamp(self.start + rng.uniform(30, 90) * DAY)
        product_id = 0
        while len(docs) < total:
            noun = rng.choice(NOUNS)
            name = f"{rng.choice(ADJECTIVES)} {noun}"
            price = round(rng.uniform(8, 180), 2)
            created = self.start + rng.uniform(0, SPAN_DAYS - 20) * DAY
            imported = rng.random() < 0.2  # noqa: PLR2004
            configurable = noun in {"Tee", "Hoodie", "Jacket", "Short", "Pant", "Tank"} and (
                total - len(docs) >= 4  # noqa: PLR2004
            )
            children: list[dict[str, Any]] = []
            product_id += 1
            parent_id = product_id
            base_sku = f"{noun[:2].upper()}{parent_id:05d}"
            if configurable:
                for color, size in rng.sample(
                    [(c, s) for c in COLORS[:3] for s in SIZES[1:4]], rng.randint(2, 3)
                ):
                    product_id += 1
                    children.append(
                        self._product(
                            rng,
                            product_id,
                            sku=f"{base_sku}-{size[1]}-{color[1]}",
                            name=f"{name}-{size[1]}-{color[1]}",
                            price=price,
                            type_id="simple",
                            created=created,
                            visibility=1,
                            color=color[0],
                            size=size[0],
                            noun=noun,
                        )
                    )
            parent = self._product(
                rng,
                parent_id,
                sku=base_sku,
                name=name,
                price=price,
                type_id="configurable" if children else "simple",
                created=created,
                visibility=4,
                color=None,
                size=None,
                noun=noun,
            )
            if children:
                parent["extension_attributes"]["configurable_product_links"] = [
                    child["id"] for child in children
                ]
                parent["extension_attributes"]["configurable_product_options"] = [
                    {
                        "id": parent_id * 10 + 1,
                        "attribute_id": "93",
                        "label": "Color",
                        "position": 0,
                        "product_id": parent_id,
                        "values": [{"value_index": int(c)} for c, _ in COLORS[:3]],
                    },
                    {
                        "id": parent_id * 10 + 2,
                        "attribute_id": "144",
                        "label": "Size",
                        "position": 1,
                        "product_id": parent_id,
                        "values": [{"value_index": int(s)} for s, _ in SIZES[1:4]],
                    },
                ]
                parent["extension_attributes"]["stock_item"]["qty"] = 0
            for doc in [parent, *children]:
                if imported:
                    doc["created_at"] = doc["updated_at"] = import_at
                docs.append(doc)
        return docs[: max(total, 0)]

    def _product(
        self,
        rng: random.Random,
        product_id: int,
        *,
        sku: str,
        name: str,
        price: float,
        type_id: str,
        created: float,
        visibility: int,
        color: str | None,
        size: str | None,
        noun: str,
    ) -> dict[str, Any]:
        updated = created + rng.uniform(0, (self.anchor - created) / DAY) * DAY * 0.9
        qty = float(rng.choice([0, rng.randint(1, 500), rng.randint(1, 100)]))
        top = rng.choice([3, 7, 10])
        leaf = {3: rng.choice([4, 5, 6]), 7: rng.choice([8, 9]), 10: rng.choice([11, 12])}[top]
        custom = [
            {"attribute_code": "description", "value": f"<p>The {name}, made to last.</p>"},
            {"attribute_code": "url_key", "value": _slug(f"{name}-{product_id}")},
            {"attribute_code": "tax_class_id", "value": "2"},
            {"attribute_code": "manufacturer", "value": rng.choice(["210", "211", "212"])},
            {"attribute_code": "required_options", "value": "0"},
            {"attribute_code": "has_options", "value": "1" if type_id == "configurable" else "0"},
        ]
        if color:
            custom.append({"attribute_code": "color", "value": color})
        if size:
            custom.append({"attribute_code": "size", "value": size})
        return {
            "id": product_id,
            "sku": sku,
            "name": name,
            "attribute_set_id": 9 if noun in {"Tee", "Hoodie", "Jacket", "Tank"} else 4,
            "price": price,
            "status": 2 if rng.random() < 0.05 else 1,  # noqa: PLR2004
            "visibility": visibility,
            "type_id": type_id,
            "created_at": _stamp(created),
            "updated_at": _stamp(updated),
            "weight": round(rng.uniform(0.1, 3), 2),
            "extension_attributes": {
                "website_ids": [1],
                "category_links": [
                    {"position": 0, "category_id": str(top)},
                    {"position": rng.randint(0, 20), "category_id": str(leaf)},
                ],
                "stock_item": _stock_item(product_id, qty),
            },
            "product_links": [],
            "options": [],
            "media_gallery_entries": [],
            "tier_prices": [],
            "custom_attributes": custom,
        }

    def product_overrides(
        self, products: list[dict[str, Any]]
    ) -> Iterator[tuple[int, dict[str, Any]]]:
        """The `fr` store view's names (and a few products disabled there only)."""
        rng = self.rng("products:fr")
        for product in products:
            doc = {**product}
            adjective, _, rest = product["name"].partition(" ")
            noun, _, variant = rest.partition("-")
            doc["name"] = f"{FR_NOUNS.get(noun, noun)} {adjective}" + (
                f"-{variant}" if variant else ""
            )
            if rng.random() < 0.1:  # noqa: PLR2004
                doc["status"] = 2
            doc["custom_attributes"] = [
                {**attr, "value": f"<p>Le produit {doc['name']}.</p>"}
                if attr["attribute_code"] == "description"
                else attr
                for attr in product["custom_attributes"]
            ]
            yield product["id"], doc

    # -- inventory -------------------------------------------------------------------------

    @staticmethod
    def sources() -> list[dict[str, Any]]:
        return [
            {
                "source_code": "default",
                "name": "Default Source",
                "enabled": True,
                "description": "Default Source",
                "latitude": 0,
                "longitude": 0,
                "country_id": "US",
                "postcode": "00000",
                "use_default_carrier_config": True,
                "carrier_links": [],
            },
            {
                "source_code": "eu_warehouse",
                "name": "EU Warehouse",
                "enabled": True,
                "latitude": 45.764,
                "longitude": 4.8357,
                "country_id": "FR",
                "region_id": 259,
                "city": "Lyon",
                "street": "12 Quai Perrache",
                "postcode": "69002",
                "phone": "+33 4 00 00 00 00",
                "use_default_carrier_config": True,
                "carrier_links": [],
            },
            {
                "source_code": "us_warehouse",
                "name": "US Warehouse",
                "enabled": True,
                "latitude": 30.2672,
                "longitude": -97.7431,
                "country_id": "US",
                "region_id": 57,
                "city": "Austin",
                "street": "500 Congress Ave",
                "postcode": "78701",
                "use_default_carrier_config": True,
                "carrier_links": [],
            },
        ]

    @staticmethod
    def stocks() -> list[dict[str, Any]]:
        return [
            {
                "stock_id": 1,
                "name": "Default Stock",
                "extension_attributes": {"sales_channels": [{"type": "website", "code": "base"}]},
            },
            {"stock_id": 2, "name": "Warehouses", "extension_attributes": {"sales_channels": []}},
        ]

    def source_items(self, products: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rng = self.rng("source_items")
        items = []
        for product in products:
            if product["type_id"] != "simple":
                continue
            qty = product["extension_attributes"]["stock_item"]["qty"]
            # MSI mirrors the legacy stock item on the default source.
            items.append(
                {
                    "sku": product["sku"],
                    "source_code": "default",
                    "quantity": qty,
                    "status": 1 if qty > 0 else 0,
                }
            )
            for code in ("eu_warehouse", "us_warehouse"):
                if rng.random() < 0.4:  # noqa: PLR2004
                    quantity = float(rng.randint(0, 200))
                    items.append(
                        {
                            "sku": product["sku"],
                            "source_code": code,
                            "quantity": quantity,
                            "status": 1 if quantity else 0,
                        }
                    )
        return items

    # -- customers and companies -----------------------------------------------------------

    def customers(self) -> list[dict[str, Any]]:
        rng = self.rng("customers")
        total = self.counts.customers
        created = sorted(self.start + rng.uniform(0, SPAN_DAYS - 1) * DAY for _ in range(total))
        address_id = 0
        docs = []
        cluster = _clusters(rng, total, sizes=(8, 15))
        for index, created_at in enumerate(created):
            customer_id = index + 1
            first, last = rng.choice(FIRST), rng.choice(LAST)
            addresses = []
            for number in range(rng.choice([0, 1, 1, 1, 2])):
                address_id += 1
                city, region, code, region_id, postcode, country = rng.choice(PLACES)
                addresses.append(
                    {
                        "id": address_id,
                        "customer_id": customer_id,
                        "region": {"region_code": code, "region": region, "region_id": region_id},
                        "region_id": region_id,
                        "country_id": country,
                        "street": [f"{rng.randint(1, 999)} {rng.choice(STREETS)}"],
                        "telephone": f"555-{rng.randint(1000, 9999)}",
                        "postcode": postcode,
                        "city": city,
                        "firstname": first,
                        "lastname": last,
                        "default_shipping": number == 0,
                        "default_billing": number == 0,
                    }
                )
            updated = created_at + rng.uniform(0, (self.anchor - created_at) / DAY) * DAY * 0.8
            doc: dict[str, Any] = {
                "id": customer_id,
                "group_id": rng.choice([1, 1, 1, 2, 3]),
                "created_at": _stamp(created_at),
                "updated_at": _stamp(updated),
                "created_in": "Default Store View",
                "email": f"{_slug(first)}.{_slug(last)}.{customer_id}@example.com",
                "firstname": first,
                "lastname": last,
                "gender": rng.choice([0, 1, 2]),
                "store_id": 1,
                "website_id": 1,
                "addresses": addresses,
                "disable_auto_group_change": 0,
                "extension_attributes": {"is_subscribed": rng.random() < 0.3},  # noqa: PLR2004
            }
            if addresses:
                doc["default_billing"] = doc["default_shipping"] = str(addresses[0]["id"])
            if rng.random() < 0.2:  # noqa: PLR2004
                doc["dob"] = (
                    f"{rng.randint(1950, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                )
            docs.append(doc)
        _apply_clusters(rng, docs, cluster, self.anchor)
        return docs

    def companies(
        self, customers: list[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
        rng = self.rng("companies")
        companies, company_credits, history = [], [], []
        admins = rng.sample(customers, min(self.counts.companies, len(customers)))
        history_id = 0
        for index, admin in enumerate(admins):
            company_id = index + 1
            city, region, _code, region_id, postcode, country = rng.choice(PLACES)
            suffix = rng.choice(["Industries", "Supply", "Outfitters", "GmbH", "SARL"])
            name = f"{rng.choice(LAST)} {suffix}"
            status = rng.choice([1, 1, 1, 0, 2, 3])
            companies.append(
                {
                    "id": company_id,
                    "status": status,
                    "company_name": name,
                    "legal_name": f"{name} Ltd.",
                    "company_email": f"purchasing@{_slug(name)}.example.com",
                    "vat_tax_id": f"VAT{rng.randint(10**6, 10**7)}",
                    "reseller_id": str(rng.randint(1000, 9999)),
                    "comment": "",
                    "street": [f"{rng.randint(1, 999)} {rng.choice(STREETS)}"],
                    "city": city,
                    "country_id": country,
                    "region": region,
                    "region_id": str(region_id),
                    "postcode": postcode,
                    "telephone": f"555-{rng.randint(1000, 9999)}",
                    "customer_group_id": 1,
                    "sales_representative_id": 1,
                    "reject_reason": "Incomplete documents" if status == 2 else None,  # noqa: PLR2004
                    "rejected_at": _stamp(self.anchor - 40 * DAY) if status == 2 else None,  # noqa: PLR2004
                    "super_user_id": admin["id"],
                    "extension_attributes": {
                        "applicable_payment_method": 0,
                        "available_payment_methods": "",
                        "use_config_settings": 1,
                        "is_purchase_order_enabled": False,
                        "applicable_shipping_method": 0,
                        "available_shipping_methods": "",
                        "use_config_settings_shipping": 1,
                    },
                }
            )
            admin["extension_attributes"]["company_attributes"] = {
                "customer_id": admin["id"],
                "company_id": company_id,
                "job_title": "Purchasing manager",
                "status": 1,
                "telephone": companies[-1]["telephone"],
            }
            limit = float(rng.choice([5000, 10000, 25000, 50000]))
            balance = 0.0
            operations = []
            when = self.start + rng.uniform(0, 200) * DAY
            operations.append((1, 0.0, "allocated"))
            for _ in range(rng.randint(1, 5)):
                amount = round(rng.uniform(100, limit / 4), 2)
                operations.append((3, -amount, "purchased"))
            for kind, amount, _word in operations:
                history_id += 1
                balance = round(balance + amount, 2)
                when += rng.uniform(1, 60) * DAY
                history.append(
                    {
                        "id": history_id,
                        "company_credit_id": company_id,
                        "user_id": 1,
                        "user_type": 2,
                        "currency_credit": "USD",
                        "currency_operation": "USD",
                        "rate": 1,
                        "rate_credit": 0,
                        "amount": amount,
                        "balance": balance,
                        "credit_limit": limit,
                        "available_limit": round(limit + balance, 2),
                        "type": kind,
                        "datetime": _stamp(min(when, self.anchor - 60)),
                        "purchase_order": f"PO-{history_id:05d}" if kind == 3 else "",  # noqa: PLR2004
                        "comment": "",
                    }
                )
            company_credits.append(
                {
                    "id": company_id,
                    "company_id": company_id,
                    "credit_limit": limit,
                    "balance": balance,
                    "currency_code": "USD",
                    "exceed_limit": False,
                    "available_limit": round(limit + balance, 2),
                }
            )
        return companies, company_credits, history

    # -- sales -----------------------------------------------------------------------------

    def sales_plan(self) -> list[list[Any]]:
        """Per order: state, status and the times of its events; the last item is its
        updated_at. Drawn for all orders first, so chunks of orders can be built apart."""
        rng = self.rng("orders")
        total = self.counts.orders
        created = sorted(self.start + rng.uniform(0, SPAN_DAYS - 2) * DAY for _ in range(total))
        weights = [weight for _, _, weight in STATES]
        plan: list[list[Any]] = []
        for created_at in created:
            state, status, _ = rng.choices(STATES, weights)[0]
            invoice_at = created_at + rng.uniform(60, 3 * DAY)
            ship_at = invoice_at + rng.uniform(3600, 5 * DAY)
            refund_at = ship_at + rng.uniform(DAY, 20 * DAY)
            last = {
                "new": created_at,
                "holded": created_at + rng.uniform(60, DAY),
                "canceled": created_at + rng.uniform(60, 2 * DAY),
                "processing": invoice_at,
                "complete": ship_at,
                "closed": refund_at,
            }[state]
            row = [state, status, created_at, invoice_at, ship_at, refund_at]
            plan.append([*row, min(last, self.anchor - 1)])
        # Rows sharing one second: small clusters always, a mass action on large stores.
        sizes = [rng.randint(5, 25) for _ in range(3)]
        if total >= MASS_FROM:
            sizes.append(max(MASS_ROWS + 200, total // 50))
        clustered: set[int] = set()
        for size in sizes:
            second = float(int(self.anchor - rng.uniform(2, SPAN_DAYS / 3) * DAY))
            eligible = [i for i, row in enumerate(plan) if row[6] < second and i not in clustered]
            for index in rng.sample(eligible, min(size, len(eligible))):
                plan[index][6] = second
                clustered.add(index)
        return plan

    def sales(
        self, customers: list[dict[str, Any]], products: list[dict[str, Any]]
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """Orders with their invoices, shipments and credit memos, in entity_id order."""
        plan = self.sales_plan()
        for chunk in range(chunk_count(len(plan))):
            yield from self.sales_chunk(plan, chunk, customers, products)

    def sales_chunk(
        self,
        plan: list[list[Any]],
        chunk: int,
        customers: list[dict[str, Any]],
        products: list[dict[str, Any]],
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """The orders of one chunk of CHUNK, from their own random stream and id ranges: the
        chunks of a large store are built in parallel and give the same data as in a row."""
        self._customers = customers
        self._simples = [p for p in products if p["type_id"] == "simple" and p["visibility"] == 4]  # noqa: PLR2004
        self._parents = [p for p in products if p["type_id"] == "configurable"]
        self._children = {p["id"]: p for p in products}
        first = chunk * CHUNK
        self._counters = {name: first * per_order for name, per_order in IDS_PER_ORDER.items()}
        rng = self.rng(f"orders:{chunk}")
        for index in range(first, min(len(plan), first + CHUNK)):
            row = plan[index]
            yield from self._order(rng, index + 1, row, row[6])

    def _order(  # noqa: C901, PLR0912, PLR0915 - one order with its documents, step by step
        self,
        rng: random.Random,
        order_id: int,
        row: list[Any],
        updated_epoch: float,
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        customers, simples, parents = self._customers, self._simples, self._parents
        children, counters = self._children, self._counters
        state, status, created_epoch, invoice_epoch, ship_epoch, refund_epoch, _ = row
        created_at, updated_at = _stamp(created_epoch), _stamp(updated_epoch)
        guest = not customers or rng.random() < 0.25  # noqa: PLR2004
        customer = None if guest else rng.choice(customers)
        first = customer["firstname"] if customer else rng.choice(FIRST)
        last = customer["lastname"] if customer else rng.choice(LAST)
        email = customer["email"] if customer else f"guest.{order_id}@example.net"
        store_id = rng.choice([1, 1, 1, 2])
        stamps: dict[str, Any] = {
            "created_at": created_at,
            "updated_at": updated_at,
            "store_id": store_id,
        }
        items: list[dict[str, Any]] = []
        lines: list[dict[str, Any]] = []  # the items carrying prices (parents and simples)
        for _ in range(rng.choice([1, 1, 2, 2, 3, 4])):
            qty = float(rng.choice([1, 1, 1, 2, 3]))
            use_parent = parents and (not simples or rng.random() < 0.35)  # noqa: PLR2004
            if use_parent:
                parent = rng.choice(parents)
                child = children[
                    rng.choice(parent["extension_attributes"]["configurable_product_links"])
                ]
                counters["item"] += 1
                line = _order_item(counters["item"], order_id, parent, qty=qty, **stamps)
                line["sku"] = child["sku"]  # Magento keeps the chosen child's sku on the parent
                line["product_option"] = {
                    "extension_attributes": {
                        "configurable_item_options": [
                            {"option_id": "93", "option_value": int(_custom(child, "color") or 0)},
                            {"option_id": "144", "option_value": int(_custom(child, "size") or 0)},
                        ]
                    }
                }
                counters["item"] += 1
                sub = _order_item(counters["item"], order_id, child, qty=qty, **stamps)
                for key in (
                    "price",
                    "base_price",
                    "original_price",
                    "base_original_price",
                    "row_total",
                    "base_row_total",
                    "price_incl_tax",
                    "base_price_incl_tax",
                    "row_total_incl_tax",
                    "base_row_total_incl_tax",
                    "tax_amount",
                    "base_tax_amount",
                    "tax_percent",
                    "discount_amount",
                    "base_discount_amount",
                ):
                    sub[key] = 0
                sub["parent_item_id"] = line["item_id"]
                sub["parent_item"] = line
                items += [line, sub]
                lines.append(line)
            elif simples:
                counters["item"] += 1
                line = _order_item(
                    counters["item"], order_id, rng.choice(simples), qty=qty, **stamps
                )
                items.append(line)
                lines.append(line)
        subtotal = round(sum(line["row_total"] for line in lines), 2)
        tax = round(sum(line["tax_amount"] for line in lines), 2)
        discount = round(-subtotal * 0.1, 2) if rng.random() < 0.15 else 0.0  # noqa: PLR2004
        shipping = float(5 * sum(int(line["qty_ordered"]) for line in lines))
        grand = round(subtotal + tax + shipping + discount, 2)
        qty_total = sum(line["qty_ordered"] for line in lines)
        invoiced = state in {"processing", "complete", "closed"}
        shipped_all = state in {"complete", "closed"}
        partial_ship = state == "processing" and len(lines) > 1 and rng.random() < 0.3  # noqa: PLR2004
        refunded = state == "closed"
        for item in items:
            source = item.get("parent_item") or item
            q = source["qty_ordered"]
            if invoiced:
                item["qty_invoiced"] = q
                if item.get("parent_item") is None:
                    item["row_invoiced"] = item["base_row_invoiced"] = item["row_total"]
                    item["tax_invoiced"] = item["base_tax_invoiced"] = item["tax_amount"]
            if state == "canceled":
                item["qty_canceled"] = q
            if refunded:
                item["qty_refunded"] = q
                if item.get("parent_item") is None:
                    item["amount_refunded"] = item["base_amount_refunded"] = item["row_total"]
        shipped_lines = lines if shipped_all else (lines[:1] if partial_ship else [])
        for line in shipped_lines:
            line["qty_shipped"] = line["qty_ordered"]
        for item in items:
            parent_item = item.get("parent_item")
            if parent_item is not None:
                item["qty_shipped"] = parent_item["qty_shipped"]
                item["parent_item"] = {k: v for k, v in parent_item.items() if k != "parent_item"}
        city, region, code, region_id, postcode, country = rng.choice(PLACES)
        street = [f"{rng.randint(1, 999)} {rng.choice(STREETS)}"]
        telephone = f"555-{rng.randint(1000, 9999)}"
        counters["address"] += 2
        billing_id, shipping_id = counters["address"] - 1, counters["address"]

        def address(kind: str, address_id: int) -> dict[str, Any]:
            answer = {
                "address_type": kind,
                "city": city,
                "country_id": country,
                "email": email,
                "entity_id": address_id,
                "firstname": first,
                "lastname": last,
                "parent_id": order_id,
                "postcode": postcode,
                "region": region,
                "region_code": code,
                "region_id": region_id,
                "street": street,
                "telephone": telephone,
            }
            if customer:
                answer["customer_id"] = customer["id"]
            return answer

        paid = grand if invoiced else 0.0
        canceled_total = grand if state == "canceled" else 0.0
        counters["payment"] += 1
        method = rng.choice(["checkmo", "checkmo", "banktransfer", "purchaseorder"])
        payment = {
            "account_status": None,
            "additional_information": [_METHOD_TITLES[method]],
            "amount_ordered": grand,
            "base_amount_ordered": grand,
            "base_shipping_amount": shipping,
            "shipping_amount": shipping,
            "cc_last4": None,
            "entity_id": counters["payment"],
            "method": method,
            "parent_id": order_id,
        }
        if invoiced:
            payment.update(
                {
                    "amount_paid": paid,
                    "base_amount_paid": paid,
                    "base_amount_paid_online": 0,
                    "base_shipping_captured": shipping,
                    "shipping_captured": shipping,
                }
            )
        if refunded:
            payment.update(
                {
                    "amount_refunded": grand,
                    "base_amount_refunded": grand,
                    "base_shipping_refunded": shipping,
                    "shipping_refunded": shipping,
                }
            )
        if method == "purchaseorder":
            payment["po_number"] = f"PO{order_id:06d}"
        histories = []
        counters["history"] += 1
        histories.append(
            _history(
                counters["history"],
                order_id,
                status="pending",
                created_at=created_at,
                comment="Order placed.",
                entity="order",
            )
        )
        if state != "new":
            counters["history"] += 1
            histories.insert(
                0,
                _history(
                    counters["history"],
                    order_id,
                    status=status,
                    created_at=updated_at,
                    comment=f"Order is {status}.",
                    entity="order",
                ),
            )
        order: dict[str, Any] = {
            "base_currency_code": "USD",
            "base_discount_amount": discount,
            "base_grand_total": grand,
            "base_discount_tax_compensation_amount": 0,
            "base_shipping_amount": shipping,
            "base_shipping_discount_amount": 0,
            "base_shipping_incl_tax": shipping,
            "base_shipping_tax_amount": 0,
            "base_subtotal": subtotal,
            "base_subtotal_incl_tax": round(subtotal + tax, 2),
            "base_tax_amount": tax,
            "base_total_due": round(grand - paid - canceled_total, 2),
            "base_to_global_rate": 1,
            "base_to_order_rate": 1,
            "billing_address_id": billing_id,
            "created_at": created_at,
            "customer_email": email,
            "customer_firstname": first,
            "customer_group_id": customer["group_id"] if customer else 0,
            "customer_is_guest": 1 if guest else 0,
            "customer_lastname": last,
            "customer_note_notify": 1,
            "discount_amount": discount,
            "email_sent": 1,
            "entity_id": order_id,
            "global_currency_code": "USD",
            "grand_total": grand,
            "discount_tax_compensation_amount": 0,
            "increment_id": f"{order_id:09d}",
            "is_virtual": 0,
            "order_currency_code": "USD",
            "protect_code": f"{rng.getrandbits(48):012x}",
            "quote_id": order_id + 1000,
            "remote_ip": f"10.0.{order_id % 250}.{order_id % 199 + 1}",
            "shipping_amount": shipping,
            "shipping_description": "Flat Rate - Fixed",
            "shipping_discount_amount": 0,
            "shipping_discount_tax_compensation_amount": 0,
            "shipping_incl_tax": shipping,
            "shipping_tax_amount": 0,
            "state": state,
            "status": status,
            "store_currency_code": "USD",
            "store_id": store_id,
            "store_name": STORE_NAME,
            "store_to_base_rate": 0,
            "store_to_order_rate": 0,
            "subtotal": subtotal,
            "subtotal_incl_tax": round(subtotal + tax, 2),
            "tax_amount": tax,
            "total_due": round(grand - paid - canceled_total, 2),
            "total_item_count": len(items),
            "total_qty_ordered": qty_total,
            "updated_at": updated_at,
            "weight": round(sum(i.get("row_weight", 0) for i in lines), 2),
            "items": items,
            "billing_address": address("billing", billing_id),
            "payment": payment,
            "status_histories": histories,
            "extension_attributes": {
                "shipping_assignments": [
                    {
                        "shipping": {
                            "address": address("shipping", shipping_id),
                            "method": "flatrate_flatrate",
                            "total": {
                                "base_shipping_amount": shipping,
                                "base_shipping_incl_tax": shipping,
                                "base_shipping_tax_amount": 0,
                                "shipping_amount": shipping,
                                "shipping_incl_tax": shipping,
                                "shipping_tax_amount": 0,
                                "base_shipping_discount_amount": 0,
                                "shipping_discount_amount": 0,
                            },
                        },
                        "items": items,
                    }
                ],
                "payment_additional_info": [
                    {"key": "method_title", "value": _METHOD_TITLES[method]}
                ],
            },
        }
        if customer:
            order["customer_id"] = customer["id"]
        if invoiced:
            order.update(
                {
                    "base_total_invoiced": grand,
                    "total_invoiced": grand,
                    "base_total_paid": paid,
                    "total_paid": paid,
                    "base_subtotal_invoiced": subtotal,
                    "subtotal_invoiced": subtotal,
                    "base_tax_invoiced": tax,
                    "tax_invoiced": tax,
                    "base_shipping_invoiced": shipping,
                    "shipping_invoiced": shipping,
                    "base_discount_invoiced": discount,
                    "discount_invoiced": discount,
                    "base_total_invoiced_cost": 0,
                }
            )
        if refunded:
            order.update(
                {
                    "base_total_refunded": grand,
                    "total_refunded": grand,
                    "base_total_offline_refunded": grand,
                    "total_offline_refunded": grand,
                    "base_subtotal_refunded": subtotal,
                    "subtotal_refunded": subtotal,
                    "base_tax_refunded": tax,
                    "tax_refunded": tax,
                    "base_shipping_refunded": shipping,
                    "shipping_refunded": shipping,
                }
            )
        if state == "canceled":
            order.update(
                {
                    "base_total_canceled": grand,
                    "total_canceled": grand,
                    "base_subtotal_canceled": subtotal,
                    "subtotal_canceled": subtotal,
                    "base_tax_canceled": tax,
                    "tax_canceled": tax,
                    "base_shipping_canceled": shipping,
                    "shipping_canceled": shipping,
                }
            )
        if state == "holded":
            order["hold_before_state"] = "new"
            order["hold_before_status"] = "pending"
        yield "orders", order
        common = {
            "base_currency_code": "USD",
            "global_currency_code": "USD",
            "order_currency_code": "USD",
            "store_currency_code": "USD",
            "base_to_global_rate": 1,
            "base_to_order_rate": 1,
            "store_to_base_rate": 0,
            "store_to_order_rate": 0,
            "billing_address_id": billing_id,
            "shipping_address_id": shipping_id,
            "store_id": store_id,
            "order_id": order_id,
            "email_sent": 1,
        }
        totals = {
            "base_discount_amount": discount,
            "discount_amount": discount,
            "base_grand_total": grand,
            "grand_total": grand,
            "base_shipping_amount": shipping,
            "shipping_amount": shipping,
            "base_shipping_incl_tax": shipping,
            "shipping_incl_tax": shipping,
            "base_shipping_tax_amount": 0,
            "shipping_tax_amount": 0,
            "base_subtotal": subtotal,
            "subtotal": subtotal,
            "base_subtotal_incl_tax": round(subtotal + tax, 2),
            "subtotal_incl_tax": round(subtotal + tax, 2),
            "base_tax_amount": tax,
            "tax_amount": tax,
            "base_discount_tax_compensation_amount": 0,
            "discount_tax_compensation_amount": 0,
        }
        invoice_id = None
        if invoiced:
            counters["invoice"] += 1
            invoice_id = counters["invoice"]
            invoice_items = _document_lines(counters, "invoice_item", lines, invoice_id)
            invoice_at = _stamp(min(invoice_epoch, updated_epoch))
            yield (
                "invoices",
                {
                    **common,
                    **totals,
                    "can_void_flag": 0,
                    "created_at": invoice_at,
                    "entity_id": invoice_id,
                    "increment_id": f"{invoice_id:09d}",
                    "is_used_for_refund": 1 if refunded else 0,
                    "state": 2,
                    "total_qty": qty_total,
                    "updated_at": invoice_at
                    if not refunded
                    else _stamp(min(refund_epoch, updated_epoch)),
                    "base_total_refunded": grand if refunded else 0,
                    "items": invoice_items,
                    "comments": [],
                },
            )
        if shipped_lines:
            counters["shipment"] += 1
            shipment_id = counters["shipment"]
            shipment_items = []
            for line in shipped_lines:
                counters["shipment_item"] += 1
                shipment_items.append(
                    {
                        "entity_id": counters["shipment_item"],
                        "parent_id": shipment_id,
                        "order_item_id": line["item_id"],
                        "sku": line["sku"],
                        "name": line["name"],
                        "price": line["price"],
                        "product_id": line["product_id"],
                        "qty": line["qty_ordered"],
                        "weight": line.get("weight", 0),
                        "row_total": line["row_total"],
                    }
                )
            counters["track"] += 1
            ship_at = _stamp(min(ship_epoch, updated_epoch))
            yield (
                "shipments",
                {
                    "billing_address_id": billing_id,
                    "created_at": ship_at,
                    **({"customer_id": customer["id"]} if customer else {}),
                    "email_sent": 1,
                    "entity_id": shipment_id,
                    "increment_id": f"{shipment_id:09d}",
                    "order_id": order_id,
                    "packages": [],
                    "shipping_address_id": shipping_id,
                    "store_id": store_id,
                    "total_qty": sum(i["qty"] for i in shipment_items),
                    "updated_at": ship_at,
                    "items": shipment_items,
                    "tracks": [
                        {
                            "order_id": order_id,
                            "created_at": ship_at,
                            "entity_id": counters["track"],
                            "parent_id": shipment_id,
                            "updated_at": ship_at,
                            "weight": None,
                            "qty": None,
                            "description": None,
                            "track_number": f"1Z{rng.getrandbits(40):010X}",
                            "title": "United Parcel Service",
                            "carrier_code": "ups",
                        }
                    ],
                    "comments": [],
                },
            )
        if refunded:
            counters["creditmemo"] += 1
            memo_id = counters["creditmemo"]
            memo_items = _document_lines(counters, "creditmemo_item", lines, memo_id)
            refund_at = _stamp(min(refund_epoch, updated_epoch))
            yield (
                "creditmemos",
                {
                    **common,
                    **totals,
                    "adjustment": 0,
                    "adjustment_negative": 0,
                    "adjustment_positive": 0,
                    "base_adjustment": 0,
                    "base_adjustment_negative": 0,
                    "base_adjustment_positive": 0,
                    "created_at": refund_at,
                    "entity_id": memo_id,
                    "increment_id": f"{memo_id:09d}",
                    "invoice_id": invoice_id,
                    "state": 2,
                    "updated_at": refund_at,
                    "items": memo_items,
                    "comments": [],
                },
            )


_METHOD_TITLES = {
    "checkmo": "Check / Money order",
    "banktransfer": "Bank Transfer Payment",
    "purchaseorder": "Purchase Order",
}


def _order_item(
    item_id: int,
    order_id: int,
    product: dict[str, Any],
    *,
    qty: float,
    created_at: str,
    updated_at: str,
    store_id: int,
) -> dict[str, Any]:
    price = product["price"]
    row = round(price * qty, 2)
    tax = round(row * 0.0825, 2)
    weight = product.get("weight", 0)
    return {
        "amount_refunded": 0,
        "base_amount_refunded": 0,
        "base_discount_amount": 0,
        "base_discount_invoiced": 0,
        "base_discount_tax_compensation_amount": 0,
        "base_original_price": price,
        "base_price": price,
        "base_price_incl_tax": round(price * 1.0825, 2),
        "base_row_invoiced": 0,
        "base_row_total": row,
        "base_row_total_incl_tax": round(row + tax, 2),
        "base_tax_amount": tax,
        "base_tax_invoiced": 0,
        "created_at": created_at,
        "discount_amount": 0,
        "discount_invoiced": 0,
        "discount_percent": 0,
        "free_shipping": 0,
        "discount_tax_compensation_amount": 0,
        "is_qty_decimal": 0,
        "is_virtual": 0,
        "item_id": item_id,
        "name": product["name"],
        "no_discount": 0,
        "order_id": order_id,
        "original_price": price,
        "price": price,
        "price_incl_tax": round(price * 1.0825, 2),
        "product_id": product["id"],
        "product_type": product["type_id"],
        "qty_canceled": 0,
        "qty_invoiced": 0,
        "qty_ordered": qty,
        "qty_refunded": 0,
        "qty_shipped": 0,
        "quote_item_id": item_id + 5000,
        "row_invoiced": 0,
        "row_total": row,
        "row_total_incl_tax": round(row + tax, 2),
        "row_weight": round(weight * qty, 2),
        "sku": product["sku"],
        "store_id": store_id,
        "tax_amount": tax,
        "tax_invoiced": 0,
        "tax_percent": 8.25,
        "updated_at": updated_at,
        "weight": weight,
    }


def _document_item(line: dict[str, Any]) -> dict[str, Any]:
    """An invoice or credit memo line for an order item (its quantity in full)."""
    return {
        "base_discount_amount": 0,
        "base_price": line["base_price"],
        "base_price_incl_tax": line["base_price_incl_tax"],
        "base_row_total": line["base_row_total"],
        "base_row_total_incl_tax": line["base_row_total_incl_tax"],
        "base_tax_amount": line["base_tax_amount"],
        "discount_amount": 0,
        "name": line["name"],
        "price": line["price"],
        "price_incl_tax": line["price_incl_tax"],
        "product_id": line["product_id"],
        "row_total": line["row_total"],
        "row_total_incl_tax": line["row_total_incl_tax"],
        "sku": line["sku"],
        "tax_amount": line["tax_amount"],
        "order_item_id": line["item_id"],
        "qty": line["qty_ordered"],
    }


def _document_lines(
    counters: dict[str, int], counter: str, lines: list[dict[str, Any]], parent_id: int
) -> list[dict[str, Any]]:
    """An invoice's or credit memo's items: one per order line, numbered by `counter`."""
    rows = []
    for line in lines:
        counters[counter] += 1
        rows.append(
            {
                **_document_item(line),
                "entity_id": counters[counter],
                "parent_id": parent_id,
                "base_cost": 0,
            }
        )
    return rows


def _history(
    entity_id: int, order_id: int, *, status: str, created_at: str, comment: str, entity: str
) -> dict[str, Any]:
    return {
        "comment": comment,
        "created_at": created_at,
        "entity_id": entity_id,
        "entity_name": entity,
        "is_customer_notified": 0,
        "is_visible_on_front": 0,
        "parent_id": order_id,
        "status": status,
    }


def _stock_item(product_id: int, qty: float) -> dict[str, Any]:
    return {
        "item_id": product_id,
        "product_id": product_id,
        "stock_id": 1,
        "qty": qty,
        "is_in_stock": qty > 0,
        "is_qty_decimal": False,
        "show_default_notification_message": False,
        "use_config_min_qty": True,
        "min_qty": 0,
        "use_config_min_sale_qty": 1,
        "min_sale_qty": 1,
        "use_config_max_sale_qty": True,
        "max_sale_qty": 10000,
        "use_config_backorders": True,
        "backorders": 0,
        "use_config_notify_stock_qty": True,
        "notify_stock_qty": 1,
        "use_config_qty_increments": True,
        "qty_increments": 0,
        "use_config_enable_qty_inc": True,
        "enable_qty_increments": False,
        "use_config_manage_stock": True,
        "manage_stock": True,
        "low_stock_date": None,
        "is_decimal_divided": False,
        "stock_status_changed_auto": 0,
    }


def _custom(product: dict[str, Any], code: str) -> str | None:
    for attribute in product.get("custom_attributes", []):
        if attribute["attribute_code"] == code:
            return str(attribute["value"])
    return None


def _slug(text: str) -> str:
    out = []
    for char in text.lower():
        if char.isascii() and char.isalnum():
            out.append(char)
        elif out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-")


def _clusters(rng: random.Random, total: int, *, sizes: tuple[int, int]) -> list[int]:
    """Sizes of groups that will share one updated_at second."""
    if total < 4:  # noqa: PLR2004
        return []
    return [min(total // 3, rng.randint(*sizes)) for _ in range(2)]


def _apply_clusters(
    rng: random.Random, docs: list[dict[str, Any]], sizes: list[int], anchor: float
) -> None:
    for size in sizes:
        second = _stamp(anchor - rng.uniform(2, 200) * DAY)
        eligible = [doc for doc in docs if doc["created_at"] < second]
        for doc in rng.sample(eligible, min(size, len(eligible))):
            doc["updated_at"] = second
