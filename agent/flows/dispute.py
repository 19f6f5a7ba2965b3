"""Open a dispute (returns/refunds) for a flagged request: exactly once, like cancel, on the same journal
(agent.journal) and network guard (agent.flows.guard).

Order of safety: the request is flagged (or may be flagged now, by hand); no earlier submit is open in the
journal (one found is settled first: from what the site shows, else by the journal's rule — it is never
submitted again on a guess); the order detail shows a status the site disputes (shipped or completed);
the form's reason is read back; the dry-run switch; then `submission_begun` is committed — in the same
write transaction that checked no other attempt is open — BEFORE the irreversible submit. The dispute
counts as opened only when the site shows it, never because a page went away.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from agent import journal, policy, stopping
from agent.api import check_cooldown
from agent.errors import OrderNotFound, StateConflict
from agent.flows.guard import SubmissionGuard
from agent.flows.read import read_detail
from agent.flows.runtime import Runtime
from agent.journal import Attempt, Unanswered
from agent.models import CancelRequest, Event, OrderStatus, RequestState
from agent.pages import DisputePage, DisputePermit, DisputeSubmitted
from agent.store import Store
from agent.transitions import can_move

logger = logging.getLogger(__name__)

S = RequestState
ACTION = "dispute"
Outcome = Literal[
    "opened", "already_opened", "dry_run", "unavailable", "not_flagged", "failed", "pending", "needs_human"
]
# Statuses for which the site offers "Returns/refunds" (the shop and the real site: shipped or done).
DISPUTABLE = frozenset({OrderStatus.AWAITING_DELIVERY, OrderStatus.COMPLETED})
# The reason we pick: the honest one for a cancelled order that was not refunded is "other" + a message.
DISPUTE_REASON_WORDS = {"other": ["Other", "Other reasons", "Outro", "Outros", "Outros motivos"]}
MAX_EVIDENCE = 5
MAX_MESSAGE = 1500
PENDING_MESSAGE = "the dispute's submit is still unanswered: re-check later (nothing is sent again meanwhile)"


class DisputeResult(BaseModel):
    order_id: str
    outcome: Outcome
    state: RequestState | None = None
    reason_text: str = ""
    message: str = ""
    evidence: list[str] = Field(default_factory=list)


def open_dispute(rt: Runtime, order_id: str, *, dry_run: bool = False) -> DisputeResult:
    """Open the dispute of `order_id` (a request the agent watches), at most once ever."""
    check_cooldown(rt.config)  # during the site's anti-bot cooldown nothing automated touches it
    rt.store.check_owner(order_id)
    request = rt.store.get_request(order_id)
    if request is None:
        raise OrderNotFound(order_id)
    if request.state in (S.DISPUTE_OPENED, S.DISPUTE_RESOLVED):
        return _result(request, "already_opened", "the dispute is already open")
    attempt = rt.store.open_attempt(order_id, ACTION)
    if attempt is not None:
        settled = _reconcile(rt, request, attempt)
        if settled is not None:
            return settled
    if request.state is not S.DISPUTE_FLAGGED:
        if not can_move(request.state, S.DISPUTE_FLAGGED):
            return _result(request, "not_flagged", f"a {request.state.value} request cannot be disputed")
        try:
            request = rt.store.transition(order_id, S.DISPUTE_FLAGGED, expected=request.state,
                                          run_id=rt.run_id, detail={"code": "by_hand"},
                                          flagged_reason="by_hand")  # fmt: skip
        except StateConflict:
            return _result(rt.store.get_request(order_id) or request, "failed", "another run moved it first")
    return _attempt(rt, request, dry_run)


def _attempt(rt: Runtime, request: CancelRequest, dry_run: bool) -> DisputeResult:
    order_id = request.order_id
    detail = read_detail(rt, order_id)
    if detail.status is OrderStatus.DISPUTE:
        return _mark_opened(rt, request, "the site already shows the order in dispute", [])
    if detail.status not in DISPUTABLE:
        why = f"the site offers no dispute for a {detail.status.value} order yet ({detail.status_text!r})"
        rt.event("dispute_unavailable", order_id=order_id, status=detail.status.value, reason=why)
        return _result(request, "unavailable", why)
    page = DisputePage(rt.site).open(order_id)
    choice = policy.match_reason("other", page.offered_reasons(), DISPUTE_REASON_WORDS)
    page.choose_reason(choice.text)
    message = build_message(rt.store, request)
    page.write_message(message)
    files = evidence_files(rt.store, order_id)
    if files:
        page.attach(files)
    shot = rt.screenshot(f"{order_id}-dispute-form")
    if dry_run:
        rt.event(
            "dispute_dry_run", order_id=order_id, reason_text=choice.text, message=message, evidence=[shot]
        )
        return _result(request, "dry_run", "dry run: nothing submitted", choice.text, [shot])
    with stopping.critical():  # the last safe point, then no stop from the journal's row to the answer
        if not rt.store.begin_attempt(order_id, ACTION, rt.run_id, reason_text=choice.text):
            return _result(request, "pending", "another run is submitting this dispute right now")
        logger.info("submitting the dispute of %s", order_id)
        with SubmissionGuard(rt, order_id, ACTION) as guard:
            submitted = page.submit(DisputePermit(order_id, choice.text), guard.is_submission)
        _journal_answer(rt, order_id, submitted, len(files))
        return _judge(rt, request, submitted, guard, [shot], choice.text)


def _journal_answer(rt: Runtime, order_id: str, submitted: DisputeSubmitted, files: int) -> None:
    if submitted.answer == "unknown":
        rt.event("submission_unanswered", order_id=order_id, action=ACTION, error=submitted.error)
        return
    rt.event(journal.ANSWERED, order_id=order_id, action=ACTION, answer=submitted.answer,
             refused=submitted.answer == "refused", error=submitted.error, files=files)  # fmt: skip


def _judge(
    rt: Runtime,
    request: CancelRequest,
    submitted: DisputeSubmitted,
    guard: SubmissionGuard,
    evidence: list[str],
    reason_text: str,
) -> DisputeResult:
    """Opened only when the site shows the dispute; a refusal is `failed` with the site's words; no answer
    is the journal's to judge (pending, or failed when nothing left the browser)."""
    order_id = request.order_id
    status = DisputePage(rt.site).status(order_id)
    if status.shows_dispute:
        return _mark_opened(rt, request, status.status_text, evidence, reason_text)
    if guard.blocked and not guard.sent:
        rt.store.close_attempt(order_id, ACTION, rt.run_id, outcome="blocked")
        why = f"the page tried to send a request naming another order ({guard.blocked[0]}): nothing sent"
        return _result(request, "failed", why, reason_text, evidence)
    if submitted.answer == "refused" or (submitted.answer == "unknown" and not guard.sent):
        rt.store.close_attempt(order_id, ACTION, rt.run_id, outcome="refused")
        why = f"the site did not open the dispute: {submitted.error or status.status_text}"
        return _result(request, "failed", why, reason_text, evidence)
    attempt = rt.store.open_attempt(order_id, ACTION)
    assert attempt is not None and attempt.live, "begun and sent in this run"
    shown = f"{submitted.error}; the site shows {status.status_text!r}"
    return _unanswered(rt, request, attempt, shown) or _result(request, "failed", shown)


