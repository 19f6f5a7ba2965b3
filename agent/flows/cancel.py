"""Cancel orders: read → check eligibility → open the form wherever it is → pick the reason →
double-check → journal → THE click (under the network guard) → judge the site's answer (the last three:
agent.flows.cancel_submit). Exactly once, even across crashes and slow sites.

Order of safety (the only irreversible click is behind all of them): eligibility (policy); the form
belongs to the order it was opened from (the detail page of that id or its list row; an id the form
prints is checked when present); the chosen reason read back from the form; the dry-run switch; the
person's yes; the order's status re-read from the site after that yes; the `submitting` row committed
before the click; and the network guard, which stops any request naming another order and journals the
submission before it leaves. A run that finds `submitting` settles it from what the site shows and the
journal (agent.flows.cancel_settle) — a click whose answer never came is never repeated on a guess.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from playwright.sync_api import Error as PlaywrightError

from agent import policy, stopping
from agent.api import check_cooldown
from agent.deadlines import entry_fields
from agent.errors import (
    AgentError,
    ControlNotFound,
    DoubleCheckFailed,
    NeedsHuman,
    SessionExpired,
    StateConflict,
    Stopped,
)
from agent.flows.cancel_settle import CancelResult, as_found, reconcile
from agent.flows.cancel_submit import leave_form, submit, transition_from_submitting
from agent.flows.read import detail_page, read_detail, read_order
from agent.flows.runtime import Runtime
from agent.flows.session import ensure_logged_in, log_in, retrying
from agent.models import CancelOutcome, OrderDetail, OrderStatus, RequestState
from agent.pages import CancelDialog, OrdersPage
from agent.parsing import fold

__all__ = ["CancelResult", "cancel_orders", "cancel_one", "open_dialog"]

logger = logging.getLogger(__name__)

SESSION_RENEWALS = 2  # logins per order when the session dies at the click (bounded: no endless loop)
Confirm = Callable[[OrderDetail, str], bool]  # the person's yes/no before the click (CLI, on a terminal)


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
    """Cancel each order in one browser; a failure on one order never stops the others. An order recorded
    under another account is refused (WrongAccount) before anything is done."""
    order_ids = list(order_ids)
    for order_id in order_ids:
        rt.store.check_owner(order_id)
    check_cooldown(rt.config)  # during the site's anti-bot cooldown nothing automated touches it
    if not rt.session_checked:  # once a run: a session that ends later shows on the order's page (renewed)
        ensure_logged_in(rt)
    results = []
    for order_id in order_ids:
        stopping.check()  # between orders: a batch stops here on SIGTERM/SIGINT
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
    except (NeedsHuman, Stopped):
        raise  # the whole run needs a person (exit 3), or was asked to stop at a safe point (143/130)
    except (AgentError, PlaywrightError) as exc:  # one order's failure never stops the batch
        rt.failures += 1
        shot = _failure_shot(rt, order_id)
        rt.event("cancel_failed", order_id=order_id, error=str(exc), evidence=[shot] if shot else None)
        result = CancelResult(
            order_id=order_id, outcome=CancelOutcome.FAILED, message=str(exc), evidence=[shot] if shot else []
        )
        return _after_error(rt, order_id, result)


def _after_error(rt: Runtime, order_id: str, result: CancelResult) -> CancelResult:
    """An error after `submitting` was journalled: void it when the guard saw nothing leave (this run
    knows it sent nothing); otherwise it may have reached the site and stays pending."""
    request = rt.store.get_request(order_id)
    if request is None or request.state is not RequestState.SUBMITTING:
        return result
    attempt = rt.store.open_attempt(order_id, "cancel")
    if attempt is not None and not attempt.live and attempt.run_id == rt.run_id:
        why = f"not submitted: the attempt stopped before anything was sent ({result.message})"
        voided = transition_from_submitting(rt, order_id, RequestState.FAILED, why)
        return result.model_copy(update={"state": voided.state if voided else None, "message": why})
    pending = as_found(rt, order_id)
    return result.model_copy(update={"outcome": pending.outcome, "state": pending.state,
                                     "message": f"{result.message}; {pending.message}"})  # fmt: skip


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
    reuse = [True]  # the detail page just read is still on screen (a retry loads it afresh)
    dialog = retrying(rt, lambda: open_dialog(rt, order_id, reuse, just_read=True),
                      f"opening the cancel dialog of {order_id}")  # fmt: skip
    try:
        return _fill_and_submit(rt, dialog, detail, reason, dry_run, fallback_other, confirm)
    finally:
        if dialog.page is not rt.page and not dialog.page.is_closed():
            dialog.page.close()  # the form opened in a tab of its own: the order's page stays ours


def _fill_and_submit(
    rt: Runtime,
    dialog: CancelDialog,
    detail: OrderDetail,
    reason: str,
    dry_run: bool,
    fallback_other: bool,
    confirm: Confirm | None,
) -> CancelResult:
    order_id = detail.order_id
    choice = _choose_reason(rt, dialog, order_id, reason, fallback_other)
    if dialog.has_comment():  # a form may require one: the reason's own words, never anything personal
        dialog.fill_comment(choice.text)
    _double_check(rt, dialog, detail, choice.text)
    shot = rt.browser.screenshot(dialog.page, rt.run_id, f"{order_id}-before-confirm", full_page=False)
    if dry_run:
        leave_form(rt, dialog)
        rt.event("dry_run", order_id=order_id, reason_text=choice.text, evidence=[shot])
        return CancelResult(
            order_id=order_id,
            outcome=CancelOutcome.DRY_RUN,
            status_text=detail.status_text,
            reason_text=choice.text,
            message="dry run: nothing submitted",
            evidence=[shot],
        )
    if confirm is not None:
        if not confirm(detail, choice.text):
            leave_form(rt, dialog)
            rt.event("declined", order_id=order_id, reason_text=choice.text)
            return CancelResult(
                order_id=order_id,
                outcome=CancelOutcome.SKIPPED,
                reason_text=choice.text,
                message="not confirmed: nothing submitted",
            )
        _still_cancellable(rt, dialog, detail)  # the person may have taken minutes: ask the site again
    return submit(rt, dialog, detail, choice.key or reason, choice.text, shot)


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
    fresh = existing is None or existing.state == RequestState.FAILED
    if verdict.needs_human and fresh:
        _start(rt, detail, RequestState.NEEDS_HUMAN, existing, flagged_reason=verdict.reason)
    if outcome == CancelOutcome.ALREADY_REQUESTED and fresh:
        _journal_seen_request(rt, detail, existing)
    request = rt.store.get_request(detail.order_id)
    return CancelResult(
        order_id=detail.order_id,
        outcome=outcome,
        status_text=detail.status_text,
        state=request.state if request else None,
        message=verdict.reason,
    )


def _journal_seen_request(rt: Runtime, detail: OrderDetail, existing: object) -> None:
    """A request made elsewhere (the app, the website): start watching it too, deadlines and all."""
    if detail.status == OrderStatus.CANCELLATION_REQUESTED:
        fields = entry_fields(None, RequestState.REQUESTED, rt.now(), rt.config.policy,
                              placed_on=detail.placed_at,
                              page_seller_deadline=detail.seller_deadline)  # fmt: skip
        _start(rt, detail, RequestState.REQUESTED, existing, **fields)


def _start(rt: Runtime, detail: OrderDetail, to: RequestState, existing: object, **fields: Any) -> None:
    """Move an order with no live request (none, or `failed`) to `to`; a lost race is left as it is."""
    expected = getattr(existing, "state", None)
    try:
        rt.store.transition(detail.order_id, to, expected=expected, run_id=rt.run_id,
                            detail={"status_text": detail.status_text}, **fields)  # fmt: skip
    except StateConflict:
        logger.info("order %s: another run recorded its request first", detail.order_id)


def open_dialog(rt: Runtime, order_id: str, reuse: list[bool], just_read: bool = False) -> CancelDialog:
    """The cancel dialog of `order_id`: from the detail page's control, else from its row in My Orders.
    Either way it belongs to that order: the page or the row it was opened from names it. `just_read`: the
    detail page on screen was read a moment ago (agent.flows.read.detail_page)."""
    try:
        return detail_page(rt, order_id, reuse, just_read).open_cancel_dialog()
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
        leave_form(rt, dialog)
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
    """Right before the click: an order id the dialog prints (when it prints one) is this order's, and the
    dialog shows the chosen reason."""
    shown_id = dialog.order_id()
    if shown_id is not None and shown_id != detail.order_id:
        leave_form(rt, dialog)
        raise DoubleCheckFailed(f"the dialog is for order {shown_id}, not {detail.order_id}: nothing clicked")
    selected = dialog.selected_reason()
    if selected is None or fold(selected) != fold(reason_text):
        leave_form(rt, dialog)
        raise DoubleCheckFailed(f"the dialog shows reason {selected!r}, not {reason_text!r}: nothing clicked")


def _still_cancellable(rt: Runtime, dialog: CancelDialog, detail: OrderDetail) -> None:
    """After the person's yes: the status as the site shows it now (not the page behind the dialog, which
    nothing reloads) is still the one the eligibility check passed."""
    now = read_order(rt, detail.order_id, renew_session=False)
    if now.status is not detail.status:
        leave_form(rt, dialog)
        raise DoubleCheckFailed(
            f"order {detail.order_id} changed to {now.status_text!r} meanwhile: nothing clicked"
        )


def _failure_shot(rt: Runtime, order_id: str) -> str | None:
    from agent.pages import LoginPage

    if LoginPage(rt.site).is_logged_out():
        return None  # never photograph a login form
    return rt.screenshot(f"{order_id}-failed")
