"""The database schema as a list of migrations: append only, never edit one that has shipped.

`Store.open` applies the missing ones in one write transaction (agent.store.core).
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "append_only_trigger"]


def _columns(names: str, ints: str = "") -> dict[str, type]:
    """'a b c' → {"a": str, "b": str, "c": str}; the names listed in `ints` are INTEGER."""
    return {name: int if name in ints.split() else str for name in names.split()}


def _m1_core(db: sqlite_utils.Database) -> None:
    orders = "order_id status status_text store_name total_amount currency placed_at is_deposit "
    orders += "payment_method reminder seen_at raw"
    db.table("orders").create(_columns(orders, ints="is_deposit"), pk="order_id")
    requests = "order_id state reason_key reason_text requested_at submitted_at seller_deadline "
    requests += "dispute_deadline refund_due flagged_reason updated_at run_id"
    db.table("cancel_requests").create(_columns(requests, ints="run_id"), pk="order_id", not_null={"state"})
    events = "id at run_id order_id kind state_from state_to detail evidence"
    db.table("events").create(_columns(events, ints="id run_id"), pk="id", not_null={"at", "kind"})
    runs = "id command started_at ended_at outcome pid"
    db.table("runs").create(_columns(runs, ints="id pid"), pk="id")
    for op in ("UPDATE", "DELETE"):  # the audit log is append-only, enforced by the database itself
        db.execute(append_only_trigger(op))


def append_only_trigger(op: str) -> str:
    """The trigger refusing `op` (UPDATE or DELETE) on events; prune drops and re-creates the DELETE one."""
    return (f"CREATE TRIGGER events_no_{op.lower()} BEFORE {op} ON events "
            "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END")  # fmt: skip


def _m2_selector_hits_and_indexes(db: sqlite_utils.Database) -> None:
    hits = "id at run_id site key candidate strategy"
    db.table("selector_hits").create(_columns(hits, ints="id run_id"), pk="id")
    db.table("selector_hits").create_index(["site", "key", "at"])
    db.table("events").create_index(["order_id", "id"])
    db.table("cancel_requests").create_index(["state"])


def _m3_run_identity(db: sqlite_utils.Database) -> None:
    # A pid alone can be reused; host + the process's start time tell whether a run is still alive.
    db.table("runs").add_column("host", str)
    db.table("runs").add_column("process", str)


def _m4_accounts(db: sqlite_utils.Database) -> None:
    # Several accounts in one database: each row names its account; the rows of before are the account
    # "default" (the single [account]). order_id stays the key of orders and cancel_requests: AliExpress
    # order ids are unique across accounts, and every query is scoped by account (agent.store).
    # Self-contained (no other migration's helpers) so it can sit at any index.
    for table in ("orders", "cancel_requests", "events", "runs"):
        db.execute(f"ALTER TABLE {table} ADD COLUMN account TEXT NOT NULL DEFAULT 'default'")
    db.execute("CREATE INDEX IF NOT EXISTS idx_requests_account_state ON cancel_requests (account, state)")
    db.execute("CREATE INDEX IF NOT EXISTS idx_events_account_kind ON events (account, kind, id)")
    db.execute("CREATE INDEX IF NOT EXISTS idx_orders_account ON orders (account, order_id)")


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _m1_core,
    _m2_selector_hits_and_indexes,
    _m3_run_identity,
    _m4_accounts,
]
SCHEMA_VERSION = len(MIGRATIONS)
