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

from agent.config import DEFAULT_ACCOUNT, Config, ScheduleConfig
from agent.escalation import ESCALATED, ladder_of, next_of
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
    kind: str  # seller_deadline | dispute_deadline | catch_up | escalation
    run_at: dt.datetime


def sweep_trigger(sched: ScheduleConfig) -> CronTrigger | IntervalTrigger:
    """`sweep_cron` in `timezone`; every `sweep_every_seconds` instead when that is set (> 0)."""
    if sched.sweep_every_seconds > 0:
        return IntervalTrigger(seconds=sched.sweep_every_seconds, timezone=zoneinfo.ZoneInfo(sched.timezone))
    return CronTrigger.from_crontab(sched.sweep_cron, timezone=zoneinfo.ZoneInfo(sched.timezone))


def plan_rechecks(
    requests: Iterable[CancelRequest],
    sched: ScheduleConfig,
    now: dt.datetime,
    last_sweep: dt.datetime | None,
    escalations: dict[str, dt.datetime] | None = None,
) -> list[Recheck]:
    """The one-off re-checks due after `now`; plus one catch-up at `now` when a re-check time passed
    since the last sweep (the scheduler was down, or started late). `escalations`: order id → when the
    next rung of its escalation falls due (policy.auto_escalate), re-checked as kind `escalation`."""
    planned: list[Recheck] = []
    missed = False
    for request in requests:
        if request.state not in WATCHED:
            continue
        moments = _moments(request, sched)
        if escalations and request.order_id in escalations:
            moments.append(("escalation", escalations[request.order_id]))
        for kind, at in moments:
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


def escalation_moments(store: Store, config: Config) -> dict[str, dt.datetime]:
    """When the next rung of each stalled or rejected request's escalation falls due (agent.escalation)."""
    out = {}
    for request in store.requests(set(ESCALATED)):
        rung = next_of(ladder_of(request, store.events_for(request.order_id)), config.policy)
        if rung is not None:
            out[request.order_id] = rung.due
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
    """Replace every one-off re-check of the store's account with those the database calls for now."""
    for job in scheduler.get_jobs():
        if job.id.startswith(RECHECK_PREFIX) and job_account(job.id) == store.account:
            job.remove()
    escalations = escalation_moments(store, config) if config.policy.auto_escalate else None
    plan = plan_rechecks(store.requests(), config.schedule, now, last_sweep_at(store), escalations)
    for recheck in plan:
        name = f"{recheck.kind} {recheck.order_id or ''}".strip()
        job_id = _account_job_id(store.account, recheck.id)
        scheduler.add_job(
            run,
            DateTrigger(recheck.run_at),
            args=[job_id],
            id=job_id,
            name=name,
            replace_existing=True,
            **job_options(config.schedule),
        )
    logger.info("scheduler: %d re-check(s) planned", len(plan))


def _account_job_id(account: str, recheck_id: str) -> str:
    """The job id of a re-check: unchanged for the account "default", "recheck:NAME/kind:order" else."""
    if account == DEFAULT_ACCOUNT:
        return recheck_id
    return f"{RECHECK_PREFIX}{account}/{recheck_id.removeprefix(RECHECK_PREFIX)}"


def job_account(job_id: str) -> str:
    """The account a re-check job sweeps (see _account_job_id)."""
    rest = job_id.removeprefix(RECHECK_PREFIX)
    return rest.split("/", 1)[0] if "/" in rest else DEFAULT_ACCOUNT


def accounts_for_job(job_id: str, every: list[str]) -> list[str]:
    """The nightly sweep sweeps every account in turn; a re-check its own account only."""
    return list(every) if job_id == SWEEP_JOB else [job_account(job_id)]


def run_forever(config: Config, accounts: list[str] | None = None) -> None:
    """Start in the foreground until SIGINT/SIGTERM: then no new job starts, the running one ends, and this
    returns (exit 0: what `systemctl stop` expects). The nightly job sweeps every configured account in
    turn (jobs.runner.sweep_accounts: one account's failure is recorded and notified, the others go on),
    a re-check sweeps its own account; each sweep waits for a CLI sweep of the account that holds its
    lock, notifies, sends a summary, then re-plans that account's re-checks. `accounts`: only these."""
    from agent import stopping
    from agent.store import utcnow
    from jobs.runner import sweep_accounts

    holder: dict[str, BlockingScheduler] = {}
    stop = GentleStop()
    every = accounts or config.account_names()

    def job(job_id: str) -> None:
        names = accounts_for_job(job_id, every)
        try:
            done = sweep_accounts(
                config,
                f"sweep:{job_id}",
                names=names,
                wait=True,
                summary=True,
                after=replan,
            )
        except Exception as exc:  # noqa: BLE001 - one failed sweep must not stop the scheduler
            logger.error("scheduled sweep %s failed: %s", job_id, exc)
            return
        for name, failed in done.items():
            if isinstance(failed, Exception):
                logger.warning("scheduled sweep %s of account %s failed: %s", job_id, name, failed)

    def replan(store: Store) -> None:
        if not stop.asked.is_set():  # stopping: the next start plans from the database anyway
            refresh_rechecks(holder["s"], config, store, guarded, utcnow())

    guarded = stop.around(job)
    with Store.open(config.storage.database, account=every[0]) as store:
        holder["s"] = stop.watch(build_scheduler(config, store, guarded, utcnow()))
    add_prune_job(holder["s"], config, run=stop.around(lambda _job_id: _prune(config)))
    for name in every[1:]:
        with Store.open(config.storage.database, account=name) as store:
            refresh_rechecks(holder["s"], config, store, guarded, utcnow())
    seconds = config.schedule.sweep_every_seconds
    logger.warning("scheduler started: sweep %s (%s)", f"every {seconds} s" if seconds else
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


__all__ += ["add_prune_job"]
PRUNE_JOB = "prune"
PRUNE_CRON = "30 4 * * sun"  # weekly, Sunday 04:30 in schedule.timezone (after the default nightly sweep)


def add_prune_job(
    scheduler: BaseScheduler, config: Config, run: Callable[[str], None] | None = None
) -> None:
    """The weekly `buyer-agent prune` (storage.keep_days, evidence_max_mb), under the sweep lock; `run`
    (called with the job's id) wraps it, e.g. to let a stop wait for it."""
    trigger = CronTrigger.from_crontab(PRUNE_CRON, timezone=zoneinfo.ZoneInfo(config.schedule.timezone))
    scheduler.add_job(run or (lambda _job_id: _prune(config)), trigger, args=[PRUNE_JOB], id=PRUNE_JOB,
                      name="weekly prune", replace_existing=True, **job_options(config.schedule))  # fmt: skip


def _prune(config: Config) -> None:
    from jobs.prune import scheduled_prune

    scheduled_prune(config)
