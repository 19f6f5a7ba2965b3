"""The selector drift check on recorded pages: a shipped recording resolves every key it resolved when
recorded; a copy edited so one key matches only its last candidate and one matches nothing is flagged
(late / missing) and fails the check — through the job-side function and through the CLI."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from agent.config import Config, StorageConfig
from agent.pytest_plugin import Agent
from agent.recording.drift import DriftReport, check
from agent.recording.manifest import Manifest
from agent.shop.admin import ShopAdmin

pytestmark = pytest.mark.e2e
SHIPPED = Path(__file__).resolve().parents[2] / "fixtures" / "aliexpress" / "default-en"
DETAIL = "screens/02-OrderDetailPage.html"


@pytest.fixture
def drifted(tmp_path: Path) -> Path:
    """default-en, with the detail page's title turned from a heading into a renamed div (only
    `[class*=title]`, the last candidate, still matches it) and its reminder renamed (nothing matches)."""
    folder = tmp_path / "fixtures" / "aliexpress" / "drifted"
    shutil.copytree(SHIPPED, folder)
    page = folder / DETAIL
    html = page.read_text(encoding="utf-8")
    title = re.search(r'<h2 class="order-block-title">([^<]*)</h2>', html)
    assert title is not None and "order-status-reminder" in html
    html = html.replace(title.group(0), f'<div class="order-status-title">{title.group(1)}</div>').replace(
        "order-status-reminder", "order-status-note"
    )
    page.write_text(html, encoding="utf-8")
    return folder


def by_key(report: DriftReport) -> dict[str, str]:
    return {r.key: r.status for r in report.results if r.page_object == "OrderDetailPage"}


def test_a_shipped_recording_resolves_every_recorded_key(buyer_agent_browser: Browser) -> None:
    report = check(Config(), fixtures=SHIPPED, browser=buyer_agent_browser)
    assert report.ok and not report.flagged
    recorded = sum(len(s.keys) for s in Manifest.load(SHIPPED).screens)
    assert sum(r.status == "ok" for r in report.results) == recorded


def test_drift_is_flagged(drifted: Path, buyer_agent_browser: Browser) -> None:
    report = check(Config(), fixtures=drifted, browser=buyer_agent_browser)
    statuses = by_key(report)
    assert statuses["order_detail.status_title"] == "late"
    assert statuses["order_detail.reminder"] == "missing"
    assert {r.key for r in report.flagged} == {"order_detail.status_title", "order_detail.reminder"}
    assert not report.ok


def test_the_cli_exit_code_tells_whether_every_key_resolved(drifted: Path, tmp_path: Path) -> None:
    """The real command in its own process (it starts its own Playwright)."""
    config = tmp_path / "buyer-agent.toml"
    storage = StorageConfig(database=tmp_path / "a.db", state_dir=tmp_path / "s", evidence_dir=tmp_path / "e")
    config.write_text("[storage]\n" + "".join(f'{k} = "{v}"\n' for k, v in storage.model_dump().items()))

    def run(folder: Path) -> subprocess.CompletedProcess[str]:
        command = [
            sys.executable,
            "-m",
            "agent",
            "selectors",
            "check",
            "--fixtures",
            str(folder),
            "--config",
            str(config),
        ]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)

    bad = run(drifted.parent)
    assert bad.returncode == 1, bad.stderr
    lines = bad.stdout.splitlines()
    assert any(line.startswith("late") and "order_detail.status_title" in line for line in lines), bad.stdout
    assert any(line.startswith("missing") and "order_detail.reminder" in line for line in lines)
    assert lines[-1].endswith("1 missing, 1 on a late fallback")
    good = run(SHIPPED)
    assert good.returncode == 0, good.stdout + good.stderr


def test_live_check_reads_the_shop_and_writes_nothing(
    buyer_agent: Agent, buyer_agent_shop: ShopAdmin
) -> None:
    """--live against the shop as the configured site, with the agent's saved session."""
    report = check(buyer_agent.config, live=True, browser=buyer_agent.browser, store=buyer_agent.store)
    assert report.ok, report.lines()
    checked = {r.page_object for r in report.results if r.status == "ok"}
    assert checked == {"OrdersPage", "OrderDetailPage"}
    assert [e for e in buyer_agent_shop.log() if e["kind"] in ("login", "cancel", "dispute")] == []
