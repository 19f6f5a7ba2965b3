"""`buyer-agent prune`: real SQLite files and real evidence files; what goes, what stays, what is recorded."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from agent.cli import cli
from agent.config import Config, StorageConfig
from agent.models import RequestState
from agent.store import Store
from jobs.lock import sweep_lock
from jobs.prune import prune
from tests.store_helpers import Clock, move

S = RequestState
T0 = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
NOW = T0 + dt.timedelta(days=200)
MB = 1024 * 1024




def _file(path: Path, size: int = 100, age_days: float = 0) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    stamp = (NOW - dt.timedelta(days=age_days)).timestamp()
    os.utime(path, (stamp, stamp))
    return str(path)


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[Config, Store, Clock, dict[str, str]]]:
    """A: settled 200 days ago (with a screenshot, and a file outside the evidence folder); B: still open
    since then (screenshot, and a trace of its run); C: settled 30 days ago; D: an old run with nothing
    left naming it (a trace); sweeps and selector hits 200 and 190 days ago."""
    ev = (tmp_path / "evidence").resolve()
    config = Config(
        storage=StorageConfig(database=tmp_path / "agent.db", evidence_dir=ev, state_dir=tmp_path / "s")
    )
    clock = Clock(T0)
    store = Store.open(config.storage.database, clock=clock)
    files: dict[str, str] = {}
    run_a, run_b, run_d = (store.start_run(c) for c in ("cancel", "cancel", "sweep"))
    files["a"] = _file(ev / str(run_a) / "a.png", age_days=200)
    files["outside"] = _file(tmp_path / "mine.png", age_days=200)
    files["b"] = _file(ev / str(run_b) / "b.png", age_days=200)
    files["b_trace"] = _file(ev / str(run_b) / "trace.zip", age_days=200)
    files["d_trace"] = _file(ev / str(run_d) / "trace.zip", age_days=200)
    for state in (S.REQUESTED, S.ACCEPTED, S.REFUND_PENDING, S.REFUNDED):
        move(store, "A", state, run_id=run_a)
    store.add_event("error", order_id="A", run_id=run_a, evidence=[files["a"], files["outside"]])
    move(store, "B", S.REQUESTED, run_id=run_b)
    store.add_event("error", order_id="B", run_id=run_b, evidence=[files["b"]])
    store.add_event("trace", run_id=run_b, detail={"path": files["b_trace"]}, evidence=[files["b_trace"]])
    store.add_event("sweep", run_id=run_d, detail={"checked": 2})
    store.record_selector_hit("aliexpress", "orders.row", "role", "role")
    for run in (run_a, run_b, run_d):
        store.end_run(run, "ok")
    clock.now = T0 + dt.timedelta(days=10)
    store.add_event("sweep", detail={"checked": 1})  # the latest sweep: the scheduler plans from it
    clock.now = NOW - dt.timedelta(days=40)
    move(store, "C", S.REQUESTED)
    clock.now = NOW - dt.timedelta(days=30)
    for state in (S.ACCEPTED, S.REFUND_PENDING, S.REFUNDED):
        move(store, "C", state)
    clock.now = NOW
    yield config, store, clock, files
    store.close()


def _kinds(store: Store) -> list[tuple[str | None, str]]:
    return [(e.order_id, e.kind) for e in store.events()]


def test_settled_and_old_go_open_and_recent_stay_and_it_is_recorded(
    setup: tuple[Config, Store, Clock, dict[str, str]],
) -> None:
    config, store, _, files = setup
    before_events = store.events()
    result = prune(config, store)
    assert (result.requests, result.events, result.runs, result.selector_hits) == (["A"], 6, 2, 1)
    assert result.files == 2 and result.bytes == 200
    after = _kinds(store)
    kept = {e.id for e in store.events()}
    gone = [(e.order_id, e.kind) for e in before_events if e.id not in kept]
    assert gone == [("A", "request_state")] * 4 + [("A", "error"), (None, "sweep")]
    assert ("B", "error") in after and (None, "trace") in after and ("C", "request_state") in after
    assert [e.detail["checked"] for e in store.events(kind="sweep")] == [1]  # the latest stays
    assert {k: Path(p).exists() for k, p in files.items()} == {
        "a": False, "outside": True, "b": True, "b_trace": True, "d_trace": False,
    }  # fmt: skip
    [pruned] = store.events(kind="pruned")
    assert pruned.detail["events"] == 6 and pruned.detail["files"] == 2 and pruned.detail["requests"] == ["A"]
    assert store.get_run(pruned.run_id or 0) is not None
    assert store.get_request("A") is not None  # the request's summary row stays; its timeline went
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.db.execute("DELETE FROM events")  # the trigger is back
    again = prune(config, store)
    assert (again.events, again.runs, again.files) == (0, 0, 0)


def test_dry_run_changes_nothing(setup: tuple[Config, Store, Clock, dict[str, str]]) -> None:
    config, store, _, files = setup
    before = _kinds(store)
    result = prune(config, store, dry_run=True)
    assert (result.events, result.runs, result.files) == (6, 2, 2)
    assert _kinds(store) == before and all(Path(p).exists() for p in files.values())
    assert "would remove 6 event(s)" in result.line()


def test_older_than_reaches_recent_settled_never_open(
    setup: tuple[Config, Store, Clock, dict[str, str]],
) -> None:
    config, store, _, files = setup
    result = prune(config, store, older_than_days=1)
    assert result.requests == ["A", "C"]
    assert {e.order_id for e in store.events() if e.order_id} == {"B"}
    assert Path(files["b"]).exists() and Path(files["b_trace"]).exists()


def test_over_the_size_cap_oldest_files_go_first_never_an_open_requests(
    setup: tuple[Config, Store, Clock, dict[str, str]],
) -> None:
    config, store, _, files = setup
    ev = config.storage.evidence_dir
    run = store.start_run("sweep")
    store.end_run(run, "ok")
    old = _file(ev / str(run) / "old.png", size=400_000, age_days=20)
    new = _file(ev / str(run) / "new.png", size=400_000, age_days=2)
    store.add_event("error", order_id="C", run_id=run, evidence=[old, new])
    big_open = _file(ev / "x" / "open.png", size=400_000, age_days=50)
    store.add_event("error", order_id="B", evidence=[big_open])
    capped = config.model_copy(update={"storage": config.storage.model_copy(update={"evidence_max_mb": 1})})
    result = prune(capped, store)
    assert result.over_cap_files == 1 and not Path(old).exists() and Path(new).exists()
    assert Path(big_open).exists() and Path(files["b"]).exists()
    assert result.evidence_bytes_after <= MB


def test_cli_prune_dry_run_and_a_held_lock(
    setup: tuple[Config, Store, Clock, dict[str, str]], tmp_path: Path
) -> None:
    config, store, _, _ = setup
    env = {"BUYER_AGENT_STORAGE__DATABASE": str(config.storage.database),
           "BUYER_AGENT_STORAGE__EVIDENCE_DIR": str(config.storage.evidence_dir)}  # fmt: skip
    dry = CliRunner().invoke(cli, ["prune", "--dry-run", "--older-than", "1", "--json"], env=env)
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.output)["requests"] == ["A", "C"] and store.events(kind="pruned") == []
    with sweep_lock(config.storage.database, "sweep"):
        held = CliRunner().invoke(cli, ["prune"], env=env)
    assert held.exit_code == 1 and "another sweep is running" in held.output
    bad = CliRunner().invoke(cli, ["prune", "--older-than", "0"], env=env)
    assert bad.exit_code == 2


def test_the_scheduler_prunes_weekly(setup: tuple[Config, Store, Clock, dict[str, str]]) -> None:
    from apscheduler.schedulers.background import BackgroundScheduler

    from jobs.scheduler import PRUNE_JOB, add_prune_job

    config, store, _, _ = setup
    scheduler = BackgroundScheduler(timezone="UTC")
    add_prune_job(scheduler, config)
    [job] = scheduler.get_jobs()
    first = job.trigger.get_next_fire_time(None, NOW)
    assert (
        job.id == PRUNE_JOB
        and first is not None
        and (first.weekday(), first.hour, first.minute) == (6, 4, 30)
    )
    assert job.trigger.get_next_fire_time(first, first + dt.timedelta(seconds=1)) - first == dt.timedelta(
        days=7
    )
    assert job.coalesce and job.max_instances == 1
    job.func(*job.args)  # what the job runs: with the real clock, A (settled in 2026-01) is long gone
    [pruned] = store.events(kind="pruned")
    assert "A" in pruned.detail["requests"] and "B" not in pruned.detail["requests"]


@pytest.mark.parametrize("state", [S.SUBMITTING, S.FAILED, S.NEEDS_HUMAN, S.DISPUTE_FLAGGED, S.CANCELLED])
def test_never_anything_of_an_open_request_however_old(tmp_path: Path, state: RequestState) -> None:
    clock = Clock(T0)
    evidence = (tmp_path / "evidence").resolve()
    config = Config(storage=StorageConfig(database=tmp_path / "agent.db", evidence_dir=evidence))
    with Store.open(config.storage.database, clock=clock) as store:
        run = store.start_run("cancel")
        shot = _file(evidence / str(run) / "shot.png", age_days=200)
        move(store, "E", state, run_id=run)
        store.add_event("error", order_id="E", run_id=run, evidence=[shot])
        store.end_run(run, "failed")
        clock.now = NOW + dt.timedelta(days=3000)
        before = _kinds(store)
        result = prune(config, store, older_than_days=1)
        assert (result.requests, result.events, result.runs, result.files) == ([], 0, 0, 0)
        assert _kinds(store) == before + [(None, "pruned")] and Path(shot).exists()
        assert store.get_run(run) is not None


def test_one_accounts_prune_never_takes_another_accounts_open_request_or_latest_sweep(
    setup: tuple[Config, Store, Clock, dict[str, str]],
) -> None:
    config, store, clock, _ = setup
    clock.now = T0
    with Store.open(config.storage.database, clock=clock, account="resale") as other:
        move(other, "R", S.REQUESTED)  # open for 200 days, in another account
        other.add_event("sweep", detail={"checked": 9})  # that account's latest sweep
    clock.now = NOW
    result = prune(config, store)  # the default account's prune
    assert "R" not in result.requests
    with Store.open(config.storage.database, clock=clock, account="resale") as other:
        assert [e.kind for e in other.events_for("R")] == ["request_state"]
        assert [e.detail["checked"] for e in other.events(kind="sweep")] == [9]
    assert [e.detail["checked"] for e in store.events(kind="sweep")] == [1]
