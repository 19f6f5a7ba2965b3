"""The scheduler's jobs, computed with a fake clock (no sleeps, never started): nightly sweep in the
configured zone, one-off re-checks around each request's deadlines, catch-up after downtime, restart."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from agent.config import Config, ScheduleConfig
from agent.models import CancelRequest, RequestState
from agent.store import Store
from jobs.scheduler import build_scheduler, plan_rechecks, refresh_rechecks, sweep_trigger
from tests.store_helpers import move

S = RequestState
NOW = dt.datetime(2026, 5, 4, 12, 0, tzinfo=dt.UTC)
SCHED = ScheduleConfig(recheck_after_deadline_minutes=30, dispute_recheck_days_before=3)


def req(order_id: str, state: RequestState, seller_h: float | None, dispute_d: float | None) -> CancelRequest:
    return CancelRequest(
        order_id=order_id,
        state=state,
        seller_deadline=NOW + dt.timedelta(hours=seller_h) if seller_h is not None else None,
        dispute_deadline=NOW + dt.timedelta(days=dispute_d) if dispute_d is not None else None,
    )


def noop(job_id: str) -> None:
    return None


def test_rechecks_just_after_the_seller_deadline_and_days_before_the_dispute_deadline() -> None:
    plan = plan_rechecks([req("81", S.REQUESTED, 40, 80)], SCHED, NOW, last_sweep=NOW)
    assert [(r.kind, r.run_at) for r in plan] == [
        ("seller_deadline", NOW + dt.timedelta(hours=40, minutes=30)),
        ("dispute_deadline", NOW + dt.timedelta(days=77)),
    ]


def test_no_seller_recheck_once_the_seller_answered_and_none_for_settled_requests() -> None:
    requests = [
        req("82", S.REFUND_PENDING, 40, 80),
        req("83", S.REFUNDED, 40, 80),
        req("84", S.DISPUTE_OPENED, None, 80),
        req("85", S.NEEDS_HUMAN, 40, 80),
    ]
    plan = plan_rechecks(requests, SCHED, NOW, last_sweep=NOW)
    assert [(r.order_id, r.kind) for r in plan] == [("82", "dispute_deadline")]


def test_a_recheck_missed_while_down_runs_at_once_as_one_catch_up() -> None:
    requests = [req("86", S.REQUESTED, -5, 80), req("87", S.REQUESTED, -1, 80)]
    plan = plan_rechecks(requests, SCHED, NOW, last_sweep=NOW - dt.timedelta(days=1))
    assert [(r.kind, r.run_at) for r in plan if r.kind == "catch_up"] == [("catch_up", NOW)]
    swept_since = plan_rechecks(requests, SCHED, NOW, last_sweep=NOW - dt.timedelta(minutes=1))
    assert [r.kind for r in swept_since] == ["dispute_deadline", "dispute_deadline"]


def test_nightly_sweep_fires_at_3_in_the_configured_zone() -> None:
    trigger = sweep_trigger(ScheduleConfig(sweep_cron="0 3 * * *", timezone="Europe/Berlin"))
    first = trigger.get_next_fire_time(None, NOW)
    assert first is not None and first.astimezone(dt.UTC) == dt.datetime(2026, 5, 5, 1, 0, tzinfo=dt.UTC)
    second = trigger.get_next_fire_time(first, first + dt.timedelta(seconds=1))
    assert second is not None and second - first == dt.timedelta(days=1)


def _config(tmp_path: Path) -> Config:
    return Config.model_validate(
        {
            "storage": {"database": str(tmp_path / "agent.db")},
            "schedule": {"sweep_cron": "30 2 * * *", "misfire_grace_seconds": 900},
        }
    )


def _jobs(config: Config, now: dt.datetime) -> list[tuple[str, dt.datetime | None]]:
    with Store.open(config.storage.database, clock=lambda: now) as store:
        scheduler = build_scheduler(config, store, noop, now)
    return [(job.id, job.trigger.get_next_fire_time(None, now)) for job in scheduler.get_jobs()]


def test_jobs_coalesce_one_at_a_time_with_the_grace_period(tmp_path: Path) -> None:
    config = _config(tmp_path)
    with Store.open(config.storage.database, clock=lambda: NOW) as store:
        scheduler = build_scheduler(config, store, noop, NOW)
    [job] = scheduler.get_jobs()
    assert (job.id, job.coalesce, job.max_instances, job.misfire_grace_time) == ("sweep", True, 1, 900)


def test_a_restart_rebuilds_the_same_jobs_from_the_database(tmp_path: Path) -> None:
    config = _config(tmp_path)
    with Store.open(config.storage.database, clock=lambda: NOW) as store:
        move(
            store,
            "8100",
            S.REQUESTED,
            seller_deadline=NOW + dt.timedelta(hours=48),
            dispute_deadline=NOW + dt.timedelta(days=89),
        )
        store.add_event("sweep")
    before = _jobs(config, NOW)
    assert before == [
        ("sweep", dt.datetime(2026, 5, 5, 2, 30, tzinfo=dt.UTC)),
        ("recheck:seller_deadline:8100", NOW + dt.timedelta(hours=48, minutes=30)),
        ("recheck:dispute_deadline:8100", NOW + dt.timedelta(days=86)),
    ]
    assert _jobs(config, NOW) == before  # a second process (a restart) plans exactly the same
    later = NOW + dt.timedelta(hours=50)  # down over the seller deadline: a catch-up at restart
    assert ("recheck:catch_up", later) in _jobs(config, later)


def test_refresh_drops_rechecks_of_settled_requests(tmp_path: Path) -> None:
    config = _config(tmp_path)
    with Store.open(config.storage.database, clock=lambda: NOW) as store:
        move(store, "8101", S.REQUESTED, seller_deadline=NOW + dt.timedelta(hours=48))
        scheduler = build_scheduler(config, store, noop, NOW)
        assert [j.id for j in scheduler.get_jobs()] == ["sweep", "recheck:seller_deadline:8101"]
        for state in (S.ACCEPTED, S.REFUND_PENDING, S.REFUNDED):  # settled the way a sweep settles it
            move(store, "8101", state)
        refresh_rechecks(scheduler, config, store, noop, NOW)
        assert [j.id for j in scheduler.get_jobs()] == ["sweep"]
