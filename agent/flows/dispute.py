"""Open a dispute (returns/refunds) for a flagged request: exactly once, like cancel.

Order of safety: the request is flagged (or may be flagged now, by hand); no earlier submission is
pending; the order detail shows a status the site disputes (shipped or completed); the form's reason is
read back; the dry-run switch; then a `dispute_submitting` journal event is committed — in the same
write transaction that checked no other journal exists — BEFORE the irreversible submit. A run that finds
a pending journal (a crash mid-submit) reconciles by reading the site; it never submits blindly again.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from agent import policy
from agent.errors import OrderNotFound
from agent.flows.cancel import read_detail
from agent.flows.runtime import Runtime
from agent.models import CancelRequest, Event, OrderStatus, RequestState
from agent.pages import DisputePage, DisputePermit
from agent.store import Store
from jobs.lifecycle import can_move

logger = logging.getLogger(__name__)

S = RequestState
Outcome = Literal["opened", "already_opened", "dry_run", "unavailable", "not_flagged"]
# Statuses for which the site offers "Returns/refunds" (the shop and the real site: shipped or done).
DISPUTABLE = frozenset({OrderStatus.AWAITING_DELIVERY, OrderStatus.COMPLETED})
JOURNAL, JOURNAL_VOID = "dispute_submitting", "dispute_not_submitted"
# The reason we pick: the honest one for a cancelled order that was not refunded is "other" + a message.
DISPUTE_REASON_WORDS = {"other": ["Other", "Other reasons", "Outro", "Outros", "Outros motivos"]}
MAX_EVIDENCE = 5
MAX_MESSAGE = 1500


class DisputeResult(BaseModel):
    order_id: str
    outcome: Outcome
    state: RequestState | None = None
    reason_text: str = ""
    message: str = ""
    evidence: list[str] = Field(default_factory=list)


def open_dispute(rt: Runtime, order_id: str, *, dry_run: bool = False) -> DisputeResult:
    """Open the dispute of `order_id` (a request the agent watches), at most once ever."""
    request = rt.store.get_request(order_id)
    if request is None:
        raise OrderNotFound(order_id)
    if request.state in (S.DISPUTE_OPENED, S.DISPUTE_RESOLVED):
        return _result(request, "already_opened", "the dispute is already open")
    if journal_pending(rt.store, order_id):
        settled = _reconcile(rt, request)
        if settled is not None:
            return settled
    if request.state is not S.DISPUTE_FLAGGED:
        if not can_move(request.state, S.DISPUTE_FLAGGED):
            return _result(request, "not_flagged", f"a {request.state.value} request cannot be disputed")
        request = rt.store.set_request_state(
            order_id, S.DISPUTE_FLAGGED, rt.run_id, detail={"code": "by_hand"}, flagged_reason="by_hand"
        )
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
    if not _journal(rt, order_id, choice.text):
        return _result(request, "already_opened", "another run journalled this dispute first")
    status = page.submit(DisputePermit(order_id, choice.text))
    rt.event("dispute_submitted", order_id=order_id, status_text=status.status_text, files=len(files))
    return _mark_opened(rt, request, status.status_text, [shot], choice.text)


def _mark_opened(
    rt: Runtime, request: CancelRequest, seen: str, evidence: list[str], reason_text: str = ""
) -> DisputeResult:
    updated = rt.store.set_request_state(
        request.order_id,
        S.DISPUTE_OPENED,
        rt.run_id,
        detail={"code": "dispute_opened", "status_text": seen, "reason_text": reason_text},
        evidence=evidence,
    )
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


# ---------------------------------------------------------------- the journal


def journal_pending(store: Store, order_id: str) -> bool:
    """A `dispute_submitting` event not yet voided: a submission may have happened."""
    kinds = [e.kind for e in store.events_for(order_id) if e.kind in (JOURNAL, JOURNAL_VOID)]
    return bool(kinds) and kinds[-1] == JOURNAL


def _journal(rt: Runtime, order_id: str, reason_text: str) -> bool:
    """Append the journal event unless one is pending — check and write in one write transaction, so
    two processes can never both pass. True when this run may submit."""
    with rt.store.transaction():
        if journal_pending(rt.store, order_id):
            return False
        rt.store.add_event(JOURNAL, order_id=order_id, run_id=rt.run_id, detail={"reason_text": reason_text})
    return True


def _reconcile(rt: Runtime, request: CancelRequest) -> DisputeResult | None:
    """A pending journal: did the submit reach the site? Settles it, or voids the journal (None)."""
    detail = read_detail(rt, request.order_id)
    if detail.status is OrderStatus.DISPUTE:
        return _mark_opened(rt, request, "reconciled: the site shows the dispute", [])
    rt.event(JOURNAL_VOID, order_id=request.order_id, status=detail.status.value)
    return None


# ---------------------------------------------------------------- message and evidence


def build_message(store: Store, request: CancelRequest) -> str:
    """A factual message from the recorded timeline (dates, states, what the site showed)."""
    lines = [
        f"I asked to cancel this order on {_day(request.requested_at)}"
        + (f" (reason: {request.reason_text})." if request.reason_text else "."),
        "What happened since:",
    ]
    for event in store.events_for(request.order_id):
        line = _timeline_line(event)
        if line:
            lines.append(line)
    if request.flagged_reason:
        lines.append(f"Open issue: {request.flagged_reason}.")
    lines.append("Please refund the order in full.")
    text = "\n".join(lines)
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def _timeline_line(event: Event) -> str:
    if event.kind != "request_state" or event.state_to in (None, S.SUBMITTING.value):
        return ""
    why = str(event.detail.get("reason") or event.detail.get("status_text") or "")
    return f"- {_day(event.at)}: {event.state_to.replace('_', ' ')}" + (f" — {why}" if why else "")


def _day(moment: object) -> str:
    return str(moment)[:16].replace("T", " ") if moment else "?"


def evidence_files(store: Store, order_id: str) -> list[Path]:
    """The latest screenshots recorded for the order that still exist (at most MAX_EVIDENCE)."""
    found: list[Path] = []
    for event in store.events_for(order_id):
        for item in event.evidence:
            path = Path(item)
            if path.suffix == ".png" and path.is_file() and path not in found:
                found.append(path)
    return found[-MAX_EVIDENCE:]
