"""The doctor's checks that need no browser, on real files: the database (missing, current, behind, newer,
corrupt), the sweep lock (free, held by a live process, stale after a crash), the anti-bot cooldown."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from agent.api.pacing import Cooldown
from agent.config import AccountConfig, Config, StorageConfig
from agent.doctor import check_cooldown, check_database, check_lock, run_checks
from agent.store import SCHEMA_VERSION, Store
from jobs.lock import lock_status, sweep_lock


def _config(tmp_path: Path) -> Config:
    storage = StorageConfig(database=tmp_path / "agent.db", state_dir=tmp_path / "state")
    return Config(storage=storage, account=AccountConfig(email="me@example.org"))


def test_database_missing_current_behind_newer_and_corrupt(tmp_path: Path) -> None:
    config = _config(tmp_path)
    path = config.storage.database
    missing = check_database(config)
    assert missing.status == "warn" and "db migrate" in missing.fix and not path.exists()  # nothing created
    Store.open(path, upto=SCHEMA_VERSION - 1).close()
    behind = check_database(config)
    assert behind.status == "warn" and f"v{SCHEMA_VERSION - 1}" in behind.detail
    with Store.open(path) as store:
        assert store.version == SCHEMA_VERSION
    assert check_database(config).status == "ok"
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO migrations VALUES (99, 'from the future', '2030-01-01')")
    newer = check_database(config)
    assert newer.status == "fail" and "upgrade buyer-agent" in newer.fix
    path.unlink()
    for extra in ("-wal", "-shm"):
        Path(f"{path}{extra}").unlink(missing_ok=True)
    path.write_bytes(b"SQLite format 3\x00" + os.urandom(4096))  # a header, then garbage
    assert check_database(config).status == "fail"


def test_lock_free_held_and_stale(tmp_path: Path) -> None:
    config = _config(tmp_path)
    database = config.storage.database
    assert lock_status(database)[0] == "free" and check_lock(config).status == "ok"
    with sweep_lock(database, "sweep"):  # held by a live process (this one)
        state, holder, _ = lock_status(database)
        assert state == "held" and f"pid {os.getpid()}" in holder
        assert check_lock(config).status == "ok"
    assert lock_status(database)[0] == "free"  # released cleanly: the file is emptied
    crash = "import os, signal, sys; from jobs.lock import sweep_lock\n" \
        "with sweep_lock(sys.argv[1], 'sweep'): os.kill(os.getpid(), signal.SIGKILL)"  # fmt: skip
    died = subprocess.run([sys.executable, "-c", crash, str(database)], timeout=60, check=False)
    assert died.returncode == -signal.SIGKILL
    assert lock_status(database)[0] == "stale"
    stale = check_lock(config)
    assert stale.status == "warn" and "ended without releasing" in stale.detail
    with sweep_lock(database, "sweep"):  # a stale lock never blocks the next sweep
        pass


def test_cooldown_running_and_over(tmp_path: Path) -> None:
    config = _config(tmp_path)
    assert check_cooldown(config).status == "ok"
    start = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
    Cooldown(config.storage.state_dir, "me@example.org", lambda: start).start(30, "FAIL_SYS_USER_VALIDATE")
    running = check_cooldown(config, lambda: start + dt.timedelta(minutes=10))
    until = (start + dt.timedelta(minutes=30)).astimezone()
    assert running.status == "warn" and f"{until:%H:%M}" in running.detail and "login --headed" in running.fix
    assert check_cooldown(config, lambda: start + dt.timedelta(minutes=31)).status == "ok"


def test_the_checks_are_of_the_chosen_account(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`doctor --account resale` checks that account's password source, lock and cooldown."""
    path = tmp_path / "buyer-agent.toml"
    path.write_text(
        f'[account]\nemail = "me@example.org"\n'
        f'[accounts.resale]\nemail = "shop@example.org"\npassword_env = "RESALE_PASSWORD"\n'
        f'[storage]\ndatabase = "{tmp_path / "agent.db"}"\nstate_dir = "{tmp_path / "state"}"\n',
        encoding="utf-8",
    )
    monkeypatch.delenv("BUYER_AGENT_PASSWORD", raising=False)
    monkeypatch.setenv("RESALE_PASSWORD", "secret")

    def password(account: str | None) -> str:
        (check,) = [c for c in run_checks(str(path), account=account, quick=True) if c.name == "password"]
        return check.status

    assert password("resale") == "ok"
    assert password("default") == "fail"
    (unknown,) = run_checks(str(path), account="nobody", quick=True)
    assert unknown.name == "config" and unknown.status == "fail" and "nobody" in unknown.detail
