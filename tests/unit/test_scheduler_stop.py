"""The scheduler's stop (jobs.scheduler.GentleStop), on a real BlockingScheduler: a stop that comes before
the scheduler runs still ends it, and a job due after the stop is skipped."""

from __future__ import annotations

import signal
import zoneinfo

from apscheduler.schedulers.blocking import BlockingScheduler

from jobs.scheduler import GentleStop


def test_a_stop_before_the_scheduler_runs_ends_it_as_it_starts() -> None:
    stop = GentleStop()
    scheduler = stop.watch(BlockingScheduler(timezone=zoneinfo.ZoneInfo("UTC")))
    stop(signal.SIGTERM)  # the signal lands between building the scheduler and starting it
    scheduler.start()  # returns at once instead of blocking forever
    assert not scheduler.running
    stop.wait()


def test_a_job_due_after_the_stop_is_skipped_and_one_before_it_runs() -> None:
    ran: list[str] = []
    stop = GentleStop()
    job = stop.around(ran.append)
    job("sweep")
    stop(signal.SIGINT)
    job("recheck:catch_up")
    assert ran == ["sweep"]
