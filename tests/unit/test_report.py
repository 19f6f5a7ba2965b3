"""The report's rows (state, age, deadlines, next step, urgency) and its HTML (everything escaped)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from agent.cli import cli
from agent.config import PolicyConfig
from agent.models import Order, OrderLine, RequestState
from agent.store import Store
from jobs.report import build_report, render_html, report_json
from tests.store_helpers import move

S = RequestState
NOW = dt.datetime(2026, 5, 4, 12, tzinfo=dt.UTC)
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _fill(store: Store) -> None:
    store.upsert_order(Order(order_id="8101", items=[OrderLine(title=HOSTILE)], store_name="A & B <Store>"))
    move(
        store,
        "8101",
        S.REQUESTED,
        requested_at=NOW - dt.timedelta(days=2),
        seller_deadline=NOW + dt.timedelta(hours=1),
        dispute_deadline=NOW + dt.timedelta(days=80),
    )
    move(
        store,
        "8102",
        S.DISPUTE_FLAGGED,
        requested_at=NOW - dt.timedelta(days=5),
        dispute_deadline=NOW + dt.timedelta(days=60),
        flagged_reason="stalled",
    )
    move(
        store,
        "8103",
        S.REFUND_PENDING,
        requested_at=NOW - dt.timedelta(days=9),
        refund_due=NOW - dt.timedelta(days=1),
    )
    move(store, "8104", S.REFUNDED, requested_at=NOW - dt.timedelta(days=30))


def test_rows_most_urgent_first_with_next_steps(tmp_path: Path) -> None:
    with Store.open(tmp_path / "a.db", clock=lambda: NOW) as store:
        _fill(store)
        rows = build_report(store, NOW, PolicyConfig())
    assert [(r.order_id, r.state.value, r.urgent) for r in rows] == [
        ("8102", "dispute_flagged", True),
        ("8104", "refunded", False),
        ("8103", "refund_pending", False),
        ("8101", "requested", False),
    ]
    steps = {r.order_id: r.next_step for r in rows}
    assert steps["8102"] == "open a dispute: buyer-agent dispute 8102 before 2026-07-03"
    assert steps["8103"] == "the refund is overdue: open a dispute"
    assert steps["8104"] == "nothing: done"
    assert {r.order_id: r.age_days for r in rows}["8101"] == 2.0
    assert json.loads(report_json(rows))["requests"][3]["title"] == HOSTILE


def test_html_escapes_everything_and_inlines_screenshots(tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    shot.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 20)
    with Store.open(tmp_path / "a.db", clock=lambda: NOW) as store:
        _fill(store)
        move(store, "8101", S.STALLED, evidence=[shot], detail={"reason": "<b>no answer</b>"})
        rows = build_report(store, NOW, PolicyConfig(), timelines=True)
    html = render_html(rows, NOW, tmp_path / "report.html")
    assert HOSTILE not in html and "&lt;script&gt;" in html and "A &amp; B &lt;Store&gt;" in html
    assert "&lt;b&gt;no answer&lt;/b&gt;" in html
    assert 'src="data:image/png;base64,iVBORw0KGgo' in html
    assert html.count('<tr class="request') == 4


def test_cli_report_json_and_html(in_tmp: Path) -> None:
    with Store.open(in_tmp / "buyer-agent.db") as store:
        _fill(store)
    result = CliRunner().invoke(cli, ["report", "--json"])
    assert result.exit_code == 0, result.output
    assert {r["order_id"] for r in json.loads(result.output)["requests"]} == {"8101", "8102", "8103", "8104"}
    html = CliRunner().invoke(cli, ["report", "--html", "out.html"])
    assert html.exit_code == 0 and (in_tmp / "out.html").read_text(encoding="utf-8").startswith(
        "<!doctype html>"
    )
    table = CliRunner().invoke(cli, ["report"])
    assert table.exit_code == 0 and "8102" in table.output


def test_cli_report_html_creates_its_folder(in_tmp: Path) -> None:
    with Store.open(in_tmp / "buyer-agent.db") as store:
        _fill(store)
    result = CliRunner().invoke(cli, ["report", "--html", "reports/2026/july.html"])
    assert result.exit_code == 0, result.output
    page = (in_tmp / "reports" / "2026" / "july.html").read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>")
    assert "report written to reports/2026/july.html" in result.output


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("blocker/july.html", "blocker is a file, not a folder"),
        ("blocker/sub/july.html", "Not a directory"),
        ("a-folder", "Is a directory"),
    ],
)
def test_cli_report_html_that_cannot_be_written_is_one_line_exit_2(in_tmp: Path, path: str, why: str) -> None:
    with Store.open(in_tmp / "buyer-agent.db") as store:
        _fill(store)
    (in_tmp / "blocker").write_text("a file, not a folder", encoding="utf-8")
    (in_tmp / "a-folder").mkdir()
    result = CliRunner().invoke(cli, ["report", "--html", path])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [f"error: cannot write the report to {path}: {why}"]
    assert "Traceback" not in result.output and (in_tmp / "blocker").read_text(encoding="utf-8")


def test_the_report_never_advises_cancelling_again_while_a_request_may_be_live(tmp_path: Path) -> None:
    with Store.open(tmp_path / "a.db", clock=lambda: NOW) as store:
        store.begin_submission("8201", "changed_mind", "I don't want it anymore")  # a click unanswered
        for order_id, status in (("8202", "awaiting_shipment"), ("8203", "awaiting_delivery")):
            store.upsert_order(Order(order_id=order_id, status=status))
            store.begin_submission(order_id, "changed_mind", "I don't want it anymore")
            store.transition(order_id, S.FAILED, expected=S.SUBMITTING, flagged_reason="the site refused")
        steps = {r.order_id: r.next_step for r in build_report(store, NOW, PolicyConfig())}
    assert "unanswered" in steps["8201"] and "cancel by hand" in steps["8201"]
    assert not steps["8201"].startswith("cancel")
    assert steps["8202"] == "nothing of ours is live on the site: cancel again if you still want to"
    assert "cancel again" not in steps["8203"] and "awaiting delivery" in steps["8203"]  # it moved on
