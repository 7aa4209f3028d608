# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""`Sandbox`: a store with seeded data served on 127.0.0.1 by werkzeug in a daemon thread."""

from __future__ import annotations

import random
import secrets
import shutil
import tempfile
import threading
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from magento2_sandbox import asyncbulk
from magento2_sandbox.app import App
from magento2_sandbox.control import SandboxControl
from magento2_sandbox.errors import WebapiError
from magento2_sandbox.mutator import Mutator
from magento2_sandbox.oauth import Integration, Verifier
from magento2_sandbox.seed import Counts, generate
from magento2_sandbox.serving import KeepAlive, KeepAliveHandler, Server
from magento2_sandbox.settings import Settings, lag_range
from magento2_sandbox.store import KINDS, TIME_FORMAT, Store

if TYPE_CHECKING:
    from types import TracebackType

DEFAULT_CREDENTIALS = {
    "consumer_key": "sandbox-consumer-key",
    "consumer_secret": "sandbox-consumer-secret",
    "access_token": "sandbox-access-token",
    "access_token_secret": "sandbox-access-token-secret",
}
DEFAULT_ADMIN = ("admin", "sandbox-admin-password1")
# Integration/etc/config.xml oauth/access_token_lifetime/admin: 4 hours.
ADMIN_TOKEN_HOURS = 4
INTEGRATION_CONSUMER_ID = 1


