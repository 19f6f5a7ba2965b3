"""`buyer-agent schedule`: APScheduler 3 in the foreground (for systemd, cron @reboot, a container).

Jobs: the sweep on `schedule.sweep_cron` in `schedule.timezone`, plus one-off re-checks just after each
request's seller deadline and `dispute_recheck_days_before` days before each dispute deadline. Every job
coalesces, runs one instance at a time on a one-worker executor (jobs queue, never overlap), with the
configured misfire grace. Nothing is kept in a job store: the one-offs are planned from the database at
start and after every sweep (`plan_rechecks`, pure and tested with a fake clock), so a restart loses
nothing — a re-check whose time passed while the scheduler was down runs at once as a catch-up.
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
import zoneinfo
from collections.abc import Callable, Iterable

from apscheduler.events import EVENT_SCHEDULER_STARTED
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from pydantic import BaseModel

from agent.config import Config, ScheduleConfig
from agent.models import CancelRequest, RequestState
from agent.store import Store
from jobs.watch import WATCHED

__all__ = ["Recheck", "build_scheduler", "plan_rechecks", "refresh_rechecks", "sweep_trigger"]

logger = logging.getLogger(__name__)
S = RequestState
SWEEP_JOB = "sweep"
RECHECK_PREFIX = "recheck:"
SELLER_WAITING = frozenset({S.REQUESTED})  # the seller's deadline only matters while we wait for them
NO_DISPUTE_RECHECK = frozenset({S.DISPUTE_OPENED, S.CANCELLED})  # opened already / nothing paid to dispute

RunSweep = Callable[[str], object]  # called with the job's id ("sweep", "recheck:…")


class Recheck(BaseModel):
    """One planned one-off sweep."""

    id: str
    order_id: str | None
    kind: str  # seller_deadline | dispute_deadline | catch_up
    run_at: dt.datetime


def sweep_trigger(sched: ScheduleConfig) -> CronTrigger | IntervalTrigger:
    """`sweep_cron` in `timezone`; every `sweep_every_seconds` instead when that is set (> 0)."""
    if sched.sweep_every_seconds > 0:
        return IntervalTrigger(seconds=sched.sweep_every_seconds, timezone=zoneinfo.ZoneInfo(sched.timezone))
    return CronTrigger.from_crontab(sched.sweep_cron, timezone=zoneinfo.ZoneInfo(sched.timezone))


def plan_rechecks(
    requests: Iterable[CancelRequest], sched: ScheduleConfig, now: dt.datetime, last_sweep: dt.datetime | None
) -> list[Recheck]:
    """The one-off re-checks due after `now`; plus one catch-up at `now` when a re-check time passed
    since the last sweep (the scheduler was down, or started late)."""
    planned: list[Recheck] = []
    missed = False
    for request in requests:
        if request.state not in WATCHED:
            continue
        for kind, at in _moments(request, sched):
            if at > now:
                planned.append(
                    Recheck(
                        id=f"{RECHECK_PREFIX}{kind}:{request.order_id}",
                        order_id=request.order_id,
                        kind=kind,
                        run_at=at,
                    )
                )
            elif last_sweep is None or at > last_sweep:
                missed = True
    if missed:
        planned.append(Recheck(id=f"{RECHECK_PREFIX}catch_up", order_id=None, kind="catch_up", run_at=now))
    return sorted(planned, key=lambda r: (r.run_at, r.id))


def _moments(request: CancelRequest, sched: ScheduleConfig) -> list[tuple[str, dt.datetime]]:
    out = []
    if request.seller_deadline and request.state in SELLER_WAITING:
        out.append(
            (
                "seller_deadline",
                request.seller_deadline + dt.timedelta(minutes=max(1, sched.recheck_after_deadline_minutes)),
            )
        )
    if request.dispute_deadline and request.state not in NO_DISPUTE_RECHECK:
        out.append(
            (
                "dispute_deadline",
                request.dispute_deadline - dt.timedelta(days=sched.dispute_recheck_days_before),
            )
        )
    return out


def last_sweep_at(store: Store) -> dt.datetime | None:
    sweeps = store.events(kind="sweep")
    return sweeps[-1].at if sweeps else None


def job_options(sched: ScheduleConfig) -> dict[str, object]:
    """Every job: missed runs coalesce into one, one instance at a time, the configured grace."""
    return {"coalesce": True, "max_instances": 1, "misfire_grace_time": sched.misfire_grace_seconds}


def build_scheduler(config: Config, store: Store, run: RunSweep, now: dt.datetime) -> BlockingScheduler:
    """A scheduler holding the nightly sweep and the re-checks planned from `store` (not started)."""
    sched = config.schedule
    scheduler = BlockingScheduler(
        timezone=zoneinfo.ZoneInfo(sched.timezone),
        executors={"default": ThreadPoolExecutor(max_workers=1)},  # jobs queue up, never overlap
        job_defaults=job_options(sched),
    )
    trigger = sweep_trigger(sched)
    scheduler.add_job(
        run,
        trigger,
        args=[SWEEP_JOB],
        id=SWEEP_JOB,
        name="nightly sweep",
        replace_existing=True,
        **job_options(sched),
    )
    refresh_rechecks(scheduler, config, store, run, now)
    return scheduler


def refresh_rechecks(
    scheduler: BaseScheduler, config: Config, store: Store, run: RunSweep, now: dt.datetime
) -> None:
    """Replace every one-off re-check with those the database calls for now."""
    for job in scheduler.get_jobs():
        if job.id.startswith(RECHECK_PREFIX):
            job.remove()
    plan = plan_rechecks(store.requests(), config.schedule, now, last_sweep_at(store))
    for recheck in plan:
        name = f"{recheck.kind} {recheck.order_id or ''}".strip()
        scheduler.add_job(
            run,
            DateTrigger(recheck.run_at),
            args=[recheck.id],
            id=recheck.id,
            name=name,
            replace_existing=True,
            **job_options(config.schedule),
        )
    logger.info("scheduler: %d re-check(s) planned", len(plan))


def run_forever(config: Config) -> None:
    """Start in the foreground until SIGINT/SIGTERM: then no new job starts, the running one ends, and this
    returns (exit 0: what `systemctl stop` expects). Each job runs one sweep (waiting for a CLI sweep that
    holds the lock), notifies, sends a summary, then re-plans the re-checks."""
    from agent import stopping
    from agent.store import utcnow
    from jobs.runner import run_sweep

    holder: dict[str, BlockingScheduler] = {}
    stop = GentleStop()

    def job(job_id: str) -> None:
        try:
            run_sweep(
                config,
                f"sweep:{job_id}",
                wait=True,
                summary=True,
                after=replan,
            )
        except Exception as exc:  # noqa: BLE001 - one failed sweep must not stop the scheduler
            logger.error("scheduled sweep %s failed: %s", job_id, exc)

    def replan(store: Store) -> None:
        if not stop.asked.is_set():  # stopping: the next start plans from the database anyway
            refresh_rechecks(holder["s"], config, store, guarded, utcnow())

    guarded = stop.around(job)
    with Store.open(config.storage.database) as store:
        holder["s"] = stop.watch(build_scheduler(config, store, guarded, utcnow()))
    every = config.schedule.sweep_every_seconds
    logger.warning("scheduler started: sweep %s (%s)", f"every {every} s" if every else
                   f"on {config.schedule.sweep_cron!r}", config.schedule.timezone)  # fmt: skip
    with stopping.handling(on_stop=stop):
        holder["s"].start()
        stop.wait()


class GentleStop:
    """The scheduler's answer to SIGTERM/SIGINT (agent.stopping's `on_stop`): no new job starts, the one
    running ends as it would, then the scheduler stops."""

    def __init__(self) -> None:
        self.asked = threading.Event()
        self.scheduler: BaseScheduler | None = None
        self._running = threading.Lock()

    def watch(self, scheduler: BlockingScheduler) -> BlockingScheduler:
        """Stop `scheduler` on the signal, also one that came before it ran (checked as it starts)."""
        self.scheduler = scheduler
        scheduler.add_listener(lambda _: self._shutdown(), EVENT_SCHEDULER_STARTED)
        return scheduler

    def __call__(self, sig: signal.Signals) -> None:
        self.asked.set()
        logger.warning("scheduler: %s — letting the running job end, then stopping", sig.name)
        self._shutdown()

    def _shutdown(self) -> None:
        if self.asked.is_set() and self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)  # wakes the main loop; the job's thread goes on

    def around(self, job: Callable[[str], None]) -> Callable[[str], None]:
        """`job` run under the stop's lock, skipped once a stop was asked for."""

        def guarded(job_id: str) -> None:
            with self._running:
                if self.asked.is_set():
                    logger.info("scheduled sweep %s skipped: stopping", job_id)
                    return
                logger.info("scheduled sweep %s started", job_id)
                job(job_id)
                logger.info("scheduled sweep %s done", job_id)

        return guarded

    def wait(self) -> None:
        """Until the job running when the stop came has ended."""
        with self._running:
            logger.warning("scheduler stopped")
