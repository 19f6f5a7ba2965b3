"""Money at a glance: each request's amount, the totals per currency (Decimal, never float), and the
report's --json totals and --csv rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner

from agent.cli import cli
from agent.config import PolicyConfig
from agent.models import Money, Order, OrderLine, RequestState
from agent.store import Store
from jobs.money import refunds_by_day
from jobs.report import build_report, report_csv, report_json, report_totals
from tests.store_helpers import move

S = RequestState
NOW = dt.datetime(2026, 5, 4, 12, tzinfo=dt.UTC)
FORMULA = '=HYPERLINK("http://evil.example","x")'


def _order(store: Store, order_id: str, amount: str | None, currency: str = "USD",
           title: str = "A lamp") -> None:  # fmt: skip
    total = Money(amount=Decimal(amount), currency=currency) if amount else None
    store.upsert_order(Order(order_id=order_id, total=total, items=[OrderLine(title=title)], store_name="S"))


def _fill(store: Store) -> None:
    """Float would get these wrong: 0.1 + 0.2 ≠ 0.3."""
    _order(store, "9101", "0.10")
    move(store, "9101", S.REQUESTED, requested_at=NOW - dt.timedelta(days=1))
    _order(store, "9102", "0.20")
    move(store, "9102", S.SUBMITTING, requested_at=NOW - dt.timedelta(days=1))
    _order(store, "9103", "25.00", "BRL", title=FORMULA)
    move(store, "9103", S.DISPUTE_FLAGGED, requested_at=NOW - dt.timedelta(days=9), flagged_reason="stalled")
    _order(store, "9104", "19.99")  # the site's refund line says 18.50 (a partial refund)
    move(store, "9104", S.CANCELLED, requested_at=NOW - dt.timedelta(days=3), refund_due=NOW)
    move(store, "9104", S.REFUND_PENDING)
    seen = {"source": "refunds", "amount": "18.50", "currency": "USD", "refund": "in_progress"}
    store.add_event("observed", order_id="9104", detail=seen)
    _order(store, "9105", "7.25")
    move(store, "9105", S.CANCELLED, requested_at=NOW - dt.timedelta(days=5))
    move(store, "9105", S.REFUND_PENDING)
    move(store, "9105", S.REFUNDED)
    _order(store, "9106", None)  # no total known: shown without an amount, counted nowhere
    move(store, "9106", S.REQUESTED, requested_at=NOW - dt.timedelta(days=1))
    _order(store, "9107", "3.00")
    move(store, "9107", S.FAILED, requested_at=NOW - dt.timedelta(days=1))  # nothing live: in no total
    _order(store, "9108", "4.00")
    move(store, "9108", S.CANCELLED, requested_at=NOW - dt.timedelta(days=1))  # unpaid: no refund due


def _rows(tmp_path: Path) -> list:  # type: ignore[type-arg]
    with Store.open(tmp_path / "a.db", clock=lambda: NOW) as store:
        _fill(store)
        return build_report(store, NOW, PolicyConfig())


def test_each_request_shows_its_amount_and_the_refund_the_site_showed(tmp_path: Path) -> None:
    rows = {r.order_id: r for r in _rows(tmp_path)}
    assert (rows["9101"].amount, rows["9101"].currency, rows["9101"].money) == (Decimal("0.10"), "USD",
                                                                                "waiting_on_seller")
    assert (rows["9104"].amount, rows["9104"].refund_amount, rows["9104"].money) == (
        Decimal("19.99"), Decimal("18.50"), "refund_pending")
    assert rows["9106"].amount is None and rows["9106"].currency == ""
    assert rows["9107"].money == rows["9108"].money == "" and rows["9105"].refunded_at is not None


def test_totals_per_currency_are_exact_decimals(tmp_path: Path) -> None:
    sums = report_totals(_rows(tmp_path))
    assert sums == {
        "BRL": {"waiting_on_seller": 0, "refund_pending": 0, "refunded": 0, "at_risk": Decimal("25.00")},
        "USD": {"waiting_on_seller": Decimal("0.30"), "refund_pending": Decimal("18.50"),
                "refunded": Decimal("7.25"), "at_risk": 0},
    }  # fmt: skip
    assert all(isinstance(v, Decimal) for per in sums.values() for v in per.values())


def test_report_json_has_the_same_totals_as_strings(tmp_path: Path) -> None:
    data = json.loads(report_json(_rows(tmp_path)))
    assert data["totals"]["USD"] == {"waiting_on_seller": "0.30", "refund_pending": "18.50",
                                     "refunded": "7.25", "at_risk": "0.00"}  # fmt: skip
    row = next(r for r in data["requests"] if r["order_id"] == "9104")
    assert (row["amount"], row["currency"], row["refund_amount"]) == ("19.99", "USD", "18.50")


def test_csv_has_one_row_per_request_and_defuses_formulas(tmp_path: Path) -> None:
    rows = _rows(tmp_path)
    read = list(csv.DictReader(io.StringIO(report_csv(rows))))
    assert [r["order_id"] for r in read] == [r.order_id for r in rows]
    by_id = {r["order_id"]: r for r in read}
    assert (by_id["9101"]["amount"], by_id["9101"]["currency"], by_id["9101"]["money"]) == (
        "0.10", "USD", "waiting_on_seller")
    assert by_id["9104"]["refund_amount"] == "18.50" and by_id["9106"]["amount"] == ""
    assert by_id["9103"]["title"] == "'" + FORMULA  # a spreadsheet shows it as text, never runs it


def test_cli_report_csv_to_stdout_and_to_a_file(in_tmp: Path) -> None:
    with Store.open(in_tmp / "buyer-agent.db") as store:
        _fill(store)
    out = CliRunner().invoke(cli, ["report", "--csv"])
    assert out.exit_code == 0, out.output
    assert len(list(csv.DictReader(io.StringIO(out.stdout)))) == 8
    written = CliRunner().invoke(cli, ["report", "--csv", "--output", "out/requests.csv"])
    assert written.exit_code == 0 and written.stdout == ""
    assert (in_tmp / "out" / "requests.csv").read_text(encoding="utf-8") == out.stdout
    bad = CliRunner().invoke(cli, ["report", "--output", "x.csv"])
    assert bad.exit_code == 2 and "--csv" in bad.stderr and "Traceback" not in bad.output


def test_cli_report_table_ends_with_the_totals(in_tmp: Path) -> None:
    with Store.open(in_tmp / "buyer-agent.db") as store:
        _fill(store)
    result = CliRunner().invoke(cli, ["report"], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    totals = result.stdout[result.stdout.index("totals"):]
    assert "USD" in totals and "0.30" in totals and "18.50" in totals and "25.00" in totals


def test_refunds_by_day_sums_per_currency_and_day() -> None:
    day = dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC)
    got = refunds_by_day([(day, Money(amount=Decimal("1.10"), currency="USD")),
                          (day + dt.timedelta(hours=5), Money(amount=Decimal("2.20"), currency="USD")),
                          (day, Money(amount=Decimal("5"), currency="EUR"))])  # fmt: skip
    assert got == {"EUR": {day.date(): Decimal("5")}, "USD": {day.date(): Decimal("3.30")}}


def test_drawing_a_chart_leaves_later_imports_quiet() -> None:
    """pygal appends a legacy import finder that makes every later import warn; the chart removes it."""
    import importlib
    import sys
    import warnings

    from jobs.chart import _pygal

    _pygal()
    assert not [f for f in sys.meta_path if type(f).__name__ == "PluginImportFixer"]
    sys.modules.pop("tabnanny", None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        importlib.import_module("tabnanny")  # a fresh import: no ImportWarning from a leftover finder
