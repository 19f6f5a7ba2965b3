"""Several accounts without a browser: [accounts.NAME] settings and --account, the v3 → v5 upgrade of a
real old database file, every store query scoped by account, the per-account sweep lock, the scheduler's
per-account re-checks, and one account's failed sweep recorded and notified while the others go on."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from agent.cli import cli
from agent.config import Config
from agent.config_file import load_config, to_toml
from agent.errors import ConfigError, LockHeld, UsageError, WrongAccount
from agent.models import Order, OrderStatus, RequestState
from agent.store import MIGRATIONS, SCHEMA_VERSION, Store
from jobs.lock import lock_path, sweep_lock
from jobs.runner import sweep_accounts
from jobs.scheduler import accounts_for_job, build_scheduler, job_account, refresh_rechecks
from tests.e2e.table_text import table_rows
from tests.store_helpers import move

S = RequestState
WriteToml = Callable[..., Path]
TWO = """
[accounts.home]
email = "home@example.com"
password_env = "HOME_PW"

[accounts.resale]
email = "resale@example.com"
locale = "pt_BR"

[accounts.resale.site]
base_url = "http://127.0.0.1:9999/"
"""


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


# ---------------------------------------------------------------- settings


def test_each_account_gets_its_login_site_and_folders(write_toml: WriteToml) -> None:
    cfg = load_config(str(write_toml(TWO)))
    assert cfg.account_names() == ["home", "resale"]
    home, resale = cfg.for_account("home"), cfg.for_account("resale")
    assert (home.account.email, home.account.password_env, home.site.locale) == (
        "home@example.com",
        "HOME_PW",
        "",
    )
    assert (resale.account.email, resale.site.locale) == ("resale@example.com", "pt_BR")
    assert resale.site.base_url == "http://127.0.0.1:9999" and home.site.base_url == cfg.site.base_url
    assert resale.account_name == "resale" and resale.storage.database == cfg.storage.database
    assert resale.storage.state_dir == cfg.storage.state_dir / "accounts" / "resale"
    assert resale.storage.evidence_dir == cfg.storage.evidence_dir / "resale"
    assert home.storage.state_dir != resale.storage.state_dir


def test_single_account_is_default_and_keeps_its_folders(write_toml: WriteToml) -> None:
    cfg = load_config(str(write_toml('[account]\nemail = "me@example.com"\n')))
    assert cfg.account_names() == ["default"]
    chosen = cfg.for_account(None)
    assert chosen.account_name == "default" and chosen.storage == cfg.storage
    assert chosen.account.email == "me@example.com"
    both = load_config(str(write_toml('[account]\nemail = "me@example.com"\n' + TWO)))
    assert both.account_names() == ["default", "home", "resale"]


def test_choosing_an_account(write_toml: WriteToml) -> None:
    cfg = load_config(str(write_toml(TWO)))
    with pytest.raises(UsageError, match="several accounts are configured \\(home, resale\\)") as caught:
        cfg.for_account(None)
    assert caught.value.exit_code == 2
    with pytest.raises(UsageError, match="unknown account 'nope' \\(configured: home, resale\\)"):
        cfg.for_account("nope")
    chosen = load_config(str(write_toml('default_account = "resale"\n' + TWO))).for_account(None)
    assert chosen.account_name == "resale"


@pytest.mark.parametrize(
    ("toml", "key", "words"),
    [
        ('[account]\nemail = "a@x.com"\n[accounts.default]\nemail = "b@x.com"\n', "accounts.default", "both"),
        ('default_account = "nope"\n' + TWO, "default_account", "unknown account 'nope'"),
        ('[accounts."a b"]\nemail = "x@y.z"\n', "accounts.a b", "letters, digits"),
        ("[accounts.home]\npassword = 'hunter2'\n", "accounts.home.password", "never put a password"),
        ('[accounts.home.site]\nbase_url = "nope"\n', "accounts.home.site.base_url", "URL"),
    ],
)
def test_account_config_errors_are_one_line_exit_2(
    write_toml: WriteToml, toml: str, key: str, words: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(str(write_toml(toml)))
    assert caught.value.key == key and words in str(caught.value) and caught.value.exit_code == 2
    assert "hunter2" not in str(caught.value) and "\n" not in str(caught.value)


def test_env_overrides_reach_named_accounts(write_toml: WriteToml, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUYER_AGENT_ACCOUNTS__RESALE__EMAIL", "other@example.com")
    monkeypatch.setenv("BUYER_AGENT_DEFAULT_ACCOUNT", "resale")
    chosen = load_config(str(write_toml(TWO))).for_account(None)
    assert (chosen.account_name, chosen.account.email) == ("resale", "other@example.com")


def test_to_toml_round_trips_accounts(write_toml: WriteToml) -> None:
    cfg = load_config(str(write_toml('default_account = "home"\n' + TWO)))
    again = load_config(str(write_toml(to_toml(cfg), name="again.toml")))
    assert again.account_names() == ["home", "resale"] and again.default_account == "home"
    assert again.accounts == cfg.accounts


# ---------------------------------------------------------------- the command line


def test_account_option_on_commands(write_toml: WriteToml) -> None:
    path = str(write_toml(TWO))
    shown = run("config", "show", "--format", "json", "--config", path, "--account", "resale")
    assert shown.exit_code == 0 and json.loads(shown.stdout)["account"]["email"] == "resale@example.com"
    unknown = run("--account", "nope", "config", "show", "--config", path)
    assert unknown.exit_code == 2 and lines(unknown.stderr) == [
        "error: unknown account 'nope' (configured: home, resale)"
    ]
    missing = run("report", "--config", path)
    assert missing.exit_code == 2 and len(lines(missing.stderr)) == 1
    assert "pass --account NAME" in missing.stderr
    both = run("report", "--config", path, "--account", "home", "--all-accounts")
    assert both.exit_code == 2 and "not both" in both.stderr
    for shared in (("db", "path"), ("db", "migrate"), ("config", "show")):  # one database/config for all
        result = run(*shared, "--config", path)
        assert result.exit_code == 0, (shared, result.stderr)
    assert "[accounts.resale]" in run("config", "show", "--config", path).stdout


def _two_account_db(tmp_path: Path) -> Path:
    db = tmp_path / "agent.db"
    with Store.open(db, account="home") as home:
        home.upsert_order(Order(order_id="8100000000000001", status=OrderStatus.AWAITING_SHIPMENT))
        move(home, "8100000000000001", S.REQUESTED)
    with Store.open(db, account="resale") as resale:
        resale.upsert_order(Order(order_id="8200000000000002", status=OrderStatus.AWAITING_SHIPMENT))
        move(resale, "8200000000000002", S.STALLED)
    return db


def test_report_per_account_and_all_accounts(tmp_path: Path, write_toml: WriteToml) -> None:
    db = _two_account_db(tmp_path)
    path = str(write_toml(TWO + f"\n[storage]\ndatabase = {json.dumps(str(db))}\n"))
    home = run("report", "--json", "--config", path, "--account", "home")
    mine = [(r["order_id"], r["account"]) for r in json.loads(home.stdout)["requests"]]
    assert mine == [("8100000000000001", "home")]
    every = run("report", "--json", "--config", path, "--all-accounts")
    assert every.exit_code == 0
    got = [(r["order_id"], r["account"], r["state"]) for r in json.loads(every.stdout)["requests"]]
    assert got == [("8200000000000002", "resale", "stalled"), ("8100000000000001", "home", "requested")]
    table = run("report", "--config", path, "--all-accounts")
    shown = [(r["order id"], r["account"], r["state"]) for r in table_rows(table.stdout, first="order id")]
    assert shown == got  # each value under its header, the account named on every row


def test_cancel_of_another_accounts_order_is_refused_before_any_browser(
    tmp_path: Path, write_toml: WriteToml
) -> None:
    db = _two_account_db(tmp_path)
    path = str(write_toml(TWO + f"\n[storage]\ndatabase = {json.dumps(str(db))}\n"))
    result = run("cancel", "8100000000000001", "--reason", "changed_mind", "--yes", "--config", path,
                 "--account", "resale")  # fmt: skip
    assert result.exit_code == 2
    assert lines(result.stderr) == [
        "error: order 8100000000000001 belongs to account 'home', not 'resale': run it with --account home"
    ]
    with Store.open(db, account="home") as home:
        assert [r.state for r in home.requests()] == [S.REQUESTED]  # untouched
    with Store.open(db) as plain:
        assert [r["command"] for r in plain.db.table("runs").rows] == []  # no run, so no browser was started


# ---------------------------------------------------------------- the database


def test_upgrading_a_real_v3_database_to_accounts(tmp_path: Path) -> None:
    """A v3 file written with the shipped migrations (as an older buyer-agent left it) gains the column."""
    path = tmp_path / "v3.db"
    assert "_m4_accounts" in [m.__name__ for m in MIGRATIONS[3:]]  # the accounts step comes after v3
    with Store.open(path, upto=3) as old:
        assert old.version == 3 and not old.scoped
        old.upsert_order(Order(order_id="8300000000000003", status=OrderStatus.AWAITING_SHIPMENT))
        old.begin_submission("8300000000000003", "changed_mind", "I changed my mind")
        run_id = old.start_run("cancel")
    with Store.open(path) as new:
        assert new.version == SCHEMA_VERSION and new.scoped
        for table in ("orders", "cancel_requests", "events", "runs"):
            rows = list(new.db.table(table).rows)
            assert rows and {r["account"] for r in rows} == {"default"}, table
            assert new.db.table(table).columns_dict["account"] is str
        assert new.get_request("8300000000000003") is not None and new.get_run(run_id) is not None
        assert len(new.events_for("8300000000000003")) == 3  # order_status, request_state, submission_begun
    with sqlite3.connect(path) as conn:
        with pytest.raises(sqlite3.IntegrityError):  # NOT NULL holds for rows written later too
            conn.execute("UPDATE cancel_requests SET account = NULL")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):  # the audit log's trigger survives
            conn.execute("UPDATE events SET account = 'x'")
        indexes = {r[1] for r in conn.execute("SELECT * FROM sqlite_master WHERE type = 'index'")}
    assert {"idx_requests_account_state", "idx_events_account_kind", "idx_orders_account"} <= indexes
    with Store.open(path, account="other") as other:
        assert other.requests() == [] and other.get_order("8300000000000003") is None
        with pytest.raises(WrongAccount):
            other.begin_submission("8300000000000003", "changed_mind", "x")


def test_every_query_is_scoped_and_writes_to_another_accounts_order_are_refused(tmp_path: Path) -> None:
    db = _two_account_db(tmp_path)
    with Store.open(db, account="home") as home, Store.open(db, account="resale") as resale:
        assert [r.order_id for r in home.requests()] == ["8100000000000001"]
        assert [r.order_id for r in resale.open_requests()] == ["8200000000000002"]
        assert home.order_ids() == ["8100000000000001"] and resale.order_ids() == ["8200000000000002"]
        assert home.get_request("8200000000000002") is None and resale.get_order("8100000000000001") is None
        assert {e.order_id for e in home.events()} == {"8100000000000001"}
        assert resale.events_for("8100000000000001") == []
        assert home.owner("8200000000000002") == "resale" and home.accounts() == ["home", "resale"]
        assert home.order_ids(every_account=True) == ["8100000000000001", "8200000000000002"]  # the guard's
        for write in (
            lambda: resale.begin_submission("8100000000000001", "changed_mind", "x"),
            lambda: resale.transition("8100000000000001", S.ACCEPTED, expected=S.REQUESTED),
            lambda: resale.insert_request("8100000000000001", S.REQUESTED),
            lambda: resale.upsert_order(Order(order_id="8100000000000001", status=OrderStatus.CLOSED)),
        ):
            with pytest.raises(WrongAccount, match="belongs to account 'home', not 'resale'"):
                write()
        assert home.get_request("8100000000000001").state is S.REQUESTED  # type: ignore[union-attr]
        assert home.get_order("8100000000000001")["status"] == "awaiting_shipment"  # type: ignore[index]


# ---------------------------------------------------------------- lock, scheduler, sweeping every account


def test_sweep_lock_is_per_account(tmp_path: Path) -> None:
    db = tmp_path / "agent.db"
    assert lock_path(db) == tmp_path / "agent.db.sweep.lock"  # the one-account lock keeps its name
    assert lock_path(db, "resale") == tmp_path / "agent.db.resale.sweep.lock"
    with (
        sweep_lock(db, "sweep", account="home"),
        sweep_lock(db, "sweep", account="resale"),  # two accounts at once: fine
        pytest.raises(LockHeld),
        sweep_lock(db, "another sweep", account="home"),  # the same account twice: never
    ):
        pass


def test_rechecks_are_planned_and_replaced_per_account(tmp_path: Path, write_toml: WriteToml) -> None:
    import datetime as dt

    now = dt.datetime(2026, 5, 4, 12, tzinfo=dt.UTC)
    cfg = load_config(str(write_toml(TWO + f'\n[storage]\ndatabase = "{tmp_path / "agent.db"}"\n')))
    db = cfg.storage.database
    with Store.open(db, account="home", clock=lambda: now) as home:
        move(home, "8100000000000001", S.REQUESTED, seller_deadline=now + dt.timedelta(hours=48))
    with Store.open(db, account="resale", clock=lambda: now) as resale:
        move(resale, "8200000000000002", S.REQUESTED, seller_deadline=now + dt.timedelta(hours=24))
    with Store.open(db, account="home") as home, Store.open(db, account="resale") as resale:
        scheduler = build_scheduler(cfg, home, lambda job_id: None, now)
        refresh_rechecks(scheduler, cfg, resale, lambda job_id: None, now)
        ids = sorted(j.id for j in scheduler.get_jobs())
        assert ids == ["recheck:home/seller_deadline:8100000000000001",
                       "recheck:resale/seller_deadline:8200000000000002", "sweep"]  # fmt: skip
        assert [job_account(i) for i in ids[:2]] == ["home", "resale"]
        assert job_account("recheck:seller_deadline:8100") == "default"
        assert accounts_for_job("sweep", ["home", "resale"]) == ["home", "resale"]  # the nightly one: all
        assert accounts_for_job(ids[1], ["home", "resale"]) == ["resale"]  # a re-check: its own
        move(resale, "8200000000000002", S.ACCEPTED)
        refresh_rechecks(scheduler, cfg, resale, lambda job_id: None, now)  # resale's plan only
        assert sorted(j.id for j in scheduler.get_jobs()) == ["recheck:home/seller_deadline:8100000000000001",
                                                              "sweep"]  # fmt: skip


def test_one_accounts_failed_sweep_is_recorded_and_notified_and_the_others_run(
    tmp_path: Path, write_toml: WriteToml, received: tuple[str, list[dict[str, Any]]]
) -> None:
    url, bodies = received
    toml = (
        TWO
        + f'\n[storage]\ndatabase = "{tmp_path / "agent.db"}"\n[notify]\nurls = ["{url}"]\nsummary = false\n'
    )
    cfg: Config = load_config(str(write_toml(toml)))
    with sweep_lock(cfg.storage.database, "a stuck sweep", account="home"):  # home cannot be swept now
        done = sweep_accounts(cfg, "sweep")
    assert isinstance(done["home"], LockHeld) and done["resale"].checked == 0  # type: ignore[union-attr]
    with Store.open(cfg.storage.database, account="home") as home:
        [failed] = home.events(kind="account_sweep_failed")
        assert failed.detail["kind"] == "LockHeld" and "another sweep is running" in failed.detail["error"]
        assert home.events(kind="sweep") == []
    with Store.open(cfg.storage.database, account="resale") as resale:
        assert len(resale.events(kind="sweep")) == 1 and resale.events(kind="account_sweep_failed") == []
    assert [b["title"] for b in bodies] == ["buyer-agent (home): sweep failed"]
    assert "account 'home'" in bodies[0]["message"]


# ---------------------------------------------------------------- the shop's accounts


def test_the_shop_shows_each_session_its_own_orders_and_logs_whose_call_it_was() -> None:
    from mtop_steps import TestClient, list_pages, shown_ids

    from agent.shop.seed import SECOND_EMAIL, SHOP_EMAIL
    from agent.shop.server import create_app

    with TestClient(create_app(load_delay_ms=0), follow_redirects=False) as c:
        theirs = c.post("/__shop/orders", json={"count": 2, "email": SECOND_EMAIL}).json()["order_ids"]
        assert c.post("/__shop/orders", json={"email": "nobody@example.com"}).status_code == 400
        everything = [o["order_id"] for o in c.get("/__shop/state").json()["orders"] if not o["deleted"]]
        sessions = {email: c.post("/__shop/sessions", json={"email": email}).json()["cookies"]
                    for email in (SHOP_EMAIL, SECOND_EMAIL)}  # fmt: skip
        seen = {}
        for email, cookies in sessions.items():
            c.cookies.clear()
            c.cookies.update(cookies)
            seen[email] = [oid for page in list_pages(c) for oid in shown_ids(page)]
        log = c.get("/__shop/log", params={"kind": "api_list"}).json()
    assert sorted(seen[SECOND_EMAIL]) == sorted(theirs)
    assert not set(theirs) & set(seen[SHOP_EMAIL]) and sorted(seen[SHOP_EMAIL] + theirs) == sorted(everything)
    assert {e["account"] for e in log} == {SHOP_EMAIL, SECOND_EMAIL}


def test_every_command_takes_account_and_the_listing_ones_all_accounts() -> None:
    import click

    def commands(group: click.Group) -> Iterator[click.Command]:
        for sub in group.commands.values():
            yield from commands(sub) if isinstance(sub, click.Group) else [sub]

    found = {c.name: {p.name for p in c.params} for c in commands(cli)}
    assert found and all("account" in params for params in found.values())
    assert {name for name, params in found.items() if "all_accounts" in params} == {
        "sweep",
        "report",
        "orders",
    }


def test_the_captcha_cooldown_of_one_account_leaves_the_others_alone(write_toml: WriteToml) -> None:
    from agent.api import check_cooldown
    from agent.api.pacing import Cooldown
    from agent.errors import CaptchaCooldown

    cfg = load_config(str(write_toml(TWO)))
    home, resale = cfg.for_account("home"), cfg.for_account("resale")
    Cooldown(home.storage.state_dir, home.account.email).start(30, "FAIL_SYS_USER_VALIDATE")
    with pytest.raises(CaptchaCooldown):
        check_cooldown(home)
    check_cooldown(resale)  # no cooldown: nothing raised


def test_notifications_name_the_account(tmp_path: Path, received: tuple[str, list[dict[str, Any]]]) -> None:
    from agent.config import NotifyConfig
    from jobs.notify import Notifier, notify_transitions

    url, bodies = received
    with Store.open(tmp_path / "agent.db", account="resale") as resale:
        move(resale, "8200000000000002", S.REQUESTED)
        move(resale, "8200000000000002", S.STALLED)
        assert notify_transitions(resale, Notifier(NotifyConfig(urls=[url]))) == 1
    assert [b["title"] for b in bodies] == ["buyer-agent (resale): order 8200000000000002 stalled"]
    assert "account resale" in bodies[0]["message"]


def test_the_second_shop_account_logs_in_with_its_own_password_only() -> None:
    from mtop_steps import TestClient

    from agent.shop.seed import SECOND_EMAIL, SECOND_PASSWORD, SHOP_PASSWORD
    from agent.shop.server import create_app

    with TestClient(create_app(load_delay_ms=0), follow_redirects=False) as c:
        c.get("/login/")
        c.post("/login/", data={"email": SECOND_EMAIL})
        assert c.post("/login/", data={"password": SHOP_PASSWORD}).status_code == 200  # the other's: refused
        done = c.post("/login/", data={"password": SECOND_PASSWORD})
        assert done.status_code == 303 and "xman_us_t" in done.cookies
        sessions = c.get("/__shop/state").json()["sessions"]
    assert [s["email"] for s in sessions] == [SECOND_EMAIL]


def test_sweep_all_accounts_from_the_command_line_goes_on_after_a_failure(
    tmp_path: Path, write_toml: WriteToml
) -> None:
    path = str(write_toml(TWO + f'\n[storage]\ndatabase = "{tmp_path / "agent.db"}"\n'))
    with sweep_lock(tmp_path / "agent.db", "a stuck sweep", account="home"):
        result = run("sweep", "--all-accounts", "--config", path)
    assert result.exit_code == 1
    assert [line.split(" (")[0] for line in lines(result.stderr)] == [
        "error: account home: another sweep is running"
    ]
    assert lines(result.stdout) == ["account resale: 0 request(s) checked, 0 transition(s)"]
    calm = run("sweep", "--all-accounts", "--json", "--config", path)
    assert calm.exit_code == 0 and json.loads(calm.stdout) == []
