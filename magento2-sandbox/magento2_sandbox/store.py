# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""The sandbox's data: one SQLite table per kind of entity, documents stored as JSON text.

Each table has indexed columns for the id, `created_at`, `updated_at` and the fields commonly
filtered; every other field is reached with `json_extract`, so any field can be filtered and
sorted. Documents are stored pre-serialized so a page of 300 orders is answered by joining
strings, not by parsing and re-encoding them.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from magento2_sandbox.errors import WebapiError, masked_internal_error

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from magento2_sandbox.criteria import Criteria, Filter

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_FIELD = re.compile(r"^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$")
_NUMERIC = "(typeof({e}) IN ('integer', 'real'))"


@dataclass(frozen=True)
class Kind:
    name: str
    id_field: str
    id_type: str = "INTEGER"
    columns: dict[str, str] = field(default_factory=dict)
    created_at: bool = False
    updated_at: bool = False
    custom_attributes: bool = False
    # How the route's collection treats a field it does not know (see Store.checked_sorts):
    # "eav" (products, customers, categories), "flat" (the sales documents), "" (not checked).
    collection: str = ""


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "orders",
            "entity_id",
            collection="flat",
            columns={
                "increment_id": "TEXT",
                "status": "TEXT",
                "state": "TEXT",
                "customer_id": "INTEGER",
                "customer_email": "TEXT",
                "store_id": "INTEGER",
            },
            created_at=True,
            updated_at=True,
        ),
        Kind(
            "invoices",
            "entity_id",
            collection="flat",
            columns={"order_id": "INTEGER", "increment_id": "TEXT", "state": "INTEGER"},
            created_at=True,
            updated_at=True,
        ),
        Kind(
            "shipments",
            "entity_id",
            collection="flat",
            columns={"order_id": "INTEGER", "increment_id": "TEXT"},
            created_at=True,
            updated_at=True,
        ),
        Kind(
            "creditmemos",
            "entity_id",
            collection="flat",
            columns={"order_id": "INTEGER", "invoice_id": "INTEGER", "increment_id": "TEXT"},
            created_at=True,
            updated_at=True,
        ),
        Kind(
            "customers",
            "id",
            # customer_entity.email has MySQL's case-insensitive collation (utf8_general_ci):
            # a filter on the email finds it in any case.
            columns={
                "email": "TEXT COLLATE NOCASE",
                "group_id": "INTEGER",
                "website_id": "INTEGER",
            },
            created_at=True,
            updated_at=True,
            custom_attributes=True,
            collection="eav",
        ),
        Kind("customer_groups", "id", columns={"code": "TEXT"}),
        Kind(
            "products",
            "id",
            columns={"sku": "TEXT", "type_id": "TEXT", "attribute_set_id": "INTEGER"},
            created_at=True,
            updated_at=True,
            custom_attributes=True,
            collection="eav",
        ),
        Kind("product_attributes", "attribute_id", columns={"attribute_code": "TEXT"}),
        Kind(
            "categories",
            "id",
            columns={"parent_id": "INTEGER"},
            created_at=True,
            updated_at=True,
            custom_attributes=True,
            collection="eav",
        ),
        Kind("store_views", "id", columns={"code": "TEXT", "website_id": "INTEGER"}),
        Kind("store_groups", "id", columns={"code": "TEXT", "website_id": "INTEGER"}),
        Kind("websites", "id", columns={"code": "TEXT"}),
        Kind("inventory_sources", "source_code", id_type="TEXT"),
        Kind("inventory_stocks", "stock_id"),
        # MSI source items have no id of their own: (sku, source_code) is the key.
        Kind(
            "source_items",
            "sku\x1fsource_code",
            id_type="TEXT",
            columns={"sku": "TEXT", "source_code": "TEXT"},
        ),
        Kind("stock_items", "item_id", columns={"product_id": "INTEGER", "stock_id": "INTEGER"}),
        Kind("companies", "id", columns={"status": "INTEGER", "company_email": "TEXT"}),
        Kind("company_credits", "id", columns={"company_id": "INTEGER"}),
        Kind("credit_history", "id", columns={"company_credit_id": "INTEGER"}),
        # The asynchronous API (magento2_sandbox.asyncbulk): bulks by uuid, their operations
        # keyed by (bulk_uuid, id) as in magento_operation.
        Kind("bulks", "bulk_id", id_type="TEXT"),
        Kind(
            "operations",
            "bulk_uuid\x1fid",
            id_type="TEXT",
            columns={"bulk_uuid": "TEXT", "status": "INTEGER"},
        ),
    )
}


