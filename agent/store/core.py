"""The SQLite store: latest order states, cancellation requests, the append-only audit log, runs and
selector hits. This package (with its schema) is the ONLY place that imports sqlite_utils or names a table.

Every change of a request's state is a compare-and-set from the state the caller saw, through the one
transition table (agent.transitions): a lost race is recorded, never written over a live state.

Concurrency: WAL mode (readers never block the writer), a busy timeout (writers wait instead of failing
with "database is locked"), and every write in a `BEGIN IMMEDIATE` transaction, which takes the write
lock up front so a read-then-write can neither interleave with another process nor deadlock on upgrade.
Timestamps are ISO-8601 UTC text. One Store per thread (sqlite3 connections refuse to be shared).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import sqlite_utils

from agent import processes
from agent.errors import StoreError, WrongAccount
from agent.models import Event, Order, OrderDetail, Run
from agent.statuses import DEFAULT_ACCOUNT
from agent.store.requests import RequestTable, _present, to_iso
from agent.store.schema import MIGRATIONS, SCHEMA_VERSION

logger = logging.getLogger(__name__)

BUSY_TIMEOUT_S = 30.0
ACCOUNT_TABLES = frozenset({"orders", "cancel_requests", "events", "runs"})
Clock = Callable[[], dt.datetime]


def _enable_wal(conn: sqlite3.Connection) -> str:
    """Switch to WAL; returns the resulting mode. Switching needs an exclusive lock for which SQLite does
    not call the busy handler, so two processes opening a brand-new file at once retry here."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            return str(conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# ---------------------------------------------------------------- the store


