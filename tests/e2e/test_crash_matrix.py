"""The crash matrix: `buyer-agent cancel` (a dialog, and a two-step confirmation) and `buyer-agent dispute`
killed with SIGKILL — the agent, Playwright's driver and Chromium, all at once, like a power cut — at eleven
points spread over the flow. Each point is reached by waiting on a condition (a `-vv` line of the agent, an
entry of the shop's log by long-poll, a click the shop holds), never by sleeping. The rerun settles each to
exactly ONE submission by the shop's own operation log; `resolve` is used only where the design asks a
person (the order moved on while a click was unanswered)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from agent.models import RequestState
from agent.shop.admin import ShopAdmin
from agent.shop.server import ShopThread
from agent.store import Store
from tests.e2e.agent_support import (
    CANCEL_API,
    DISPUTE_FORM,
    HELD_MS,
    disputable_order,
    make_config,
    pick_order,
    preload_session,
)
from tests.e2e.process_support import (
    agent,
    descendants,
    finish,
    kill,
    outcome,
    request_state,
    running,
    wait_for_line,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("agent_processes")]
S = RequestState
SUBMITTED = {"cancel": ("cancel", "cancel_rejected"), "dispute": ("dispute", "dispute_rejected")}
FINAL = {"cancel": S.REQUESTED, "dispute": S.DISPUTE_OPENED}
ALREADY = {"cancel": "already_requested", "dispute": "already_opened"}  # a rerun after the run had finished
ANY = "any"  # the journal may hold either state at the kill (the point races the flow): not asserted


@dataclasses.dataclass
class Point:
    """What a kill point can wait on: the running agent, the shop, the order."""

    proc: Any
    admin: ShopAdmin
    order_id: str

    def line(self, text: str) -> None:
        wait_for_line(self.proc, text.format(order_id=self.order_id), timeout=60)

    def shop(self, kind: str, since_kind: str | None = None, mine: bool = True) -> None:
        since = self.admin.wait_for_log(kind=since_kind, order_id=self.order_id, timeout_s=60)[-1]["seq"] \
            if since_kind else 0  # fmt: skip
        found = self.admin.wait_for_log(kind=kind, order_id=self.order_id if mine else None, since=since,
                                        timeout_s=60)  # fmt: skip
        assert found, f"the shop never logged {kind!r}"


@dataclasses.dataclass(frozen=True)
class Case:
    flow: str  # cancel | dispute
    kill_at: Callable[[Point], None]
    at_kill: RequestState | None | str  # the request's state the journal holds right after the kill
    scenario: str = "default"
    fault: dict[str, Any] | None = None
    slow_mo_ms: int = 0  # widens a window nothing on the wire marks (between the journal and the click)
    sent_at_kill: int | None = None  # submissions the shop had by then (None: not asserted)
    while_down: Callable[[ShopAdmin, str], None] | None = None
    reruns: tuple[str, ...] = ("requested",)
    resolve: tuple[str, RequestState] | None = None


def held(flow: str) -> dict[str, Any]:
    path = CANCEL_API if flow == "cancel" else DISPUTE_FORM
    return {"path": path, "method": "POST", "kind": "commit", "delay_ms": HELD_MS}


def release(kind: str) -> Callable[[ShopAdmin, str], None]:
    def act(admin: ShopAdmin, order_id: str) -> None:
        admin.release_commits()  # the slow backend gets to the click the dead run made
        assert admin.wait_for_log(kind=kind, order_id=order_id, timeout_s=30), f"no {kind} landed"

    return act


def ship_then_release(admin: ShopAdmin, order_id: str) -> None:
    admin.ship(order_id)  # the seller ships while nobody knows what the click did
    admin.release_commits()
    assert admin.wait_for_log(kind="cancel_rejected", order_id=order_id, timeout_s=30)


CASES = {
    "cancel: the form is open, nothing journalled": Case(
        "cancel", lambda p: p.line("found cancel_dialog.root"), at_kill=None, sent_at_kill=0),
    "cancel: journalled, before the click": Case(
        "cancel", lambda p: p.line("submitting {order_id}"), at_kill=S.SUBMITTING, slow_mo_ms=300,
        sent_at_kill=0),
    "cancel: the click held by the site": Case(
        "cancel", lambda p: p.shop("received", mine=False), at_kill=S.SUBMITTING, fault=held("cancel"),
        sent_at_kill=0, while_down=release("cancel")),
    "cancel: the site acted, its answer late": Case(
        "cancel", lambda p: p.shop("cancel"), at_kill=S.SUBMITTING,
        fault={"path": CANCEL_API, "kind": "late", "delay_ms": 60_000}, sent_at_kill=1),
    "cancel: accepted, re-reading the order": Case(
        "cancel", lambda p: p.shop("api_detail", since_kind="cancel"), at_kill=ANY, sent_at_kill=1),
    "two steps: between the two confirmations": Case(
        "cancel", lambda p: p.line("a further confirmation step"), at_kill=S.SUBMITTING, scenario="two_step",
        slow_mo_ms=300, sent_at_kill=0),
    "two steps: the second confirmation held": Case(
        "cancel", lambda p: p.shop("received", mine=False), at_kill=S.SUBMITTING, scenario="two_step",
        fault=held("cancel"), sent_at_kill=0, while_down=release("cancel")),
    "cancel: held, and the order ships meanwhile": Case(
        "cancel", lambda p: p.shop("received", mine=False), at_kill=S.SUBMITTING, fault=held("cancel"),
        while_down=ship_then_release, reruns=("needs_human",), resolve=("shipped", S.SHIPPED_ANYWAY)),
    "dispute: the form filled in, nothing begun": Case(
        "dispute", lambda p: p.line("found dispute.message"), at_kill=S.DISPUTE_FLAGGED, sent_at_kill=0,
        reruns=("opened",)),
    "dispute: begun, before the submit": Case(
        "dispute", lambda p: p.line("submitting the dispute of {order_id}"), at_kill=S.DISPUTE_FLAGGED,
        reruns=("opened",)),
    "dispute: the submit held by the site": Case(
        "dispute", lambda p: p.shop("received", mine=False), at_kill=S.DISPUTE_FLAGGED,
        fault=held("dispute"), sent_at_kill=0, while_down=release("dispute"), reruns=("opened",)),
}  # fmt: skip
EXIT = {"requested": 0, "opened": 0, "already_requested": 0, "already_opened": 0, "needs_human": 3}


def argv(flow: str, order_id: str) -> tuple[str, ...]:
    if flow == "cancel":
        return "cancel", order_id, "--reason", "changed_mind", "--yes", "--json"
    return "dispute", order_id, "--json"


def submitted(admin: ShopAdmin, flow: str, order_id: str) -> int:
    """What the shop's operation log holds for the order: accepted or refused, each one submission."""
    return sum(len(admin.log(kind=kind, order_id=order_id)) for kind in SUBMITTED[flow])


