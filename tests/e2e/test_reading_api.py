"""Every read goes through the signed API, with the screen as fallback: `orders` (list_orders) and
`show` against the shop, for each kind of the error table — what the shop received proves the path
taken (the agent's calls carry no Sec-Fetch-Mode; the pages' do)."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser

from agent.config import Config
from agent.errors import CaptchaCooldown, OrderNotFound
from agent.flows.orders import list_orders, show_order
from agent.flows.runtime import Runtime, open_runtime
from agent.models import Order, OrderStatus
from agent.shop.admin import ShopAdmin
from agent.store import Store
from tests.e2e.agent_support import SHOP_PASSWORD, make_config, preload_session

pytestmark = pytest.mark.e2e


@pytest.fixture
def cfg(shop, shop_admin: ShopAdmin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Config:
    monkeypatch.setenv("BUYER_AGENT_PASSWORD", SHOP_PASSWORD)  # for a re-login after a session expiry
    shop_admin.set_scenario(load_delay_ms=0)
    config = make_config(tmp_path, shop.base_url)
    preload_session(config, shop_admin)
    return config


class Run:
    def __init__(self, config: Config, browser: Browser) -> None:
        self.config, self.browser = config, browser

    def __call__(self, step: Any, **api: Any) -> Any:
        config = self.config
        if api:
            config = config.model_copy(update={"api": config.api.model_copy(update=api)})
        with (
            Store.open(config.storage.database) as store,
            open_runtime(config, store, "t", browser=self.browser) as rt,
        ):
            return step(rt)

    def events(self, kind: str) -> list[dict[str, Any]]:
        with Store.open(self.config.storage.database) as store:
            return [e.detail for e in store.events(kind=kind)]


@pytest.fixture
def run(cfg: Config, browser: Browser) -> Iterator[Run]:
    yield Run(cfg, browser)


def rows(orders: list[Order]) -> list[tuple[Any, ...]]:
    return [
        (o.order_id, o.status, o.status_text, o.placed_at, o.store_name, o.total, len(o.items))
        for o in orders
    ]


def sources(admin: ShopAdmin, kind: str = "api_list") -> list[str]:
    return [e["detail"]["source"] for e in admin.log(kind=kind)]


@pytest.mark.parametrize("scenario", ["default", "pt_BR"])
def test_the_api_and_the_screen_agree(run: Run, shop_admin: ShopAdmin, scenario: str) -> None:
    shop_admin.set_scenario(scenario, load_delay_ms=0)
    from_api = run(list_orders)
    agent_calls = [e for e in shop_admin.log(kind="api_list") if e["detail"]["source"] == "agent"]
    assert [e["detail"]["method"] for e in agent_calls] == ["GET"] + ["POST"] * (len(agent_calls) - 1)
    since = len(shop_admin.log())
    on_screen = run(list_orders, enabled=False)
    assert rows(from_api) == rows(on_screen)
    assert len(from_api) == len([o for o in shop_admin.orders() if not o["deleted"]]) > 10
    assert all(o.status is not OrderStatus.UNKNOWN for o in from_api)
    assert {e["detail"]["source"] for e in shop_admin.log(kind="api_list", since=since)} == {"page"}


def test_every_filter_on_the_api_and_on_screen(run: Run, shop_admin: ShopAdmin) -> None:
    today = dt.date.today()
    args = dict(status=OrderStatus.COMPLETED, since=today - dt.timedelta(days=300), until=today, search="a")
    from_api = run(lambda rt: list_orders(rt, **args))
    on_screen = run(lambda rt: list_orders(rt, **args), enabled=False)
    assert rows(from_api) == rows(on_screen) and from_api
    assert all(o.status is OrderStatus.COMPLETED and args["since"] <= o.placed_at <= today for o in from_api)
    asked = {(a["source"], a["statusTab"], a["timeOption"], a["searchInput"])
             for a in (e["detail"] for e in shop_admin.log(kind="api_list"))}  # fmt: skip
    assert {("agent", "completed", "1y", "a"), ("page", "completed", "1y", "a")} <= asked  # both narrowed
    assert run.events("filter_unavailable") == []


FALLBACKS = [
    ("FAIL_SYS_TOKEN_EXOIRED", 3, "token"),  # the token rotates on each of the client's 3 rounds
    ("FAIL_SYS_TRAFFIC_LIMIT", 3, "traffic"),
    ("FAIL_SYS_ACCESS_DENIED", 1, "denied"),
    ("UNKNOWN_FAIL_CODE", 1, "other"),
]


@pytest.mark.parametrize(("code", "count", "refusal"), FALLBACKS)
def test_a_refusal_falls_back_to_the_screen(
    run: Run, shop_admin: ShopAdmin, code: str, count: int, refusal: str
) -> None:
    expected = [o["order_id"] for o in shop_admin.orders() if not o["deleted"]]
    shop_admin.mtop_faults(code=code, api="order.list", count=count, source="agent")
    found = run(list_orders)
    assert [o.order_id for o in found] == expected
    [event] = run.events("api_refused")
    assert (event["refusal"], event["code"]) == (refusal, code)
    fails = [e["detail"] for e in shop_admin.log(kind="mtop_fail") if e["detail"]["source"] == "agent"]
    assert [f["code"] for f in fails].count(code) == count
    assert "page" in sources(shop_admin) and "agent" not in sources(shop_admin)  # the screen read it all


def test_traffic_below_the_tries_is_absorbed(run: Run, shop_admin: ShopAdmin) -> None:
    shop_admin.mtop_faults(code="FAIL_SYS_TRAFFIC_LIMIT", api="order.list", count=2, source="agent")
    found = run(list_orders)
    assert len(found) > 10 and run.events("api_refused") == []
    assert sources(shop_admin).count("agent") == len(found) // 10 + 1  # every page from the API


def test_an_expired_session_logs_in_again(run: Run, shop_admin: ShopAdmin) -> None:
    shop_admin.mtop_faults(code="FAIL_SYS_SESSION_EXPIRED", api="order.list", count=1, source="agent")
    found = run(list_orders)
    assert len(found) == len([o for o in shop_admin.orders() if not o["deleted"]])
    assert [e["detail"]["step"] for e in shop_admin.log(kind="login")][-1] == "done"  # logged in again
    assert run.events("api_refused") == [] and "agent" in sources(shop_admin)


def test_a_captcha_verdict_stops_and_cools_down(run: Run, shop_admin: ShopAdmin) -> None:
    shop_admin.mtop_faults(code="FAIL_SYS_USER_VALIDATE", api="order.list", count=1, source="agent")
    with pytest.raises(CaptchaCooldown, match=r"until \d\d:\d\d"):
        run(list_orders)
    assert "agent" not in sources(shop_admin)  # nothing read after the verdict, by API or screen
    screen_reads = sources(shop_admin).count("page")
    before = len(shop_admin.log())
    with pytest.raises(CaptchaCooldown):
        run(list_orders)  # a new run: stopped before touching the site
    assert len(shop_admin.log()) == before and sources(shop_admin).count("page") == screen_reads
    with pytest.raises(CaptchaCooldown):
        run(lambda rt: show_order(rt, shop_admin.orders()[0]["order_id"]))


def test_show_uses_the_detail_call_and_the_page_otherwise(run: Run, shop_admin: ShopAdmin) -> None:
    order = next(o for o in shop_admin.orders() if o["status"] == "cancellation_requested")
    from_api = run(lambda rt: show_order(rt, order["order_id"]))
    assert sources(shop_admin, "api_detail") == ["agent"]
    assert not [e for e in shop_admin.log(kind="page") if "detail" in e["detail"]["path"]]
    shop_admin.mtop_faults(code="FAIL_SYS_ACCESS_DENIED", api="order.detail", count=1, source="agent")
    on_screen = run(lambda rt: show_order(rt, order["order_id"]))
    assert sources(shop_admin, "api_detail") == ["agent", "page"]
    assert [e["refusal"] for e in run.events("api_refused")] == ["denied"]
    same = (
        "order_id",
        "status",
        "status_text",
        "placed_at",
        "store_name",
        "total",
        "payment_method",
        "reminder",
    )
    assert from_api.model_dump(include=set(same)) == on_screen.model_dump(include=set(same))
    assert from_api.items == on_screen.items and from_api.is_deposit == on_screen.is_deposit
    assert from_api.seller_deadline is not None and on_screen.seller_deadline is not None


def test_show_an_unknown_order_reads_the_page_and_fails_clearly(run: Run, shop_admin: ShopAdmin) -> None:
    with pytest.raises(OrderNotFound):
        run(lambda rt: show_order(rt, "8000000000000001"))
    [event] = run.events("api_refused")
    assert event["code"] == "FAIL_BIZ_ORDER_NOT_FOUND"


def _rt_api(rt: Runtime) -> Any:
    return rt.api()


def test_the_runtime_reader_follows_the_config(run: Run) -> None:
    assert run(_rt_api) is not None and run(_rt_api, enabled=False) is None
    tz = run(lambda rt: rt.api().client.time_zone)
    assert re.fullmatch(r"GMT[+-]\d{1,2}(:\d\d)?", tz)


def test_the_command_exits_3_with_the_cooldown_end(cfg: Config, shop_admin: ShopAdmin) -> None:
    shop_admin.mtop_faults(code="FAIL_SYS_USER_VALIDATE", api="order.list", count=1, source="agent")
    env = dict(os.environ, BUYER_AGENT_PASSWORD=SHOP_PASSWORD)
    command = [
        sys.executable,
        "-m",
        "agent",
        "orders",
        "--config",
        str(cfg.storage.database.parent / "buyer-agent.toml"),
    ]
    for _ in range(2):  # the verdict, then a second process kept off the site by the cooldown
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=False)
        assert done.returncode == 3, done.stderr
        assert re.search(r"needs a human: .*FAIL_SYS_USER_VALIDATE.*until \d\d:\d\d", done.stderr), (
            done.stderr
        )
        assert "Traceback" not in done.stderr
    assert (
        len([e for e in shop_admin.log(kind="mtop_fail") if e["detail"]["code"] == "FAIL_SYS_USER_VALIDATE"])
        == 1
    )
