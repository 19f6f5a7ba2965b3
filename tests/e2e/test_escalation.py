"""Escalation before a dispute against the shop, on the shop's clock: the sweep messages the seller, then
customer service, then flags the request (auto_escalate); a message by hand is sent once (dry run sends
nothing, a rerun nothing more); an answer that never came is pending, then reconciled from the page."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from shop_steps import pick
from sweep_steps import Agent, ShopClock, agent_config, save_shop_session, shop_log

from agent import journal
from agent.config_file import load_config
from agent.flows.dispute import build_message
from agent.flows.escalate import ASK, send_message
from agent.models import RequestState
from agent.shop.admin import ShopAdmin
from agent.shop.server import ShopThread
from agent.store import Store
from jobs.report import build_report
from tests.e2e.process_support import agent, finish
from tests.store_helpers import move

pytestmark = pytest.mark.e2e
ASK_SUPPORT = ASK["support"]
SLOW_MS = 120_000  # a `commit` fault holds the send until the test releases it (the agent waits 3 s)


def _agent(tmp_path: Path, shop: ShopThread, admin: ShopAdmin, browser: Browser, **policy: Any) -> Agent:
    admin.set_scenario(load_delay_ms=0, strict_seller=True)  # nobody auto-cancels: the request stalls
    config = agent_config(tmp_path, shop.base_url, **policy)
    config = config.model_copy(update={"browser": config.browser.model_copy(update={"timeout_ms": 3000})})
    save_shop_session(config, admin, shop.base_url)
    return Agent(config, ShopClock(admin), browser, admin)


def _requested(agent: Agent, admin: ShopAdmin, cancel: bool = False) -> str:
    """A watched request for a seeded order: cancelled through the agent, or recorded as a cancel leaves
    it (the order awaits shipment: its detail offers "Contact seller" all the same)."""
    order = pick(admin, "awaiting_shipment", seller="silent", payment="wallet")
    if cancel:
        assert [r.outcome.value for r in agent.cancel(order)] == ["requested"]
    else:
        with agent.store() as store:
            move(store, order, RequestState.REQUESTED, reason_text="I don't want it anymore")
    return order


def _next_step(agent: Agent, order: str) -> str:
    with agent.store() as store:
        rows = build_report(store, agent.clock(), agent.config.policy)
    return next(r.next_step for r in rows if r.order_id == order)


def _messages(admin: ShopAdmin, order: str) -> list[tuple[str, str]]:
    return [(e["detail"]["to"], e["detail"]["text"]) for e in shop_log(admin, "message", order)]


def test_sweep_messages_the_seller_then_support_then_flags(
    tmp_path: Path, shop: ShopThread, shop_admin: ShopAdmin, browser: Browser
) -> None:
    agent = _agent(tmp_path, shop, shop_admin, browser, auto_escalate=True, escalate_seller_after_hours=12,
                   escalate_support_after_hours=36)  # fmt: skip
    order = _requested(agent, shop_admin, cancel=True)
    agent.clock.advance(49)  # past the seller's 48 h: the request stalls at the next sweep
    stalled_at = agent.clock()
    first = agent.sweep()
    assert [(t.state_to.value, t.code) for t in first.transitions] == [("stalled", "seller_silent")]
    assert first.messages == [] and _messages(shop_admin, order) == []  # not flagged, nobody messaged yet
    seller_due = stalled_at + dt.timedelta(hours=12)
    assert _next_step(agent, order) == (
        f"message the seller from {seller_due:%Y-%m-%d %H:%M}: buyer-agent message {order} --to seller "
        "(the sweep does it: policy.auto_escalate)"
    )

    agent.clock.advance(12)
    second = agent.sweep()
    assert [(m.level, m.outcome) for m in second.messages] == [("seller", "sent")]
    [(to, text)] = _messages(shop_admin, order)
    assert to == "seller" and text == second.messages[0].text
    assert text.startswith(f"Order {order}\nI asked to cancel this order on ")
    assert "The seller never answered my cancellation request, due by " in text and "_" not in text
    assert agent.sweep().messages == []  # the same hour again: the seller is never messaged twice
    assert _next_step(agent, order).startswith("the seller was messaged; next, customer service from ")

    agent.clock.advance(24)  # 36 h after the stall, 24 h after the seller's message
    third = agent.sweep()
    assert [(m.level, m.outcome) for m in third.messages] == [("support", "sent")]
    assert [to for to, _ in _messages(shop_admin, order)] == ["seller", "support"]
    assert "I wrote to the seller about it." in _messages(shop_admin, order)[1][1]
    assert third.transitions == [] and agent.state(order) == "stalled"
    assert _next_step(agent, order).startswith("the seller and customer service were messaged; next, open a")

    agent.clock.advance(24)  # support had its 24 h too: now the dispute flag
    fourth = agent.sweep()
    assert [(t.state_to.value, t.code) for t in fourth.transitions] == [("dispute_flagged", "stalled")]
    assert fourth.messages == [] and len(_messages(shop_admin, order)) == 2
    with agent.store() as store:
        request = store.get_request(order)
        assert request is not None
        dispute_text = build_message(store, request)
    assert "I wrote to the seller about it." in dispute_text
    assert "I wrote to AliExpress customer service about it." in dispute_text


def test_message_by_hand_once_and_dry_run_sends_nothing(
    tmp_path: Path, shop: ShopThread, shop_admin: ShopAdmin, browser: Browser
) -> None:
    agent = _agent(tmp_path, shop, shop_admin, browser)
    order = _requested(agent, shop_admin)  # a message may be sent by hand at any time (not only stalled)

    dry = agent.run("message", lambda rt: send_message(rt, order, "seller", dry_run=True))
    assert dry.outcome == "dry_run" and dry.text.startswith(f"Order {order}")
    assert shop_log(shop_admin, "message") == []
    sent = agent.run("message", lambda rt: send_message(rt, order, "seller"))
    again = agent.run("message", lambda rt: send_message(rt, order, "seller"))
    assert (sent.outcome, again.outcome) == ("sent", "already_sent")
    assert _messages(shop_admin, order) == [("seller", sent.text)]
    assert agent.state(order) == "requested"  # an escalation is an event, never a state
    with agent.store() as store:
        kinds = [
            (e.kind, e.detail.get("outcome"))
            for e in store.events_for(order)
            if e.kind in ("message_dry_run", "escalated") or e.detail.get("action") == "message_seller"
        ]
    assert kinds == [
        ("message_dry_run", None),
        (journal.BEGUN, None), (journal.SENT, None), (journal.ANSWERED, None),
        ("escalated", None), (journal.CLOSED, "sent"),
    ]  # fmt: skip


def test_unanswered_send_is_pending_then_reconciled_from_the_page(
    tmp_path: Path, shop: ShopThread, shop_admin: ShopAdmin, browser: Browser
) -> None:
    agent = _agent(tmp_path, shop, shop_admin, browser)
    order = _requested(agent, shop_admin)
    shop_admin.faults(path="/p/support/contact.html", method="POST", kind="commit", delay_ms=SLOW_MS)
    first = agent.run("message", lambda rt: send_message(rt, order, "support"))
    assert first.outcome == "pending" and shop_log(shop_admin, "message") == []  # held by the slow backend
    assert agent.run("message", lambda rt: send_message(rt, order, "support")).outcome == "pending"

    shop_admin.release_commits()  # the backend gets to it at last
    assert shop_admin.wait_for_log("message", order)
    settled = agent.run("message", lambda rt: send_message(rt, order, "support"))
    assert settled.outcome == "sent" and settled.message.startswith("reconciled")
    assert [to for to, _ in _messages(shop_admin, order)] == ["support"]  # sent once, never again
    assert agent.run("message", lambda rt: send_message(rt, order, "support")).outcome == "already_sent"
    assert len(shop_log(shop_admin, "received")) == 1


def test_dropped_send_goes_to_a_person_and_is_never_repeated(
    tmp_path: Path, shop: ShopThread, shop_admin: ShopAdmin, browser: Browser
) -> None:
    agent = _agent(tmp_path, shop, shop_admin, browser, unanswered_click_hours=6)
    order = _requested(agent, shop_admin)
    shop_admin.faults(path="/p/message/index.html", method="POST", kind="drop")
    assert agent.run("message", lambda rt: send_message(rt, order, "seller")).outcome == "pending"
    agent.clock.advance(7)  # past unanswered_click_hours with nothing in the conversation
    late = agent.run("message", lambda rt: send_message(rt, order, "seller"))
    assert late.outcome == "needs_human" and agent.state(order) == "requested"  # the state is untouched
    assert agent.run("message", lambda rt: send_message(rt, order, "seller")).outcome == "needs_human"
    assert shop_log(shop_admin, "message") == [] and len(shop_log(shop_admin, "fault")) == 1


def test_a_person_messages_the_seller_and_support_in_the_shop(logged_in: Page, shop_admin: ShopAdmin) -> None:
    order = pick(shop_admin, "awaiting_shipment")
    logged_in.goto(f"/p/order/detail.html?orderId={order}")
    logged_in.locator(".order-status").get_by_role("link", name="Contact seller").click()
    expect(logged_in).to_have_url(f"{shop_admin.base_url}/p/message/index.html?orderId={order}")
    logged_in.get_by_role("button", name="Send", exact=True).click()  # nothing typed: refused, nothing sent
    expect(logged_in.get_by_role("alert")).to_have_text("Please enter a message.")
    logged_in.get_by_label("Type a message").fill("Where is <b>my</b> order?")
    logged_in.get_by_role("button", name="Send", exact=True).click()
    conversation = logged_in.get_by_role("region", name="Conversation")
    expect(conversation.get_by_role("listitem")).to_contain_text(["Where is <b>my</b> order?"])  # escaped

    logged_in.goto(f"/p/support/contact.html?orderId={order}")
    logged_in.get_by_label("Describe your issue").fill("The seller does not answer.")
    logged_in.get_by_role("button", name="Submit").click()
    expect(logged_in.get_by_role("status")).to_contain_text("We have received your request.")
    requests = logged_in.get_by_role("region", name="Your requests about this order")
    expect(requests.get_by_role("listitem")).to_contain_text(["The seller does not answer."])
    assert _messages(shop_admin, order) == [("seller", "Where is <b>my</b> order?"),
                                           ("support", "The seller does not answer.")]  # fmt: skip
    assert [e["detail"]["text"] for e in shop_log(shop_admin, "message_rejected")] == [""]


def test_the_agent_messages_the_seller_on_a_hostile_page(
    tmp_path: Path, shop: ShopThread, shop_admin: ShopAdmin, browser: Browser
) -> None:
    """pt-BR, the icon menu, every pop-up over the button bar: "Contatar vendedor" is found by its name."""
    agent = _agent(tmp_path, shop, shop_admin, browser)
    shop_admin.set_scenario("hostile", load_delay_ms=0)
    order = pick(shop_admin, "awaiting_shipment")
    with agent.store() as store:
        move(store, order, RequestState.REQUESTED, reason_text="Não quero mais")
    sent = agent.run("message", lambda rt: send_message(rt, order, "seller"))
    assert sent.outcome == "sent", sent.message
    assert _messages(shop_admin, order) == [("seller", sent.text)]
    assert 'giving the reason "Não quero mais"' in sent.text


def test_the_message_command_in_its_own_process(cfg_path: Path, shop_admin: ShopAdmin) -> None:
    """`buyer-agent message --dry-run --json` as a user runs it (one process: the send itself is tested
    in-process above): exit 0, the documented JSON, the text written into the page, nothing sent."""
    order = pick(shop_admin, "awaiting_shipment")
    with Store.open(load_config(str(cfg_path)).storage.database) as store:
        move(store, order, RequestState.REQUESTED, reason_text="I don't want it anymore")
    code, out, err = finish(agent(cfg_path, "message", order, "--to", "support", "--dry-run", "--json"))
    assert code == 0, err
    shown = json.loads(out)
    assert {k: shown[k] for k in ("order_id", "level", "outcome", "state")} == {
        "order_id": order, "level": "support", "outcome": "dry_run", "state": "requested"
    }  # fmt: skip
    assert shown["text"].startswith(f"Order {order}\nI asked to cancel this order")
    assert shown["text"].endswith(ASK_SUPPORT) and shop_log(shop_admin, "message") == []