# Attributes every store's EAV entities have (Catalog, Customer and their setup patches), known
# even where no sampled document holds a value; a store's own attributes come from the documents
# and, for products, from the product_attributes kind.
EAV_ATTRIBUTES: dict[str, frozenset[str]] = {
    "products": frozenset(
        [
            "sku",
            "name",
            "price",
            "status",
            "visibility",
            "type_id",
            "attribute_set_id",
            "weight",
            "created_at",
            "updated_at",
            "description",
            "short_description",
            "special_price",
            "special_from_date",
            "special_to_date",
            "cost",
            "url_key",
            "meta_title",
            "meta_keyword",
            "meta_description",
            "tax_class_id",
            "news_from_date",
            "news_to_date",
            "image",
            "small_image",
            "thumbnail",
            "country_of_manufacture",
        ]
    ),
    "customers": frozenset(
        [
            "email",
            "firstname",
            "lastname",
            "middlename",
            "prefix",
            "suffix",
            "dob",
            "gender",
            "taxvat",
            "group_id",
            "website_id",
            "store_id",
            "created_at",
            "updated_at",
            "created_in",
            "default_billing",
            "default_shipping",
            "confirmation",
            "disable_auto_group_change",
        ]
    ),
    "categories": frozenset(
        [
            "name",
            "is_active",
            "parent_id",
            "position",
            "level",
            "path",
            "children_count",
            "include_in_menu",
            "url_key",
            "url_path",
            "display_mode",
            "is_anchor",
            "created_at",
            "updated_at",
        ]
    ),
}


class Deflate:
    """Documents deflated (level 1) with a preset dictionary, and inflated back.

    Each document is deflated by a copy of a compressor primed once with the dictionary: priming
    one costs more than deflating a document (a 1.5 KB product against a 14 KB dictionary: 39 us
    primed per document, 15 us copied, measured 2026-12-02), and a source-item save deflates four
    or five documents. zlib's copy() holds the object's lock, so the primed compressor is shared
    by every thread. Inflating sets the dictionary only when the stream asks for it, and costs
    the same either way.
    """

    def __init__(self, dictionary: bytes = b"") -> None:
        self.dictionary = dictionary
        self._packer = zlib.compressobj(1, zdict=dictionary) if dictionary else None

    def pack(self, text: str) -> bytes:
        if self._packer is None:
            return zlib.compress(text.encode(), 1)
        packer = self._packer.copy()
        return packer.compress(text.encode()) + packer.flush()

    def unpack(self, blob: bytes) -> str:
        if not self.dictionary:
            return zlib.decompress(blob).decode()
        return zlib.decompressobj(zdict=self.dictionary).decompress(blob).decode()


def row_of(kind: str, doc: dict[str, Any], blob: bytes) -> tuple[Any, ...]:
    """A table row: id, indexed columns, created_at, updated_at (when the kind has them), doc."""
    spec = kind_of(kind)
    row: list[Any] = [key_of(spec, doc)]
    row += [doc.get(name) for name in spec.columns]
    row += [doc.get("created_at")] if spec.created_at else []
    row += [doc.get("updated_at")] if spec.updated_at else []
    row.append(blob)
    return tuple(row)


def dumps(doc: Any) -> str:
    """Compact JSON, as PHP's json_encode writes it."""
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)