def _reconcile(rt: Runtime, request: CancelRequest, attempt: Attempt) -> DisputeResult | None:
    """An open submit found at the start: the site shows the dispute (opened), or the journal's rule.
    None: it never reached the site and was voided — a new submit may follow."""
    status = DisputePage(rt.site).status(request.order_id)
    if status.shows_dispute:
        return _mark_opened(rt, request, f"reconciled: the site shows {status.status_text!r}", [])
    return _unanswered(rt, request, attempt, f"the site shows {status.status_text!r}")


def judge_unanswered(rt: Runtime, order_id: str, action: str, attempt: Attempt, shown: str) -> Unanswered:
    """The journal's rule for a submission the page does not show (a dispute, a message), recorded; a
    voided attempt (RETRY) is closed `not_submitted` here."""
    verdict = journal.judge(rt.store, attempt, rt.now(), rt.run_id, rt.config.policy.unanswered_click_hours)
    rt.event("unanswered", order_id=order_id, action=action, verdict=verdict.value, shown=shown)
    if verdict is Unanswered.RETRY:
        rt.store.close_attempt(order_id, action, rt.run_id, outcome="not_submitted")
    return verdict


def _unanswered(rt: Runtime, request: CancelRequest, attempt: Attempt, shown: str) -> DisputeResult | None:
    verdict = judge_unanswered(rt, request.order_id, ACTION, attempt, shown)
    if verdict is Unanswered.RETRY:
        return None
    if verdict is Unanswered.PENDING:
        return _result(request, "pending", f"{PENDING_MESSAGE} ({shown})")
    why = f"a dispute submit was never answered and {shown}: look at the order's Returns/refunds yourself"
    try:
        updated = rt.store.transition(request.order_id, S.NEEDS_HUMAN, expected=request.state,
                                      run_id=rt.run_id, flagged_reason=why)  # fmt: skip
    except StateConflict:
        updated = rt.store.get_request(request.order_id) or request
    rt.store.close_attempt(request.order_id, ACTION, rt.run_id, outcome="needs_human")
    return _result(updated, "needs_human", why)


