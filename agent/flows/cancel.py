"""Cancel orders: read → check eligibility → open the dialog wherever it is → pick the reason →
double-check → journal → THE click → record the outcome. Exactly once, even across crashes.

Order of safety (the only irreversible click is behind all of them): eligibility (policy), the dialog's
order id, the chosen reason read back from the dialog, a re-read of the status, the dry-run switch, the
person's confirmation, and the `submitting` journal row committed before the click. A run that finds
`submitting` (a crash mid-click) reconciles by reading the site — it never clicks again blindly.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError
from pydantic import BaseModel, Field

from agent import policy
from agent.errors import AgentError, ControlNotFound, DoubleCheckFailed, NeedsHuman, SessionExpired
from agent.flows.runtime import Runtime
from agent.flows.session import ensure_logged_in, log_in, retrying
from agent.models import CancelOutcome, OrderDetail, OrderStatus, RequestState
from agent.pages import CancelDialog, ConfirmPermit, OrderDetailPage, OrdersPage
from agent.parsing import fold, order_id_from_url

logger = logging.getLogger(__name__)

SESSION_RENEWALS = 2  # logins per order when the session dies at the click (bounded: no endless loop)
Confirm = Callable[[OrderDetail, str], bool]  # the person's yes/no before the click (CLI, on a terminal)


class CancelResult(BaseModel):
    order_id: str
    outcome: CancelOutcome
    state: RequestState | None = None
    status_text: str = ""
    reason_text: str = ""
    message: str = ""
    evidence: list[str] = Field(default_factory=list)


def cancel_orders(
    rt: Runtime,
    order_ids: Iterable[str],
    reason: str,
    *,
    dry_run: bool = False,
    fallback_other: bool = False,
    confirm: Confirm | None = None,
    on_result: Callable[[CancelResult], None] | None = None,
) -> list[CancelResult]:
    """Cancel each order in one browser; a failure on one order never stops the others."""
    ensure_logged_in(rt)
    results = []
    for order_id in order_ids:
        result = cancel_one(
            rt, order_id, reason, dry_run=dry_run, fallback_other=fallback_other, confirm=confirm
        )
        results.append(result)
        if on_result:
            on_result(result)
    return results


def cancel_one(
    rt: Runtime, order_id: str, reason: str, *, dry_run: bool, fallback_other: bool, confirm: Confirm | None
) -> CancelResult:
    try:
        for renewal in range(SESSION_RENEWALS + 1):
            try:
                return _reconciled_attempt(rt, order_id, reason, dry_run, fallback_other, confirm)
            except SessionExpired:
                # Logged out at the confirming click: log in, then reconcile (it reads the order)
                # before any new attempt, so a click the site did take is never repeated.
                if renewal == SESSION_RENEWALS:
                    raise
                rt.event("session_expired", order_id=order_id)
                log_in(rt, return_url=rt.site.url("order_detail", order_id=order_id))
        raise AssertionError("unreachable: the loop returns or raises")
    except NeedsHuman:
        raise  # the whole run needs a person: stop, exit 3
    except (AgentError, PlaywrightError) as exc:  # one order's failure never stops the batch
        rt.failures += 1
        shot = _failure_shot(rt, order_id)
        rt.event("cancel_failed", order_id=order_id, error=str(exc), evidence=[shot] if shot else None)
        return CancelResult(
            order_id=order_id, outcome=CancelOutcome.FAILED, message=str(exc), evidence=[shot] if shot else []
        )


def _reconciled_attempt(
    rt: Runtime, order_id: str, reason: str, dry_run: bool, fallback_other: bool, confirm: Confirm | None
) -> CancelResult:
    existing = rt.store.get_request(order_id)
    reconciled = existing is not None and existing.state == RequestState.SUBMITTING
    if reconciled:
        settled = reconcile(rt, order_id)
        if settled is not None:
            return settled
    return _attempt(rt, order_id, reason, dry_run, fallback_other, confirm, reuse_page=reconciled)


def _attempt(
    rt: Runtime,
    order_id: str,
    reason: str,
    dry_run: bool,
    fallback_other: bool,
    confirm: Confirm | None,
    reuse_page: bool = False,
) -> CancelResult:
    detail = read_detail(rt, order_id, reuse=reuse_page)
    refusal = _refusal(rt, detail)
    if refusal is not None:
        return refusal
    reuse = [True]  # the detail page just read is still on screen
    dialog = retrying(
        rt, lambda: open_dialog(rt, order_id, reuse), f"opening the cancel dialog of {order_id}"
    )
    choice = _choose_reason(rt, dialog, order_id, reason, fallback_other)
    _double_check(rt, dialog, detail, choice.text)
    shot = rt.screenshot(f"{order_id}-before-confirm", full_page=False)  # the modal is in the viewport
    if dry_run:
        dialog.close()
        rt.event("dry_run", order_id=order_id, reason_text=choice.text, evidence=[shot])
        return CancelResult(
            order_id=order_id,
            outcome=CancelOutcome.DRY_RUN,
            status_text=detail.status_text,
            reason_text=choice.text,
            message="dry run: nothing submitted",
            evidence=[shot],
        )
    if confirm is not None and not confirm(detail, choice.text):
        dialog.close()
        rt.event("declined", order_id=order_id, reason_text=choice.text)
        return CancelResult(
            order_id=order_id,
            outcome=CancelOutcome.SKIPPED,
            reason_text=choice.text,
            message="not confirmed: nothing submitted",
        )
    return _submit(rt, dialog, detail, choice.key or reason, choice.text, shot)


def detail_page(rt: Runtime, order_id: str, reuse: list[bool]) -> OrderDetailPage:
    """The order's detail page: the one on screen when it already shows this order and `reuse[0]`
    (first attempt only — a retry always loads afresh), else a fresh load. Saves a page load per step."""
    page = OrderDetailPage(rt.site)
    here = (
        order_id_from_url(rt.page.url) == order_id
        and urlsplit(rt.page.url).path == urlsplit(rt.site.url("order_detail", order_id=order_id)).path
    )
    if reuse[0] and here:
        reuse[0] = False
        return page.wait_loaded()
    return page.open(order_id)


def read_detail(
    rt: Runtime, order_id: str, reuse: bool = False, before: OrderDetail | None = None
) -> OrderDetail:
    """Read the order's detail page (retrying reads, renewing the session) and record what it shows.
    `before`: what an earlier read of this run saw; only what an order's move changes is read again."""
    first = [reuse]

    def read() -> OrderDetail:
        page = detail_page(rt, order_id, first)
        return page.status_update(before, rt.now()) if before else page.detail(now=rt.now())

    detail = retrying(rt, read, f"reading order {order_id}")
    if detail.order_id != order_id:
        raise DoubleCheckFailed(f"asked for order {order_id}, the page shows order {detail.order_id}")
    rt.store.upsert_order(detail)
    rt.event(
        "observed",
        order_id=order_id,
        status=detail.status.value,
        status_text=detail.status_text,
        reminder=detail.reminder,
    )
    return detail


