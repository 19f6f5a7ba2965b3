"""Two buyer accounts in one shop, one database: cancels, sweeps and reports never mix their orders —
asserted by the shop's operation log (which account's session made each call) and by the database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser
from shop_steps import pick
from sweep_steps import Receiver, ShopClock

from agent.api.pacing import Cooldown
from agent.config import Config, NotifyConfig
from agent.errors import CaptchaCooldown, WrongAccount
from agent.flows.cancel import CancelResult, cancel_orders
from agent.flows.runtime import open_runtime
from agent.shop.admin import ShopAdmin
from agent.shop.seed import SECOND_EMAIL, SHOP_EMAIL
from agent.shop.server import ShopThread
from agent.store import Store
from jobs.report import build_report
from jobs.runner import sweep_accounts
from tests.e2e.agent_support import make_config, preload_session
from tests.e2e.process_support import agent, finish

pytestmark = pytest.mark.e2e


def _config(tmp_path: Path, base_url: str) -> Config:
    return Config.model_validate(
        {
            "site": {"base_url": base_url, "login_url": f"{base_url}/login/"},
            "account": {"email": SHOP_EMAIL},  # the account "default"
            "accounts": {"resale": {"email": SECOND_EMAIL, "password_env": "RESALE_PASSWORD"}},
            "browser": {"trace": "off", "timeout_ms": 10000},
            "storage": {
                "database": str(tmp_path / "agent.db"),
                "evidence_dir": str(tmp_path / "evidence"),
                "state_dir": str(tmp_path / "state"),
            },
            "api": {"min_interval_ms": 20, "jitter_ms": 10, "traffic_backoff_ms": 50},
        }
    )


def _cancel(cfg: Config, clock: ShopClock, browser: Browser, *order_ids: str) -> list[CancelResult]:
    with (
        Store.open(cfg.storage.database, clock=clock, account=cfg.account_name) as store,
        open_runtime(cfg, store, "cancel", browser=browser) as rt,
    ):
        return cancel_orders(rt, order_ids, "changed_mind")


def _accounts_of(log: list[dict[str, Any]], order_id: str) -> set[str]:
    return {e["account"] for e in log if e["order_id"] == order_id}


def test_two_accounts_in_one_shop_never_mix_their_orders(
    tmp_path: Path, shop: ShopThread, shop_admin: ShopAdmin, browser: Browser
) -> None:
    shop_admin.set_scenario(load_delay_ms=0)
    base = _config(tmp_path, shop.base_url)
    home, resale = base.for_account("default"), base.for_account("resale")
    shop_admin.save_session(home.storage.state_dir, SHOP_EMAIL)  # as `login` leaves each account
    shop_admin.save_session(resale.storage.state_dir, SECOND_EMAIL)
    assert home.storage.state_dir != resale.storage.state_dir
    mine = pick(shop_admin, "awaiting_shipment", seller="accept", seller_delay_h=12)
    theirs, other = shop_admin.add_orders(count=2, status="awaiting_shipment", seller="reject",
                                          seller_delay_h=10, email=SECOND_EMAIL)  # fmt: skip
    clock = ShopClock(shop_admin)

    assert [r.outcome.value for r in _cancel(home, clock, browser, mine)] == ["requested"]
    assert [r.outcome.value for r in _cancel(resale, clock, browser, theirs)] == ["requested"]
    # the shop shows `other` to its own account only: home's session is never answered with it
    [wrong] = _cancel(home, clock, browser, other)
    assert wrong.outcome.value in ("not_cancellable", "failed"), wrong
    seen = shop_admin.log()
    cancels = [(e["order_id"], e["account"]) for e in seen if e["kind"] == "cancel"]
    assert cancels == [(mine, SHOP_EMAIL), (theirs, SECOND_EMAIL)]
    assert _accounts_of(seen, other) <= {SHOP_EMAIL} and not [
        e for e in seen if e["order_id"] == other and e["kind"] == "cancel"
    ]
    # an order the database holds for one account is refused to the other: nothing reaches the shop
    with pytest.raises(WrongAccount, match=f"order {mine} belongs to account 'default', not 'resale'"):
        _cancel(resale, clock, browser, mine)
    assert len(shop_admin.log()) == len(seen)

    clock.advance(25)  # home's seller accepted at 12 h, resale's rejected at 10 h
    before = len(shop_admin.log())
    done = sweep_accounts(base, "sweep", clock=clock, browser=browser)
    swept = shop_admin.log()[before:]
    assert {name: [t.order_id for t in r.transitions] for name, r in done.items()} == {  # type: ignore[union-attr]
        "default": [mine, mine],
        "resale": [theirs, theirs],
    }
    assert _accounts_of(swept, mine) <= {SHOP_EMAIL} and _accounts_of(swept, theirs) <= {SECOND_EMAIL}
    assert {e["account"] for e in swept if e["kind"] == "api_list"} == {SHOP_EMAIL, SECOND_EMAIL}

    with (
        Store.open(base.storage.database, account="default") as home_store,
        Store.open(base.storage.database, account="resale") as resale_store,
    ):
        assert [(r.order_id, r.state.value) for r in home_store.requests()] == [(mine, "refund_pending")]
        assert [(r.order_id, r.state.value) for r in resale_store.requests()] == [(theirs, "dispute_flagged")]
        runs = {(r["command"], r["account"], r["outcome"]) for r in home_store.db.table("runs").rows}
        assert runs == {("cancel", "default", "ok"), ("cancel", "resale", "ok"),
                        ("cancel", "resale", "failed"),  # the refused one
                        ("sweep", "default", "ok"), ("sweep", "resale", "ok")}  # fmt: skip
        rows = [
            *build_report(home_store, clock(), base.policy),
            *build_report(resale_store, clock(), base.policy),
        ]
    assert [(r.order_id, r.account) for r in rows] == [(mine, "default"), (theirs, "resale")]

    # the site put one account under an anti-bot cooldown: its sweep fails, is recorded and notified,
    # and the other account is swept all the same
    Cooldown(resale.storage.state_dir, SECOND_EMAIL).start(30, "FAIL_SYS_USER_VALIDATE")
    before = len(shop_admin.log())
    with Receiver() as receiver:
        noisy = base.model_copy(update={"notify": NotifyConfig(urls=[receiver.url], summary=False)})
        again = sweep_accounts(noisy, "sweep", clock=clock, browser=browser)
    assert isinstance(again["resale"], CaptchaCooldown) and not isinstance(again["default"], Exception)
    assert "buyer-agent (resale): sweep failed" in receiver.titles()
    assert {e["account"] for e in shop_admin.log()[before:] if e["account"]} == {SHOP_EMAIL}
    with Store.open(base.storage.database, account="resale") as resale_store:
        [failed] = resale_store.events(kind="account_sweep_failed")
        assert failed.detail["kind"] == "CaptchaCooldown"
        last = list(resale_store.db.table("runs").rows_where("account = 'resale'", order_by="id"))[-1]
        assert (last["command"], last["outcome"]) == ("sweep", "needs_human")


def test_orders_of_every_account_from_the_command_line(
    tmp_path: Path, shop: ShopThread, shop_admin: ShopAdmin
) -> None:
    """`buyer-agent orders --all-accounts --json` as a user runs it: each account's own session and orders."""
    shop_admin.set_scenario(load_delay_ms=0)
    cfg = make_config(tmp_path, shop.base_url, **{"accounts.resale": {"email": SECOND_EMAIL}})
    preload_session(cfg, shop_admin)
    preload_session(cfg.for_account("resale"), shop_admin)
    theirs = shop_admin.add_orders(count=2, status="awaiting_shipment", email=SECOND_EMAIL)
    before = len(shop_admin.log())
    code, out, err = finish(agent(tmp_path / "buyer-agent.toml", "orders", "--all-accounts", "--json",
                                  "--status", "awaiting_shipment"))  # fmt: skip
    assert code == 0, err
    rows = [(r["order_id"], r["account"]) for r in json.loads(out)]
    assert sorted(oid for oid, account in rows if account == "resale") == sorted(theirs)
    mine = [oid for oid, account in rows if account == "default"]
    assert mine and not set(mine) & set(theirs)
    lists = {e["account"] for e in shop_admin.log()[before:] if e["kind"] in ("api_list", "page")}
    assert lists == {SHOP_EMAIL, SECOND_EMAIL}
    Cooldown(cfg.for_account("resale").storage.state_dir, SECOND_EMAIL).start(30, "FAIL_SYS_USER_VALIDATE")
    code, out, err = finish(agent(tmp_path / "buyer-agent.toml", "orders", "--all-accounts", "--json",
                                  "--status", "awaiting_shipment"))  # fmt: skip
    assert code == 3 and err.strip().startswith("error: account resale: ")  # a captcha: a person is needed
    assert sorted(r["order_id"] for r in json.loads(out)) == sorted(mine)  # the other account still listed
    missing = finish(agent(tmp_path / "buyer-agent.toml", "orders", "--account", "nobody"))
    assert (
        missing[0] == 2
        and missing[2].strip() == "error: unknown account 'nobody' (configured: default, resale)"
    )
