"""`buyer-agent report`: every request with its state, age, deadlines and what to do next — as rows (for
the table and --json) and as one self-contained HTML page (timeline per order, screenshots inlined,
deadlines highlighted). Everything shown in the page is escaped by Jinja2's autoescape: order titles and
store names come from a web page and are treated as hostile."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import functools
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from agent.config import PolicyConfig
from agent.escalation import ESCALATED, Ladder, ladder_of, next_of
from agent.models import CancelRequest, Event, Money, RequestState
from agent.policy import CANCELLABLE
from agent.statuses import DEFAULT_ACCOUNT
from agent.store import Store
from jobs.money import BUCKETS, Totals, bucket_of, request_money, totals

__all__ = ["ReportRow", "build_report", "escalation_step", "next_step", "render_html", "report_csv",
           "report_json", "report_totals", "urgent_first"]

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
    account: str = DEFAULT_ACCOUNT
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
    amount: Decimal | None = None  # the order total (agent.models.Money: never a float)
    currency: str = ""
    refund_amount: Decimal | None = None  # the refund the site's returns/refunds list showed, if any
    refund_currency: str = ""
    refunded_at: dt.datetime | None = None
    money: str = ""  # where the money stands: jobs.money.BUCKETS, or "" (counted in no total)
    timeline: list[dict[str, Any]] = Field(default_factory=list, exclude=True)


def next_step(
    request: CancelRequest,
    now: dt.datetime,
    order_status: str | None = None,
    ladder: Ladder | None = None,
    pol: PolicyConfig | None = None,
) -> str:
    """What the person should do next. `order_status`: the order's last seen status — a failed attempt
    whose order no longer looks cancellable is never answered with "cancel again". `ladder` (a stalled or
    rejected request's escalation, agent.escalation): which comes next — the seller, support, a dispute."""
    text = NEXT_STEP[request.state].format(order_id=request.order_id)
    if ladder is not None and request.state in ESCALATED:
        text = escalation_step(request.order_id, ladder, now, pol or PolicyConfig())
    if request.state is S.FAILED and order_status is not None and order_status not in CANCELLABLE_VALUES:
        text = f"look at the order yourself: it shows {order_status.replace('_', ' ')}"
    deadline = request.dispute_deadline
    if "dispute" in text and deadline is not None and request.state is not S.DISPUTE_OPENED:
        text += f" before {deadline:%Y-%m-%d}"
    if request.state is S.REFUND_PENDING and request.refund_due and now > request.refund_due:
        text = "the refund is overdue: open a dispute"
    return text


ESCALATION_STEP = {
    "seller": "message the seller{when}: buyer-agent message {order_id} --to seller",
    "support": "the seller was messaged; next, customer service{when}: "
    "buyer-agent message {order_id} --to support",
    "dispute": "the seller and customer service were messaged; next, open a dispute{when}: "
    "buyer-agent dispute {order_id}",
}


def escalation_step(order_id: str, ladder: Ladder, now: dt.datetime, pol: PolicyConfig) -> str:
    """The next rung of a stalled or rejected request's escalation, and from when (if not yet)."""
    rung = next_of(ladder, pol)
    if rung is None:
        return ESCALATION_STEP["seller"].format(when="", order_id=order_id)
    when = f" from {rung.due:%Y-%m-%d %H:%M}" if rung.due > now else ""
    text = ESCALATION_STEP[rung.step].format(when=when, order_id=order_id)
    return text + (" (the sweep does it: policy.auto_escalate)" if pol.auto_escalate else "")


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
        events = store.events_for(request.order_id)
        money = request_money(order, events)
        started = request.requested_at
        rows.append(
            ReportRow(
                order_id=request.order_id,
                account=store.account,
                state=request.state,
                title=_title(order),
                store_name=str(order.get("store_name") or ""),
                age_days=round((now - started).total_seconds() / 86400, 1) if started else None,
                requested_at=started,
                seller_deadline=request.seller_deadline,
                refund_due=request.refund_due,
                dispute_deadline=request.dispute_deadline,
                flagged_reason=request.flagged_reason,
                next_step=next_step(request, now, order.get("status"), _ladder(request, events), pol),
                urgent=_urgent(request, now, pol),
                timeline=_timeline(events) if timelines else [],
                amount=money.total.amount if money.total else None,
                currency=money.total.currency if money.total else "",
                refund_amount=money.refund.amount if money.refund else None,
                refund_currency=money.refund.currency if money.refund else "",
                refunded_at=money.refunded_at,
                money=bucket_of(request) or "",
            )
        )
    return urgent_first(rows, now)


def urgent_first(rows: list[ReportRow], now: dt.datetime) -> list[ReportRow]:
    """Most urgent first, then oldest first (the order of one account's rows, and of several's)."""
    return sorted(rows, key=lambda r: (not r.urgent, r.requested_at or now))


def _ladder(request: CancelRequest, events: list[Event]) -> Ladder | None:
    return ladder_of(request, events) if request.state in ESCALATED else None


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
            "escalated",
            "notified",
            "error",
        ):
            continue
        what = (
            f"{event.state_from or '–'} → {event.state_to}" if event.kind == "request_state" else event.kind
        )
        why = event.detail.get("reason") or event.detail.get("event") or event.detail.get("error") or ""
        if event.kind == "escalated":
            why = f"message to the {event.detail.get('level', '')} (shown in the conversation)"
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
    from jobs.chart import money_charts

    sums = report_totals(rows)
    refunds = [(r.refunded_at, m) for r in rows if r.refunded_at and (m := counted(r)) is not None]
    return _env().get_template("report.html").render(
        rows=rows,
        totals=totals_json(sums),
        buckets=BUCKETS,
        charts=money_charts(sums, refunds),
        amount=lambda r: f"{r.amount} {r.currency}" if r.amount is not None else "",
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


# ---------------------------------------------------------------- money: totals, JSON, CSV

CSV_FIELDS = ("order_id", "state", "money", "amount", "currency", "refund_amount", "refund_currency",
              "refunded_at", "requested_at", "seller_deadline", "refund_due", "dispute_deadline",
              "flagged_reason", "urgent", "store_name", "title", "next_step", "account")  # fmt: skip
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run such a cell as a formula


def counted(row: ReportRow) -> Money | None:
    """What the totals count for a row: the refund the site showed for money on its way back or back,
    else the order total."""
    if row.money in ("refund_pending", "refunded") and row.refund_amount is not None:
        return Money(amount=row.refund_amount, currency=row.refund_currency)
    if row.amount is None or not row.currency:
        return None
    return Money(amount=row.amount, currency=row.currency)


def report_totals(rows: list[ReportRow]) -> Totals:
    return totals((r.money, counted(r)) for r in rows)


def totals_json(sums: Totals) -> dict[str, dict[str, str]]:
    return {cur: {b: str(per[b]) for b in BUCKETS} for cur, per in sums.items()}


def report_json(rows: list[ReportRow]) -> str:
    """`report --json`: the requests, and the totals per currency (amounts as decimal strings)."""
    data = {"requests": [r.model_dump(mode="json") for r in rows], "totals": totals_json(report_totals(rows))}
    return json.dumps(data, indent=2, ensure_ascii=False)


def report_csv(rows: list[ReportRow]) -> str:
    """`report --csv`: one row per request. Text from a web page that a spreadsheet would take for a
    formula is prefixed with `'` (the OWASP advice for CSV injection)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        data = row.model_dump(mode="json", include=set(CSV_FIELDS))
        writer.writerow({k: _cell(data.get(k)) for k in CSV_FIELDS})
    return out.getvalue()


def _cell(value: object) -> str:
    if value is None:
        return ""
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text