class Store(RequestTable):
    """Open with `Store.open(path)`; use as a context manager or call close()."""

    def __init__(
        self, db: sqlite_utils.Database, path: Path, clock: Clock = utcnow, account: str = DEFAULT_ACCOUNT
    ) -> None:
        self.db, self.path, self.clock, self.account = db, path, clock, account
        self.scoped = True

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        clock: Clock = utcnow,
        upto: int | None = None,
        account: str = DEFAULT_ACCOUNT,
    ) -> Store:
        """Open (creating if needed) and migrate to the latest schema (or to `upto`, for tests). Every row
        written names `account`; every query reads that account's rows only (order ids stay the key:
        they are unique across accounts on the site, and another account's order is refused)."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: no implicit transactions; we BEGIN explicitly.
            conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None)
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            mode = _enable_wal(conn)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open database {path}: {exc}") from None
        if mode != "wal":
            logger.warning("database %s is in %s mode, not WAL (a network filesystem?)", path, mode)
        store = cls(sqlite_utils.Database(conn, execute_plugins=False), path, clock, account)
        try:
            store._migrate(SCHEMA_VERSION if upto is None else upto)
        except BaseException:
            store.close()
            raise
        store.scoped = "account" in store.db.table("events").columns_dict  # False only below v4 (`upto`)
        return store

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic write (BEGIN IMMEDIATE … COMMIT); nested calls join the outer transaction."""
        conn = self.db.conn
        if conn.in_transaction:
            yield
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(f"database {self.path} stayed busy for {BUSY_TIMEOUT_S:.0f}s: {exc}") from None
        try:
            yield
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def now(self) -> str:
        return str(to_iso(self.clock()))

    # ------------------------------------------------------------ schema

    @property
    def version(self) -> int:
        if not self.db.table("migrations").exists():
            return 0
        return int(self.db.execute("SELECT COALESCE(MAX(version), 0) FROM migrations").fetchone()[0])

    def _migrate(self, target: int) -> None:
        if self._known_version() >= target:
            return  # the common case: no write lock taken
        with self.transaction():
            current = self._known_version()  # re-read under the write lock: another process may have migrated
            self.db.table("migrations").create(
                {"version": int, "name": str, "applied_at": str}, pk="version", if_not_exists=True
            )
            for version in range(current + 1, target + 1):
                step = MIGRATIONS[version - 1]
                step(self.db)
                row = {"version": version, "name": step.__name__, "applied_at": self.now()}
                self.db.table("migrations").insert(row)
                logger.info("database %s migrated to v%d (%s)", self.path, version, step.__name__)

    def _known_version(self) -> int:
        current = self.version
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"database {self.path} has schema v{current}, newer than this buyer-agent "
                f"(v{SCHEMA_VERSION}); upgrade buyer-agent"
            )
        return current

    # ------------------------------------------------------------ runs

    def start_run(self, command: str) -> int:
        with self.transaction():
            pid = os.getpid()
            row = {"command": command, "started_at": self.now(), "pid": pid, "host": processes.host(),
                   "process": processes.identity(pid)}  # fmt: skip
            table = self.db.table("runs").insert(self._stamp(row))
        return _pk(table.last_pk)

    def end_run(self, run_id: int, outcome: str) -> None:
        with self.transaction():
            self.db.table("runs").update(run_id, {"ended_at": self.now(), "outcome": outcome})

    def get_run(self, run_id: int) -> Run | None:
        row = self._first("runs", "id", run_id)
        return Run.model_validate(_present(row)) if row else None

    # ------------------------------------------------------------ orders

    def upsert_order(self, order: Order, raw: dict[str, Any] | None = None) -> None:
        """Record the latest seen state of an order; a status change is also an `order_status` event."""
        values: dict[str, Any] = {
            "order_id": order.order_id,
            "status": order.status.value,
            "status_text": order.status_text,
            "store_name": order.store_name,
            "placed_at": to_iso(order.placed_at),
            "seen_at": self.now(),
            "total_amount": str(order.total.amount) if order.total else None,
            "currency": order.total.currency if order.total else None,
            "raw": json.dumps(raw if raw is not None else order.model_dump(mode="json"), ensure_ascii=False),
        }
        if isinstance(order, OrderDetail):  # a list row lacks these: keep what a detail page said
            values.update(
                is_deposit=int(order.is_deposit), payment_method=order.payment_method, reminder=order.reminder
            )
        with self.transaction():
            self.check_owner(order.order_id)
            old = self.get_order(order.order_id)
            self.db.table("orders").upsert(self._stamp(values), pk="order_id")
            before = old["status"] if old else None
            if before != values["status"]:
                self._append_event(
                    "order_status", order_id=order.order_id, state_from=before, state_to=values["status"]
                )

    def get_order(self, order_id: str) -> dict[str, Any] | None:
        """The stored row, `raw` parsed back from JSON; None if never seen."""
        row = self._first("orders", "order_id", order_id)
        return {**row, "raw": json.loads(row["raw"] or "null")} if row else None

    def order_ids(self, every_account: bool = False) -> list[str]:
        """This account's recorded order ids (`every_account`: every account's, e.g. for the guard)."""
        where: tuple[str, list[Any]] = ("1", []) if every_account else self._mine()
        rows = self.db.table("orders").rows_where(*where, select="order_id", order_by="order_id")
        return [r["order_id"] for r in rows]

    def _first(self, table: str, column: str, value: object) -> dict[str, Any] | None:
        where, params = f"{column} = ?", [value]
        if table in ACCOUNT_TABLES:
            where, params = self._mine(where, params)
        return next(iter(self.db.table(table).rows_where(where, params, limit=1)), None)

    # ------------------------------------------------------------ accounts

    def _mine(self, where: str = "", params: list[Any] | None = None) -> tuple[str, list[Any]]:
        """`where` narrowed to this store's account (a database below v4 has a single account)."""
        params = list(params or [])
        if not self.scoped:
            return where or "1", params
        return (f"({where}) AND account = ?" if where else "account = ?"), [*params, self.account]

    def _stamp(self, row: dict[str, Any]) -> dict[str, Any]:
        """A row to write, naming this store's account."""
        return {**row, "account": self.account} if self.scoped else row

    def owner(self, order_id: str) -> str | None:
        """The account an order (or its request) is recorded under, whichever account this store serves."""
        for table in ("cancel_requests", "orders"):
            row = next(iter(self.db.table(table).rows_where("order_id = ?", [order_id], limit=1)), None)
            if row is not None:
                return str(row.get("account") or DEFAULT_ACCOUNT)
        return None

    def check_owner(self, order_id: str) -> None:
        """Raise WrongAccount (exit 2) when the order is recorded under another account."""
        owner = self.owner(order_id)
        if owner is not None and owner != self.account:
            raise WrongAccount(order_id, owner, self.account)

    def accounts(self) -> list[str]:
        """Every account with a request, an order or a run in this database."""
        found = self.db.execute(
            "SELECT account FROM cancel_requests UNION SELECT account FROM orders "
            "UNION SELECT account FROM runs"
        ).fetchall()
        return sorted(str(r[0]) for r in found)

    # ------------------------------------------------------------ audit log and selector hits

    def add_event(
        self,
        kind: str,
        *,
        order_id: str | None = None,
        run_id: int | None = None,
        state_from: str | None = None,
        state_to: str | None = None,
        detail: dict[str, Any] | None = None,
        evidence: list[str] | list[Path] | None = None,
    ) -> int:
        """Append one audit-log row; returns its id."""
        with self.transaction():
            return self._append_event(
                kind,
                order_id=order_id,
                run_id=run_id,
                state_from=state_from,
                state_to=state_to,
                detail=detail,
                evidence=evidence,
            )

    def _append_event(
        self,
        kind: str,
        *,
        evidence: list[str] | list[Path] | None = None,
        detail: dict[str, Any] | None = None,
        **columns: Any,
    ) -> int:
        row = {
            "at": self.now(),
            "kind": kind,
            **columns,
            "detail": json.dumps(detail or {}, ensure_ascii=False, default=str),
            "evidence": json.dumps([str(p) for p in evidence or []]),
        }
        return _pk(self.db.table("events").insert(self._stamp(row)).last_pk)

    def events(self, after_id: int = 0, kind: str | None = None) -> list[Event]:
        """Events with id > after_id (optionally of one kind), in order — e.g. for notifications."""
        where, params = "id > ?", list[Any]([after_id])
        if kind:
            where += " AND kind = ?"
            params.append(kind)
        mine = self._mine(where, params)
        return [_event(r) for r in self.db.table("events").rows_where(*mine, order_by="id")]

    def events_for(self, order_id: str) -> list[Event]:
        return [
            _event(r)
            for r in self.db.table("events").rows_where(
                *self._mine("order_id = ?", [order_id]), order_by="id"
            )
        ]

    def record_selector_hit(
        self, site: str, key: str, candidate: str, strategy: str, run_id: int | None = None
    ) -> None:
        with self.transaction():
            hit = dict(
                at=self.now(), run_id=run_id, site=site, key=key, candidate=candidate, strategy=strategy
            )
            self.db.table("selector_hits").insert(hit)

    def selector_hits(self, site: str | None = None) -> list[dict[str, Any]]:
        """Raw hit rows (oldest first), for drift reports."""
        if site is None:
            return list(self.db.table("selector_hits").rows_where(order_by="id"))
        return list(self.db.table("selector_hits").rows_where("site = ?", [site], order_by="id"))


def _pk(value: Any) -> int:
    assert value is not None, "sqlite returned no rowid"
    return int(value)


def _event(row: dict[str, Any]) -> Event:
    data = _present(row)
    data["detail"] = json.loads(row["detail"] or "{}")
    data["evidence"] = json.loads(row["evidence"] or "[]")
    return Event.model_validate(data)