def _refusal(rt: Runtime, detail: OrderDetail) -> CancelResult | None:
    """Policy's answer; None when the order may be cancelled."""
    existing = rt.store.get_request(detail.order_id)
    pol = rt.config.policy
    verdict = policy.eligibility(
        detail, pol.allowed_statuses, pol.amount_cap, existing.state if existing else None
    )
    if verdict.ok:
        return None
    outcome = verdict.outcome or CancelOutcome.NOT_CANCELLABLE
    rt.event(
        "refused",
        order_id=detail.order_id,
        outcome=outcome.value,
        reason=verdict.reason,
        needs_human=verdict.needs_human,
    )
    if verdict.needs_human and (existing is None or existing.state == RequestState.FAILED):
        rt.store.set_request_state(
            detail.order_id, RequestState.NEEDS_HUMAN, rt.run_id, flagged_reason=verdict.reason
        )
    if outcome == CancelOutcome.ALREADY_REQUESTED and existing is None:
        _journal_seen_request(rt, detail)
    return CancelResult(
        order_id=detail.order_id,
        outcome=outcome,
        status_text=detail.status_text,
        state=existing.state if existing else None,
        message=verdict.reason,
    )


def _journal_seen_request(rt: Runtime, detail: OrderDetail) -> None:
    """A request made elsewhere (the app, the website): start watching it too."""
    if detail.status == OrderStatus.CANCELLATION_REQUESTED:
        rt.store.set_request_state(
            detail.order_id,
            RequestState.REQUESTED,
            rt.run_id,
            **_deadlines(rt, detail, rt.now()),
        )