class _Handler(KeepAliveHandler):
    """Quiet, and its Date header follows the sandbox clock (clients bound their syncs on it)."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass

    def log_message(self, *args: Any) -> None:
        pass

    def log_error(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's name
        # http.server says "Request timed out" when a kept-alive connection idles past
        # keepalive_timeout_s: nginx closes such a connection without a word, and so does this.
        if not format.startswith("Request timed out"):
            super().log_error(format, *args)

    def date_time_string(self, timestamp: float | None = None) -> str:
        app = getattr(self.server, "app", None)
        if timestamp is None and isinstance(app, App):
            return format_datetime(app.sandbox.store.now_datetime(), usegmt=True)
        return super().date_time_string(timestamp)


class Sandbox:
    """A fake Magento 2.4.7 store. `with Sandbox(seed=1, orders=200) as sb: sb.url ...`"""

    def __init__(
        self,
        *,
        seed: int = 1,
        orders: int = 200,
        customers: int | None = None,
        products: int | None = None,
        companies: int | None = None,
        b2b: bool = True,
        msi: bool = True,
        db: str | Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        consumer_key: str = DEFAULT_CREDENTIALS["consumer_key"],
        consumer_secret: str = DEFAULT_CREDENTIALS["consumer_secret"],
        access_token: str = DEFAULT_CREDENTIALS["access_token"],
        access_token_secret: str = DEFAULT_CREDENTIALS["access_token_secret"],
        admin_username: str = DEFAULT_ADMIN[0],
        admin_password: str = DEFAULT_ADMIN[1],
        settings: dict[str, Any] | None = None,
        build_workers: int | None = None,
        tls: tuple[str, str] | None = None,
    ) -> None:
        self.counts = Counts.defaults(
            orders=orders, customers=customers, products=products, companies=companies
        )
        self.seed = seed
        self.build_workers = build_workers
        self.b2b = b2b
        self.msi = msi
        self.host = host
        self.port = port
        self._db = Path(db) if db else None
        self._tmpdir: str | None = None
        self.credentials = {
            "consumer_key": consumer_key,
            "consumer_secret": consumer_secret,
            "access_token": access_token,
            "access_token_secret": access_token_secret,
        }
        self._admin = (admin_username, admin_password)
        self._admin_tokens: dict[str, datetime] = {}
        self._admin_lock = threading.Lock()
        self.settings = Settings()
        if settings:
            self.settings.update(settings)
        self.verifier = Verifier(
            Integration(
                INTEGRATION_CONSUMER_ID,
                consumer_key,
                consumer_secret,
                access_token,
                access_token_secret,
            )
        )
        self.app = App(self)
        self._store: Store | None = None
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._store_codes: frozenset[str] | None = None
        self.mutator: Mutator | None = None
        # (certificate chain file, private key file): serve HTTPS (the TLS tests).
        self.tls = tls
        self._lag_rng = random.Random(seed)
        self._lag_lock = threading.Lock()

    def __repr__(self) -> str:
        state = self.url if self._server else "stopped"
        return f"Sandbox(seed={self.seed}, orders={self.counts.orders}, {state})"

    # -- life cycle ------------------------------------------------------------------------

    @property
    def store(self) -> Store:
        if self._store is None:
            raise RuntimeError("the sandbox is not started: call start() first")
        return self._store

    def _keepalive(self) -> KeepAlive:
        settings = self.settings
        return settings.keepalive_timeout_s, settings.keepalive_requests

    def start(self) -> Sandbox:
        if self._server is not None:
            return self
        if self._db is None:
            self._tmpdir = tempfile.mkdtemp(prefix="magento2-sandbox-")
            path = Path(self._tmpdir) / "store.sqlite"
        else:
            path = self._db
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        self._store = Store(str(path))
        self._store.commit_lag = self._commit_lag
        generate(
            self._store,
            seed=self.seed,
            counts=self.counts,
            b2b=self.b2b,
            msi=self.msi,
            workers=self.build_workers,
        )
        self._store.create_indexes()
        self._server = Server(
            self.host,
            self.port,
            self.app,
            handler=_Handler,
            ssl_context=self.tls,
            keepalive=self._keepalive,
        )
        self.port = self._server.server_port
        server = self._server
        self._thread = threading.Thread(
            # A short poll interval: stop() returns quickly (tests start many sandboxes).
            target=lambda: server.serve_forever(poll_interval=0.05),
            name=f"magento2-sandbox:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stop_mutator()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server.close_connections()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        if self._store is not None:
            # The consumer thread writes to the store: it ends before the store closes.
            asyncbulk.stop_consumer(self._store)
            self._store.close()
            self._store = None
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def __enter__(self) -> Sandbox:  # noqa: PYI034 - start() returns the sandbox
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{self.host}:{self.port}"

    @property
    def control(self) -> SandboxControl:
        return SandboxControl(self.url)

    def _commit_lag(self) -> float:
        """This write's commit lag, drawn from the commit_lag setting (seconds or a range)."""
        low, high = lag_range(self.settings.commit_lag)
        if high <= 0:
            return 0.0
        with self._lag_lock:
            return self._lag_rng.uniform(low, high)

    # -- what the app asks ---------------------------------------------------------------

    def store_codes(self) -> frozenset[str]:
        if self._store_codes is None:
            self._store_codes = frozenset(
                str(view["code"])
                for view in self.store.find("store_views")
                # Webapi PathProcessor uses getStores(withDefault=false): no `admin` in URLs.
                if view["code"] != "admin"
            )
        return self._store_codes

    def issue_admin_token(self, username: Any, password: Any) -> str:
        if (username, password) != self._admin:
            # Integration/Model/AdminTokenService.php createAdminAccessToken
            raise WebapiError(
                401,
                "The account sign-in was incorrect or your account is disabled temporarily. "
                "Please wait and try again later.",
            )
        token = secrets.token_hex(16)
        with self._admin_lock:
            self._admin_tokens[token] = self.store.now_datetime() + timedelta(
                hours=ADMIN_TOKEN_HOURS
            )
        return token

    def revoke_admin_token(self, token: str) -> None:
        with self._admin_lock:
            self._admin_tokens.pop(token, None)

    def admin_token_valid(self, token: str) -> bool:
        with self._admin_lock:
            expires = self._admin_tokens.get(token)
        return expires is not None and self.store.now_datetime() < expires

    # -- control ---------------------------------------------------------------------------

    def info(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "seed": self.seed,
            "b2b": self.b2b,
            "msi": self.msi,
            "store_codes": sorted(self.store_codes()),
            "counts": {kind: self.store.count(kind) for kind in KINDS},
        }

    def start_mutator(
        self,
        *,
        rate_per_s: float = 5.0,
        kinds: list[str] | None = None,
        create_ratio: float = 0.2,
        seed: int = 0,
    ) -> dict[str, Any]:
        self.stop_mutator()
        self.mutator = Mutator(
            self.store,
            rate_per_s=float(rate_per_s),
            kinds=list(kinds or ["orders", "customers", "products"]),
            create_ratio=float(create_ratio),
            seed=int(seed),
        )
        self.mutator.start()
        return {"running": True}

    def stop_mutator(self) -> dict[str, Any]:
        if self.mutator is None:
            return {"running": False, "touched": {}, "created": {}}
        self.mutator.stop()
        report = self.mutator.report()
        self.mutator = None
        return report

    def mutator_status(self) -> dict[str, Any]:
        if self.mutator is None:
            return {"running": False}
        return {"running": True, **self.mutator.report()}

    def mass_update(self, kind: str, count: int, at: str | None = None) -> dict[str, Any]:
        """Give `count` records one updated_at second, like a mass action in the admin."""
        spec = KINDS[kind]
        if not spec.updated_at:
            raise ValueError(f"{kind} have no updated_at: use orders, customers, products, ...")
        if at is None:
            at = self.store.now()
        datetime.strptime(at, TIME_FORMAT)  # noqa: DTZ007 - validates the format only
        keys = self.store.keys(kind)
        chosen = sorted(_sample(keys, count, self.seed))
        self.store.set_updated_at(kind, chosen, at)
        return {"kind": kind, "at": at, "ids": chosen}

    def delete(self, kind: str, ids: list[Any]) -> dict[str, Any]:
        """Remove entities as a database delete would (an import, a module's clean-up, a script):
        nothing else changes, no updated_at moves. The REST DELETE routes do what Magento's
        repositories do instead (routes/*_write.py)."""
        spec = KINDS[kind]
        parts = spec.id_field.split("\x1f")
        deleted: list[Any] = []
        missing: list[Any] = []
        with self.store.transaction():
            for given in ids:
                key = tuple(given[part] for part in parts) if isinstance(given, dict) else given
                key = tuple(key) if isinstance(key, list) else key
                if self.store.get(kind, key) is None:
                    missing.append(given)
                    continue
                self.store.delete(kind, key)
                deleted.append(given)
        return {"kind": kind, "deleted": deleted, "missing": missing}

    def run_consumer(self, limit: int | None = None) -> Any:
        """Run the async.operations.all consumer once (magento2_sandbox.asyncbulk): every open
        operation, or the `limit` oldest."""
        return asyncbulk.run_consumer(self.store, limit)


def _sample(keys: list[Any], count: int, seed: int) -> list[Any]:
    if count >= len(keys):
        return list(keys)
    return random.Random(seed).sample(keys, count)