@pytest.mark.parametrize("name", list(CASES))
def test_killed_here_the_rerun_settles_to_exactly_one_submission(
    name: str, shop: ShopThread, shop_admin: ShopAdmin, tmp_path: Path
) -> None:
    case = CASES[name]
    shop_admin.set_scenario(case.scenario)
    cfg_file = tmp_path / "buyer-agent.toml"
    cfg = make_config(tmp_path, shop.base_url, browser={"slow_mo_ms": case.slow_mo_ms})
    preload_session(cfg, shop_admin)
    order_id = _order_for(case.flow, shop_admin, tmp_path / "agent.db")
    if case.fault:
        shop_admin.faults(**case.fault)

    proc = agent(cfg_file, *argv(case.flow, order_id), "-vv")
    case.kill_at(Point(proc, shop_admin, order_id))
    tree = descendants(proc.pid)
    kill(proc)

    assert not [pid for pid in tree if running(pid)], "a browser or driver process survived the kill"
    at_kill = request_state(cfg_file, order_id)
    if case.at_kill != ANY:
        assert at_kill == case.at_kill
    if case.sent_at_kill is not None:
        assert submitted(shop_admin, case.flow, order_id) == case.sent_at_kill
    if case.while_down:
        case.while_down(shop_admin, order_id)
    shop_admin.faults(clear=True)
    make_config(tmp_path, shop.base_url)  # the rerun at full speed

    done_before = case.at_kill == ANY and at_kill is FINAL[case.flow]  # the run won the race to the journal
    for expected in (ALREADY[case.flow],) if done_before else case.reruns:
        code, out, err = finish(agent(cfg_file, *argv(case.flow, order_id)))
        assert (outcome(out)["outcome"], code) == (expected, EXIT[expected]), err
    if case.resolve:
        seen, state = case.resolve
        code, _, err = finish(agent(cfg_file, "resolve", order_id, seen))
        assert code == 0, err
        assert request_state(cfg_file, order_id) is state
    else:
        assert request_state(cfg_file, order_id) is FINAL[case.flow]
    assert submitted(shop_admin, case.flow, order_id) == 1  # exactly one, by the shop's own log
    with Store.open(tmp_path / "agent.db") as store:
        assert store.open_attempt(order_id, case.flow) is None  # the journal is settled
        assert not [r for r in store.db["runs"].rows if r["ended_at"] is None and r["pid"] != proc.pid]


def _order_for(flow: str, admin: ShopAdmin, db: Path) -> str:
    if flow == "cancel":
        return pick_order(admin, "awaiting_shipment", picked_up=False)
    return disputable_order(admin, db)
