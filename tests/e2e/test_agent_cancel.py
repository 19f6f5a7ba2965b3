"""The agent (not hand-written steps) cancels in every shop layout, reasons widget and locale, through
popups and late rendering — exactly once, with the right reason — and refuses what it must refuse."""

from __future__ import annotations

import json

import pytest

from agent import journal
from agent.models import CancelOutcome, RequestState
from agent.shop.scenarios import LAYOUTS
from agent.store import Store
from tests.e2e.agent_support import (
    SHOP_PASSWORD,
    make_config,
    pick_order,
    preload_session,
    run_cancel,
    submissions,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUYER_AGENT_PASSWORD", SHOP_PASSWORD)


CHANGED_MIND = {"en": "I don't want it anymore", "pt-BR": "Não quero mais"}
WIDGETS = ("radio", "select", "custom", "portal", "searchable", "virtual")
# The dialog prints no order id (the shop's default, as nothing public shows one): the form is bound to
# the order by where it was opened and by what its Confirm sends (the network guard).
MATRIX = [(layout, widget, locale) for layout in LAYOUTS for widget in WIDGETS for locale in ("en", "pt-BR")]
# (shop scenario, locale of its texts): everything else a layout does not cover
SCENARIOS = [
    ("popups", "en"), ("old_tabs", "en"), ("price_chars", "en"), ("classic_login", "en"),
    ("two_step", "en"), ("two_step", "pt-BR"), ("cancel_page", "en"), ("cancel_page", "pt-BR"),
    ("redesigned", "en"), ("redesigned", "pt-BR"), ("dialog_with_id", "en"), ("hostile", "pt-BR"),
]  # fmt: skip


def _cancel_and_check(
    shop, shop_admin, browser, tmp_path, locale: str, login: bool = False, config: dict | None = None
) -> None:
    order_id = pick_order(shop_admin, "awaiting_shipment", picked_up=False)
    cfg = make_config(tmp_path, shop.base_url, **(config or {}))
    if not login:
        preload_session(cfg, shop_admin)

    (result,) = run_cancel(cfg, browser, [order_id], "changed_mind")

    assert result.outcome == CancelOutcome.REQUESTED, result.message
    (sent,) = submissions(shop_admin, order_id)
    assert sent["detail"]["reasonText"] == CHANGED_MIND[locale]
    with Store.open(cfg.storage.database) as store:
        request = store.get_request(order_id)
        assert request is not None and request.state == RequestState.REQUESTED
        assert request.reason_text == CHANGED_MIND[locale]
        assert request.seller_deadline is not None
        hits = {h["key"] for h in store.selector_hits()}
        events = store.events_for(order_id)
    assert hits & {"order_detail.cancel", "orders.row_cancel"}
    sent_events = [e for e in events if e.kind == journal.SENT]
    assert len(sent_events) == 1 and sent_events[0].detail["names_order"]  # the guard saw it leave
    # The site's own answer was read, though the page reloads the moment it gets it (agent.devtools)
    answers = [(e.kind, e.detail.get("answer")) for e in events if e.kind.startswith("submission_")]
    assert (journal.ANSWERED, "accepted") in answers, answers
    assert ("submission_unanswered", None) not in answers, answers


@pytest.mark.parametrize(("layout", "widget", "locale"), MATRIX, ids=["-".join(m) for m in MATRIX])
def test_cancel_in_every_layout_reason_widget_and_locale(
    layout, widget, locale, shop, shop_admin, browser, tmp_path
):
    shop_admin.set_scenario(layout=layout, reasons=widget, locale=locale)
    _cancel_and_check(shop, shop_admin, browser, tmp_path, locale)


@pytest.mark.parametrize(("scenario", "locale"), SCENARIOS, ids=[f"{s}-{loc}" for s, loc in SCENARIOS])
def test_cancel_in_every_other_scenario(scenario, locale, shop, shop_admin, browser, tmp_path):
    shop_admin.set_scenario(scenario, locale=locale)
    _cancel_and_check(shop, shop_admin, browser, tmp_path, locale, login=scenario == "classic_login")


@pytest.mark.parametrize(
    "config",
    [{"api": {"enabled": False}}, {"browser": {"block_resources": False}}],
    ids=["read-back-from-the-reloaded-page", "nothing-blocked"],
)
def test_cancel_without_the_api_or_without_blocking(config, shop, shop_admin, browser, tmp_path):
    """Without the API the order is read back from the page the click reloaded; without blocking, routing
    still stays on for the whole context (switching it around the guard while a page reloads can hang)."""
    _cancel_and_check(shop, shop_admin, browser, tmp_path, "en", config=config)


def test_a_page_that_sends_another_orders_id_sends_nothing(shop, shop_admin, browser, tmp_path):
    shop_admin.set_scenario("other_order")
    order_id = pick_order(shop_admin, "awaiting_shipment", picked_up=False)
    cfg = make_config(tmp_path, shop.base_url)
    preload_session(cfg, shop_admin)

    (result,) = run_cancel(cfg, browser, [order_id], "changed_mind")

    assert result.outcome == CancelOutcome.FAILED and "naming another order" in result.message
    assert shop_admin.log(kind="cancel") == [] and shop_admin.log(kind="cancel_rejected") == []
    with Store.open(cfg.storage.database) as store:
        assert store.get_request(order_id).state == RequestState.FAILED  # type: ignore[union-attr]
        (blocked,) = store.events(kind="request_blocked")
    assert blocked.detail["other_orders"] and order_id not in blocked.detail["other_orders"]


def test_unpaid_order_cancels_instantly(shop, shop_admin, browser, tmp_path):
    order_id = pick_order(shop_admin, "awaiting_payment")
    cfg = make_config(tmp_path, shop.base_url)
    preload_session(cfg, shop_admin)

    (result,) = run_cancel(cfg, browser, [order_id], "duplicate_order")

    assert result.outcome == CancelOutcome.CANCELLED
    assert submissions(shop_admin, order_id)[0]["detail"]["reasonText"] == "I placed a duplicate order"
    with Store.open(cfg.storage.database) as store:
        assert store.get_request(order_id).state == RequestState.CANCELLED  # type: ignore[union-attr]


def test_dry_run_submits_nothing_and_keeps_a_screenshot(shop, shop_admin, browser, tmp_path):
    order_id = pick_order(shop_admin, "awaiting_shipment", picked_up=False)
    cfg = make_config(tmp_path, shop.base_url)
    preload_session(cfg, shop_admin)

    (result,) = run_cancel(cfg, browser, [order_id], "changed_mind", dry_run=True)

    assert result.outcome == CancelOutcome.DRY_RUN
    assert submissions(shop_admin, order_id) == []
    assert shop_admin.state()["orders"] and _status(shop_admin, order_id) == "awaiting_shipment"
    assert result.evidence and all((tmp_path / "evidence").rglob("*.png"))
    with Store.open(cfg.storage.database) as store:
        assert store.get_request(order_id) is None
        assert [e.kind for e in store.events_for(order_id)].count("dry_run") == 1


def test_rerunning_cancel_never_submits_twice(shop, shop_admin, browser, tmp_path):
    order_id = pick_order(shop_admin, "awaiting_shipment", picked_up=False)
    cfg = make_config(tmp_path, shop.base_url)
    preload_session(cfg, shop_admin)

    first = run_cancel(cfg, browser, [order_id], "changed_mind")
    again = run_cancel(cfg, browser, [order_id, order_id], "changed_mind")

    assert first[0].outcome == CancelOutcome.REQUESTED
    assert [r.outcome for r in again] == [CancelOutcome.ALREADY_REQUESTED, CancelOutcome.ALREADY_REQUESTED]
    assert len(submissions(shop_admin, order_id)) == 1


def test_a_batch_cancels_each_order_once(shop, shop_admin, browser, tmp_path):
    ids = [o["order_id"] for o in shop_admin.orders()
           if o["status"] == "awaiting_shipment" and not o["picked_up"]][:3]  # fmt: skip
    cfg = make_config(tmp_path, shop.base_url)
    preload_session(cfg, shop_admin)

    results = run_cancel(cfg, browser, ids, "shipping_too_long")

    assert [r.outcome for r in results] == [CancelOutcome.REQUESTED] * 3
    for order_id in ids:
        (sent,) = submissions(shop_admin, order_id)
        assert sent["detail"]["reasonText"] == "Shipping takes too long"


@pytest.mark.parametrize(
    ("status", "match", "why"),
    [
        ("completed", {}, "completed"),
        ("awaiting_delivery", {}, "awaiting_delivery"),
        ("closed", {}, "closed"),
    ],
)
def test_refuses_orders_that_are_not_cancellable(status, match, why, shop, shop_admin, browser, tmp_path):
    order_id = pick_order(shop_admin, status, **match)
    cfg = make_config(tmp_path, shop.base_url)
    preload_session(cfg, shop_admin)

    (result,) = run_cancel(cfg, browser, [order_id], "changed_mind")

    assert result.outcome == CancelOutcome.NOT_CANCELLABLE
    assert why in result.message
    assert submissions(shop_admin, order_id) == []


def test_deposit_order_is_flagged_for_a_human(shop, shop_admin, browser, tmp_path):
    order = next(o for o in shop_admin.orders() if o["deposit_cents"] and o["status"] == "awaiting_shipment")
    cfg = make_config(tmp_path, shop.base_url)
    preload_session(cfg, shop_admin)

    (result,) = run_cancel(cfg, browser, [order["order_id"]], "changed_mind")

    assert result.outcome == CancelOutcome.NOT_CANCELLABLE
    assert submissions(shop_admin, order["order_id"]) == []
    with Store.open(cfg.storage.database) as store:
        assert store.get_request(order["order_id"]).state == RequestState.NEEDS_HUMAN  # type: ignore[union-attr]


def test_amount_cap_refuses_expensive_orders(shop, shop_admin, browser, tmp_path):
    order_id = pick_order(shop_admin, "awaiting_shipment", picked_up=False)
    cfg = make_config(tmp_path, shop.base_url, policy={"amount_cap": "0.50"})
    preload_session(cfg, shop_admin)

    (result,) = run_cancel(cfg, browser, [order_id], "changed_mind")

    assert result.outcome == CancelOutcome.NOT_CANCELLABLE and "cap" in result.message
    assert submissions(shop_admin, order_id) == []


def test_picked_up_order_reports_the_sites_refusal(shop, shop_admin, browser, tmp_path):
    order_id = pick_order(shop_admin, "awaiting_shipment", picked_up=True)
    cfg = make_config(tmp_path, shop.base_url)
    preload_session(cfg, shop_admin)

    (result,) = run_cancel(cfg, browser, [order_id], "changed_mind")

    assert result.outcome == CancelOutcome.NOT_CANCELLABLE
    assert "can't be canceled" in result.message
    assert len(shop_admin.log(kind="cancel_rejected", order_id=order_id)) == 1
    with Store.open(cfg.storage.database) as store:
        assert store.get_request(order_id).state == RequestState.FAILED  # type: ignore[union-attr]


def test_unmatched_reason_is_refused_listing_the_options(shop, shop_admin, browser, tmp_path):
    order_id = pick_order(shop_admin, "awaiting_shipment", picked_up=False)
    cfg = make_config(tmp_path, shop.base_url)
    preload_session(cfg, shop_admin)

    (refused,) = run_cancel(cfg, browser, [order_id], "my cat walked on the keyboard")
    assert refused.outcome == CancelOutcome.FAILED and "Other reasons" in refused.message
    assert submissions(shop_admin, order_id) == []

    (fallback,) = run_cancel(cfg, browser, [order_id], "my cat walked on the keyboard", fallback_other=True)
    assert fallback.outcome == CancelOutcome.REQUESTED
    assert submissions(shop_admin, order_id)[0]["detail"]["reasonText"] == "Other reasons"


def test_free_text_never_lands_on_a_reason_that_blames_the_seller(shop, shop_admin, browser, tmp_path):
    # The pack flags out_of_stock ([reasons_meta] blames_seller): free text that fits it is refused with
    # the key to use, and nothing reaches the shop; naming the key chooses it.
    order_id = pick_order(shop_admin, "awaiting_shipment", picked_up=False)
    cfg = make_config(tmp_path, shop.base_url)
    preload_session(cfg, shop_admin)

    (refused,) = run_cancel(cfg, browser, [order_id], "the seller is out of stock")
    assert refused.outcome == CancelOutcome.FAILED
    assert "blames the seller" in refused.message and "--reason out_of_stock" in refused.message
    (generic,) = run_cancel(cfg, browser, [order_id], "not able to pay")
    assert generic.outcome == CancelOutcome.FAILED and "no offered reason matches" in generic.message
    assert submissions(shop_admin, order_id) == []

    (chosen,) = run_cancel(cfg, browser, [order_id], "out_of_stock")
    assert chosen.outcome == CancelOutcome.REQUESTED, chosen.message
    (sent,) = submissions(shop_admin, order_id)
    assert sent["detail"]["reasonText"] == "The supplier said the product(s) is out of stock"


def test_session_expiring_mid_flow_is_renewed(shop, shop_admin, browser, tmp_path):
    shop_admin.set_scenario("session_expiry")
    ids = [o["order_id"] for o in shop_admin.orders()
           if o["status"] == "awaiting_shipment" and not o["picked_up"]][:2]  # fmt: skip
    cfg = make_config(tmp_path, shop.base_url)

    results = run_cancel(cfg, browser, ids, "changed_mind")

    assert [r.outcome for r in results] == [CancelOutcome.REQUESTED] * 2
    assert all(len(submissions(shop_admin, i)) == 1 for i in ids)
    assert len(shop_admin.log(kind="login")) >= 2  # logged in again when the session expired


def test_injected_errors_and_slowness_are_retried(shop, shop_admin, browser, tmp_path):
    shop_admin.set_scenario("slow")
    shop_admin.faults(kind="error", path="/p/order/detail.html", count=2)
    order_id = pick_order(shop_admin, "awaiting_shipment", picked_up=False)
    cfg = make_config(tmp_path, shop.base_url)
    preload_session(cfg, shop_admin)

    (result,) = run_cancel(cfg, browser, [order_id], "changed_mind")

    assert result.outcome == CancelOutcome.REQUESTED, result.message
    assert len(submissions(shop_admin, order_id)) == 1
    with Store.open(cfg.storage.database) as store:
        assert [e.kind for e in store.events()].count("retry") == 2


def test_otp_code_comes_from_the_configured_command(shop, shop_admin, browser, tmp_path):
    shop_admin.set_scenario("otp")
    script = tmp_path / "otp.py"
    script.write_text(
        f"import httpx, sys\nprint(httpx.get('{shop.base_url}/__shop/state').json()['otp_code'])\n",
        encoding="utf-8",
    )
    import sys

    cfg = make_config(tmp_path, shop.base_url, account={"otp_command": f"{sys.executable} {script}"})
    order_id = pick_order(shop_admin, "awaiting_payment")

    (result,) = run_cancel(cfg, browser, [order_id], "changed_mind")

    assert result.outcome == CancelOutcome.CANCELLED, result.message


def _status(admin, order_id: str) -> str:
    return next(o["status"] for o in admin.orders() if o["order_id"] == order_id)


def test_orders_are_recorded_with_the_json_shape(shop, shop_admin, browser, tmp_path):
    from agent.flows.orders import list_orders
    from agent.flows.runtime import open_runtime
    from agent.models import OrderStatus

    cfg = make_config(tmp_path, shop.base_url)
    preload_session(cfg, shop_admin)
    with Store.open(cfg.storage.database) as store, open_runtime(cfg, store, "orders", browser=browser) as rt:
        found = list_orders(rt, OrderStatus.AWAITING_SHIPMENT)
    expected = {
        o["order_id"] for o in shop_admin.orders() if o["status"] == "awaiting_shipment" and not o["deleted"]
    }
    assert {o.order_id for o in found} == expected
    assert json.loads(found[0].model_dump_json())["total"]["amount"]


def test_an_order_not_in_the_account_fails_at_once(shop, shop_admin, browser, tmp_path):
    cfg = make_config(tmp_path, shop.base_url)
    preload_session(cfg, shop_admin)

    (result,) = run_cancel(cfg, browser, ["1234567890123456"], "changed_mind")

    assert result.outcome == CancelOutcome.FAILED and "not found" in result.message
    with Store.open(cfg.storage.database) as store:
        assert not [e for e in store.events() if e.kind == "retry"]  # an answer, not a fault: no retries