def open_dialog(rt: Runtime, order_id: str, reuse: list[bool]) -> CancelDialog:
    """The cancel dialog of `order_id`: from the detail page's control, else from its row in My Orders."""
    try:
        return detail_page(rt, order_id, reuse).open_cancel_dialog()
    except ControlNotFound as on_detail:
        logger.info("no cancel control on the detail page of %s; trying its row in My Orders", order_id)
        orders = OrdersPage(rt.site).open().search(order_id)
        try:
            return orders.open_cancel_dialog(order_id)
        except ControlNotFound as on_row:
            shot = rt.screenshot(f"{order_id}-no-cancel-control")
            raise ControlNotFound("order_detail.cancel", on_detail.tried + on_row.tried, [shot]) from on_row


def _choose_reason(
    rt: Runtime, dialog: CancelDialog, order_id: str, reason: str, fallback: bool
) -> policy.ReasonChoice:
    offered = dialog.offered_reasons()
    synonyms = {key: rt.pack.reason_words(key, rt.site.locale) for key in _reason_keys(rt)}
    pol = rt.config.policy
    try:
        choice = policy.match_reason(
            reason, offered, synonyms, pol.reason_match_threshold, fallback or pol.fallback_other,
            blames_seller=rt.pack.blames_seller,
        )  # fmt: skip
    except AgentError:
        dialog.close()
        raise
    dialog.choose_reason(choice.text)
    rt.event(
        "reason_chosen",
        order_id=order_id,
        wanted=reason,
        chosen=choice.text,
        score=choice.score,
        method=choice.method,
        offered=offered,
    )
    return choice


def _reason_keys(rt: Runtime) -> set[str]:
    return {key for table in rt.pack.reasons.values() for key in table}


def _double_check(rt: Runtime, dialog: CancelDialog, detail: OrderDetail, reason_text: str) -> None:
    """Right before the click: the dialog is this order's, the reason is the chosen one, and the
    status on screen is still the cancellable one we checked."""
    shown_id = dialog.order_id()
    if shown_id != detail.order_id:
        dialog.close()
        raise DoubleCheckFailed(
            f"the dialog is for order {shown_id!r}, not {detail.order_id}: nothing clicked"
        )
    selected = dialog.selected_reason()
    if selected is None or fold(selected) != fold(reason_text):
        dialog.close()
        raise DoubleCheckFailed(f"the dialog shows reason {selected!r}, not {reason_text!r}: nothing clicked")
    status_now = _status_on_page(rt)
    if status_now not in (None, detail.status):
        dialog.close()
        raise DoubleCheckFailed(f"order {detail.order_id} changed to {status_now} meanwhile: nothing clicked")


def _status_on_page(rt: Runtime) -> OrderStatus | None:
    """The status shown behind the dialog, when the dialog sits on the detail page."""
    text = OrderDetailPage(rt.site).status_text()
    return policy.canonical_status(text, rt.pack.statuses, rt.site.locale) if text else None


def _submit(
    rt: Runtime, dialog: CancelDialog, detail: OrderDetail, key: str, text: str, shot: str
) -> CancelResult:
    """Journal, then THE click, then read back what happened."""
    rt.store.begin_submission(detail.order_id, key, text, rt.run_id)  # committed before the click
    logger.info("submitting %s", detail.order_id)
    submitted = dialog.confirm(ConfirmPermit(detail.order_id, text))
    rt.event(
        "confirm_clicked",
        order_id=detail.order_id,
        reason_text=text,
        accepted=submitted.accepted,
        error=submitted.error,
        evidence=[shot],
    )
    if not submitted.answered:  # the outcome is unknown: stay `submitting`, the next run reconciles
        return CancelResult(
            order_id=detail.order_id,
            outcome=CancelOutcome.FAILED,
            state=RequestState.SUBMITTING,
            message=f"{submitted.error}; the next run reconciles it",
        )
    if not submitted.accepted:
        return _site_refused(rt, detail, submitted.error)
    return _settle(rt, detail.order_id, after_click=True, before=detail) or CancelResult(
        order_id=detail.order_id,
        outcome=CancelOutcome.FAILED,
        state=RequestState.SUBMITTING,
        message="submitted, but the site shows no outcome yet; the next run reconciles it",
    )


