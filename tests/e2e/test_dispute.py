"""Disputes against the shop: shipped despite the request → flagged → opened exactly once (shop log),
also when the sweep runs twice; dry run; a crash between the journal and the submit."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser
from shop_steps import pick
from sweep_steps import Agent, ShopClock, agent_config, save_shop_session, shop_log

from agent import journal
from agent.flows.dispute import open_dispute
from agent.shop.admin import ShopAdmin
from agent.shop.server import ShopThread

pytestmark = pytest.mark.e2e


def _agent(tmp_path: Path, shop: ShopThread, admin: ShopAdmin, browser: Browser, auto: bool) -> Agent:
    admin.set_scenario(load_delay_ms=0)
    config = agent_config(tmp_path, shop.base_url, auto_dispute=auto)
    save_shop_session(config, admin, shop.base_url)
    return Agent(config, ShopClock(admin), browser, admin)


def test_shipped_anyway_opens_one_dispute_even_when_swept_twice(
    tmp_path: Path, shop: ShopThread, shop_admin: ShopAdmin, browser: Browser
) -> None:
    agent = _agent(tmp_path, shop, shop_admin, browser, auto=True)
    order = pick(shop_admin, "awaiting_shipment", seller="reject", seller_delay_h=6)
    agent.cancel(order)
    agent.clock.advance(31)  # the seller rejected at 6 h and shipped at 30 h
    first = agent.sweep()
    assert [t.state_to.value for t in first.transitions] == [
        "shipped_anyway",
        "dispute_flagged",
        "dispute_opened",
    ]
    assert agent.sweep().transitions == []  # the dispute is open: nothing to submit again

    [entry] = shop_log(shop_admin, "dispute")
    assert entry["order_id"] == order and entry["detail"]["reason"] == "Other"
    assert "I asked to cancel this order" in entry["detail"]["message"]
    assert "The seller shipped the order although I had asked to cancel it." in entry["detail"]["message"]
    assert "_" not in entry["detail"]["message"] and " on ?" not in entry["detail"]["message"]  # no codes
    assert entry["detail"]["files"] and entry["detail"]["files"][0].endswith(".png")  # the flag's screenshot

    shop_admin.resolve_dispute(order, "refund")
    agent.clock.advance(24 * 8)  # the refund granted by the dispute lands
    agent.sweep()
    assert agent.path(order)[-2:] == ["dispute_opened", "dispute_resolved"]
    assert len(shop_log(shop_admin, "dispute")) == 1


def test_dry_run_then_a_crash_before_the_submit(
    tmp_path: Path, shop: ShopThread, shop_admin: ShopAdmin, browser: Browser
) -> None:
    agent = _agent(tmp_path, shop, shop_admin, browser, auto=False)
    order = pick(shop_admin, "awaiting_shipment", seller="reject", seller_delay_h=6)
    agent.cancel(order)
    agent.clock.advance(31)
    agent.sweep()
    assert agent.state(order) == "dispute_flagged"

    dry = agent.run("dispute", lambda rt: open_dispute(rt, order, dry_run=True))
    assert dry.outcome == "dry_run" and shop_log(shop_admin, "dispute") == []

    with agent.store() as store:  # a run journalled the dispute, then died before its submit
        dead = store.start_run("dispute")
        store.begin_attempt(order, "dispute", dead, reason_text="Other")
        store.end_run(dead, "failed")
    done = agent.run("dispute", lambda rt: open_dispute(rt, order))
    again = agent.run("dispute", lambda rt: open_dispute(rt, order))
    assert (done.outcome, again.outcome) == ("opened", "already_opened")
    assert len(shop_log(shop_admin, "dispute", order)) == 1
    with agent.store() as store:
        kinds = [(e.kind, e.detail.get("outcome")) for e in store.events_for(order)
                 if e.kind.startswith("dispute_")
                 or (e.kind.startswith("submission_") and e.detail.get("action") == "dispute")]  # fmt: skip
    assert kinds == [
        ("dispute_dry_run", None),
        (journal.BEGUN, None), (journal.CLOSED, "not_submitted"),  # nothing had left: voided, then …
        (journal.BEGUN, None), (journal.SENT, None), (journal.ANSWERED, None),  # … submitted once
        (journal.CLOSED, "opened"),
    ]  # fmt: skip
