"""The agent as a user runs it: the `buyer-agent` command in its own process: exit codes, and secrets kept
out of every artefact. Crash safety (SIGKILL at eleven points of a cancel and a dispute) is
tests/e2e/test_crash_matrix.py; SIGTERM/SIGINT tests/e2e/test_stopping.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from agent.store import Store
from tests.e2e.agent_support import SHOP_PASSWORD, make_config, pick_order, preload_session, submissions
from tests.e2e.process_support import agent, finish, kill, wait_for_line
from tests.e2e.table_text import table_rows

pytestmark = pytest.mark.e2e


def test_exit_codes(cfg_path, shop_admin):
    completed = pick_order(shop_admin, "completed")
    code, _, err = finish(agent(cfg_path, "cancel", completed, "--reason", "changed_mind", "--yes"))
    assert code == 4, err
    code, _, err = finish(agent(cfg_path, "cancel", "12ab", "--reason", "changed_mind"))
    assert code == 2 and err.strip().count("\n") == 0 and "digits" in err
    code, _, err = finish(agent(cfg_path.parent / "missing.toml", "orders"))
    assert code == 2 and "missing.toml" in err and "Traceback" not in err


def test_orders_json_has_the_documented_fields(cfg_path, shop_admin):
    code, out, err = finish(agent(cfg_path, "orders", "--status", "awaiting_shipment", "--json"))
    assert code == 0, err
    rows = json.loads(out)
    expected = {
        o["order_id"] for o in shop_admin.orders() if o["status"] == "awaiting_shipment" and not o["deleted"]
    }
    assert {r["order_id"] for r in rows} == expected
    for row in rows:
        assert {
            "order_id",
            "status",
            "status_text",
            "placed_at",
            "store_name",
            "total",
            "items",
        } <= row.keys()
        assert row["status"] == "awaiting_shipment" and len(row["placed_at"]) == 10
        assert set(row["total"]) == {"amount", "currency"} and isinstance(row["total"]["amount"], str)


def test_captcha_stops_with_exit_3_and_a_screenshot(shop, shop_admin, tmp_path):
    shop_admin.set_scenario("captcha")
    make_config(tmp_path, shop.base_url)  # no saved session: the agent must log in
    code, _, err = finish(agent(tmp_path / "buyer-agent.toml", "orders"))
    assert code == 3, err
    assert "buyer-agent login --headed" in err
    with Store.open(tmp_path / "agent.db") as store:
        (event,) = [e for e in store.events() if e.kind == "needs_human"]
    assert event.evidence and Path(event.evidence[0]).is_file()


def test_the_password_reaches_no_artefact(shop, shop_admin, tmp_path):
    """Log in for real (classic form + one-time code), keep a trace and screenshots, then grep every
    file the run left — database, WAL, saved session, evidence, trace archives — for the password."""
    shop_admin.set_scenario("classic_login")
    make_config(tmp_path, shop.base_url, browser={"trace": "always"})
    order_id = pick_order(shop_admin, "awaiting_shipment", picked_up=False)
    code, _, err = finish(agent(tmp_path / "buyer-agent.toml", "cancel", order_id, "--reason", "changed_mind",
                                "--dry-run", "-vv"))  # fmt: skip
    assert code == 0, err
    assert SHOP_PASSWORD not in err
    artefacts = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.suffix == ".zip" for p in artefacts) and any(p.suffix == ".png" for p in artefacts)
    for path in artefacts:
        blobs = [path.read_bytes()]
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                blobs += [archive.read(name) for name in archive.namelist()]
        assert not any(SHOP_PASSWORD.encode() in blob for blob in blobs), path


def test_login_waits_for_a_human_to_solve_the_captcha_then_saves_the_session(shop, shop_admin, tmp_path):
    shop_admin.set_scenario("captcha")
    make_config(tmp_path, shop.base_url)
    cfg_file = tmp_path / "buyer-agent.toml"
    proc = agent(cfg_file, "login", "--wait-for-human", "--wait", "90", "-v")
    wait_for_line(proc, "solve it in the browser")  # the agent is waiting, not failing
    shop_admin.solve_captcha()  # the person drags the slider
    code, out, err = finish(proc)
    assert code == 0, err
    session = next((tmp_path / "state").glob("*.json"))
    assert session.stat().st_mode & 0o777 == 0o600
    logins_before = len(shop_admin.log(kind="login"))

    code, _, err = finish(agent(cfg_file, "orders", "--json"))  # reuses the saved session

    assert code == 0, err
    assert len(shop_admin.log(kind="login")) == logins_before


def test_a_remote_browser_works_the_same(shop, shop_admin, tmp_path):
    """A browser running elsewhere (here: its own process with a DevTools port), reached over CDP."""
    from agent.browser_setup import launch_args, resolve_chromium

    exe = resolve_chromium() or pytest.skip("only Playwright's bundled Chromium here; no executable to start")
    remote = subprocess.Popen(
        [exe, "--headless=new", "--remote-debugging-port=0", f"--user-data-dir={tmp_path / 'remote-profile'}",
         *launch_args(exe), "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        endpoint = _devtools_endpoint(remote)
        cfg = make_config(tmp_path, shop.base_url, browser={"remote_endpoint": endpoint})
        preload_session(cfg, shop_admin)
        code, out, err = finish(
            agent(tmp_path / "buyer-agent.toml", "orders", "--status", "awaiting_payment", "--json")
        )
    finally:
        kill(remote)
    assert code == 0, err
    expected = {
        o["order_id"] for o in shop_admin.orders() if o["status"] == "awaiting_payment" and not o["deleted"]
    }
    assert {r["order_id"] for r in json.loads(out)} == expected


def _devtools_endpoint(proc: subprocess.Popen[str]) -> str:
    """Chromium prints `DevTools listening on ws://…` once it accepts connections."""
    return (
        wait_for_line(proc, "DevTools listening on ", timeout=30)
        .split("DevTools listening on ", 1)[1]
        .strip()
    )


def test_the_demo_tells_the_whole_story(tmp_path):
    """`make demo` runs this: it must keep working end to end (shop, cancels, sweep, report)."""
    folder = tmp_path / "demo"
    proc = subprocess.run(
        [sys.executable, "-m", "agent", "demo", "--folder", str(folder)],
        capture_output=True, text=True, timeout=300, env=dict(os.environ, COLUMNS="200"), cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    with Store.open(folder / "buyer-agent.db") as store:
        states = sorted(r.state.value for r in store.requests())
    assert states == ["cancelled", "dispute_flagged", "refund_pending", "refunded"]
    assert "dispute_flagged" in (folder / "report.html").read_text(encoding="utf-8")


def test_a_failed_order_in_a_batch_keeps_a_screenshot_and_the_trace(shop, shop_admin, tmp_path):
    make_config(tmp_path, shop.base_url, browser={"trace": "on_failure"})
    cfg_file = tmp_path / "buyer-agent.toml"
    good = pick_order(shop_admin, "awaiting_shipment", picked_up=False)
    code, out, err = finish(
        agent(cfg_file, "cancel", good, "1234567890123456", "--reason", "changed_mind", "--dry-run")
    )
    assert code == 1, err
    assert "dry_run" in out and "not found" in out
    trace = err.split("trace of this run: ", 1)[1].split(" ", 1)[0]
    assert Path(trace).is_file() and zipfile.is_zipfile(trace)
    assert submissions(shop_admin, good) == []


@pytest.mark.parametrize("columns", ["80", "120"])
def test_the_orders_table_has_each_value_under_its_header(cfg_path, shop_admin, columns):
    """Tested like the JSON: every value under its header, at 80 and 120 columns, ids never cut."""
    env = {"COLUMNS": columns}
    code, out, err = finish(agent(cfg_path, "orders", "--status", "awaiting_payment", env=env))
    assert code == 0, err
    code, as_json, err = finish(agent(cfg_path, "orders", "--status", "awaiting_payment", "--json"))
    assert code == 0, err
    expected = [
        {"order id": o["order_id"], "placed": o["placed_at"], "status": o["status_text"],
         "store": o["store_name"], "total": f'{o["total"]["amount"]} {o["total"]["currency"]}',
         "items": str(len(o["items"]))}
        for o in json.loads(as_json)
    ]  # fmt: skip
    shown = table_rows(out)
    assert [row["order id"] for row in shown] == [row["order id"] for row in expected]  # never cut
    assert shown == expected
    assert all(len(line) <= int(columns) for line in out.splitlines())