def _mark_opened(
    rt: Runtime, request: CancelRequest, seen: str, evidence: list[str], reason_text: str = ""
) -> DisputeResult:
    try:
        with rt.store.transaction():
            updated = rt.store.transition(
                request.order_id,
                S.DISPUTE_OPENED,
                expected=request.state,
                run_id=rt.run_id,
                detail={"code": "dispute_opened", "status_text": seen, "reason_text": reason_text},
                evidence=evidence,
            )
            if rt.store.open_attempt(request.order_id, ACTION) is not None:
                rt.store.close_attempt(request.order_id, ACTION, rt.run_id, outcome="opened")
    except StateConflict:
        updated = rt.store.get_request(request.order_id) or request
    return _result(updated, "opened", seen, reason_text, evidence)


def _result(
    request: CancelRequest,
    outcome: Outcome,
    message: str,
    reason_text: str = "",
    evidence: list[str] | None = None,
) -> DisputeResult:
    return DisputeResult(
        order_id=request.order_id,
        outcome=outcome,
        state=request.state,
        reason_text=reason_text,
        message=message,
        evidence=evidence or [],
    )


# ---------------------------------------------------------------- message and evidence


# The message is read by the seller and by AliExpress staff: plain sentences only, never an internal code
# (a state or flag name). English: the site's dispute form takes it in any of the pack's locales.
# One sentence per step code (jobs.lifecycle, jobs.watch, this flow), else per state; a step listed in
# neither is internal (submitting, failed, needs_human) and left out.
STEP_WORDING: dict[str, str] = {
    "instant_cancel": "The order was cancelled.",
    "request_confirmed": "The site showed my cancellation request as waiting for the seller's answer.",
    "seller_accepted": "The order was closed: the seller accepted the cancellation or the site cancelled it.",
    "seller_rejected": "The seller rejected the cancellation and the order went back to awaiting shipment.",
    "closed_after_rejection": "The order was closed after the seller had rejected the cancellation.",
    "seller_silent": "The seller had not answered by the deadline and the order was not cancelled.",
    "shipped_anyway": "The seller shipped the order although I had asked to cancel it.",
    "refund_started": "The site showed the refund as in progress.",
    "refunded": "The site showed the refund as completed.",
    "dispute_opened": "A dispute was opened.",
    "dispute_resolved": "The dispute was closed.",
}
STATE_WORDING: dict[str, str] = {
    "requested": "My cancellation request was sent to the seller.",
    "cancelled": "The order was cancelled.",
    "accepted": "The cancellation was accepted.",
    "rejected": "The seller rejected the cancellation.",
    "stalled": "The seller had not answered by the deadline.",
    "shipped_anyway": "The seller shipped the order although I had asked to cancel it.",
    "refund_pending": "The site showed the refund as in progress.",
    "refunded": "The site showed the refund as completed.",
    "dispute_opened": "A dispute was opened.",
    "dispute_resolved": "The dispute was closed.",
}
# A flag is told by the step before it (stalled, rejected, shipped anyway, by hand), except these.
FLAG_WORDING: dict[str, str] = {
    "refund_overdue": "The refund had not arrived by the date it was due.",
    "dispute_window_closing": "The buyer protection period of this order was about to end.",
    "dispute_seen": "The site showed the order as in dispute.",
}
# Messages the agent sent before the dispute (agent.flows.escalate), by level.
ESCALATION_WORDING: dict[str, str] = {
    "seller": "I wrote to the seller about it.",
    "support": "I wrote to AliExpress customer service about it.",
}
# The request's open issue (its flag), as the message's conclusion: (sentence, date field, date words).
OPEN_ISSUE: dict[str, tuple[str, str, str]] = {
    "stalled": ("The seller never answered my cancellation request{date}.", "seller_deadline", ", due by "),
    "rejected": ("The seller refused to cancel the order.", "", ""),
    "shipped_anyway": ("The order was shipped although I had asked to cancel it before shipment.", "", ""),
    "refund_overdue": ("The refund has not arrived although it was due{date}.", "refund_due", " by "),
    "dispute_window_closing": ("Nothing is settled and the buyer protection period ends{date}.",
                               "dispute_deadline", " on "),
}  # fmt: skip


