"""Escalate before a dispute: one short, factual message to the seller (the order's "Contact seller" page)
or to customer service (the support form) — exactly once per order and level, on the same journal
(agent.journal) and network guard (agent.flows.guard) as cancel and dispute.

Order of safety: the level is not settled yet (agent.escalation: sent, or handed to a person); an open
attempt found is settled first — from the conversation the site shows, else by the journal's rule, never
sent again on a guess; the page is opened and the text written; the dry-run switch; then
`submission_begun` (with the text) is committed — in the write transaction that checked no other attempt
is open — BEFORE the send. The message counts as sent only when the conversation shows it.
"""

from __future__ import annotations

import logging
from typing import Literal

from pydantic import BaseModel

from agent import journal, stopping
from agent.api import check_cooldown
from agent.errors import ControlNotFound, OrderNotFound
from agent.escalation import ACTIONS, SENT, UNAVAILABLE, Level, settled_levels
from agent.flows.dispute import build_message, judge_unanswered
from agent.flows.guard import SubmissionGuard
from agent.flows.runtime import Runtime
from agent.flows.session import ensure_logged_in
from agent.journal import Attempt, Unanswered
from agent.models import CancelRequest, Event, RequestState
from agent.pages import MessagePage, MessagePermit, MessageSubmitted
from agent.store import Store
from agent.transitions import TERMINAL

__all__ = ["MessageResult", "compose", "send_message"]

logger = logging.getLogger(__name__)

S = RequestState
Outcome = Literal[
    "sent", "already_sent", "dry_run", "unavailable", "not_escalable", "failed", "pending", "needs_human"
]
MAX_TEXT = 1000  # short: a chat message, not a dispute
NOT_ESCALABLE = TERMINAL | {S.SUBMITTING, S.FAILED}  # settled, or nothing of ours is (surely) on the site
ASK: dict[Level, str] = {
    "seller": "Please cancel the order and refund it in full, or tell me what you will do.",
    "support": "Please help me get this order cancelled and refunded in full.",  # the timeline says the rest
}
PENDING_MESSAGE = "the message's send is still unanswered: re-check later (nothing is sent again meanwhile)"


class MessageResult(BaseModel):
    order_id: str
    level: Level
    outcome: Outcome
    state: RequestState | None = None
    message: str = ""  # what happened, for people
    text: str = ""  # the message written (sent, or shown in a dry run)


def compose(store: Store, request: CancelRequest, level: Level) -> str:
    """The message from the recorded timeline (agent.flows.dispute.build_message): the order named, when
    the cancellation was asked and why, what the seller did or did not do (dated), the deadline passed."""
    issue = request.flagged_reason or request.state.value
    return build_message(store, request, issue=issue, ask=ASK[level], heading=f"Order {request.order_id}",
                         limit=MAX_TEXT)  # fmt: skip


def send_message(rt: Runtime, order_id: str, level: Level, *, dry_run: bool = False) -> MessageResult:
    """Message `level` about `order_id` (a request the agent watches), at most once ever."""
    check_cooldown(rt.config)  # during the site's anti-bot cooldown nothing automated touches it
    request = rt.store.get_request(order_id)
    if request is None:
        raise OrderNotFound(order_id)
    done = _settled(request, level, rt.store.events_for(order_id))
    if done is not None:
        return done
    attempt = rt.store.open_attempt(order_id, ACTIONS[level])
    if attempt is None and request.state in NOT_ESCALABLE:
        return _not_escalable(request, level)
    ensure_logged_in(rt)  # the saved session (else a login) and the page's language
    if attempt is not None:
        settled = _reconcile(rt, request, level, attempt)
        if settled is not None:
            return settled
        if request.state in NOT_ESCALABLE:  # the open attempt never reached the site and was voided
            return _not_escalable(request, level)
    return _attempt(rt, request, level, dry_run)


def _settled(request: CancelRequest, level: Level, events: list[Event]) -> MessageResult | None:
    """The level is settled: sent (already_sent), or handed to a person (needs_human) — never sent again."""
    if level not in settled_levels(events):
        return None
    if any(e.kind == SENT and e.detail.get("level") == level for e in events):
        return _result(request, level, "already_sent", f"the {_whom(level)} was already messaged")
    why = f"an earlier message to the {_whom(level)} was never confirmed: look at the conversation yourself"
    return _result(request, level, "needs_human", why)


def _attempt(rt: Runtime, request: CancelRequest, level: Level, dry_run: bool) -> MessageResult:
    order_id, action = request.order_id, ACTIONS[level]
    text = compose(rt.store, request, level)
    page = _open(rt, request, level)
    if page is None:
        return _result(request, level, "unavailable", f"the site offers no way to message the {_whom(level)}")
    page.write(text)
    shot = rt.screenshot(f"{order_id}-message-{level}")
    if dry_run:
        rt.event("message_dry_run", order_id=order_id, level=level, text=text, evidence=[shot])
        return _result(request, level, "dry_run", "dry run: nothing sent", text)
    with stopping.critical():  # the last safe point, then no stop from the journal's row to the answer
        if not _begin(rt.store, order_id, level, rt.run_id, text):
            return _result(request, level, "pending", "another run is sending (or has sent) this message")
        with SubmissionGuard(rt, order_id, action) as guard:
            submitted = page.send(MessagePermit(order_id, level), guard.is_submission)
        _journal_answer(rt, order_id, action, submitted)
        return _judge(rt, request, level, text, submitted, guard)


