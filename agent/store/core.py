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

from agent import journal, processes
from agent.errors import AlreadyRequested, IllegalTransition, StateConflict, StoreError
from agent.models import CancelRequest, Event, Order, OrderDetail, RequestState, Run
from agent.store.schema import MIGRATIONS, SCHEMA_VERSION
from agent.transitions import can_move

logger = logging.getLogger(__name__)

BUSY_TIMEOUT_S = 30.0
# `cancelled` is not final: an instant cancel of a paid order is watched until the refund lands.
FINAL_STATES = frozenset({RequestState.REFUNDED, RequestState.DISPUTE_RESOLVED, RequestState.FAILED})
REQUEST_FIELDS = frozenset(
    {
        "reason_key",
        "reason_text",
        "requested_at",
        "submitted_at",
        "seller_deadline",
        "dispute_deadline",
        "refund_due",
        "flagged_reason",
    }
)
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


def to_iso(value: Any) -> Any:
    """Datetimes as ISO-8601 UTC (naive ones are taken as UTC), dates as ISO dates, the rest unchanged."""
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(dt.UTC).isoformat(timespec="milliseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# ---------------------------------------------------------------- the store


class Store:
    """Open with `Store.open(path)`; use as a context manager or call close()."""

    def __init__(self, db: sqlite_utils.Database, path: Path, clock: Clock = utcnow) -> None:
        self.db, self.path, self.clock = db, path, clock

    @classmethod
    def open(cls, path: str | Path, *, clock: Clock = utcnow, upto: int | None = None) -> Store:
        """Open (creating if needed) and migrate to the latest schema (or to `upto`, for tests)."""
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
        store = cls(sqlite_utils.Database(conn, execute_plugins=False), path, clock)
        try:
            store._migrate(SCHEMA_VERSION if upto is None else upto)
        except BaseException:
            store.close()
            raise
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
            table = self.db.table("runs").insert(row)
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
            old = self.get_order(order.order_id)
            self.db.table("orders").upsert(values, pk="order_id")
            before = old["status"] if old else None
            if before != values["status"]:
                self._append_event(
                    "order_status", order_id=order.order_id, state_from=before, state_to=values["status"]
                )

    def get_order(self, order_id: str) -> dict[str, Any] | None:
        """The stored row, `raw` parsed back from JSON; None if never seen."""
        row = self._first("orders", "order_id", order_id)
        return {**row, "raw": json.loads(row["raw"] or "null")} if row else None

    def order_ids(self) -> list[str]:
        return [
            r["order_id"] for r in self.db.table("orders").rows_where(select="order_id", order_by="order_id")
        ]

    # ------------------------------------------------------------ cancellation requests

    def get_request(self, order_id: str) -> CancelRequest | None:
        row = self._request_row(order_id)
        return CancelRequest.model_validate(_present(row)) if row else None

    def begin_submission(
        self, order_id: str, reason_key: str, reason_text: str, run_id: int | None = None
    ) -> CancelRequest:
        """Journal `submitting` (and `submission_begun`) right before the irreversible click — committed
        when this returns. A compare-and-set from "no request" or `failed`: raises AlreadyRequested for any
        other state, so two processes (or a rerun while a click is unanswered) can never both submit."""
        with self.transaction():
            row = self._request_row(order_id)
            found = RequestState(row["state"]) if row else None
            if found not in (None, RequestState.FAILED):
                raise AlreadyRequested(order_id, str(found))
            now = self.now()
            fresh = dict(order_id=order_id, state=RequestState.SUBMITTING.value, reason_key=reason_key,
                         reason_text=reason_text, requested_at=now, updated_at=now,
                         run_id=run_id)  # fmt: skip
            self.db.table("cancel_requests").insert(fresh, replace=True)  # a failed attempt starts over
            detail = {"reason_key": reason_key, "reason_text": reason_text}
            self._append_event("request_state", order_id=order_id, run_id=run_id, state_from=found,
                               state_to=RequestState.SUBMITTING.value, detail=detail)  # fmt: skip
            self._append_event(journal.BEGUN, order_id=order_id, run_id=run_id, detail={"action": "cancel"})
        return self._request(order_id)

    def transition(
        self,
        order_id: str,
        to: RequestState,
        *,
        expected: RequestState | None,
        run_id: int | None = None,
        detail: dict[str, Any] | None = None,
        evidence: list[str] | list[Path] | None = None,
        **fields: Any,
    ) -> CancelRequest:
        """Move a request from `expected` (None: the order has none yet) to `to`, updating `fields`: a
        compare-and-set through agent.transitions, with a `request_state` event carrying the changed fields,
        `detail` and `evidence`. Leaving `submitting` closes the cancel submission's journal.

        Raises IllegalTransition for a move the table forbids, and StateConflict when the request is no
        longer in `expected` (another run moved it): that lost race is recorded as a `transition_lost`
        event and nothing is overwritten."""
        to = RequestState(to)
        expected = RequestState(expected) if expected is not None else None
        if not can_move(expected, to):
            raise IllegalTransition(order_id, expected, to)
        changed = self._checked_fields(fields)
        values = {**changed, "state": to.value, "updated_at": self.now()}
        if run_id is not None:  # keep the last run that touched it
            values["run_id"] = run_id
        with self.transaction():
            found = self._state(order_id)
            if found == expected:
                self.db.table("cancel_requests").upsert({"order_id": order_id, **values}, pk="order_id")
                self._append_event("request_state", order_id=order_id, run_id=run_id,
                                   state_from=expected.value if expected else None, state_to=to.value,
                                   detail={**changed, **(detail or {})}, evidence=evidence)  # fmt: skip
                if expected is RequestState.SUBMITTING:
                    close = {"action": "cancel", "outcome": to.value}
                    self._append_event(journal.CLOSED, order_id=order_id, run_id=run_id, detail=close)
            else:
                lost = {"expected": expected.value if expected else None, "wanted": to.value,
                        "found": found.value if found else None}  # fmt: skip
                self._append_event("transition_lost", order_id=order_id, run_id=run_id, detail=lost)
        if found != expected:  # raised after the commit: the lost race stays on record
            raise StateConflict(order_id, expected, found, to)
        return self._request(order_id)

    def amend(
        self, order_id: str, expected: RequestState, run_id: int | None = None, **fields: Any
    ) -> CancelRequest:
        """Fill in fields (deadlines…) of a request still in `expected`, without a state change; recorded
        as a `request_fields` event. StateConflict (recorded) when the state moved meanwhile."""
        changed = self._checked_fields(fields)
        with self.transaction():
            found = self._state(order_id)
            if found is expected:
                self.db.table("cancel_requests").update(order_id, {**changed, "updated_at": self.now()})
                self._append_event("request_fields", order_id=order_id, run_id=run_id, detail=changed)
            else:
                shown = found.value if found else None
                lost = {"expected": expected.value, "wanted": "amend", "found": shown}
                self._append_event("transition_lost", order_id=order_id, run_id=run_id, detail=lost)
        if found is not expected:
            raise StateConflict(order_id, expected, found, expected)
        return self._request(order_id)

    def insert_request(
        self, order_id: str, state: RequestState, run_id: int | None = None, **fields: Any
    ) -> CancelRequest:
        """A request in any state for an order that has none (imports, tests, benchmarks): never
        overwrites — AlreadyRequested when the order already has one."""
        state = RequestState(state)
        values = {**self._checked_fields(fields), "order_id": order_id, "state": state.value,
                  "updated_at": self.now(), "run_id": run_id}  # fmt: skip
        with self.transaction():
            found = self._state(order_id)
            if found is not None:
                raise AlreadyRequested(order_id, found.value)
            self.db.table("cancel_requests").insert(values)
            self._append_event("request_state", order_id=order_id, run_id=run_id, state_to=state.value,
                               detail={"inserted": True, **values})  # fmt: skip
        return self._request(order_id)

    def requests(self, states: set[RequestState] | None = None) -> list[CancelRequest]:
        """All requests (or those in `states`), oldest first."""
        rows = self.db.table("cancel_requests").rows_where(order_by="requested_at, order_id")
        found = [CancelRequest.model_validate(_present(r)) for r in rows]
        return [r for r in found if states is None or r.state in states]

    def open_requests(self) -> list[CancelRequest]:
        """Requests still worth watching: every state except FINAL_STATES."""
        return [r for r in self.requests() if r.state not in FINAL_STATES]

    def _checked_fields(self, fields: dict[str, Any]) -> dict[str, Any]:
        unknown = set(fields) - REQUEST_FIELDS
        if unknown:
            raise TypeError(f"unknown request field(s): {', '.join(sorted(unknown))}")
        return {k: to_iso(v) for k, v in fields.items()}

    def _state(self, order_id: str) -> RequestState | None:
        row = self._request_row(order_id)
        return RequestState(row["state"]) if row else None

    def _request(self, order_id: str) -> CancelRequest:
        request = self.get_request(order_id)
        assert request is not None, f"request {order_id} vanished"
        return request

    def _request_row(self, order_id: str) -> dict[str, Any] | None:
        return self._first("cancel_requests", "order_id", order_id)

    def _first(self, table: str, column: str, value: object) -> dict[str, Any] | None:
        return next(iter(self.db.table(table).rows_where(f"{column} = ?", [value], limit=1)), None)

    # ------------------------------------------------------------ the submission journal (agent.journal)

    def open_attempt(self, order_id: str, action: str) -> journal.Attempt | None:
        """The open submission of `action` for the order (see agent.journal), or None."""
        return journal.open_attempt(self.events_for(order_id), action)

    def begin_attempt(self, order_id: str, action: str, run_id: int | None = None, **detail: Any) -> bool:
        """Journal `submission_begun` unless an attempt of `action` is open — the check and the write in
        one write transaction, so two processes can never both pass. True when this run may submit."""
        with self.transaction():
            if self.open_attempt(order_id, action) is not None:
                return False
            self._append_event(journal.BEGUN, order_id=order_id, run_id=run_id,
                               detail={**detail, "action": action})  # fmt: skip
        return True

    def close_attempt(self, order_id: str, action: str, run_id: int | None = None, **detail: Any) -> None:
        self.add_event(journal.CLOSED, order_id=order_id, run_id=run_id, detail={**detail, "action": action})

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
        return _pk(self.db.table("events").insert(row).last_pk)

    def events(self, after_id: int = 0, kind: str | None = None) -> list[Event]:
        """Events with id > after_id (optionally of one kind), in order — e.g. for notifications."""
        where, params = "id > ?", [after_id]
        if kind:
            where += " AND kind = ?"
            params.append(kind)  # type: ignore[arg-type]  # rows_where takes any SQLite values
        return [_event(r) for r in self.db.table("events").rows_where(where, params, order_by="id")]

    def events_for(self, order_id: str) -> list[Event]:
        return [
            _event(r) for r in self.db.table("events").rows_where("order_id = ?", [order_id], order_by="id")
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


def _present(row: dict[str, Any]) -> dict[str, Any]:
    """Drop NULL columns so the model's defaults apply."""
    return {k: v for k, v in row.items() if v is not None}


def _event(row: dict[str, Any]) -> Event:
    data = _present(row)
    data["detail"] = json.loads(row["detail"] or "{}")
    data["evidence"] = json.loads(row["evidence"] or "[]")
    return Event.model_validate(data)