def _site_refused(rt: Runtime, detail: OrderDetail, error: str) -> CancelResult:
    rt.store.set_request_state(detail.order_id, RequestState.FAILED, rt.run_id, flagged_reason=error)
    cannot = any(fold(w) in fold(error) for w in rt.pack.words("cannot_cancel", rt.site.locale))
    outcome = CancelOutcome.NOT_CANCELLABLE if cannot else CancelOutcome.FAILED
    return CancelResult(
        order_id=detail.order_id,
        outcome=outcome,
        state=RequestState.FAILED,
        status_text=detail.status_text,
        message=error or "the site refused the cancellation",
    )


def reconcile(rt: Runtime, order_id: str) -> CancelResult | None:
    """A `submitting` row left by a crash: read the site to learn whether the click happened.
    Returns the settled result, or None when the order is untouched (the click never happened)."""
    rt.event("reconcile", order_id=order_id)
    settled = _settle(rt, order_id, after_click=False)
    if settled is not None:
        return settled
    rt.store.set_request_state(
        order_id,
        RequestState.FAILED,
        rt.run_id,
        flagged_reason="not submitted: the run stopped before the click",
    )
    return None


def _settle(
    rt: Runtime, order_id: str, after_click: bool, before: OrderDetail | None = None
) -> CancelResult | None:
    """Map what the detail page shows after a submission onto the request's state. None: no outcome
    visible (after the click: not yet; when reconciling: the click never happened)."""
    now = rt.now()
    detail = read_detail(rt, order_id, reuse=after_click, before=before)  # the click reloaded the page
    verdict = policy.submission_outcome(detail.status, after_click, rt.config.policy.allowed_statuses)
    if verdict in (policy.Submission.NOT_YET, policy.Submission.NOT_SUBMITTED):
        return None
    if verdict == policy.Submission.UNEXPECTED:
        return _unexpected(rt, detail)
    if verdict == policy.Submission.CANCELLED:
        state, outcome = RequestState.CANCELLED, CancelOutcome.CANCELLED
        fields: dict[str, Any] = {"submitted_at": now}
    else:
        state, outcome = RequestState.REQUESTED, CancelOutcome.REQUESTED
        fields = {"submitted_at": now, **_deadlines(rt, detail, now)}
    request = rt.store.set_request_state(
        order_id, state, rt.run_id, detail={"status_text": detail.status_text}, **fields
    )
    return CancelResult(
        order_id=order_id,
        outcome=outcome,
        state=state,
        status_text=detail.status_text,
        reason_text=request.reason_text or "",
    )


def _unexpected(rt: Runtime, detail: OrderDetail) -> CancelResult:
    """After a crash the order moved somewhere we can't explain (e.g. shipped): a person should look."""
    reason = f"after an interrupted submission the order shows {detail.status_text!r}"
    rt.store.set_request_state(detail.order_id, RequestState.NEEDS_HUMAN, rt.run_id, flagged_reason=reason)
    return CancelResult(
        order_id=detail.order_id,
        outcome=CancelOutcome.FAILED,
        state=RequestState.NEEDS_HUMAN,
        status_text=detail.status_text,
        message=reason,
    )


def _deadlines(rt: Runtime, detail: OrderDetail, now: dt.datetime) -> dict[str, Any]:
    pol = rt.config.policy
    seller = policy.seller_deadline(now, detail.seller_deadline, pol.seller_response_hours)
    placed = dt.datetime.combine(detail.placed_at, dt.time(), tzinfo=dt.UTC) if detail.placed_at else now
    dispute = policy.dispute_deadline(placed, None, None, pol.dispute_window_days)
    return {"seller_deadline": seller, "dispute_deadline": dispute}


def _failure_shot(rt: Runtime, order_id: str) -> str | None:
    from agent.pages import LoginPage

    if LoginPage(rt.site).is_logged_out():
        return None  # never photograph a login form
    return rt.screenshot(f"{order_id}-failed")
