"""The HTML report's charts: per currency, money by state, and refunds received over time.

Drawn with pygal (pure Python, no native dependencies, writes one self-contained SVG; matplotlib would
pull numpy and a C toolchain's worth of wheels for two bar charts), imported only when a page is
written. Each SVG is inlined as a `data:` image: the page stays one file, and an SVG shown as an image
runs no script (pygal adds one for its tooltips) and cannot touch the page. The sums are Decimal
(jobs.money); they become floats only to be drawn.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from agent.models import Money
from jobs.money import BUCKETS, Totals, refunds_by_day

__all__ = ["money_charts"]

WIDTH, HEIGHT = 560, 280
LABELS = {"waiting_on_seller": "waiting on the seller", "refund_pending": "refund pending",
          "refunded": "refunded", "at_risk": "at risk (flagged)"}  # fmt: skip


def money_charts(sums: Totals, refunds: Iterable[tuple[dt.datetime, Money]]) -> list[dict[str, Any]]:
    """One entry per currency: {"currency", "by_state": data URI, "refunds": data URI or ""}."""
    days = refunds_by_day(refunds)
    charts = []
    for currency in sorted(set(sums) | set(days)):
        per = sums.get(currency, {b: Decimal(0) for b in BUCKETS})
        by_state = _bar(f"{currency} by state", [LABELS[b] for b in BUCKETS], [per[b] for b in BUCKETS])
        received = days.get(currency, {})
        over_time = _bar(f"{currency} refunds received", [f"{d:%Y-%m-%d}" for d in received],
                         list(received.values())) if received else ""  # fmt: skip
        charts.append({"currency": currency, "by_state": by_state, "refunds": over_time})
    return charts


def _bar(title: str, labels: list[str], values: list[Decimal]) -> str:
    pygal = _pygal()

    chart = pygal.Bar(js=[], disable_xml_declaration=True, show_legend=False, width=WIDTH, height=HEIGHT,
                      x_label_rotation=20, print_values=True,
                      value_formatter=lambda v: f"{v:,.2f}")  # fmt: skip
    chart.title = title
    chart.x_labels = labels
    chart.add(title, [float(v) for v in values])
    svg = chart.render(is_unicode=True)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _pygal() -> Any:
    """pygal, loaded when a page with a chart is written. Its import appends a legacy `sys.meta_path`
    finder for its map plugins (unused here) that makes every later import in the process warn
    (ImportWarning: find_spec() not found): take it out again."""
    import sys

    import pygal

    sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]
    return pygal