def _begin(store: Store, order_id: str, level: Level, run_id: int, text: str) -> bool:
    """`submission_begun` unless the level was settled meanwhile: the check and the write in one write
    transaction, so two processes can never both send."""
    with store.transaction():
        if level in settled_levels(store.events_for(order_id)):
            return False
        return store.begin_attempt(order_id, ACTIONS[level], run_id, level=level, text=text)


def _open(rt: Runtime, request: CancelRequest, level: Level) -> MessagePage | None:
    """The seller's message page (from the order's "Contact seller") or the support form; None (and a
    `message_unavailable` event) when the site offers no such control for the order."""
    page = MessagePage(rt.site)
    try:
        return (
            page.open_seller(request.order_id) if level == "seller" else page.open_support(request.order_id)
        )
    except ControlNotFound as exc:
        rt.event(UNAVAILABLE, order_id=request.order_id, level=level, error=str(exc))
        return None


def _journal_answer(rt: Runtime, order_id: str, action: str, submitted: MessageSubmitted) -> None:
    if submitted.answer == "unknown":
        rt.event("submission_unanswered", order_id=order_id, action=action, error=submitted.error)
        return
    rt.event(journal.ANSWERED, order_id=order_id, action=action, answer=submitted.answer,
             refused=submitted.answer == "refused", error=submitted.error)  # fmt: skip


def _judge(
    rt: Runtime,
    request: CancelRequest,
    level: Level,
    text: str,
    submitted: MessageSubmitted,
    guard: SubmissionGuard,
) -> MessageResult:
    """Sent only when the conversation shows it; a refusal is `failed` with the site's words; no answer is
    the journal's to judge (pending, or failed when nothing left the browser)."""
    order_id, action = request.order_id, ACTIONS[level]
    page = _open(rt, request, level)
    if page is not None and page.shows(text):
        return _mark_sent(rt, request, level, text, "the conversation shows the message")
    if guard.blocked and not guard.sent:
        rt.store.close_attempt(order_id, action, rt.run_id, outcome="blocked")
        why = f"the page tried to send a request naming another order ({guard.blocked[0]}): nothing sent"
        return _result(request, level, "failed", why, text)
    if submitted.answer == "refused" or (submitted.answer == "unknown" and not guard.sent):
        rt.store.close_attempt(order_id, action, rt.run_id, outcome="refused")
        return _result(
            request, level, "failed", f"the site did not take the message: {submitted.error}", text
        )
    attempt = rt.store.open_attempt(order_id, action)
    assert attempt is not None and attempt.live, "begun and sent in this run"
    shown = submitted.error or "the site answered but the conversation does not show the message"
    return _unanswered(rt, request, level, attempt, shown) or _result(request, level, "failed", shown, text)


def _reconcile(rt: Runtime, request: CancelRequest, level: Level, attempt: Attempt) -> MessageResult | None:
    """An open send found at the start: the conversation shows the text (sent), or the journal's rule.
    None: it never reached the site and was voided — a new send may follow."""
    text = _begun_text(rt.store, request.order_id, attempt)
    page = _open(rt, request, level)
    if page is not None and text and page.shows(text):
        return _mark_sent(rt, request, level, text, "reconciled: the conversation shows the message")
    return _unanswered(rt, request, level, attempt, "the conversation does not show the message")


def _begun_text(store: Store, order_id: str, attempt: Attempt) -> str:
    begun = next((e for e in store.events_for(order_id) if e.id == attempt.begun_event), None)
    return str(begun.detail.get("text", "")) if begun else ""


def _unanswered(
    rt: Runtime, request: CancelRequest, level: Level, attempt: Attempt, shown: str
) -> MessageResult | None:
    """The journal's rule. Past `unanswered_click_hours` the attempt is closed `needs_human`: the level is
    settled (never sent again) and the request's state is left as it is — a message moves no money."""
    action = ACTIONS[level]
    verdict = judge_unanswered(rt, request.order_id, action, attempt, shown)
    if verdict is Unanswered.RETRY:
        return None
    if verdict is Unanswered.PENDING:
        return _result(request, level, "pending", f"{PENDING_MESSAGE} ({shown})")
    rt.store.close_attempt(request.order_id, action, rt.run_id, outcome="needs_human")
    why = (
        f"a message to the {_whom(level)} was never confirmed and {shown}: look at the conversation yourself"
    )
    return _result(request, level, "needs_human", why)


def _mark_sent(rt: Runtime, request: CancelRequest, level: Level, text: str, seen: str) -> MessageResult:
    with rt.store.transaction():
        rt.event(SENT, order_id=request.order_id, level=level, action=ACTIONS[level], text=text)
        if rt.store.open_attempt(request.order_id, ACTIONS[level]) is not None:
            rt.store.close_attempt(request.order_id, ACTIONS[level], rt.run_id, outcome="sent")
    return _result(request, level, "sent", seen, text)


def _not_escalable(request: CancelRequest, level: Level) -> MessageResult:
    return _result(request, level, "not_escalable", f"a {request.state.value} request is not escalated")


def _whom(level: Level) -> str:
    return "seller" if level == "seller" else "customer service"


def _result(
    request: CancelRequest, level: Level, outcome: Outcome, message: str, text: str = ""
) -> MessageResult:
    return MessageResult(order_id=request.order_id, level=level, outcome=outcome, state=request.state,
                         message=message, text=text)  # fmt: skip
