"""agent.store against real SQLite files: migrations, exactly-once journal, audit log, two processes."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from agent.config_file import load_config
from agent.errors import AlreadyRequested, IllegalTransition, StateConflict, StoreError
from agent.models import Money, Order, OrderDetail, OrderStatus, RequestState
from agent.store import SCHEMA_VERSION, Store

REPO = Path(__file__).resolve().parents[2]


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def count(path: Path, sql: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


# ---------------------------------------------------------------- schema


def test_fresh_database_is_migrated_and_in_wal_mode(store: Store) -> None:
    assert store.version == SCHEMA_VERSION >= 2
    assert {"orders", "cancel_requests", "events", "runs", "selector_hits", "migrations"} <= tables(
        store.path
    )
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000


def test_reopening_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    with Store.open(path) as first:
        first.add_event("hello")
    with Store.open(path) as again:
        assert again.version == SCHEMA_VERSION
        assert [e.kind for e in again.events()] == ["hello"]
    assert count(path, "SELECT COUNT(*) FROM migrations") == SCHEMA_VERSION


def test_upgrade_from_v1_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with Store.open(path, upto=1) as old:
        assert old.version == 1 and "selector_hits" not in tables(path)
        old.begin_submission("111", "changed_mind", "I don't want it anymore")
    with Store.open(path) as new:
        assert new.version == SCHEMA_VERSION
        request = new.get_request("111")
        assert request is not None and request.state is RequestState.SUBMITTING
        new.record_selector_hit("aliexpress", "orders.row", "css=div.order-item", "css")
        assert new.selector_hits("aliexpress")[0]["candidate"] == "css=div.order-item"


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    Store.open(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO migrations (version, name) VALUES (?, 'from the future')", [SCHEMA_VERSION + 1]
        )
    with pytest.raises(StoreError, match="newer than this buyer-agent"):
        Store.open(path)


def test_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="junk.db"):
        Store.open(path)


# ---------------------------------------------------------------- the exactly-once journal


def test_begin_submission_is_committed_before_it_returns(store: Store) -> None:
    store.begin_submission("123", "changed_mind", "I don't want it anymore", run_id=None)
    with Store.open(store.path) as other:  # a second connection, as another process would see it
        request = other.get_request("123")
        assert request is not None and request.state is RequestState.SUBMITTING


def test_begin_submission_refuses_a_second_time(store: Store) -> None:
    store.begin_submission("123", "changed_mind", "I don't want it anymore")
    store.transition("123", RequestState.REQUESTED, expected=RequestState.SUBMITTING)
    with pytest.raises(AlreadyRequested, match="state requested"):
        store.begin_submission("123", "wrong_item", "I ordered the wrong product(s)")
    request = store.get_request("123")
    assert request is not None and request.reason_key == "changed_mind"
    assert [e.state_to for e in store.events_for("123") if e.kind == "request_state"] == [
        "submitting",
        "requested",
    ]


def test_begin_submission_refuses_while_submitting(store: Store) -> None:
    store.begin_submission("123", "k", "t")
    with pytest.raises(AlreadyRequested, match="submitting"):
        store.begin_submission("123", "k", "t")


def test_a_failed_request_can_start_over(store: Store) -> None:
    store.begin_submission("123", "k", "t")
    store.transition("123", RequestState.FAILED, expected=RequestState.SUBMITTING,
                     flagged_reason="dialog never opened")  # fmt: skip
    request = store.begin_submission("123", "k2", "t2")
    assert request.state is RequestState.SUBMITTING and request.flagged_reason == ""
    assert [(e.state_from, e.state_to) for e in store.events_for("123") if e.kind == "request_state"] == [
        (None, "submitting"),
        ("submitting", "failed"),
        ("failed", "submitting"),
    ]


def test_the_submission_journal_opens_with_submitting_and_closes_when_it_is_left(store: Store) -> None:
    store.begin_submission("123", "k", "t")
    assert store.open_attempt("123", "cancel") is not None
    store.transition("123", RequestState.REQUESTED, expected=RequestState.SUBMITTING)
    assert store.open_attempt("123", "cancel") is None
    assert [e.kind for e in store.events_for("123")] == [
        "request_state", "submission_begun", "request_state", "submission_closed",
    ]  # fmt: skip


def test_transition_records_fields_and_an_event(store: Store) -> None:
    run = store.start_run("cancel 123")
    store.begin_submission("123", "k", "t", run)
    deadline = dt.datetime(2026, 7, 17, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=-3)))
    request = store.transition(
        "123", RequestState.REQUESTED, expected=RequestState.SUBMITTING, run_id=run, submitted_at=deadline,
        seller_deadline=deadline, evidence=["evidence/123/after.png"],
        detail={"site_says": "Cancellation requested"},
    )  # fmt: skip
    assert request.seller_deadline == deadline
    event = [e for e in store.events_for("123") if e.kind == "request_state"][-1]
    assert (event.state_from, event.state_to, event.run_id) == ("submitting", "requested", run)
    assert event.evidence == ["evidence/123/after.png"]
    assert event.detail["seller_deadline"] == "2026-07-17T15:00:00.000+00:00"  # stored as UTC
    assert event.detail["site_says"] == "Cancellation requested"


def test_a_lost_race_is_recorded_and_never_overwrites_a_live_state(store: Store) -> None:
    store.begin_submission("123", "k", "t")
    store.transition("123", RequestState.REQUESTED, expected=RequestState.SUBMITTING)  # the winner
    with pytest.raises(StateConflict, match="left it requested"):  # the loser saw `submitting` too
        store.transition("123", RequestState.FAILED, expected=RequestState.SUBMITTING, flagged_reason="x")
    request = store.get_request("123")
    assert request is not None and request.state is RequestState.REQUESTED and request.flagged_reason == ""
    (lost,) = store.events(kind="transition_lost")
    assert lost.detail == {"expected": "submitting", "wanted": "failed", "found": "requested"}


def test_a_move_the_table_forbids_writes_nothing(store: Store) -> None:
    store.begin_submission("123", "k", "t")
    with pytest.raises(IllegalTransition, match="from submitting to refunded"):
        store.transition("123", RequestState.REFUNDED, expected=RequestState.SUBMITTING)
    with pytest.raises(IllegalTransition, match="from no request to stalled"):
        store.transition("77", RequestState.STALLED, expected=None)
    assert store.get_request("77") is None
    assert store.get_request("123").state is RequestState.SUBMITTING  # type: ignore[union-attr]


def test_transition_creates_a_request_from_an_entry_state_and_rejects_unknown_fields(store: Store) -> None:
    assert store.transition("77", RequestState.REQUESTED, expected=None).state is RequestState.REQUESTED
    with pytest.raises(TypeError, match="password"):
        store.transition("77", RequestState.STALLED, expected=RequestState.REQUESTED, password="x")


def test_amend_fills_fields_only_in_the_expected_state(store: Store) -> None:
    store.transition("77", RequestState.REQUESTED, expected=None)
    later = dt.datetime(2026, 7, 20, tzinfo=dt.UTC)
    assert store.amend("77", RequestState.REQUESTED, seller_deadline=later).seller_deadline == later
    with pytest.raises(StateConflict):
        store.amend("77", RequestState.STALLED, seller_deadline=later)
    assert [e.kind for e in store.events_for("77")] == ["request_state", "request_fields", "transition_lost"]


def test_insert_request_never_overwrites(store: Store) -> None:
    store.insert_request("77", RequestState.STALLED)
    with pytest.raises(AlreadyRequested):
        store.insert_request("77", RequestState.REFUNDED)
    assert store.get_request("77").state is RequestState.STALLED  # type: ignore[union-attr]


def test_open_requests_skip_final_states(store: Store) -> None:
    for order_id, state in [("1", RequestState.REQUESTED), ("2", RequestState.REFUNDED), ("3", "stalled")]:
        store.insert_request(order_id, RequestState(state))
    assert [r.order_id for r in store.open_requests()] == ["1", "3"]
    assert len(store.requests()) == 3
    assert [r.order_id for r in store.requests({RequestState.REFUNDED})] == ["2"]


def test_failed_transaction_writes_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.add_event("inside")
        raise RuntimeError("boom")
    assert store.events() == []


# ---------------------------------------------------------------- audit log, orders, runs


def test_events_are_append_only(store: Store) -> None:
    store.add_event("hello", detail={"a": 1})
    conn = sqlite3.connect(store.path)
    try:
        for sql in ("UPDATE events SET kind = 'x'", "DELETE FROM events"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                conn.execute(sql)
    finally:
        conn.close()
    assert [(e.kind, e.detail) for e in store.events()] == [("hello", {"a": 1})]


def test_events_after_an_id_and_of_a_kind(store: Store) -> None:
    first = store.add_event("a")
    store.add_event("b", order_id="9")
    store.add_event("a")
    assert [e.kind for e in store.events(after_id=first)] == ["b", "a"]
    assert len(store.events(kind="a")) == 2


def test_upsert_order_keeps_detail_fields_and_logs_status_changes(store: Store) -> None:
    total = Money(amount=Decimal("132.74"), currency="BRL")
    detail = OrderDetail(
        order_id=555, status=OrderStatus.AWAITING_SHIPMENT, total=total, payment_method="card"
    )
    store.upsert_order(detail)
    store.upsert_order(Order(order_id="555", status=OrderStatus.AWAITING_SHIPMENT, total=total))
    store.upsert_order(Order(order_id="555", status=OrderStatus.CANCELLATION_REQUESTED, total=total))
    row = store.get_order("555")
    assert row is not None
    assert (row["payment_method"], row["total_amount"], row["currency"]) == ("card", "132.74", "BRL")
    assert row["raw"]["status"] == "cancellation_requested"
    changes = [(e.state_from, e.state_to) for e in store.events_for("555") if e.kind == "order_status"]
    assert changes == [(None, "awaiting_shipment"), ("awaiting_shipment", "cancellation_requested")]
    assert store.order_ids() == ["555"]


def test_runs_and_an_injected_clock(tmp_path: Path) -> None:
    moment = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    with Store.open(tmp_path / "c.db", clock=lambda: moment) as store:
        run = store.start_run("sweep")
        store.end_run(run, "ok")
        got = store.get_run(run)
        assert got is not None
        assert (got.command, got.outcome, got.pid, got.ended_at) == ("sweep", "ok", os.getpid(), moment)
        raw = store.db.execute("SELECT started_at FROM runs").fetchone()[0]
        assert raw == "2026-01-02T03:04:05.000+00:00"


def test_no_secret_reaches_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write_toml: object
) -> None:
    monkeypatch.setenv("BUYER_AGENT_PASSWORD", "hunter2-secret")
    cfg_path = tmp_path / "buyer-agent.toml"
    cfg_path.write_text('[account]\nemail = "me@example.com"\n[storage]\ndatabase = "x.db"\n')
    cfg = load_config(str(cfg_path))
    assert cfg.password() == "hunter2-secret"
    with Store.open(cfg.storage.database) as store:
        run = store.start_run("cancel 123")
        store.begin_submission("123", "k", "t", run)
        store.add_event("config", detail=cfg.public_dump())
        store.end_run(run, "ok")
    conn = sqlite3.connect(cfg.storage.database)
    try:
        dump = "\n".join(conn.iterdump())
    finally:
        conn.close()
    assert "me@example.com" in dump and "hunter2" not in dump


# ---------------------------------------------------------------- two real processes at once

WORKER = """
import sys
from agent.errors import AlreadyRequested, StateConflict
from agent.store import Store

