"""`buyer-agent report`: every request with its state, age, deadlines and what to do next — as rows (for
the table and --json) and as one self-contained HTML page (timeline per order, screenshots inlined,
deadlines highlighted). Everything shown in the page is escaped by Jinja2's autoescape: order titles and
store names come from a web page and are treated as hostile."""

from __future__ import annotations

import base64
import datetime as dt
import functools
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from agent.config import PolicyConfig
from agent.models import CancelRequest, Event, RequestState
from agent.policy import CANCELLABLE
from agent.store import Store

__all__ = ["ReportRow", "build_report", "next_step", "render_html"]

S = RequestState
CANCELLABLE_VALUES = frozenset(s.value for s in CANCELLABLE)
MAX_INLINE_BYTES = 2_000_000  # larger screenshots are linked, not inlined

NEXT_STEP = {
    S.SUBMITTING: "pending: a click is still unanswered — re-check later (`buyer-agent cancel {order_id}` "
    "re-checks it and never clicks again); do not cancel by hand meanwhile",
    S.CANCELLED: "nothing, unless a refund is due",
    S.REQUESTED: "wait for the seller's answer",
    S.ACCEPTED: "wait for the refund",
    S.REFUND_PENDING: "wait for the refund",
    S.REJECTED: "open a dispute",
    S.STALLED: "open a dispute",
    S.SHIPPED_ANYWAY: "open a dispute",
    S.DISPUTE_FLAGGED: "open a dispute: buyer-agent dispute {order_id}",
    S.DISPUTE_OPENED: "wait for the dispute's outcome",
    S.DISPUTE_RESOLVED: "nothing: done",
    S.REFUNDED: "nothing: done",
    S.NEEDS_HUMAN: "look at the order yourself",
    S.FAILED: "nothing of ours is live on the site: cancel again if you still want to",
}


class ReportRow(BaseModel):
    order_id: str
    state: RequestState
    title: str = ""
    store_name: str = ""
    age_days: float | None = None
    requested_at: dt.datetime | None = None
    seller_deadline: dt.datetime | None = None
    refund_due: dt.datetime | None = None
    dispute_deadline: dt.datetime | None = None
    flagged_reason: str = ""
    next_step: str
    urgent: bool = False
    timeline: list[dict[str, Any]] = Field(default_factory=list, exclude=True)


def next_step(request: CancelRequest, now: dt.datetime, order_status: str | None = None) -> str:
    """What the person should do next. `order_status`: the order's last seen status — a failed attempt
    whose order no longer looks cancellable is never answered with "cancel again"."""
    text = NEXT_STEP[request.state].format(order_id=request.order_id)
    if request.state is S.FAILED and order_status is not None and order_status not in CANCELLABLE_VALUES:
        text = f"look at the order yourself: it shows {order_status.replace('_', ' ')}"
    deadline = request.dispute_deadline
    if "dispute" in text and deadline is not None and request.state is not S.DISPUTE_OPENED:
        text += f" before {deadline:%Y-%m-%d}"
    if request.state is S.REFUND_PENDING and request.refund_due and now > request.refund_due:
        text = "the refund is overdue: open a dispute"
    return text


def _urgent(request: CancelRequest, now: dt.datetime, pol: PolicyConfig) -> bool:
    if request.state in (S.REFUNDED, S.DISPUTE_RESOLVED, S.DISPUTE_OPENED, S.FAILED):
        return False
    if request.state in (S.DISPUTE_FLAGGED, S.NEEDS_HUMAN, S.STALLED, S.REJECTED, S.SHIPPED_ANYWAY):
        return True
    deadline = request.dispute_deadline
    return deadline is not None and deadline - now <= dt.timedelta(days=pol.dispute_warning_days)


def build_report(
    store: Store, now: dt.datetime, pol: PolicyConfig, timelines: bool = False
) -> list[ReportRow]:
    """One row per request, most urgent first, then oldest first."""
    rows = []
    for request in store.requests():
        order = store.get_order(request.order_id) or {}
        started = request.requested_at
        rows.append(
            ReportRow(
                order_id=request.order_id,
                state=request.state,
                title=_title(order),
                store_name=str(order.get("store_name") or ""),
                age_days=round((now - started).total_seconds() / 86400, 1) if started else None,
                requested_at=started,
                seller_deadline=request.seller_deadline,
                refund_due=request.refund_due,
                dispute_deadline=request.dispute_deadline,
                flagged_reason=request.flagged_reason,
                next_step=next_step(request, now, order.get("status")),
                urgent=_urgent(request, now, pol),
                timeline=_timeline(store.events_for(request.order_id)) if timelines else [],
            )
        )
    return sorted(rows, key=lambda r: (not r.urgent, r.requested_at or now))


def _title(order: dict[str, Any]) -> str:
    raw = order.get("raw") or {}
    items = raw.get("items") if isinstance(raw, dict) else None
    return str(items[0].get("title", "")) if items else ""


def _timeline(events: list[Event]) -> list[dict[str, Any]]:
    shown = []
    for event in events:
        if event.kind not in (
            "request_state",
            "dispute_submitted",
            "dispute_unavailable",
            "notified",
            "error",
        ):
            continue
        what = (
            f"{event.state_from or '–'} → {event.state_to}" if event.kind == "request_state" else event.kind
        )
        why = event.detail.get("reason") or event.detail.get("event") or event.detail.get("error") or ""
        shown.append({"at": event.at, "what": what, "why": str(why), "evidence": event.evidence})
    return shown


# ---------------------------------------------------------------- HTML

@functools.cache
def _env() -> Any:
    """The template environment, built on first use: `report --json` never loads jinja2."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    return Environment(
        loader=FileSystemLoader(Path(__file__).with_name("templates")),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )


def render_html(rows: list[ReportRow], now: dt.datetime, target: Path) -> str:
    """The whole report as one HTML document; screenshots inlined as data: URIs (large ones linked)."""
    for row in rows:
        for entry in row.timeline:
            entry["images"] = [
                _image_src(Path(p), target) for p in entry["evidence"] if str(p).endswith(".png")
            ]
    return _env().get_template("report.html").render(
        rows=rows,
        now=f"{now:%Y-%m-%d %H:%M} UTC",
        day=lambda d: f"{d:%Y-%m-%d %H:%M}" if d else "",
        overdue=lambda d: d is not None and now > d,
    )


def _image_src(path: Path, target: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    if len(data) <= MAX_INLINE_BYTES:
        return "data:image/png;base64," + base64.b64encode(data).decode("ascii")
    try:
        return path.resolve().relative_to(target.resolve().parent).as_posix()
    except ValueError:
        return path.resolve().as_uri()


def rows_json(rows: list[ReportRow]) -> str:
    return json.dumps([r.model_dump(mode="json") for r in rows], indent=2, ensure_ascii=False)
