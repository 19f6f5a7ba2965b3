"""The sweep: re-check every watched request in one browser run and move it along its life.

1. Read My Orders once (saved session, "Orders placed in" narrowed to the oldest watched order, every
   page) through the site's signed JSON API, or on screen when the API refuses, and record each watched
   order's row as an `observed` event — in one write transaction. For watched orders the list shows
   closed, the returns/refunds list settles the refund where it has a line for the order.
2. For each request, open the detail page only where neither can settle the state (jobs.watch).
3. Decide the steps (jobs.watch.decide → jobs.lifecycle) and apply each as its own `request_state`
   event, with what was observed; a flag carries its reason and a screenshot of the order as evidence.
4. With `policy.auto_dispute`, open the dispute of every flagged request (agent.flows.dispute: once).
With `policy.auto_escalate`, a stalled or rejected request is not flagged at once: the sweep messages the
seller, then customer service (agent.flows.escalate, once per level), and flags it when both had their
time to answer (agent.escalation), before step 4.

A failure on one order is recorded and never stops the others; a needs-a-human stops the run.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from pydantic import BaseModel, Field

from agent import journal, stopping
from agent.api import check_cooldown, refund_amount, refund_state
from agent.deadlines import entry_fields, was_paid
from agent.errors import AgentError, ApiRefused, NeedsHuman, StateConflict, Stopped
from agent.escalation import ESCALATED, LEVELS, Level, due_now, ladder_of
from agent.flows.dispute import DisputeResult, open_dispute
from agent.flows.escalate import MessageResult, send_message
from agent.flows.orders import narrow, time_option
from agent.flows.read import read_detail, refused
from agent.flows.runtime import Runtime
from agent.flows.session import ensure_logged_in, retrying, with_session
from agent.journal import Unanswered
from agent.models import CancelRequest, Money, Order, OrderDetail, OrderStatus, RefundLine, RequestState
from agent.pages import OrdersPage
from jobs.lifecycle import TEXT_KEYS, Transition
from jobs.watch import WATCHED, deadlines_of, decide, needs_detail, observation

__all__ = ["SweepResult", "SweepTransition", "sweep"]

logger = logging.getLogger(__name__)
S = RequestState
O = OrderStatus  # noqa: E741 - as in jobs.lifecycle
EVIDENCE_ON = frozenset({S.DISPUTE_FLAGGED, S.NEEDS_HUMAN})


class SweepTransition(BaseModel):
    order_id: str
    state_from: RequestState
    state_to: RequestState
    code: str
    reason: str
    at: dt.datetime


class SweepResult(BaseModel):
    run_id: int
    checked: int = 0
    details_read: int = 0
    transitions: list[SweepTransition] = Field(default_factory=list)
    disputes: list[DisputeResult] = Field(default_factory=list)
    messages: list[MessageResult] = Field(default_factory=list)
    errors: dict[str, str] = Field(default_factory=dict)


def sweep(rt: Runtime) -> SweepResult:
    """One pass over every watched request; returns this run's transitions."""
    result = SweepResult(run_id=rt.run_id)
    watched = [r for r in rt.store.requests() if r.state in WATCHED]
    if watched:
        rows = _read_list(rt, watched)
        texts = _texts(rt)
        for request in watched:
            stopping.check()  # between orders: SIGTERM/SIGINT stops the sweep here (exit 143/130)
            _guarded(rt, request.order_id, result, partial(_check, rt, request, rows, texts, result))
        if rt.config.policy.auto_escalate:
            _auto_escalate(rt, result)
        if rt.config.policy.auto_dispute:
            _auto_dispute(rt, result)
    result.checked = len(watched)
    rt.event(
        "sweep",
        checked=result.checked,
        details_read=result.details_read,
        transitions=len(result.transitions),
        errors=len(result.errors),
    )
    return result


def _guarded(rt: Runtime, order_id: str, result: SweepResult, step: Callable[[], object]) -> None:
    try:
        step()
    except (NeedsHuman, Stopped):
        raise
    except (AgentError, PlaywrightError) as exc:
        logger.warning("sweep: order %s failed: %s", order_id, exc)
        rt.event("sweep_failed", order_id=order_id, error=str(exc))
        result.errors[order_id] = str(exc)