def kind_of(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise KeyError(f"unknown kind {name!r}: use one of {sorted(KINDS)}") from None


def key_of(kind: Kind, doc: dict[str, Any]) -> Any:
    if "\x1f" in kind.id_field:
        return "\x1f".join(str(doc[part]) for part in kind.id_field.split("\x1f"))
    return doc.get(kind.id_field)


def _key(kind: Kind, key: Any) -> Any:
    if isinstance(key, tuple):
        return "\x1f".join(str(part) for part in key)
    if kind.id_type == "INTEGER":
        try:
            return int(key)
        except (TypeError, ValueError):
            return None
    return str(key)


class Store:
    """All entities of one sandbox. Safe to use from many threads."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._pool: list[sqlite3.Connection] = []
        self._pool_lock = threading.Lock()
        self._write_lock = threading.RLock()
        self._local = threading.local()
        self._ids: dict[str, int] = {}
        self._nested_ids: dict[tuple[str, str], int] = {}
        self._ids_lock = threading.Lock()
        self.clock_offset = 0.0
        self._field_names: dict[str, frozenset[str]] = {}
        # Commit lag (see _hold_back): seconds a write's rows stay invisible to readers, and
        # per kind the latest moment any held-back row becomes visible.
        self.commit_lag: Callable[[], float] = lambda: 0.0
        self._held_until: dict[str, float] = {}
        # Documents are stored deflated with a preset dictionary (sample documents): a
        # 100,000-order store stays well under a gigabyte on disk.
        self._deflate = Deflate()
        with self._connection() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=OFF")
            for kind in KINDS.values():
                columns = "".join(f", {name} {sql}" for name, sql in kind.columns.items())
                dates = (", created_at TEXT" if kind.created_at else "") + (
                    ", updated_at TEXT" if kind.updated_at else ""
                )
                conn.execute(
                    f"CREATE TABLE IF NOT EXISTS {kind.name} "
                    f"(id {kind.id_type} PRIMARY KEY{columns}{dates}, doc BLOB NOT NULL)"
                )
                if kind.updated_at:
                    # The versions readers still see while a write is not committed yet.
                    conn.execute(
                        f"CREATE TABLE IF NOT EXISTS {kind.name}__held (id {kind.id_type}"
                        f"{columns}{dates}, doc BLOB, visible_at REAL NOT NULL, "
                        "absent INTEGER NOT NULL)"
                    )
                    conn.execute(
                        f"CREATE INDEX IF NOT EXISTS {kind.name}__held_id "
                        f"ON {kind.name}__held (id, visible_at)"
                    )
            conn.execute(
                "CREATE TABLE IF NOT EXISTS scoped (kind TEXT, id TEXT, store_code TEXT, "
                "doc BLOB NOT NULL, PRIMARY KEY (kind, id, store_code))"
            )

    def set_dictionary(self, sample: bytes) -> None:
        """The preset deflate dictionary; only before the first document is written."""
        if any(self.count(kind) for kind in KINDS):
            raise RuntimeError("the compression dictionary is set before any document")
        self._deflate = Deflate(sample[-32768:])

    @property
    def dictionary(self) -> bytes:
        return self._deflate.dictionary

    def pack(self, text: str) -> bytes:
        return self._deflate.pack(text)

    def unpack(self, blob: bytes) -> str:
        return self._deflate.unpack(blob)

    def create_indexes(self) -> None:
        """Index the filtered columns (after a bulk load: building them once is faster)."""
        with self._connection() as conn:
            for kind in KINDS.values():
                names = [*kind.columns]
                names += ["created_at"] if kind.created_at else []
                names += ["updated_at"] if kind.updated_at else []
                for name in names:
                    # InnoDB's secondary indexes end with the primary key, so sales_order's
                    # index on updated_at serves ORDER BY updated_at, entity_id as it is.
                    columns = f"{name}, id" if name == "updated_at" else name
                    conn.execute(
                        f"CREATE INDEX IF NOT EXISTS {kind.name}_{name} ON {kind.name} ({columns})"
                    )
            conn.execute("ANALYZE")

    # -- connections ---------------------------------------------------------------------

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        held = getattr(self._local, "conn", None)
        if held is not None:
            yield held
            return
        with self._pool_lock:
            conn = self._pool.pop() if self._pool else None
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout=30000")
            # json_extract() reads documents through this (they are stored deflated).
            conn.create_function("doc_text", 1, self.unpack, deterministic=True)
        try:
            yield conn
        finally:
            with self._pool_lock:
                self._pool.append(conn)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Store]:
        """One writer at a time; everything inside commits together or not at all."""
        if getattr(self._local, "conn", None) is not None:
            yield self
            return
        with self._write_lock, self._connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            self._local.conn = conn
            try:
                yield self
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            else:
                conn.execute("COMMIT")
            finally:
                self._local.conn = None
                self._local.lag = None

    def close(self) -> None:
        with self._pool_lock:
            for conn in self._pool:
                conn.close()
            self._pool.clear()

    # -- clock ---------------------------------------------------------------------------

    def now_datetime(self) -> datetime:
        return datetime.now(timezone.utc) + timedelta(seconds=self.clock_offset)

    def now(self) -> str:
        """The sandbox clock, UTC 'Y-m-d H:i:s' (shifted by POST /_sandbox/clock)."""
        return self.now_datetime().strftime(TIME_FORMAT)

    # -- documents -----------------------------------------------------------------------

    def get(self, kind: str, key: Any, store_code: str | None = None) -> dict[str, Any] | None:
        text = self.get_json(kind, key, store_code)
        return None if text is None else json.loads(text)

    def get_json(
        self, kind: str, key: Any, store_code: str | None = None, *, visible: bool = False
    ) -> str | None:
        """A document's JSON text. `visible`: as a reader sees it (REST reads), i.e. without the
        writes that have not committed yet; else the latest (the sandbox's own write logic)."""
        spec = kind_of(kind)
        key = _key(spec, key)
        if key is None:
            return None
        with self._connection() as conn:
            if visible and self._holding(spec):
                row = conn.execute(
                    f"SELECT doc, absent FROM {spec.name}__held WHERE id = ? "  # noqa: S608
                    "AND visible_at > ? ORDER BY visible_at LIMIT 1",
                    (key, time.time()),
                ).fetchone()
                if row is not None:
                    return None if row[1] else self.unpack(row[0])
            if _scoped(store_code) and kind in STORE_SCOPED_KINDS:
                row = conn.execute(
                    "SELECT doc FROM scoped WHERE kind = ? AND id = ? AND store_code = ?",
                    (kind, str(key), store_code),
                ).fetchone()
                if row is not None:
                    return self.unpack(row[0])
            row = conn.execute(
                f"SELECT doc FROM {spec.name} WHERE id = ?",  # noqa: S608
                (key,),
            ).fetchone()
        return None if row is None else self.unpack(row[0])

    def put(
        self,
        kind: str,
        doc: dict[str, Any],
        *,
        touch: bool = True,
        store_code: str | None = None,
    ) -> dict[str, Any]:
        """Insert or replace by the kind's id (assigned when missing). With a store code other
        than all/admin the document becomes that store view's version (a store-scoped save)
        and only updated_at of the global document moves."""
        spec = kind_of(kind)
        # Only top-level fields are set here and the document is stored serialized: a shallow
        # copy keeps the caller's dict as it was (a deep one was a third of a stock save's time).
        doc = dict(doc)
        with self.transaction():
            if "\x1f" not in spec.id_field and doc.get(spec.id_field) is None:
                doc[spec.id_field] = self.next_id(kind)
            key = key_of(spec, doc)
            now = self.now()
            # The stored document is parsed only where it is needed: a store-scoped save.
            existing = self.get(kind, key) if _scoped(store_code) else None
            if spec.created_at and not doc.get("created_at"):
                created = existing.get("created_at") if existing else self._created_at(spec, key)
                doc["created_at"] = created or now
            if spec.updated_at and (touch or not doc.get("updated_at")):
                doc["updated_at"] = now
            self._hold_back(spec, key)
            if _scoped(store_code):
                if existing is None:
                    raise KeyError(f"{kind} {key!r} must exist before a store-scoped save")
                with self._connection() as conn:
                    conn.execute(
                        "INSERT OR REPLACE INTO scoped (kind, id, store_code, doc) "
                        "VALUES (?, ?, ?, ?)",
                        (kind, str(key), store_code, self.pack(dumps(doc))),
                    )
                if spec.updated_at and existing.get("updated_at") != doc["updated_at"]:
                    existing["updated_at"] = doc["updated_at"]
                    self._write(spec, [existing])
                    self._touch_scoped(spec, key, doc["updated_at"], store_code)
            else:
                # Every store view's version carries the global updated_at: when it stays (a
                # save with touch=False), they need not be read (a stock save's product).
                stamped = doc.get("updated_at")
                stays = kind in STORE_SCOPED_KINDS and self._updated_at(spec, key) == stamped
                self._write(spec, [doc])
                if spec.updated_at and not stays:
                    self._touch_scoped(spec, key, doc["updated_at"], None)
            self._seen_id(spec, key)
        return doc

    def _created_at(self, spec: Kind, key: Any) -> str | None:
        return self._stored_column(spec, key, "created_at")

    def _updated_at(self, spec: Kind, key: Any) -> str | None:
        return self._stored_column(spec, key, "updated_at")

    def _stored_column(self, spec: Kind, key: Any, column: str) -> Any:
        with self._connection() as conn:
            row = conn.execute(
                f"SELECT {column} FROM {spec.name} WHERE id = ?",  # noqa: S608 - our names
                (_key(spec, key),),
            ).fetchone()
        return None if row is None else row[0]

    # -- commit lag -------------------------------------------------------------------------

    def _hold_back(self, spec: Kind, key: Any) -> None:
        """Keep the version readers see until this write commits, `commit_lag` from now.

        Magento stamps updated_at before the transaction commits (EAV: Eav/Model/Entity/
        Attribute/Backend/Time/Updated::beforeSave; sales tables: a `timestamp on_update`
        column, Sales/etc/db_schema.xml): a slow save becomes visible later with an updated_at
        already in the past. The row as it was (or its absence) stays what readers see until
        then; writes to one row commit in order, as InnoDB's row lock makes them.
        """
        if not spec.updated_at:
            return
        lag = getattr(self._local, "lag", None)
        if lag is None:
            # One lag for the whole transaction: its rows commit together.
            lag = self.commit_lag()
            if getattr(self._local, "conn", None) is not None:
                self._local.lag = lag
        if lag <= 0:
            return
        names = _row_names(spec)
        with self._connection() as conn:
            now = time.time()
            conn.execute(f"DELETE FROM {spec.name}__held WHERE visible_at <= ?", (now,))  # noqa: S608
            latest = conn.execute(
                f"SELECT MAX(visible_at) FROM {spec.name}__held WHERE id = ?",  # noqa: S608
                (key,),
            ).fetchone()[0]
            visible_at = max(now + lag, latest or 0.0)
            columns = ", ".join(names)
            copied = conn.execute(
                f"INSERT INTO {spec.name}__held ({columns}, visible_at, absent) "  # noqa: S608
                f"SELECT {columns}, ?, 0 FROM {spec.name} WHERE id = ?",
                (visible_at, key),
            ).rowcount
            if not copied:
                conn.execute(
                    f"INSERT INTO {spec.name}__held (id, visible_at, absent) VALUES (?, ?, 1)",  # noqa: S608
                    (key, visible_at),
                )
        self._held_until[spec.name] = max(self._held_until.get(spec.name, 0.0), visible_at)
        self._local.visible_at = max(getattr(self._local, "visible_at", 0.0), visible_at)

    def _holding(self, spec: Kind) -> bool:
        return self._held_until.get(spec.name, 0.0) > time.time()

    def take_commit_wait(self) -> float:
        """Seconds until this thread's writes are visible (then forgotten): a REST write
        answers once its transaction has committed, so the request waits that long."""
        visible_at = getattr(self._local, "visible_at", 0.0)
        self._local.visible_at = 0.0
        return max(0.0, visible_at - time.time())

    def _visible_source(self, spec: Kind) -> tuple[str, list[Any]]:
        """FROM text (aliased t) with the rows readers see now, and its parameters."""
        if not self._holding(spec):
            return f"{spec.name} t", []
        names = ", ".join(_row_names(spec))
        now = time.time()
        held = f"{spec.name}__held"
        source = (
            f"(SELECT {names} FROM {spec.name} WHERE id NOT IN "  # noqa: S608 - checked names
            f"(SELECT id FROM {held} WHERE visible_at > ?) "
            f"UNION ALL SELECT {names} FROM {held} h WHERE h.visible_at > ? AND h.absent = 0 "
            f"AND h.visible_at = (SELECT MIN(g.visible_at) FROM {held} g "
            "WHERE g.id = h.id AND g.visible_at > ?)) t"
        )
        return source, [now, now, now]

    def _touch_scoped(self, spec: Kind, key: Any, updated_at: str, skip: str | None) -> None:
        """updated_at is a global value: every store view's version carries the same one."""
        if spec.name not in STORE_SCOPED_KINDS:
            return  # no store view has a version of its own (get_json reads none)
        with self._connection() as conn:
            for store_code, text in self.scoped_versions(spec.name, key).items():
                if store_code == skip:
                    continue
                scoped = json.loads(text)
                if scoped.get("updated_at") == updated_at:
                    continue  # nothing moves: a save that keeps updated_at (touch=False)
                scoped["updated_at"] = updated_at
                conn.execute(
                    "UPDATE scoped SET doc = ? WHERE kind = ? AND id = ? AND store_code = ?",
                    (self.pack(dumps(scoped)), spec.name, str(key), store_code),
                )

    def scoped_versions(self, kind: str, key: Any) -> dict[str, str]:
        """The JSON text of each store view's own version of a document (the latest)."""
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT store_code, doc FROM scoped WHERE kind = ? AND id = ?",
                (kind, str(_key(kind_of(kind), key))),
            ).fetchall()
        return {store_code: self.unpack(blob) for store_code, blob in rows}

    def put_scoped_raw(self, kind: str, key: Any, store_code: str, doc: dict[str, Any]) -> None:
        """Store a store view's version as it is (the seed uses it; no timestamps move)."""
        with self.transaction(), self._connection() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO scoped (kind, id, store_code, doc) VALUES (?, ?, ?, ?)",
                (kind, str(_key(kind_of(kind), key)), store_code, self.pack(dumps(doc))),
            )

    def _write(self, spec: Kind, docs: Iterable[dict[str, Any]]) -> None:
        self._write_texts(spec, ((doc, dumps(doc)) for doc in docs))

    def write_texts(self, kind: str, rows: Iterable[tuple[dict[str, Any], str]]) -> None:
        """Write documents already serialized (the seed): (document for the indexed columns,
        its JSON text). Safe to call from another thread than the one generating."""
        spec = kind_of(kind)
        with self.transaction():
            self._write_texts(spec, rows)
        with self._ids_lock:
            self._ids.pop(kind, None)

    def _write_texts(self, spec: Kind, docs: Iterable[tuple[dict[str, Any], str]]) -> None:
        rows = [row_of(spec.name, doc, self.pack(text)) for doc, text in docs]
        with self._connection() as conn:
            conn.executemany(_insert_sql(spec), rows)

    def write_rows(self, kind: str, rows: list[tuple[Any, ...]]) -> None:
        """Write rows made by row_of() (the seed's worker processes make them)."""
        spec = kind_of(kind)
        with self.transaction(), self._connection() as conn:
            conn.executemany(_insert_sql(spec), rows)
        with self._ids_lock:
            self._ids.pop(kind, None)

    def write_many(self, kind: str, docs: Iterable[dict[str, Any]]) -> None:
        """Write documents as they are (the seed): no timestamps are set."""
        spec = kind_of(kind)
        with self.transaction():
            self._write(spec, docs)
        with self._ids_lock:
            self._ids.pop(kind, None)

    def bulk_load(self, kind: str, docs: Iterable[dict[str, Any]]) -> None:
        """Write documents as they are (the seed): no timestamps are set."""
        spec = kind_of(kind)
        batch: list[dict[str, Any]] = []
        with self.transaction():
            for doc in docs:
                batch.append(doc)
                if len(batch) >= 2000:  # noqa: PLR2004 - batch size
                    self._write(spec, batch)
                    batch = []
            if batch:
                self._write(spec, batch)
        with self._ids_lock:
            self._ids.pop(kind, None)

    def delete(self, kind: str, key: Any) -> None:
        spec = kind_of(kind)
        key = _key(spec, key)
        with self.transaction(), self._connection() as conn:
            conn.execute(f"DELETE FROM {spec.name} WHERE id = ?", (key,))  # noqa: S608
            conn.execute("DELETE FROM scoped WHERE kind = ? AND id = ?", (kind, str(key)))

    def next_id(self, kind: str) -> int:
        """A new integer id, never handed out twice (even before the document is stored)."""
        spec = kind_of(kind)
        with self._ids_lock:
            if kind not in self._ids:
                with self._connection() as conn:
                    row = conn.execute(f"SELECT MAX(id) FROM {spec.name}").fetchone()  # noqa: S608
                self._ids[kind] = int(row[0] or 0) if spec.id_type == "INTEGER" else 0
            self._ids[kind] += 1
            return self._ids[kind]

    def note_nested_ids(self, highest: dict[tuple[str, str], int]) -> None:
        """For (kind, array): no row nested in that array holds an entity_id above this."""
        with self._ids_lock:
            self._nested_ids.update(highest)

    def next_nested_id(self, kind: str, array: str, id_field: str = "entity_id") -> int:
        """A new id for a row nested in a kind's documents (sales_invoice_item, a customer's
        addresses: `id_field` names the row's id)."""
        with self._ids_lock:
            if (kind, array) not in self._nested_ids:
                self._nested_ids[(kind, array)] = self._max_nested_id(kind, array, id_field)
            self._nested_ids[(kind, array)] += 1
            return self._nested_ids[(kind, array)]

    def _max_nested_id(self, kind: str, array: str, id_field: str) -> int:
        """Read every document: only for arrays the seed did not note (small stores)."""
        spec = kind_of(kind)
        _check_field(array)
        _check_field(id_field)
        with self._connection() as conn:
            row = conn.execute(
                f"SELECT MAX(CAST(json_extract(nested.value, '$.{id_field}') AS INTEGER)) "  # noqa: S608 - checked names
                f"FROM {spec.name}, json_each(doc_text({spec.name}.doc), '$.{array}') AS nested"
            ).fetchone()
        return int(row[0] or 0)

    def _seen_id(self, spec: Kind, key: Any) -> None:
        if spec.id_type != "INTEGER" or not isinstance(key, int):
            return
        with self._ids_lock:
            if spec.name in self._ids and key > self._ids[spec.name]:
                self._ids[spec.name] = key

    def count(self, kind: str) -> int:
        spec = kind_of(kind)
        with self._connection() as conn:
            return int(conn.execute(f"SELECT COUNT(*) FROM {spec.name}").fetchone()[0])  # noqa: S608

    def find(self, kind: str, **equals: Any) -> list[dict[str, Any]]:
        """Documents whose top-level fields equal the given values (indexed columns are fast)."""
        return [json.loads(self.unpack(doc)) for _, doc in self._find_rows(kind, equals)]

    def find_ids(self, kind: str, **equals: Any) -> list[Any]:
        """The ids of the documents `find` answers, without reading the documents."""
        return [key for key, _ in self._find_rows(kind, equals, column="NULL")]

    def _find_rows(
        self, kind: str, equals: dict[str, Any], column: str = "doc"
    ) -> list[tuple[Any, Any]]:
        spec = kind_of(kind)
        clauses, params = [], []
        for name, value in equals.items():
            if name in spec.columns or name in {"created_at", "updated_at"}:
                clauses.append(f"{name} = ?")
            elif name == spec.id_field:
                clauses.append("id = ?")
            else:
                _check_field(name)
                clauses.append(f"json_extract(doc_text(doc), '$.{name}') = ?")
            params.append(value)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._connection() as conn:
            return conn.execute(
                f"SELECT id, {column} FROM {spec.name}{where} ORDER BY id",  # noqa: S608
                params,
            ).fetchall()

    def ids(self, kind: str) -> list[dict[str, Any]]:
        """Ground truth: every entity's id and updated_at (when the kind has one)."""
        spec = kind_of(kind)
        updated = "updated_at" if spec.updated_at else "NULL"
        source, params = self._visible_source(spec)
        with self._connection() as conn:
            rows = conn.execute(
                f"SELECT id, {updated} FROM {source} ORDER BY id",  # noqa: S608
                params,
            ).fetchall()
        answer = []
        for key, updated_at in rows:
            item: dict[str, Any] = {"id": key}
            if "\x1f" in spec.id_field:
                item["id"] = dict(zip(spec.id_field.split("\x1f"), key.split("\x1f"), strict=True))
            if spec.updated_at:
                item["updated_at"] = updated_at
            answer.append(item)
        return answer

    def keys(self, kind: str) -> list[Any]:
        spec = kind_of(kind)
        with self._connection() as conn:
            return [
                row[0]
                for row in conn.execute(f"SELECT id FROM {spec.name} ORDER BY id")  # noqa: S608
            ]

    def set_updated_at(self, kind: str, keys: list[Any], at: str) -> None:
        """A mass action: many rows get the same updated_at second, documents untouched else."""
        spec = kind_of(kind)
        with self.transaction(), self._connection() as conn:
            for key in keys:
                row = conn.execute(
                    f"SELECT doc FROM {spec.name} WHERE id = ?",  # noqa: S608
                    (key,),
                ).fetchone()
                if row is None:
                    continue
                doc = json.loads(self.unpack(row[0]))
                doc["updated_at"] = at
                conn.execute(
                    f"UPDATE {spec.name} SET updated_at = ?, doc = ? WHERE id = ?",  # noqa: S608
                    (at, self.pack(dumps(doc)), key),
                )
                self._touch_scoped(spec, key, at, None)

    # -- search --------------------------------------------------------------------------

    def field_names(self, kind: str, *, refresh: bool = False) -> frozenset[str]:
        """The fields a kind's collection knows: its columns, the top-level fields of its
        documents and, for EAV kinds, the codes in their custom_attributes (a sample of 500)."""
        spec = kind_of(kind)
        if refresh or kind not in self._field_names:
            with self._connection() as conn:
                rows = conn.execute(
                    "SELECT DISTINCT j.key FROM "  # noqa: S608 - a kind's own table
                    f"(SELECT doc FROM {spec.name} LIMIT 500) t, json_each(doc_text(t.doc)) j"
                ).fetchall()
                names = {row[0] for row in rows} | _columns(spec) | {"entity_id"}
                if spec.custom_attributes:
                    codes = conn.execute(
                        "SELECT DISTINCT json_extract(c.value, '$.attribute_code') FROM "  # noqa: S608
                        f"(SELECT doc FROM {spec.name} LIMIT 500) t, "
                        "json_each(doc_text(t.doc), '$.custom_attributes') c"
                    ).fetchall()
                    names |= {row[0] for row in codes if row[0]}
                    names |= EAV_ATTRIBUTES.get(kind, frozenset())
                if kind == "products":
                    attributes = conn.execute("SELECT attribute_code FROM product_attributes")
                    names |= {row[0] for row in attributes.fetchall() if row[0]}
            self._field_names[kind] = frozenset(names)
        return self._field_names[kind]

    def knows_field(self, kind: str, name: str) -> bool:
        spec = kind_of(kind)
        if spec.collection == "eav" and name == "id":
            # EAV records answer `id`, but id is no attribute of customer_entity,
            # catalog_product_entity or catalog_category_entity: their key is entity_id.
            return False
        if name in self.field_names(kind):
            return True
        return name in self.field_names(kind, refresh=True)

    def checked_sorts(self, spec: Kind, criteria: Criteria) -> list[tuple[str, str]]:
        """The sort orders a collection applies, after refusing filters on unknown fields.

        EAV collections (products, customers, categories): a filter on a field that is no
        attribute is 400 "Invalid attribute name: %1" (Eav/Model/Entity/Collection/
        AbstractCollection.php _getAttributeConditionSql), a sort on one is dropped without a
        word (addAttributeToSort returns when getAttribute finds nothing). Flat collections (the
        sales documents): either is an SQL error about an unknown column, answered as a masked
        500 (Framework/Webapi/ErrorProcessor.php).
        """
        if not spec.collection:
            return criteria.sort_orders
        for group in criteria.filter_groups:
            for item in group:
                _check_field(item.field)
                if self.knows_field(spec.name, item.field):
                    continue
                if spec.collection == "eav":
                    raise WebapiError(400, "Invalid attribute name: %1", [item.field])
                raise masked_internal_error()
        kept = []
        for name, direction in criteria.sort_orders:
            _check_field(name)
            if self.knows_field(spec.name, name):
                kept.append((name, direction))
            elif spec.collection == "flat":
                raise masked_internal_error()
        return kept

    def search(
        self,
        kind: str,
        criteria: Criteria,
        *,
        store_code: str | None = None,
        past_end_mode: str = "empty",
        default_page_size: int | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        texts, total = self.search_json(
            kind,
            criteria,
            store_code=store_code,
            past_end_mode=past_end_mode,
            default_page_size=default_page_size,
        )
        return [json.loads(text) for text in texts], total

    def search_json(
        self,
        kind: str,
        criteria: Criteria,
        *,
        store_code: str | None = None,
        past_end_mode: str = "empty",
        default_page_size: int | None = None,
        unreadable: tuple[frozenset[str], WebapiError] | None = None,
    ) -> tuple[list[str], int]:
        """The JSON texts of one page and the count of every match. `unreadable`: ids that
        fail any page holding them, and the error they fail with."""
        spec = kind_of(kind)
        scoped = _scoped(store_code) and kind in STORE_SCOPED_KINDS
        raw = "COALESCE(s.doc, t.doc)" if scoped else "t.doc"
        doc = f"doc_text({raw})"
        source, source_params = self._visible_source(spec)
        params: list[Any] = list(source_params)
        if scoped:
            source += (
                " LEFT JOIN scoped s ON s.kind = ? AND s.id = CAST(t.id AS TEXT)"
                " AND s.store_code = ?"
            )
            params += [kind, store_code]
        sort_orders = self.checked_sorts(spec, criteria)
        where, where_params = _where(spec, doc, criteria.filter_groups)
        params += where_params
        order = ", ".join(
            f"{_expression(spec, doc, name)} {direction}" for name, direction in sort_orders
        )
        order_by = f" ORDER BY {order}" if order else " ORDER BY t.id"
        with self._connection() as conn:
            total = int(
                conn.execute(f"SELECT COUNT(*) FROM {source}{where}", params).fetchone()[0]  # noqa: S608
            )
            page_size = criteria.page_size or default_page_size
            limit = ""
            if page_size:
                # 2.4 REST answers a page past the end with no items and the real count: the
                # clamp moved into Theme/Plugin/Data/Collection, which Theme/etc/webapi_rest/
                # di.xml disables (magento2 #26986, PR #26988). "repeat" is 2.3, whose
                # Framework/Data/Collection.php getCurPage() clamps to the last page (#3787).
                last_page = max(1, -(-total // page_size))
                page = max(1, criteria.current_page or 1)
                if page > last_page:
                    if past_end_mode == "empty":
                        return [], total
                    page = last_page
                limit = f" LIMIT {int(page_size)} OFFSET {int((page - 1) * page_size)}"
            rows = conn.execute(
                f"SELECT {raw}, t.id FROM {source}{where}{order_by}{limit}",  # noqa: S608
                params,
            ).fetchall()
        if unreadable is not None and any(str(row[1]) in unreadable[0] for row in rows):
            raise unreadable[1]
        return [self.unpack(row[0]) for row in rows], total


def _row_names(spec: Kind) -> list[str]:
    """A table's columns in order: id, the indexed fields, created_at, updated_at, doc."""
    names = ["id", *spec.columns]
    names += ["created_at"] if spec.created_at else []
    names += ["updated_at"] if spec.updated_at else []
    names.append("doc")
    return names


def _insert_sql(spec: Kind) -> str:
    names = _row_names(spec)
    return (
        f"INSERT OR REPLACE INTO {spec.name} ({', '.join(names)}) "  # noqa: S608
        f"VALUES ({', '.join('?' * len(names))})"
    )


def _scoped(store_code: str | None) -> bool:
    # `all` (and the admin store) are store 0, the global values; every other code, `default`
    # included, is a store view (Store/Model/StoreManager; magento2 #9186, #17284).
    return store_code not in GLOBAL_STORE_CODES


GLOBAL_STORE_CODES = frozenset({None, "", "all", "admin"})
# The kinds with per-store-view values (EAV); the flat ones read the same through every code.
STORE_SCOPED_KINDS = frozenset({"products", "categories"})


def _check_field(name: str) -> None:
    if not _FIELD.match(name):
        raise WebapiError(
            400,
            'Invalid value of "%value" provided for the %fieldName field.',
            {"value": name, "fieldName": "field"},
        )


def _columns(spec: Kind) -> set[str]:
    names = set(spec.columns)
    names |= {"created_at"} if spec.created_at else set()
    names |= {"updated_at"} if spec.updated_at else set()
    return names


def _expression(spec: Kind, doc: str, name: str) -> str:
    """SQL for a field. Indexed columns hold global values (sku, dates), so a store view's
    version of a document shares them; other fields are read from that version's JSON."""
    _check_field(name)
    # EAV and B2B entities answer `id` but their tables name the column entity_id, and that is
    # the name searchCriteria filters and sorts on (customer_entity, catalog_product_entity,
    # catalog_category_entity, company, company_credit).
    if name == spec.id_field or (name == "entity_id" and spec.id_field == "id"):
        return "t.id"
    if name in _columns(spec):
        return f"t.{name}"
    path = "$." + ".".join(f'"{part}"' for part in name.split("."))
    plain = f"json_extract({doc}, '{path}')"
    if not spec.custom_attributes or "." in name:
        return plain
    # EAV attributes of products, customers and categories sit in custom_attributes. The
    # field name is checked against _FIELD above, so it is safe inside the SQL text.
    return (
        f"COALESCE({plain}, (SELECT json_extract(j.value, '$.value') FROM "  # noqa: S608
        f"json_each({doc}, '$.custom_attributes') j WHERE "
        f"json_extract(j.value, '$.attribute_code') = '{name}'))"
    )


def _compare(expr: str, op: str, value: Any, *, typed: bool) -> tuple[str, list[Any]]:
    # MySQL compares a number column with a string value as numbers, a string column as
    # strings; typed columns get that from SQLite's affinity, JSON values need the CASE.
    if typed:
        return f"{expr} {op} ?", [value]
    return (
        (
            f"(CASE WHEN {_NUMERIC.format(e=expr)} THEN {expr} {op} CAST(? AS NUMERIC) "
            f"ELSE {expr} {op} ? END)"
        ),
        [value, value],
    )


def _condition(spec: Kind, doc: str, item: Filter) -> tuple[str, list[Any]]:  # noqa: PLR0911 - a branch per condition type
    expr = _expression(spec, doc, item.field)
    typed = expr.startswith("t.")
    value = item.value
    ops = {"eq": "=", "neq": "!=", "gt": ">", "gteq": ">=", "lt": "<", "lteq": "<=",
           "from": ">=", "to": "<=", "moreq": ">="}  # fmt: skip
    kind = item.condition_type
    if kind in ops:
        return _compare(expr, ops[kind], value, typed=typed)
    if kind in {"like", "nlike"}:
        negate = "NOT " if kind == "nlike" else ""
        return f"{expr} {negate}LIKE ? ESCAPE '\\'", [value]
    if kind in {"in", "nin"}:
        values = [part.strip() for part in (value or "").split(",")]
        parts, params = [], []
        for part in values:
            sql, part_params = _compare(expr, "=", part, typed=typed)
            parts.append(sql)
            params += part_params
        joined = " OR ".join(parts) or "0"
        if kind == "nin":
            return f"({expr} IS NOT NULL AND NOT ({joined}))", params
        return f"({joined})", params
    if kind == "null":
        return f"{expr} IS NULL", []
    if kind == "notnull":
        return f"{expr} IS NOT NULL", []
    # finset / nfinset: MySQL FIND_IN_SET(value, field) on a comma-separated field.
    found = f"instr(',' || {expr} || ',', ',' || ? || ',') > 0"
    if kind == "nfinset":
        return f"({expr} IS NOT NULL AND NOT ({found}))", [value]
    return found, [value]


def _where(spec: Kind, doc: str, groups: list[list[Filter]]) -> tuple[str, list[Any]]:
    clauses, params = [], []
    for group in groups:
        parts = []
        for item in group:
            sql, item_params = _condition(spec, doc, item)
            parts.append(sql)
            params += item_params
        clauses.append("(" + " OR ".join(parts) + ")")
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params
