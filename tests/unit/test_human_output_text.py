"""What people read — `orders`, `report`, `cancel` results, `sweep`, `show`, `doctor` — at 80 and 120
columns: each value under its own header (read back like JSON), ids never cut, nothing cut to "…", no
line wider than the terminal; and snapshots of the text (fixed clock and ids, syrupy: `pytest
--snapshot-update` after a deliberate change, then read the diff)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion

from agent.commands.doctor import print_checks
from agent.commands.jobs import print_report, print_sweep
from agent.commands.orders import detail_lines, print_orders, print_results
from agent.commands.output import Col, column_widths, print_rows, text_console
from agent.doctor import Check
from agent.flows.cancel_settle import CancelResult
from agent.models import (
    CancelOutcome,
    CancelRequest,
    Money,
    Order,
    OrderDetail,
    OrderLine,
    OrderStatus,
    RequestState,
)
from jobs.report import report_totals
from jobs.sweep import SweepResult, SweepTransition
from tests.e2e.table_text import table_rows
from tests.unit.test_money import NOW
from tests.unit.test_money import _rows as _report_rows

WIDTHS = [80, 120]
S = RequestState
LONG = "8804657123456789"  # 16 digits: what the site's ids look like


def _text(width: int, print_fn, *args: object) -> str:  # type: ignore[no-untyped-def]
    console = text_console(width)
    print_fn(*args, console=console)
    return console.export_text()


def _check_shape(text: str, width: int, ids: list[str]) -> None:
    assert all(len(line) <= width for line in text.splitlines()), text
    assert "…" not in text
    for order_id in ids:
        assert order_id in text


@pytest.mark.parametrize("width", WIDTHS)
def test_report(tmp_path: Path, width: int, snapshot: SnapshotAssertion) -> None:
    rows = _report_rows(tmp_path)
    text = _text(width, print_report, rows)
    _check_shape(text, width, [r.order_id for r in rows])
    day = lambda d: f"{d:%Y-%m-%d %H:%M}" if d else ""  # noqa: E731
    expected = [
        {"order id": r.order_id, "state": r.state.value,
         "amount": (f"{r.amount} {r.currency}" if r.amount is not None else "")
         + (f", refund {r.refund_amount} {r.refund_currency}" if r.refund_amount is not None else ""),
         "age (d)": str(r.age_days), "seller deadline": day(r.seller_deadline),
         "refund due": day(r.refund_due), "dispute deadline": day(r.dispute_deadline),
         "next step": r.next_step}
        for r in rows
    ]  # fmt: skip
    shown = table_rows(text)
    if width == 80:  # too narrow for eight columns: records, an empty value left out
        expected = [{k: v for k, v in row.items() if v} for row in expected]
    assert shown == expected
    totals = table_rows(text, first="currency")
    assert totals == [{"currency": cur, **{b.replace("_", " "): str(v) for b, v in per.items()}}
                      for cur, per in report_totals(rows).items()]  # fmt: skip
    assert text == snapshot


RESULTS = [
    CancelResult(order_id=LONG, outcome=CancelOutcome.REQUESTED, state=S.REQUESTED,
                 reason_text="I don't want it anymore", message="the seller has 2 days to answer"),
    CancelResult(order_id="8804657123456790", outcome=CancelOutcome.ALREADY_REQUESTED,
                 reason_text="", message="a request of ours is already live on the site [requested]"),
    CancelResult(order_id="8804657123456791", outcome=CancelOutcome.NOT_CANCELLABLE,
                 message="the order shows Awaiting delivery: it cannot be cancelled any more"),
]  # fmt: skip


@pytest.mark.parametrize("width", WIDTHS)
def test_cancel_results(width: int, snapshot: SnapshotAssertion) -> None:
    text = _text(width, print_results, RESULTS)
    _check_shape(text, width, [r.order_id for r in RESULTS])
    assert table_rows(text) == [
        {"order id": r.order_id, "outcome": r.outcome.value, "reason": r.reason_text, "message": r.message}
        for r in RESULTS
    ]  # "[requested]" is text, never markup
    assert text == snapshot


SWEEP = SweepResult(run_id=7, checked=3, transitions=[
    SweepTransition(order_id=LONG, state_from=S.REQUESTED, state_to=S.SHIPPED_ANYWAY, code="shipped",
                    reason="the order shipped although the cancellation was requested", at=NOW),
    SweepTransition(order_id=LONG, state_from=S.SHIPPED_ANYWAY, state_to=S.DISPUTE_FLAGGED,
                    code="flag", reason="shipped_anyway", at=NOW),
    SweepTransition(order_id="8804657123456790", state_from=S.REFUND_PENDING, state_to=S.REFUNDED,
                    code="refunded", reason="the refund shows as done", at=NOW),
])  # fmt: skip


@pytest.mark.parametrize("width", WIDTHS)
def test_sweep(width: int, snapshot: SnapshotAssertion) -> None:
    text = _text(width, print_sweep, SWEEP)
    _check_shape(text, width, [LONG, "8804657123456790"])
    assert table_rows(text) == [
        {"order id": t.order_id, "from": t.state_from.value, "to": t.state_to.value, "why": t.reason}
        for t in SWEEP.transitions
    ]
    assert text.rstrip().endswith("3 request(s) checked, 3 transition(s)")
    assert text == snapshot


def test_show(snapshot: SnapshotAssertion) -> None:
    detail = OrderDetail(
        order_id=LONG, status=OrderStatus.AWAITING_SHIPMENT, status_text="Awaiting shipment",
        placed_at=dt.date(2026, 4, 27), store_name="Lamp World Store", payment_method="Visa",
        reminder="The seller will ship within 2 days", total=Money(amount=Decimal("19.99"), currency="USD"),
        items=[OrderLine(title="Desk lamp, warm white, 3 brightness levels, USB-C " * 3, quantity=2)],
    )  # fmt: skip
    request = CancelRequest(order_id=LONG, state=S.REQUESTED, reason_text="I don't want it anymore")
    lines = detail_lines(detail, request)
    assert lines[0] == f"order {LONG}: Awaiting shipment [awaiting_shipment]"
    assert dict(line.strip().split(": ", 1) for line in lines[1:6]) == {
        "reminder": detail.reminder, "placed": "2026-04-27", "store": "Lamp World Store", "payment": "Visa",
        "total": "19.99 USD"}  # fmt: skip
    assert lines[-1] == "request: requested (reason: I don't want it anymore)"
    assert "\n".join(lines) == snapshot


def test_a_table_too_wide_for_the_terminal_becomes_records_never_cut() -> None:
    cols = [Col("order id"), Col("state", whole=True), Col("note")]
    rows = [[LONG, "dispute_flagged", "a-very-long-unbreakable-word-" * 3]]
    assert column_widths(cols, rows, 200) is not None
    assert column_widths(cols, rows, 80) is None  # the word alone needs more than 80 − the others
    console = text_console(80)
    print_rows(cols, rows, console=console)
    text = console.export_text()
    assert table_rows(text) == [{"order id": LONG, "state": "dispute_flagged", "note": rows[0][2]}]


ORDERS = [
    Order(order_id=LONG, status=OrderStatus.AWAITING_SHIPMENT, status_text="Awaiting shipment",
          placed_at=dt.date(2026, 4, 27), store_name="Lamp World Store",
          total=Money(amount=Decimal("19.99"), currency="USD"),
          items=[OrderLine(title="Desk lamp", quantity=2)]),
    Order(order_id="8804657123456790", status=OrderStatus.AWAITING_PAYMENT, status_text="Awaiting payment",
          placed_at=dt.date(2026, 4, 28), store_name="A store with a rather long name [official]",
          total=Money(amount=Decimal("1234.50"), currency="BRL"), items=[]),
]  # fmt: skip


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("owners", [None, ["home", "resale"]], ids=["one account", "all accounts"])
def test_orders(width: int, owners: list[str] | None, snapshot: SnapshotAssertion) -> None:
    console = text_console(width)
    print_orders(ORDERS, owners, console=console)
    text = console.export_text()
    _check_shape(text, width, [o.order_id for o in ORDERS])
    expected = [
        {"order id": o.order_id, "placed": str(o.placed_at), "status": o.status_text, "store": o.store_name,
         "total": f"{o.total.amount} {o.total.currency}" if o.total else "", "items": str(len(o.items))}
        | ({"account": owners[i]} if owners else {})
        for i, o in enumerate(ORDERS)
    ]  # fmt: skip
    assert table_rows(text) == expected  # "[official]" is text, never markup
    assert text == snapshot


CHECKS = [
    Check(name="config", status="ok", detail="/home/me/buyer-agent.toml parses"),
    Check(name="password", status="fail", detail="BUYER_AGENT_PASSWORD is not set",
          fix="export BUYER_AGENT_PASSWORD=your-password (or an env file for the service)"),
    Check(name="sweep lock", status="warn", detail="stale: pid 4242 ended without releasing it",
          fix="harmless (the next sweep takes it); rm /var/lib/buyer-agent/buyer-agent.db.sweep.lock"),
]  # fmt: skip


@pytest.mark.parametrize("width", WIDTHS)
def test_doctor(width: int, snapshot: SnapshotAssertion) -> None:
    console = text_console(width)
    print_checks(CHECKS, console=console)
    text = console.export_text()
    assert all(len(line) <= width for line in text.splitlines()) and "…" not in text
    expected = [{"check": c.name, "status": c.status, "detail": c.detail, "fix": c.fix} for c in CHECKS]
    records = text.startswith("check: ")  # too narrow for a table: an empty value is left out
    squashed = lambda row: {k: "".join(v.split()) for k, v in row.items()}  # noqa: E731 - a folded path
    shown = [squashed(r) for r in table_rows(text, first="check")]
    assert shown == [squashed({k: v for k, v in e.items() if v or not records}) for e in expected]
    assert text == snapshot
