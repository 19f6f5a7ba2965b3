"""The sweep's reading side against the shop: My Orders through the signed API (the screen when it
refuses), refund facts from the returns/refunds list instead of the detail page, every kind of the
error table (fallback, re-login or stop), and the time-range filter missing or custom on screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser
from shop_steps import pick
from sweep_steps import Agent, ShopClock, agent_config, save_shop_session

from agent.errors import NeedsHuman
from agent.shop.admin import ShopAdmin
from agent.shop.seed import SHOP_PASSWORD
from agent.shop.server import ShopThread

pytestmark = pytest.mark.e2e


@pytest.fixture
def agent(
    tmp_path: Path, shop: ShopThread, shop_admin: ShopAdmin, browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> Agent:
    monkeypatch.setenv("BUYER_AGENT_PASSWORD", SHOP_PASSWORD)
    shop_admin.set_scenario(load_delay_ms=0)
    config = agent_config(tmp_path, shop.base_url)
    save_shop_session(config, shop_admin, shop.base_url)
    return Agent(config, ShopClock(shop_admin), browser, shop_admin)


def accepted_after_a_while(agent: Agent, shop_admin: ShopAdmin) -> str:
    """One order cancelled, then the shop clock past the seller's acceptance: closed, refund running."""
    order_id = pick(shop_admin, "awaiting_shipment", seller="accept", seller_delay_h=12)
    assert [r.outcome.value for r in agent.cancel(order_id)] == ["requested"]
    agent.clock.advance(13)
    return order_id


def events(agent: Agent, kind: str) -> list[dict[str, Any]]:
    with agent.store() as store:
        return [dict(e.detail, order_id=e.order_id) for e in store.events(kind=kind)]


def since(admin: ShopAdmin, kind: str, seq: int, source: str | None = None) -> list[dict[str, Any]]:
    return [
        e for e in admin.log(kind=kind, since=seq) if source is None or e["detail"].get("source") == source
    ]


def test_refunds_come_from_the_refunds_list_not_the_detail_page(agent: Agent, shop_admin: ShopAdmin) -> None:
    order_id = accepted_after_a_while(agent, shop_admin)
    seq = shop_admin.log()[-1]["seq"]
    first = agent.sweep()
    assert [(t.state_to.value, t.code) for t in first.transitions] == [
        ("accepted", "seller_accepted"),
        ("refund_pending", "refund_started"),
    ]
    assert first.details_read == 0 and since(shop_admin, "api_detail", seq) == []  # no detail page at all
    callers = [e["detail"]["source"] for e in since(shop_admin, "api_list", seq)]
    assert callers.count("page") == 1 and "agent" in callers  # My Orders opened once; the rows by API
    reverse = since(shop_admin, "api_reverse", seq, "agent")
    assert {e["detail"]["reverseStatus"] for e in reverse} == {2, 4}
    [seen] = [e for e in events(agent, "observed") if e.get("source") == "refunds"]
    assert seen["order_id"] == order_id and seen["refund"] == "in_progress" and seen["amount"]
    agent.clock.advance(24 * 10)  # the refund lands
    seq = shop_admin.log()[-1]["seq"]
    last = agent.sweep()
    assert [t.state_to.value for t in last.transitions] == ["refunded"] and last.details_read == 0
    assert since(shop_admin, "api_detail", seq) == []
    assert agent.path(order_id)[-3:] == ["accepted", "refund_pending", "refunded"]


def test_a_refusing_refunds_list_leaves_the_refund_to_the_detail_page(
    agent: Agent, shop_admin: ShopAdmin
) -> None:
    order_id = accepted_after_a_while(agent, shop_admin)
    shop_admin.mtop_faults(code="FAIL_SYS_ACCESS_DENIED", api="reverse", count=1, source="agent")
    seq = shop_admin.log()[-1]["seq"]
    result = agent.sweep()
    assert [t.state_to.value for t in result.transitions] == ["accepted", "refund_pending"]
    assert result.details_read == 1 and [e["order_id"] for e in since(shop_admin, "api_detail", seq)] == [
        order_id
    ]
    assert [(e["what"], e["refusal"]) for e in events(agent, "api_refused")] == [
        ("reading refunds", "denied")
    ]


FAULTS = [
    ("FAIL_SYS_ACCESS_DENIED", 1, "screen"),
    ("UNKNOWN_FAIL_CODE", 1, "screen"),
    ("FAIL_SYS_TOKEN_EXOIRED", 3, "screen"),
    ("FAIL_SYS_TRAFFIC_LIMIT", 3, "screen"),
    ("FAIL_SYS_TRAFFIC_LIMIT", 2, "api"),
    ("FAIL_SYS_SESSION_EXPIRED", 1, "login"),
    ("FAIL_SYS_USER_VALIDATE", 1, "stop"),
]


@pytest.mark.parametrize(("code", "count", "path"), FAULTS)
def test_each_error_kind_of_the_list(
    agent: Agent, shop_admin: ShopAdmin, code: str, count: int, path: str
) -> None:
    order_id = accepted_after_a_while(agent, shop_admin)
    shop_admin.mtop_faults(code=code, api="order.list", count=count, source="agent")
    seq = shop_admin.log()[-1]["seq"]
    if path == "stop":
        with pytest.raises(NeedsHuman, match=r"needs a human: .*FAIL_SYS_USER_VALIDATE.* until \d\d:\d\d"):
            agent.sweep()
        assert agent.state(order_id) == "requested"  # nothing decided on a partial look
        assert (
            since(shop_admin, "api_list", seq, "page")[1:] == []
        )  # no screen fallback after the page's load
        assert since(shop_admin, "api_reverse", seq) == []
        return
    result = agent.sweep()
    assert [t.state_to.value for t in result.transitions] == ["accepted", "refund_pending"]
    refusals = [e["refusal"] for e in events(agent, "api_refused")]
    lists = since(shop_admin, "api_list", seq)
    if path == "screen":
        assert refusals == [{"FAIL_SYS_TOKEN_EXOIRED": "token", "FAIL_SYS_TRAFFIC_LIMIT": "traffic",
                             "FAIL_SYS_ACCESS_DENIED": "denied"}.get(code, "other")]  # fmt: skip
        assert "agent" not in {e["detail"]["source"] for e in lists}
    else:
        assert refusals == [] and "agent" in {e["detail"]["source"] for e in lists}
    if path == "login":
        assert [e["detail"]["step"] for e in since(shop_admin, "login", seq)][-1] == "done"


@pytest.mark.parametrize("time_filter", ["none", "custom", "select"])
def test_the_screen_path_with_the_time_filter_missing_or_custom(
    agent: Agent, shop_admin: ShopAdmin, time_filter: str
) -> None:
    agent.config = agent.config.model_copy(
        update={"api": agent.config.api.model_copy(update={"enabled": False})}
    )
    order_id = accepted_after_a_while(agent, shop_admin)
    shop_admin.set_scenario(time_filter=time_filter)
    seq = shop_admin.log()[-1]["seq"]
    result = agent.sweep()
    assert [t.state_to.value for t in result.transitions] == ["accepted", "refund_pending"]
    asked = {e["detail"]["timeOption"] for e in since(shop_admin, "api_list", seq)}
    unavailable = [e["control"] for e in events(agent, "filter_unavailable")]
    if time_filter == "none":
        assert unavailable == ["time_range"] and asked == {"all"}  # read everything, filtered here
    else:
        assert unavailable == [] and "6m" in asked
    assert agent.path(order_id)[-2:] == ["accepted", "refund_pending"]