# ---------------------------------------------------------------- reading


def _read_list(rt: Runtime, watched: list[CancelRequest]) -> dict[str, Order]:
    """Every row of My Orders back to the oldest watched order; watched rows recorded as observed."""
    check_cooldown(rt.config)  # during an anti-bot cooldown not even the pages' own calls are made
    ensure_logged_in(rt)
    option = time_option(_oldest(rt, watched), rt.now().date())
    attempts: list[int] = []  # ensure_logged_in left My Orders open: the first attempt reads it as it is

    def read_screen() -> list[Order]:
        page = OrdersPage(rt.site)
        if attempts:
            page.open()
        else:
            page.wait_loaded()
        attempts.append(1)
        if option != "all":
            narrow(rt, "time_range", lambda: page.set_time_range(option))  # else every row is read
        page.load_all()
        return page.statuses()

    def read() -> list[Order]:
        """The signed list API first (one call per ten orders); the screen when the API refuses."""
        reader = rt.api()
        if reader is not None:
            try:
                return reader.orders(time_option=option)
            except ApiRefused as exc:
                refused(rt, "reading My Orders", exc)
        return read_screen()

    rows = {o.order_id: o for o in retrying(rt, read, "reading My Orders")}
    _record_rows(rt, [rows[r.order_id] for r in watched if r.order_id in rows])
    rows.update(_refund_looks(rt, watched, rows))
    return rows


def _refund_looks(rt: Runtime, watched: list[CancelRequest], rows: dict[str, Order]) -> dict[str, Order]:
    """Watched orders the list shows closed whose refund the returns/refunds list settles: the row with
    the refund's state in the pack's words as its reminder (a detail-grade look; no detail page needed).
    Orders without a line, or an API that refuses, are left to the detail page."""
    closed = {r.order_id for r in watched if (row := rows.get(r.order_id)) and row.status is O.CLOSED}
    reader = rt.api() if closed else None
    if reader is None:
        return {}
    try:
        found = with_session(rt, lambda: reader.refunds(closed))
    except ApiRefused as exc:
        refused(rt, "reading refunds", exc)
        return {}
    return {order_id: _refund_look(rt, rows[order_id], lines) for order_id, lines in found.items()}


def _refund_look(rt: Runtime, row: Order, lines: list[RefundLine]) -> OrderDetail:
    state, amount = refund_state(lines), refund_amount(lines)
    words = rt.pack.words("refunded" if state == "completed" else "refund_in_progress", rt.site.locale)
    reminder = words[0] + (f" · {amount.amount} {amount.currency}" if amount else "")
    rt.event("observed", order_id=row.order_id, source="refunds", refund=state,
             amount=str(amount.amount) if amount else None, currency=amount.currency if amount else None,
             reverse_order_id=lines[0].reverse_order_id)  # fmt: skip
    return OrderDetail(**row.model_dump(), reminder=reminder)


def _oldest(rt: Runtime, watched: list[CancelRequest]) -> dt.date | None:
    dates = []
    for request in watched:
        row = rt.store.get_order(request.order_id)
        if not row or not row.get("placed_at"):
            return None  # unknown age: read every period
        dates.append(dt.date.fromisoformat(str(row["placed_at"])[:10]))
    return min(dates) if dates else None


def _record_rows(rt: Runtime, rows: list[Order]) -> None:
    with rt.store.transaction():  # one commit for the whole list, not one per row
        for row in rows:
            known = rt.store.get_order(row.order_id)
            if known is None or known["status"] != row.status.value:
                rt.store.upsert_order(_merged(row, known))
            rt.event(
                "observed",
                order_id=row.order_id,
                source="list",
                status=row.status.value,
                status_text=row.status_text,
            )