def build_message(
    store: Store,
    request: CancelRequest,
    *,
    issue: str = "",
    ask: str = "Please refund the order in full.",
    heading: str = "",
    limit: int = MAX_MESSAGE,
) -> str:
    """A factual message from the recorded timeline: when I asked, what the site showed since (dated),
    what is still open — in plain sentences, never an internal code. `issue`: the OPEN_ISSUE key (default
    the request's flag); `ask`: the closing request; `heading`: a first line (a message about the order
    outside the order's own page names it); `limit`: the most characters sent (the escalation messages)."""
    events = store.events_for(request.order_id)
    timeline = list(dict.fromkeys(line for event in events if (line := _timeline_line(event))))
    lines = [heading] if heading else []
    lines.append(_opening(request, events))
    if timeline:
        lines += ["What happened since:", *timeline]
    open_issue = _open_issue(request, issue)
    if open_issue:
        lines.append(open_issue)
    lines.append(ask)
    text = "\n".join(lines)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _opening(request: CancelRequest, events: list[Event]) -> str:
    """When the cancellation was asked for: the request's date, else its submission's, else the first
    recorded step's; no date at all rather than a placeholder."""
    first_step = next((e.at for e in events if e.kind == "request_state"), None)
    when = request.requested_at or request.submitted_at or first_step
    on = f" on {_day(when)}" if when else ""
    reason = f', giving the reason "{request.reason_text}"' if request.reason_text else ""
    return f"I asked to cancel this order{on}{reason}."


def _timeline_line(event: Event) -> str:
    if event.kind == "escalated":  # agent.escalation.SENT: a message the site showed as sent
        wording = ESCALATION_WORDING.get(str(event.detail.get("level", "")))
        return f"- {_day(event.at, clock=True)}: {wording}" if wording else ""
    if event.kind != "request_state" or event.state_to is None:
        return ""
    code = str(event.detail.get("code") or "")
    if event.state_to == S.DISPUTE_FLAGGED.value:
        wording = FLAG_WORDING.get(code)
    else:
        wording = STEP_WORDING.get(code) or STATE_WORDING.get(event.state_to)
    return f"- {_day(event.at, clock=True)}: {wording}" if wording else ""


def _open_issue(request: CancelRequest, key: str = "") -> str:
    sentence, field, words = OPEN_ISSUE.get(key or request.flagged_reason, ("", "", ""))
    moment = getattr(request, field) if field else None
    return sentence.format(date=f"{words}{_day(moment)}" if moment else "")


def _day(moment: dt.datetime, clock: bool = False) -> str:
    """ "2026-07-15" (or "2026-07-15 10:31 UTC"): unambiguous in every language."""
    utc = moment.astimezone(dt.UTC) if moment.tzinfo else moment
    return f"{utc:%Y-%m-%d %H:%M} UTC" if clock else f"{utc:%Y-%m-%d}"


def evidence_files(store: Store, order_id: str) -> list[Path]:
    """The latest screenshots recorded for the order that still exist (at most MAX_EVIDENCE)."""
    found: list[Path] = []
    for event in store.events_for(order_id):
        for item in event.evidence:
            path = Path(item)
            if path.suffix == ".png" and path.is_file() and path not in found:
                found.append(path)
    return found[-MAX_EVIDENCE:]
