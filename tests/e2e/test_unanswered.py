"""Nothing falls out of the watch, on the shop's clock: the sweep settles an interrupted submission the way
cancel does (the journal's rule), every way into `requested` carries its deadlines, a paid order cancelled
at once is watched until its refund lands, and a dropped dispute submit is never called opened."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser
from sweep_steps import Agent, ShopClock, agent_config, save_shop_session, shop_log

from agent import journal
from agent.flows.cancel import cancel_orders
from agent.flows.dispute import open_dispute
from agent.models import CancelOutcome, RequestState
from agent.shop.admin import ShopAdmin
from agent.shop.server import ShopThread
from tests.e2e.agent_support import SHOP_PASSWORD, pick_order

pytestmark = pytest.mark.e2e
S = RequestState


@pytest.fixture
def agent(tmp_path: Path, shop: ShopThread, shop_admin: ShopAdmin, browser: Browser,
          monkeypatch: pytest.MonkeyPatch) -> Agent:  # fmt: skip
    monkeypatch.setenv("BUYER_AGENT_PASSWORD", SHOP_PASSWORD)
    shop_admin.set_scenario(load_delay_ms=0)
    config = agent_config(tmp_path, shop.base_url, unanswered_click_hours=24)
    save_shop_session(config, shop_admin, shop.base_url)
    return Agent(config, ShopClock(shop_admin), browser, shop_admin)


def interrupted(agent: Agent, order_id: str, *, sent: bool) -> None:
    """A `submitting` row left by a run that is over, with (or without) a request that left the browser."""
    with agent.store() as store:
        run = store.start_run("cancel")
        store.begin_submission(order_id, "changed_mind", "I don't want it anymore", run)
        if sent:
            store.add_event(journal.SENT, order_id=order_id, run_id=run, detail={"action": "cancel"})
        store.end_run(run, "failed")


def test_the_sweep_never_fails_a_click_it_cannot_prove_untaken(agent: Agent, shop_admin: ShopAdmin) -> None:
    untaken, sent, shipped = [o["order_id"] for o in shop_admin.orders()
                              if o["status"] == "awaiting_shipment" and not o["picked_up"]][:3]  # fmt: skip
    interrupted(agent, untaken, sent=False)
    interrupted(agent, sent, sent=True)
    interrupted(agent, shipped, sent=False)
    shop_admin.ship(shipped)  # the order moved on meanwhile: nobody can tell what the click did

    agent.sweep()

    assert agent.state(untaken) == "failed"  # nothing left the browser and its run is over
    assert agent.state(sent) == "submitting"  # pending: the site may still show it
    assert agent.state(shipped) == "needs_human"  # never `failed`: a person looks, like cancel does
    agent.clock.advance(25)  # past policy.unanswered_click_hours and the site still shows nothing
    agent.sweep()
    assert agent.state(sent) == "needs_human"
    assert shop_log(shop_admin, "cancel") == []  # the sweep never clicks


def test_a_request_the_sweep_reconciles_gets_its_deadlines_and_can_stall(
    agent: Agent, shop_admin: ShopAdmin
) -> None:
    shop_admin.set_scenario(strict_seller=True)  # nobody auto-cancels: the request can only stall
    order_id = pick_order(shop_admin, "awaiting_shipment", picked_up=False, seller="silent")
    interrupted(agent, order_id, sent=True)
    shop_admin.cancel_elsewhere(order_id)  # the slow click landed after the run gave up
    agent.sweep()
    with agent.store() as store:
        request = store.get_request(order_id)
    assert request is not None and request.state is S.REQUESTED
    assert request.seller_deadline is not None and request.dispute_deadline is not None
    agent.clock.advance(72)
    agent.sweep()
    assert agent.path(order_id)[-2:] == ["stalled", "dispute_flagged"]


def test_a_paid_order_cancelled_at_once_is_watched_until_the_refund_lands(
    agent: Agent, shop_admin: ShopAdmin
) -> None:
    order_id = pick_order(shop_admin, "payment_verifying")
    (result,) = agent.cancel(order_id)
    assert result.outcome is CancelOutcome.CANCELLED
    with agent.store() as store:
        request = store.get_request(order_id)
    assert request is not None and request.refund_due is not None and request.dispute_deadline is not None
    agent.clock.advance(24 * 12)  # the shop refunds within days
    agent.sweep()
    assert agent.path(order_id)[-3:] == ["cancelled", "refund_pending", "refunded"]


def test_the_status_is_asked_again_after_the_persons_yes(agent: Agent, shop_admin: ShopAdmin) -> None:
    order_id = pick_order(shop_admin, "awaiting_shipment", picked_up=False)

    def slow_yes(detail: object, reason: str) -> bool:
        shop_admin.ship(order_id)  # while the person reads the prompt, the seller ships
        return True

    (result,) = agent.run("cancel", lambda rt: cancel_orders(rt, [order_id], "changed_mind",
                                                             confirm=slow_yes))
    assert result.outcome is CancelOutcome.FAILED and "meanwhile: nothing clicked" in result.message
    assert shop_log(shop_admin, "cancel") == []


def test_a_dropped_dispute_submit_is_never_called_opened(agent: Agent, shop_admin: ShopAdmin) -> None:
    order_id = pick_order(shop_admin, "awaiting_delivery")
    with agent.store() as store:
        store.insert_request(order_id, S.SHIPPED_ANYWAY)
    shop_admin.faults(path="reverse-pages/start.html", method="POST", kind="drop")

    result = agent.run("dispute", lambda rt: open_dispute(rt, order_id))

    assert result.outcome != "opened" and agent.state(order_id) == "dispute_flagged"  # still watched
    assert "can't be disputed right now" in result.message  # what the site shows, in its words
    again = agent.run("dispute", lambda rt: open_dispute(rt, order_id))
    assert again.outcome == "pending" and shop_log(shop_admin, "dispute") == []  # not sent again
