"""Retention: which rows `buyer-agent prune` may remove, and the one path that deletes from the audit log.

The events table is append-only by trigger (agent.store.schema). Pruning is the single documented
exception: `delete` drops the DELETE trigger, deletes, and recreates it inside one write transaction
(SQLite DDL is transactional: on any error the trigger is back as it was, and no other writer can slip
in while it is gone, since BEGIN IMMEDIATE holds the write lock).

What may go, all older than the cutoff: every event of a request **settled** (agent.transitions.TERMINAL:
refunded, dispute resolved) before the cutoff — its whole timeline, never half of one; events of orders
that never had a request; events of no order (sweeps, traces …) except those of a run that touched an
open request, and the latest sweep (the scheduler plans catch-ups from it); runs no remaining event or
request names; selector hits. Never anything of an open request (every other state, `failed` and
`needs_human` included: their journal decides what a later run may do).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from agent.models import RequestState
from agent.store.requests import to_iso
from agent.store.schema import append_only_trigger
from agent.transitions import TERMINAL

if TYPE_CHECKING:
    from agent.store.core import Store

__all__ = ["RowPlan", "delete_rows", "plan_rows", "vacuum"]

logger = logging.getLogger(__name__)
_NO_DELETE = append_only_trigger("DELETE")


@dataclass
class RowPlan:
    """Rows to remove, and what must stay whatever their age."""

    cutoff: str
    event_ids: list[int] = field(default_factory=list)
    run_ids: list[int] = field(default_factory=list)
    selector_hits: int = 0
    orders: list[str] = field(default_factory=list)  # settled requests whose timeline goes
    dropped_evidence: set[str] = field(default_factory=set)  # files named by the events that go
    kept_evidence: set[str] = field(default_factory=set)  # files named by the events that stay
    protected_runs: set[int] = field(default_factory=set)  # runs that touched an open request
    open_evidence: set[str] = field(default_factory=set)  # files named by an open request's events


def plan_rows(store: Store, cutoff: dt.datetime) -> RowPlan:
    """What an age-based prune at `cutoff` removes (nothing is changed)."""
    iso = str(to_iso(cutoff))
    requests = _every_request(store)  # every account's: one account's prune must never eat another's
    open_orders = {o for o, r in requests.items() if r.state not in TERMINAL}
    settled_old = sorted(o for o, r in requests.items() if r.state in TERMINAL and r.updated_at < iso)
    rows = list(store.db.execute("SELECT id, at, run_id, order_id, kind, evidence FROM events").fetchall())
    protected_runs = {run for (_, _, run, order, _, _) in rows if order in open_orders and run is not None}
    protected_runs |= {r.run_id for o, r in requests.items() if o in open_orders and r.run_id is not None}
    last_sweeps = _last_sweep_per_account(store)
    plan = RowPlan(cutoff=iso, orders=settled_old, protected_runs=protected_runs)
    old_settled = set(settled_old)
    for event_id, at, run_id, order_id, _kind, evidence in rows:
        if order_id is not None:
            goes = order_id in old_settled or (order_id not in requests and at < iso)
        else:
            goes = at < iso and run_id not in protected_runs and event_id not in last_sweeps
        if goes:
            plan.event_ids.append(event_id)
        if order_id in open_orders:
            plan.open_evidence.update(_paths(evidence))
        (plan.dropped_evidence if goes else plan.kept_evidence).update(_paths(evidence))
    keep = protected_runs | {r.run_id for o, r in requests.items() if o not in old_settled and r.run_id}
    plan.run_ids = _runs_to_drop(store, rows, set(plan.event_ids), iso, keep)
    plan.selector_hits = int(
        store.db.execute("SELECT COUNT(*) FROM selector_hits WHERE at < ?", [iso]).fetchone()[0]
    )
    return plan


@dataclass(frozen=True)
class _Request:
    state: RequestState
    updated_at: str
    run_id: int | None


def _every_request(store: Store) -> dict[str, _Request]:
    rows = store.db.execute("SELECT order_id, state, updated_at, run_id FROM cancel_requests").fetchall()
    return {order: _Request(RequestState(state), str(updated or ""), run)
            for order, state, updated, run in rows}


def _last_sweep_per_account(store: Store) -> set[int]:
    """The latest `sweep` event of each account: the scheduler plans its catch-ups from it."""
    by = "account" if store.scoped else "1"
    rows = store.db.execute(f"SELECT MAX(id) FROM events WHERE kind = 'sweep' GROUP BY {by}").fetchall()
    return {event_id for (event_id,) in rows if event_id is not None}


def _runs_to_drop(store: Store, rows: list, dropped: set[int], iso: str, protected: set[int]) -> list[int]:
    """Ended runs started before the cutoff that no remaining event and no kept request names."""
    named = {run for (event_id, _, run, _, _, _) in rows if event_id not in dropped and run is not None}
    ended = store.db.execute(
        "SELECT id FROM runs WHERE started_at < ? AND ended_at IS NOT NULL ORDER BY id", [iso]
    ).fetchall()
    return [run for (run,) in ended if run not in named and run not in protected]


def _paths(evidence: str | None) -> list[str]:
    try:
        return [str(p) for p in json.loads(evidence or "[]")]
    except ValueError:
        return []


def delete_rows(store: Store, plan: RowPlan) -> None:
    """Remove the planned rows in one transaction (the events trigger dropped and recreated inside it)."""
    with store.transaction():
        store.db.execute("DROP TRIGGER IF EXISTS events_no_delete")
        _delete_in(store, "events", plan.event_ids)
        store.db.execute(_NO_DELETE)
        _delete_in(store, "runs", plan.run_ids)
        store.db.execute("DELETE FROM selector_hits WHERE at < ?", [plan.cutoff])


def _delete_in(store: Store, table: str, ids: Iterable[int]) -> None:
    ids = list(ids)
    for start in range(0, len(ids), 500):  # SQLite's bound-parameter limit
        chunk = ids[start : start + 500]
        store.db.execute(f"DELETE FROM {table} WHERE id IN ({','.join('?' * len(chunk))})", chunk)


def vacuum(store: Store) -> bool:
    """Give the freed pages back to the filesystem (outside any transaction). False when another
    connection kept the database busy past the timeout: the rows are gone anyway, the file shrinks later."""
    try:
        store.db.execute("VACUUM")
    except sqlite3.OperationalError as exc:
        logger.warning("VACUUM of %s skipped: %s", store.path, exc)
        return False
    return True
