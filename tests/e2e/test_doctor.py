"""`buyer-agent doctor` as a user runs it (its own process) against the fixture shop: a healthy setup is all
ok (and only read: the shop saw a signed list read and page views, no login, no submission); a broken
config, a missing password, a stale sweep lock and a bad notify URL each give their fail/warn and exit
code; the table shows each value under its header at 80 and 120 columns, as the JSON says."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from agent.shop.admin import ShopAdmin
from agent.shop.server import ShopThread
from agent.store import Store
from tests.e2e.agent_support import SHOP_PASSWORD, make_config, preload_session
from tests.e2e.process_support import agent, finish
from tests.e2e.table_text import table_rows

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("doctor")]
RECORDING = Path(__file__).resolve().parents[2] / "fixtures" / "aliexpress" / "default-en"
NAMES = ["config", "password", "database", "sweep lock", "cooldown", "notify", "browser", "session", "api",
         "selectors"]  # fmt: skip
NOTIFY_OK = "json://127.0.0.1:9/hook"  # only parsed, never sent to


@pytest.fixture
def cfg_path(tmp_path: Path, shop: ShopThread, shop_admin: ShopAdmin) -> Path:
    """A set-up install: config, saved session, migrated database, a notify URL."""
    config = make_config(tmp_path, shop.base_url, notify={"urls": [NOTIFY_OK]})
    preload_session(config, shop_admin)
    Store.open(config.storage.database).close()
    return tmp_path / "buyer-agent.toml"


def doctor(cfg_path: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    return finish(agent(cfg_path, "doctor", "--fixtures", str(RECORDING), *args, env=env))


def squashed(row: dict[str, str]) -> dict[str, str]:
    """A long path folds over lines (the reader joins them with a space): compare without spaces."""
    return {k: "".join(v.split()) for k, v in row.items()}


def by_name(out: str) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in json.loads(out)["checks"]}


def test_a_healthy_setup_is_all_ok_and_the_table_matches_the_json(
    cfg_path: Path, shop_admin: ShopAdmin
) -> None:
    code, out, err = doctor(cfg_path, "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["ok"] is True
    assert [(c["name"], c["status"]) for c in report["checks"]] == [(n, "ok") for n in NAMES], out
    assert shop_admin.log(kind="api_list") and not shop_admin.log(kind="login")
    assert not [e for e in shop_admin.log() if e["kind"] in ("received", "dispute")]
    assert SHOP_PASSWORD not in out + err
    expected = [{"check": c["name"], "status": c["status"], "detail": c["detail"], "fix": c["fix"]}
                for c in report["checks"]]  # fmt: skip
    for columns in ("80", "120"):
        code, table, err = doctor(cfg_path, env={"COLUMNS": columns})
        assert code == 0, err
        shown = table_rows(table, first="check")
        assert [(r["check"], r["status"]) for r in shown] == [(r["check"], r["status"]) for r in expected]
        records = table.startswith("check: ")  # too narrow for a table: records, empty values left out
        wanted = [{k: v for k, v in r.items() if v or not records} for r in expected]
        assert [squashed(r) for r in shown] == [squashed(r) for r in wanted]  # nothing cut, nothing moved
        assert all(len(line) <= int(columns) for line in table.splitlines())


def test_a_broken_config_is_one_fail_exit_1(tmp_path: Path) -> None:
    path = tmp_path / "buyer-agent.toml"
    path.write_text('[browser]\ntimeout_ms = "soon"\n', encoding="utf-8")
    code, out, _ = doctor(path, "--json")
    [check] = json.loads(out)["checks"]
    assert code == 1 and check["name"] == "config" and check["status"] == "fail"
    assert "browser.timeout_ms" in check["detail"] and check["fix"]


def test_a_missing_password_fails(cfg_path: Path) -> None:
    code, out, _ = doctor(cfg_path, "--json", "--quick", env={"BUYER_AGENT_PASSWORD": ""})
    checks = by_name(out)
    assert code == 1 and checks["password"]["status"] == "fail"
    assert "BUYER_AGENT_PASSWORD" in checks["password"]["detail"] + checks["password"]["fix"]


def test_a_stale_sweep_lock_warns_exit_0(cfg_path: Path, tmp_path: Path) -> None:
    crash = ("import os, signal, sys; from jobs.lock import sweep_lock\n"
             "with sweep_lock(sys.argv[1], 'sweep'): os.kill(os.getpid(), signal.SIGKILL)")  # fmt: skip
    died = subprocess.run([sys.executable, "-c", crash, str(tmp_path / "agent.db")], timeout=60, check=False)
    assert died.returncode == -9  # a sweep killed while holding the lock, as by a power cut
    code, out, _ = doctor(cfg_path, "--json", "--quick")
    lock = by_name(out)["sweep lock"]
    assert code == 0 and lock["status"] == "warn" and "stale" in lock["detail"] and "rm " in lock["fix"]


def test_a_bad_notify_url_fails_masked(cfg_path: Path) -> None:
    urls = json.dumps([NOTIFY_OK, "xyzzy://robot:pa55@relay.example.org/tok3n"])
    code, out, _ = doctor(cfg_path, "--json", "--quick", env={"BUYER_AGENT_NOTIFY__URLS": urls})
    notify = by_name(out)["notify"]
    assert code == 1 and notify["status"] == "fail" and "relay.example.org" in notify["detail"]
    assert "pa55" not in out and "tok3n" not in out