def _merged(row: Order, known: dict[str, Any] | None) -> Order:
    """A light row (id and status) completed with what the store already knows about the order."""
    if not known:
        return row
    total = None
    if known.get("total_amount") and known.get("currency"):
        total = Money(amount=Decimal(known["total_amount"]), currency=known["currency"])
    placed = dt.date.fromisoformat(str(known["placed_at"])[:10]) if known.get("placed_at") else None
    store_name = known.get("store_name") or ""
    return row.model_copy(update={"placed_at": placed, "store_name": store_name, "total": total})


def _texts(rt: Runtime) -> dict[str, list[str]]:
    """Refund/dispute wordings from the pack (every locale: a phrase only counts where it is shown)."""
    return {key: [w for loc in rt.pack.meta.locales for w in rt.pack.words(key, loc)] for key in TEXT_KEYS}


# ---------------------------------------------------------------- deciding and applying


def _check(
    rt: Runtime,
    request: CancelRequest,
    rows: dict[str, Order],
    texts: dict[str, list[str]],
    result: SweepResult,
) -> None:
    look = rows.get(request.order_id)
    if not isinstance(look, OrderDetail) and needs_detail(request, look):  # a refund look needs no page
        look = read_detail(rt, request.order_id)
        result.details_read += 1
    assert look is not None
    now = rt.now()
    deadlines = deadlines_of(request, rt.config.policy, rt.config.schedule.recheck_after_deadline_minutes)
    steps = decide(request, observation(look, now), deadlines, now, texts, _held(rt, request, now))
    if not steps and request.state is S.SUBMITTING:
        steps = _unanswered(rt, request, look, now)
    if not steps:
        _fill_missing_deadlines(rt, request, look)
        return
    evidence = _evidence(rt, request.order_id, steps, look is rows.get(request.order_id), result)
    for step in steps:
        try:
            request = _apply(rt, request, step, look, evidence if step.state_to in EVIDENCE_ON else None)
        except StateConflict as exc:  # another run moved it first: recorded by the store, nothing overwritten
            logger.info("sweep: %s", exc)
            return
        result.transitions.append(SweepTransition(order_id=request.order_id, **step.model_dump()))


def _unanswered(rt: Runtime, request: CancelRequest, look: Order, now: dt.datetime) -> list[Transition]:
    """A `submitting` request whose order looks untouched: the journal's rule (agent.journal), the same
    one cancel applies. Pending stays as it is; never "not submitted" from the status alone."""
    attempt = journal.cancel_attempt(rt.store, request)
    verdict = journal.judge(rt.store, attempt, now, rt.run_id, rt.config.policy.unanswered_click_hours)
    rt.event("unanswered", order_id=request.order_id, verdict=verdict.value, live=attempt.live)
    if verdict is Unanswered.PENDING:
        return []
    if verdict is Unanswered.RETRY:
        why = "not submitted: nothing reached the site and the run that began it is over"
        return [Transition(state_from=S.SUBMITTING, state_to=S.FAILED, code="not_submitted", reason=why,
                           at=now)]  # fmt: skip
    why = f"a click was never answered and the order still shows {look.status_text!r}: look at it yourself"
    return [Transition(state_from=S.SUBMITTING, state_to=S.NEEDS_HUMAN, code="unanswered_click", reason=why,
                       at=now)]  # fmt: skip


def _fill_missing_deadlines(rt: Runtime, request: CancelRequest, look: Order) -> None:
    """A request recorded without its deadlines (older versions did that) gets them now, so it can stall."""
    missing = request.dispute_deadline is None or (
        request.seller_deadline is None if request.state is S.REQUESTED else request.refund_due is None
    )
    if request.state not in (S.REQUESTED, S.CANCELLED, S.ACCEPTED) or not missing:
        return
    fields = _entry_fields(rt, request, request.state, look, rt.now())
    fields.pop("submitted_at", None)
    if fields:
        rt.store.amend(request.order_id, request.state, rt.run_id, **fields)


