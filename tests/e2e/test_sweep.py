"""The sweep against the shop, on the shop's clock: accepting, rejecting and silent sellers, refunds on
time and overdue, a strict seller who never answers; flags, evidence and one notification per transition."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from shop_steps import pick
from sweep_steps import Agent, Receiver, ShopClock, agent_config, save_shop_session, shop_log

from agent.shop.admin import ShopAdmin
from agent.shop.server import ShopThread

pytestmark = pytest.mark.e2e


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture
def agent(
    tmp_path: Path, shop: ShopThread, shop_admin: ShopAdmin, browser: Browser, receiver: Receiver
) -> Agent:
    shop_admin.set_scenario(load_delay_ms=0)
    # card refunds are expected within 3 business days: the shop's card refunds (7 days) come late
    config = agent_config(tmp_path, shop.base_url, refund_business_days={"card": 3})
    config = config.model_copy(update={"notify": config.notify.model_copy(update={"urls": [receiver.url]})})
    save_shop_session(config, shop_admin, shop.base_url)
    return Agent(config, ShopClock(shop_admin), browser, shop_admin)


def test_sellers_refunds_flags_and_notifications(
    agent: Agent, shop_admin: ShopAdmin, receiver: Receiver
) -> None:
    accept = pick(shop_admin, "awaiting_shipment", seller="accept", seller_delay_h=12, payment="card")
    reject = pick(shop_admin, "awaiting_shipment", seller="reject", seller_delay_h=20)
    silent = pick(shop_admin, "awaiting_shipment", seller="silent", payment="wallet")
    assert [r.outcome.value for r in agent.cancel(accept, reject, silent)] == ["requested"] * 3

    agent.clock.advance(25)  # accept answered at 12 h, reject at 20 h; silent still within its 48 h
    first = agent.sweep()
    assert {(t.order_id, t.state_to.value) for t in first.transitions} == {
        (accept, "accepted"),
        (accept, "refund_pending"),
        (reject, "rejected"),
        (reject, "dispute_flagged"),
    }
    assert agent.state(silent) == "requested"

    agent.clock.advance(24)  # 49 h: the site auto-cancelled the silent seller's order at 48 h
    agent.sweep()
    agent.clock.advance(24)  # wallet refunds land a day later: on time
    agent.sweep()
    agent.clock.advance(80)  # 153 h: the card refund (shop: 7 days) is past our 3 business days
    last = agent.sweep()
    assert agent.sweep().transitions == []  # nothing new: a second look moves nothing

    assert agent.path(accept) == ["submitting", "requested", "accepted", "refund_pending", "dispute_flagged"]
    assert agent.path(reject) == ["submitting", "requested", "rejected", "dispute_flagged"]
    assert agent.path(silent) == ["submitting", "requested", "accepted", "refund_pending", "refunded"]
    assert [(t.order_id, t.code) for t in last.transitions] == [(accept, "refund_overdue")]
    with agent.store() as store:
        flagged = store.get_request(reject)
        assert flagged is not None and flagged.flagged_reason == "rejected"
        [flag] = [e for e in store.events_for(reject) if e.state_to == "dispute_flagged"]
        assert flag.evidence and Path(flag.evidence[0]).is_file()  # a screenshot of the order
        assert store.get_request(silent).refund_due is not None  # type: ignore[union-attr]
    assert shop_log(shop_admin, "dispute") == []  # auto_dispute is off by default

    agent.notify()
    agent.notify()  # a second pass sends nothing again
    titles = Counter(receiver.titles())
    assert titles == Counter(
        {
            f"buyer-agent: order {accept} accepted": 1,
            f"buyer-agent: order {accept} refund overdue": 1,
            f"buyer-agent: order {reject} rejected": 1,
            f"buyer-agent: order {reject} dispute flagged": 1,
            f"buyer-agent: order {silent} accepted": 1,
        }
    )


def test_strict_seller_stalls_and_is_flagged(agent: Agent, shop_admin: ShopAdmin) -> None:
    shop_admin.set_scenario(strict_seller=True)
    silent = pick(shop_admin, "awaiting_shipment", seller="silent", payment="wallet")
    agent.cancel(silent)
    agent.clock.advance(47)
    assert agent.sweep().transitions == []  # still within the seller's 48 h
    agent.clock.advance(2)
    result = agent.sweep()
    assert [(t.state_to.value, t.code) for t in result.transitions] == [
        ("stalled", "seller_silent"),
        ("dispute_flagged", "stalled"),
    ]
    with agent.store() as store:
        request = store.get_request(silent)
        assert request is not None and request.flagged_reason == "stalled"
    assert shop_log(shop_admin, "api_detail", silent)  # the flag's evidence is the order's own page
