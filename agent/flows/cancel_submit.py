"""The confirming click of a cancel and the judgement of the site's answer: the `submitting` row committed
before the click, THE click under the network guard, then what the site answered — accepted (the order
read back), refused (its words), logged out, or nothing (the order itself decides, else `pending`). The
steps before it (eligibility, the form, the reason, the double-check) are agent.flows.cancel's."""

from __future__ import annotations

import logging

from agent import journal, stopping
from agent.errors import AlreadyRequested, SessionExpired, StateConflict
from agent.flows.cancel_settle import CancelResult, as_found, settle, unanswered
from agent.flows.guard import SubmissionGuard
from agent.flows.read import read_detail, read_order
from agent.flows.runtime import Runtime
from agent.models import CancelOutcome, CancelRequest, OrderDetail, RequestState
from agent.pages import CancelDialog, CancelSubmitted, ConfirmPermit
from agent.parsing import fold

__all__ = ["leave_form", "submit", "transition_from_submitting"]

logger = logging.getLogger(__name__)


def leave_form(rt: Runtime, dialog: CancelDialog) -> None:
    """Leave the form without cancelling: "Keep order"/× on a dialog; a form in its own tab is closed."""
    if dialog.page is rt.page:
        dialog.close()
    elif not dialog.page.is_closed():
        dialog.page.close()


def submit(
    rt: Runtime, dialog: CancelDialog, detail: OrderDetail, key: str, text: str, shot: str
) -> CancelResult:
    """Journal, then THE click under the network guard, then judge the site's answer."""
    order_id = detail.order_id
    with stopping.critical():  # the last safe point, then no stop from the journal's row to the answer
        try:
            rt.store.begin_submission(order_id, key, text, rt.run_id)  # committed before the click
        except AlreadyRequested:  # another run got there first: report its request, click nothing
            leave_form(rt, dialog)
            return as_found(rt, order_id, detail.status_text)
        return _click_and_judge(rt, dialog, detail, text, shot)


def _click_and_judge(rt: Runtime, dialog: CancelDialog, detail: OrderDetail, text: str, shot: str
                     ) -> CancelResult:  # fmt: skip
    order_id = detail.order_id
    logger.info("submitting %s", order_id)
    with SubmissionGuard(rt, order_id, "cancel") as guard:
        submitted = dialog.confirm(ConfirmPermit(order_id, text), guard.is_submission, guard.any_sent)
    _journal_answer(rt, submitted, shot)
    if guard.blocked and not guard.sent:
        why = f"the page tried to send a request naming another order ({guard.blocked[0]}): stopped, "
        why += "nothing sent"
        return _failed(rt, detail, why)
    if submitted.answer == "session_expired":
        raise SessionExpired(f"the site answered the click: {submitted.error}")
    if submitted.answer == "refused":
        return _site_refused(rt, detail, submitted.error)
    if submitted.accepted:
        after = _after_accepted(rt, dialog, detail)
        return settle(rt, after, before=detail.status) or _pending(rt, after, "the site accepted the click")
    after = read_order(rt, order_id)  # unknown: the site now (its API), never the page behind the dialog
    settled = settle(rt, after, before=detail.status)
    if settled is not None:
        return settled
    return unanswered(rt, after) or _failed(rt, detail, f"the click reached nothing ({submitted.error})")


def _after_accepted(rt: Runtime, dialog: CancelDialog, detail: OrderDetail) -> OrderDetail:
    """The order once the site accepted: from its API when there is one (one signed call; the page reloads
    on its own meanwhile), else from the page the click reloaded — unless the form had a tab of its own."""
    if rt.config.api.enabled:
        return read_order(rt, detail.order_id)
    reloaded = dialog.page is rt.page
    dialog.wait_reloaded()
    return read_detail(rt, detail.order_id, reuse=reloaded, before=detail if reloaded else None)


def _journal_answer(rt: Runtime, submitted: CancelSubmitted, shot: str) -> None:
    if submitted.answer == "unknown":
        rt.event("submission_unanswered", order_id=submitted.order_id, action="cancel", error=submitted.error,
                 evidence=[shot])  # fmt: skip
        return
    refused = submitted.answer != "accepted"
    rt.event(journal.ANSWERED, order_id=submitted.order_id, action="cancel", answer=submitted.answer,
             refused=refused, error=submitted.error, reason_text=submitted.reason,
             evidence=[shot])  # fmt: skip


def _pending(rt: Runtime, detail: OrderDetail, why: str) -> CancelResult:
    return unanswered(rt, detail) or _failed(rt, detail, why)


def _site_refused(rt: Runtime, detail: OrderDetail, error: str) -> CancelResult:
    """The site said no. A request it shows anyway (made elsewhere, or ours after all) is settled; else
    `failed` with the site's words: nothing of ours is live."""
    after = read_order(rt, detail.order_id)
    settled = settle(rt, after, before=detail.status)
    if settled is not None:
        return settled
    cannot = any(fold(w) in fold(error) for w in rt.pack.words("cannot_cancel", rt.site.locale))
    result = _failed(rt, detail, error or "the site refused the cancellation")
    return result.model_copy(update={"outcome": CancelOutcome.NOT_CANCELLABLE}) if cannot else result


def _failed(rt: Runtime, detail: OrderDetail, why: str) -> CancelResult:
    request = transition_from_submitting(rt, detail.order_id, RequestState.FAILED, why)
    if request is None or request.state is not RequestState.FAILED:
        return as_found(rt, detail.order_id, detail.status_text)
    return CancelResult(order_id=detail.order_id, outcome=CancelOutcome.FAILED, state=RequestState.FAILED,
                        status_text=detail.status_text, message=why)  # fmt: skip


def transition_from_submitting(
    rt: Runtime, order_id: str, to: RequestState, why: str
) -> CancelRequest | None:
    try:
        return rt.store.transition(order_id, to, expected=RequestState.SUBMITTING, run_id=rt.run_id,
                                   flagged_reason=why)  # fmt: skip
    except StateConflict:
        return rt.store.get_request(order_id)