path, name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
store = Store.open(path)  # both processes open (and migrate) a brand-new file at the same moment
print("ready", flush=True)
sys.stdin.readline()  # "go": released together, so the writes interleave
run = store.start_run(name)
won = settled = 0
for i in range(n):
    store.add_event("tick", run_id=run, detail={"worker": name, "i": i})
    try:
        store.begin_submission(str(1000 + i), "k", name, run)  # both race for the same orders
        won += 1
    except AlreadyRequested:
        pass
    try:  # both race to settle each order, as two runs reconciling one `submitting` row would
        store.transition(str(1000 + i), "requested", expected="submitting", run_id=run)
        settled += 1
    except StateConflict:
        pass
    store.transition(str(5000 + i) + name[-1], "requested", expected=None, run_id=run)
store.end_run(run, "ok")
print(won, settled, flush=True)
"""


def test_two_processes_write_concurrently_without_locks_or_lost_writes(tmp_path: Path) -> None:
    path, n = tmp_path / "shared.db", 150
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(path), f"worker{w}", str(n)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )  # fmt: skip
        for w in (1, 2)
    ]
    for proc in workers:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    for proc in workers:  # release both before waiting for either
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    outputs = [proc.communicate(timeout=120) for proc in workers]
    for proc, (_, err) in zip(workers, outputs, strict=True):
        assert proc.returncode == 0, err
    assert sum(int(out.split()[0]) for out, _ in outputs) == n  # every order submitted exactly once
    # every order settled exactly once: the run that lost the race wrote nothing over the winner
    assert sum(int(out.split()[1]) for out, _ in outputs) == n
    assert count(path, "SELECT COUNT(*) FROM events WHERE kind = 'transition_lost'") == n  # all on record
    assert count(path, "SELECT COUNT(*) FROM events WHERE kind = 'tick'") == 2 * n
    assert count(path, "SELECT COUNT(*) FROM cancel_requests") == 3 * n
    assert count(path, "SELECT COUNT(*) FROM events WHERE state_to = 'submitting'") == n
    assert count(path, "SELECT COUNT(*) FROM runs WHERE outcome = 'ok'") == 2
    assert count(path, "SELECT COUNT(*) FROM migrations") == SCHEMA_VERSION
