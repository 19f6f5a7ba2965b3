"""`selectors check` also lists the filter controls runs could not set (`filter_unavailable` events):
optional controls, so never a failure, but the first sign that My Orders changed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from agent.recording.drift import DriftReport, unavailable_filters
from agent.store import Store


def test_filter_notes_from_the_events_table(tmp_path: Path) -> None:
    now = [dt.datetime(2026, 7, 1, 3, tzinfo=dt.UTC)]
    with Store.open(tmp_path / "a.db", clock=lambda: now[0]) as store:
        for control, error in [
            ("time_range", "no control"),
            ("search", "no button"),
            ("time_range", "renamed"),
        ]:
            store.add_event("filter_unavailable", detail={"control": control, "error": error})
            now[0] += dt.timedelta(days=1)
        notes = unavailable_filters(store)
    assert [(n.control, n.times, n.last_at, n.error) for n in notes] == [
        ("time_range", 2, "2026-07-03 03:00", "renamed"),
        ("search", 1, "2026-07-02 03:00", "no button"),
    ]
    report = DriftReport(source="fixtures", filters=notes)
    assert report.ok and report.flagged == []
    assert report.lines()[0].split() == ["filter", "time_range", "unavailable", "2x,", "last", "2026-07-03",
                                         "03:00:", "renamed"]  # fmt: skip
