"""Exactly once when the site is slow rather than down, as a user meets it: `buyer-agent` processes
against the shop with a backend that takes the POST, logs it on arrival and acts on it only after the
agent stopped waiting. A rerun, a second process and a dispute all leave exactly one submission."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from agent.models import RequestState
from agent.shop.admin import ShopAdmin
from agent.store import Store
from tests.e2e.agent_support import (
    CANCEL_API,
    DISPUTE_FORM,
    HELD_MS,
    SHOP_PASSWORD,
    disputable_order,
    make_config,
    pick_order,
    preload_session,
    submissions,
)
from tests.e2e.process_support import agent, finish, outcome, request_state

pytestmark = pytest.mark.e2e
SLOW_MS = HELD_MS  # the backend holds the request until the test releases it (the agent waits 4 s)


@pytest.fixture
def slow_cfg(shop, shop_admin: ShopAdmin, tmp_path: Path) -> Path:
    cfg = make_config(tmp_path, shop.base_url, browser={"timeout_ms": 4_000})
    preload_session(cfg, shop_admin)
    return tmp_path / "buyer-agent.toml"


def arrivals(admin: ShopAdmin, path: str) -> list[dict[str, object]]:
    """Requests the shop received for `path` (logged on arrival, before they take effect)."""
    return [e for e in admin.log(kind="received") if path in str(e["detail"]["path"])]


def cancel(cfg: Path, order_id: str, *extra: str) -> tuple[int, dict[str, object], str]:
    argv = ("cancel", order_id, "--reason", "changed_mind", "--yes", "--json", *extra)
    code, out, err = finish(agent(cfg, *argv))
    return code, outcome(out) if out.strip() else {}, err


def test_a_slow_site_gets_one_cancel_across_reruns(slow_cfg: Path, shop_admin: ShopAdmin) -> None:
    order_id = pick_order(shop_admin, "awaiting_shipment", picked_up=False)
    shop_admin.faults(path=CANCEL_API, method="POST", kind="commit", delay_ms=SLOW_MS)

    code, first, err = cancel(slow_cfg, order_id)
    assert (code, first["outcome"]) == (1, "pending"), err
    assert "still unanswered" in str(first["message"])
    assert request_state(slow_cfg, order_id) == RequestState.SUBMITTING

    code, again, err = cancel(slow_cfg, order_id)  # at once: the site still shows "Awaiting shipment"
    assert (code, again["outcome"]) == (1, "pending"), err
    assert len(arrivals(shop_admin, CANCEL_API)) == 1  # the rerun clicked nothing

    shop_admin.release_commits()  # the slow backend gets to it at last
    assert shop_admin.wait_for_log(kind="cancel", order_id=order_id, timeout_s=30), "it never landed"
    code, last, err = cancel(slow_cfg, order_id)
    assert (code, last["outcome"]) == (0, "requested"), err
    assert len(arrivals(shop_admin, CANCEL_API)) == 1 and len(submissions(shop_admin, order_id)) == 1
    with Store.open(slow_cfg.parent / "agent.db") as store:
        request = store.get_request(order_id)
        assert request is not None and request.state is RequestState.REQUESTED
        assert request.seller_deadline is not None and request.dispute_deadline is not None
        assert not store.events(kind="transition_lost")


def test_two_processes_started_together_submit_once_and_neither_fails(
    slow_cfg: Path, shop_admin: ShopAdmin
) -> None:
    order_id = pick_order(shop_admin, "awaiting_shipment", picked_up=False)
    shop_admin.faults(path=CANCEL_API, method="POST", kind="commit", delay_ms=SLOW_MS)
    argv = ("cancel", order_id, "--reason", "changed_mind", "--yes", "--json")

    both = [agent(slow_cfg, *argv), agent(slow_cfg, *argv)]
    results = [finish(proc) for proc in both]

    outcomes = sorted(outcome(out)["outcome"] for _, out, _ in results)
    assert set(outcomes) <= {"pending", "already_requested"}, results
    assert len(arrivals(shop_admin, CANCEL_API)) == 1
    assert request_state(slow_cfg, order_id) == RequestState.SUBMITTING  # never `failed` over a live click
    shop_admin.release_commits()
    assert shop_admin.wait_for_log(kind="cancel", order_id=order_id, timeout_s=30)
    code, last, err = cancel(slow_cfg, order_id)
    assert (code, last["outcome"]) == (0, "requested"), err
    assert len(submissions(shop_admin, order_id)) == 1


def test_a_slow_dispute_is_submitted_once_across_reruns(slow_cfg: Path, shop_admin: ShopAdmin) -> None:
    order_id = disputable_order(shop_admin, slow_cfg.parent / "agent.db")
    shop_admin.faults(path=DISPUTE_FORM, method="POST", kind="commit", delay_ms=SLOW_MS)

    def dispute() -> tuple[int, dict[str, object], str]:
        code, out, err = finish(agent(slow_cfg, "dispute", order_id, "--json", "--wait"))
        return code, json.loads(out) if out.strip() else {}, err

    code, first, err = dispute()
    assert (code, first["outcome"]) == (1, "pending"), err
    code, again, err = dispute()
    assert (code, again["outcome"]) == (1, "pending"), err
    assert len(arrivals(shop_admin, DISPUTE_FORM)) == 1 and shop_admin.log(kind="dispute") == []

    shop_admin.release_commits()
    assert shop_admin.wait_for_log(kind="dispute", order_id=order_id, timeout_s=30)
    code, last, err = dispute()
    assert (code, last["outcome"]) == (0, "opened"), err
    assert len(shop_admin.log(kind="dispute", order_id=order_id)) == 1
    assert request_state(slow_cfg, order_id) == RequestState.DISPUTE_OPENED


def test_a_gateway_error_page_is_an_unknown_answer_never_a_refusal(
    slow_cfg: Path, shop_admin: ShopAdmin
) -> None:
    order_id = pick_order(shop_admin, "awaiting_shipment", picked_up=False)
    shop_admin.faults(path=CANCEL_API, method="POST", kind="error", status=502)  # HTML, not the API

    code, first, err = cancel(slow_cfg, order_id)

    assert (code, first["outcome"]) == (1, "pending"), err
    assert request_state(slow_cfg, order_id) == RequestState.SUBMITTING  # not `failed`: it may have landed
    code, out, err = finish(agent(slow_cfg, "report", "--json"))
    (row,) = json.loads(out)["requests"]
    assert "cancel again" not in row["next_step"] and "unanswered" in row["next_step"]


def test_a_password_typed_at_a_mid_run_login_reaches_no_trace(
    shop, shop_admin: ShopAdmin, tmp_path: Path
) -> None:
    """The session ends between two orders of a batch (the site logs us out): the agent logs in again
    with tracing on for the run. The trace it keeps must not hold the password it typed."""
    shop_admin.set_scenario("classic_login")
    cfg = make_config(tmp_path, shop.base_url, browser={"trace": "always"})
    preload_session(cfg, shop_admin)
    first, second = [o["order_id"] for o in shop_admin.orders() if o["status"] == "awaiting_payment"][:2]
    shop_admin.faults(path=f"orderId={second}", kind="logout")  # logged out on the second order's page
    code, out, err = finish(agent(tmp_path / "buyer-agent.toml", "cancel", first, second, "--reason",
                                  "duplicate_order", "--yes", "--json", "-vv"))  # fmt: skip
    assert code == 0, err
    assert [r["outcome"] for r in json.loads(out)] == ["cancelled", "cancelled"]
    assert len(shop_admin.log(kind="login")) >= 1  # it did log in again, mid-run
    traces = list(tmp_path.rglob("*.zip"))
    assert traces
    for path in [p for p in tmp_path.rglob("*") if p.is_file()]:
        blobs = [path.read_bytes()]
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                blobs += [archive.read(name) for name in archive.namelist()]
        assert not any(SHOP_PASSWORD.encode() in blob for blob in blobs), path


def test_a_challenge_mid_batch_still_shows_the_orders_already_done(
    shop, shop_admin: ShopAdmin, tmp_path: Path
) -> None:
    shop_admin.set_scenario("captcha")  # any new login meets a slider
    cfg = make_config(tmp_path, shop.base_url)
    preload_session(cfg, shop_admin)
    instant = ("awaiting_payment", "payment_verifying")
    unpaid = [o["order_id"] for o in shop_admin.orders() if o["status"] in instant]
    first, second, third = unpaid[:3]
    shop_admin.faults(path=f"orderId={second}", kind="logout")

    code, out, err = finish(agent(tmp_path / "buyer-agent.toml", "cancel", first, second, third, "--reason",
                                  "duplicate_order", "--yes", "--json"))  # fmt: skip

    assert code == 3, err
    assert "needs a human" in err
    shown = {r["order_id"]: r["outcome"] for r in json.loads(out)}
    assert shown == {first: "cancelled", second: "needs_human", third: "skipped"}
    assert [e["order_id"] for e in shop_admin.log(kind="cancel")] == [first]