def _evidence(
    rt: Runtime, order_id: str, steps: list[Transition], from_list: bool, result: SweepResult
) -> list[str]:
    """A screenshot of the order's detail page for a flag or a needs-a-human (the dispute's evidence)."""
    if not any(s.state_to in EVIDENCE_ON for s in steps):
        return []
    if from_list:  # the browser is on My Orders: show the order itself
        read_detail(rt, order_id)
        result.details_read += 1
    return [rt.screenshot(f"{order_id}-{steps[-1].code}")]


def _apply(
    rt: Runtime, request: CancelRequest, step: Transition, look: Order, evidence: list[str] | None
) -> CancelRequest:
    fields = _entry_fields(rt, request, step.state_to, look, step.at)
    if step.state_to in (S.DISPUTE_FLAGGED, S.NEEDS_HUMAN, S.FAILED):
        fields["flagged_reason"] = step.code if step.state_to is S.DISPUTE_FLAGGED else step.reason
    observed = observation(look, step.at).model_dump(mode="json", exclude={"observed_at"})
    detail = {"code": step.code, "reason": step.reason, "observed": observed}
    return rt.store.transition(request.order_id, step.state_to, expected=request.state, run_id=rt.run_id,
                               detail=detail, evidence=evidence, **fields)  # fmt: skip


def _entry_fields(
    rt: Runtime, request: CancelRequest, entering: RequestState, look: Order, at: dt.datetime
) -> dict[str, Any]:
    order = rt.store.get_order(request.order_id) or {}
    placed = dt.date.fromisoformat(str(order["placed_at"])[:10]) if order.get("placed_at") else None
    return entry_fields(
        request,
        entering,
        at,
        rt.config.policy,
        placed_on=look.placed_at or placed,
        page_seller_deadline=look.seller_deadline if isinstance(look, OrderDetail) else None,
        payment_text=str(order.get("payment_method") or ""),
        paid=was_paid(rt.store.events_for(request.order_id)),
    )


def _auto_dispute(rt: Runtime, result: SweepResult) -> None:
    for request in rt.store.requests({S.DISPUTE_FLAGGED}):
        try:
            done = open_dispute(rt, request.order_id)
        except (NeedsHuman, Stopped):
            raise
        except (AgentError, PlaywrightError) as exc:
            logger.warning("sweep: dispute of %s failed: %s", request.order_id, exc)
            rt.event("dispute_failed", order_id=request.order_id, error=str(exc))
            result.errors[request.order_id] = str(exc)
            continue
        result.disputes.append(done)
        if done.outcome == "opened":
            result.transitions.append(
                SweepTransition(
                    order_id=done.order_id,
                    state_from=S.DISPUTE_FLAGGED,
                    state_to=S.DISPUTE_OPENED,
                    code="dispute_opened",
                    reason=done.message,
                    at=rt.now(),
                )
            )


# ---------------------------------------------------------------- escalation (policy.auto_escalate)


def _held(rt: Runtime, request: CancelRequest, now: dt.datetime) -> frozenset[RequestState]:
    """The states whose dispute flag waits for the escalation ladder: none without auto_escalate, or
    once the ladder of the request's state has reached its dispute rung."""
    if not rt.config.policy.auto_escalate:
        return frozenset()
    ladder = ladder_of(request, rt.store.events_for(request.order_id))
    step = due_now(ladder, request.state, now, rt.config.policy)
    return frozenset() if step is not None and step.step == "dispute" else ESCALATED


def _auto_escalate(rt: Runtime, result: SweepResult) -> None:
    """Message the seller, then customer service, for each stalled or rejected request whose rung is due."""
    for request in rt.store.requests(set(ESCALATED)):
        ladder = ladder_of(request, rt.store.events_for(request.order_id))
        step = due_now(ladder, request.state, rt.now(), rt.config.policy)
        level = next((lv for lv in LEVELS if step is not None and lv == step.step), None)
        if level is not None:
            stopping.check()  # between messages, as between orders
            _guarded(rt, request.order_id, result, partial(_escalate, rt, request.order_id, level, result))


def _escalate(rt: Runtime, order_id: str, level: Level, result: SweepResult) -> None:
    result.messages.append(send_message(rt, order_id, level))
