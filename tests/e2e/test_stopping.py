"""SIGTERM and SIGINT, as systemd and a terminal send them, to `buyer-agent` processes: the command stops at
the next safe point — never between the journal's `submitting` row and the site's answer to the click,
which is awaited first — and exits 143/130 with its run closed as `interrupted` and nothing half-written.
The signal is sent while a click is in flight: the shop holds the submission (`commit` fault) until the
test releases it, after the agent has said it got the signal."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest

from agent.models import RequestState
from agent.shop.admin import ShopAdmin
from agent.store import Store
from tests.e2e.agent_support import (
    CANCEL_API,
    DISPUTE_FORM,
    HELD_MS,
    disputable_order,
    make_config,
    pick_order,
    submissions,
)
from tests.e2e.process_support import (
    agent,
    descendants,
    finish,
    outcome,
    request_state,
    running,
    wait_for_line,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("agent_processes")]


def held_then_released(
    proc: subprocess.Popen[str], admin: ShopAdmin, sig: signal.Signals, group: bool
) -> None:
    """Wait until the shop holds the click's request, signal the agent (its group: a terminal's Ctrl-C),
    wait until it says so, then let the shop act and answer."""
    assert admin.wait_for_log(kind="received", timeout_s=60), "the click never reached the shop"
    os.killpg(proc.pid, sig) if group else os.kill(proc.pid, sig)
    wait_for_line(proc, f"{sig.name} received: stopping at the next safe point")
    admin.release_commits()


def runs(cfg_path: Path) -> list[tuple[str, str | None, object]]:
    with Store.open(cfg_path.parent / "agent.db") as store:
        return [(r["command"], r["outcome"], r["ended_at"]) for r in store.db["runs"].rows]


def test_sigterm_mid_click_awaits_the_answer_then_stops_the_batch_before_the_next_order(
    cfg_path: Path, shop_admin: ShopAdmin
) -> None:
    first, second = [o["order_id"] for o in shop_admin.orders()
                     if o["status"] == "awaiting_shipment" and not o["picked_up"]][:2]  # fmt: skip
    shop_admin.faults(path=CANCEL_API, method="POST", kind="commit", delay_ms=HELD_MS)
    proc = agent(cfg_path, "cancel", first, second, "--reason", "changed_mind", "--yes", "--json", "-v")

    held_then_released(proc, shop_admin, signal.SIGTERM, group=False)
    code, out, err = finish(proc)

    assert code == 143, err
    assert "stopped by SIGTERM" in err and "Traceback" not in err
    shown = {r["order_id"]: r["outcome"] for r in json.loads(out)}
    assert shown == {first: "requested", second: "skipped"}  # the click's answer was read, not abandoned
    assert len(submissions(shop_admin, first)) == 1 and submissions(shop_admin, second) == []
    assert request_state(cfg_path, first) is RequestState.REQUESTED
    assert request_state(cfg_path, second) is None  # never begun: nothing journalled for it
    assert [(c, o) for c, o, _ in runs(cfg_path)] == [("cancel", "interrupted")]
    assert all(ended for _, _, ended in runs(cfg_path))


def test_ctrl_c_mid_dispute_submit_keeps_the_browser_reads_the_answer_and_exits_130(
    cfg_path: Path, shop_admin: ShopAdmin
) -> None:
    order_id = disputable_order(shop_admin, cfg_path.parent / "agent.db")
    shop_admin.faults(path=DISPUTE_FORM, method="POST", kind="commit", delay_ms=HELD_MS)
    proc = agent(cfg_path, "dispute", order_id, "--json", "-v")

    held_then_released(proc, shop_admin, signal.SIGINT, group=True)  # the whole group, as a terminal does
    code, out, err = finish(proc)

    assert code == 130, err
    assert outcome(out)["outcome"] == "opened"  # Chromium and the driver outlived the Ctrl-C
    assert len(shop_admin.log(kind="dispute", order_id=order_id)) == 1
    assert request_state(cfg_path, order_id) is RequestState.DISPUTE_OPENED
    with Store.open(cfg_path.parent / "agent.db") as store:
        assert store.open_attempt(order_id, "dispute") is None  # the journal is closed, nothing dangling


def test_sigterm_before_any_click_stops_at_once_with_nothing_journalled(
    cfg_path: Path, shop_admin: ShopAdmin
) -> None:
    order_id = pick_order(shop_admin, "awaiting_shipment", picked_up=False)
    proc = agent(cfg_path, "cancel", order_id, "--reason", "changed_mind", "--yes", "--json", "-vv")
    wait_for_line(proc, "found cancel_dialog.root")  # the form is open; the journal row is still ahead
    browsers = descendants(proc.pid)
    os.kill(proc.pid, signal.SIGTERM)
    code, out, err = finish(proc)

    assert code == 143, err
    assert outcome(out)["outcome"] == "skipped"
    assert request_state(cfg_path, order_id) is None and submissions(shop_admin, order_id) == []
    assert [(c, o) for c, o, _ in runs(cfg_path)] == [("cancel", "interrupted")]
    assert not [pid for pid in browsers if running(pid)], "the driver or the browser outlived the agent"


def test_ctrl_c_ends_a_long_wait_for_a_person_at_once(shop, shop_admin: ShopAdmin, tmp_path: Path) -> None:
    shop_admin.set_scenario("captcha")
    make_config(tmp_path, shop.base_url)
    cfg_file = tmp_path / "buyer-agent.toml"
    proc = agent(cfg_file, "login", "--wait-for-human", "--wait", "600", "-v")
    wait_for_line(proc, "solve it in the browser")  # waiting for a person, up to ten minutes
    os.killpg(proc.pid, signal.SIGINT)
    code, _, err = finish(proc, timeout=30)

    assert code == 130, err
    assert "stopped by SIGINT" in err and "Traceback" not in err
    assert [(c, o) for c, o, _ in runs(cfg_file)] == [("login", "interrupted")]

