"""`buyer-agent schedule` as systemd runs it: a real process against the shop, sweeping every second
(`schedule.sweep_every_seconds`), a dispute-deadline re-check planned from the database firing on time, a
stop while a sweep runs (the sweep ends, exit 0), and a restart that neither loses a re-check whose time
came while it was down nor repeats the one already done. Judged by the runs table and the shop's log."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from agent.models import RequestState
from agent.shop.admin import ShopAdmin
from agent.shop.server import ShopThread
from agent.store import Store
from tests.e2e.agent_support import make_config, preload_session
from tests.e2e.process_support import agent, finish, wait_for_line

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("agent_processes")]


def jobs_until(proc: subprocess.Popen[str], done: Counter[str]) -> Counter[str]:
    """Read the scheduler's `-v` lines until each job id in `done` has finished that many times."""
    seen: Counter[str] = Counter()
    while any(seen[job] < times for job, times in done.items()):
        line = wait_for_line(proc, "scheduled sweep ", timeout=60)
        job, _, what = line.split("scheduled sweep ", 1)[1].strip().partition(" ")
        if what == "done":
            seen[job] += 1
    return seen


def sweep_runs(db: Path) -> list[dict[str, object]]:
    with Store.open(db) as store:
        return [r for r in store.db["runs"].rows if str(r["command"]).startswith("sweep:")]


def test_the_scheduler_sweeps_rechecks_on_time_survives_a_restart_and_stops_with_0(
    shop: ShopThread, shop_admin: ShopAdmin, tmp_path: Path
) -> None:
    schedule = {"sweep_every_seconds": 1, "dispute_recheck_days_before": 0}
    cfg = make_config(tmp_path, shop.base_url, schedule=schedule)
    preload_session(cfg, shop_admin)
    cfg_file, db = tmp_path / "buyer-agent.toml", tmp_path / "agent.db"
    soon, later = [o["order_id"] for o in shop_admin.orders() if o["status"] == "awaiting_delivery"][:2]
    now = dt.datetime.now(dt.UTC)
    with Store.open(db) as store:  # two requests the sellers shipped anyway, watched until their deadlines
        for order_id, left in ((soon, dt.timedelta(seconds=4)), (later, dt.timedelta(days=9))):
            store.insert_request(order_id, RequestState.SHIPPED_ANYWAY, dispute_deadline=now + left)
    recheck = f"recheck:dispute_deadline:{soon}"

    first = agent(cfg_file, "schedule", "-v")
    seen = jobs_until(first, Counter({"sweep": 3, recheck: 1}))
    wait_for_line(first, "scheduled sweep sweep started")  # stopped while a sweep runs: it ends first
    first.send_signal(signal.SIGTERM)
    code, _, err = finish(first)
    assert code == 0, err
    assert "Traceback" not in err and "scheduler stopped" in err
    runs = sweep_runs(db)
    assert all(r["ended_at"] and r["outcome"] == "ok" for r in runs), runs  # none cut short
    commands = Counter(str(r["command"]) for r in runs)
    assert commands[f"sweep:{recheck}"] == 1 and commands["sweep:sweep"] >= seen["sweep"] + 1

    with Store.open(db) as store:  # while it was down, the other request's re-check time came
        store.db["cancel_requests"].update(later, {"dispute_deadline": dt.datetime.now(dt.UTC).isoformat()})
    second = agent(cfg_file, "schedule", "-v")
    jobs_until(second, Counter({"recheck:catch_up": 1}))
    second.send_signal(signal.SIGTERM)
    code, _, err = finish(second)
    assert code == 0, err

    runs = sweep_runs(db)
    commands = Counter(str(r["command"]) for r in runs)
    assert commands[f"sweep:{recheck}"] == 1  # not repeated after the restart
    assert commands["sweep:recheck:catch_up"] == 1  # not lost either
    assert all(r["ended_at"] and r["outcome"] == "ok" for r in runs), runs
    with Store.open(db) as store:
        assert len(store.events(kind="sweep")) == len(runs)  # every run recorded its sweep
    first_pages = [e for e in shop_admin.log(kind="api_list")
                   if e["detail"]["source"] == "agent" and e["detail"]["method"] == "GET"]  # fmt: skip
    assert len(first_pages) == len(runs)  # the shop saw one read of My Orders per sweep, no more
    assert shop_admin.log(kind="cancel") == [] and shop_admin.log(kind="dispute") == []  # sweeps never click
