"""The page objects' e2e suite over every shipped recording (fixtures/, made by fixtures/make_recordings.py):
the fixture shop in every layout scenario and locale, replayed offline through the real page objects and
the selector pack — next to the live-shop suite. Uses the project's own pytest plugin fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.pytest_plugin import Agent, Recording
from agent.recording.manifest import Manifest, recordings
from agent.shop.scenarios import LAYOUT_PRESETS

pytestmark = pytest.mark.e2e
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SHIPPED = recordings(FIXTURES)
REASONS = {"en": "I don't want it anymore", "pt-BR": "Não quero mais"}


def test_every_layout_and_locale_is_shipped() -> None:
    shipped = {(Manifest.load(f).scenario, Manifest.load(f).locale) for f in SHIPPED}
    assert shipped >= {(layout, locale) for layout in LAYOUT_PRESETS for locale in REASONS}


@pytest.mark.parametrize("buyer_agent_recording", [f.name for f in SHIPPED], indirect=True)
def test_listing_and_dry_run_cancel_replay_as_recorded(
    buyer_agent: Agent, buyer_agent_recording: Recording
) -> None:
    recorded = buyer_agent_recording.manifest
    result = buyer_agent.replay()
    assert result.orders == recorded.result.orders and result.orders
    assert result.cancels == recorded.result.cancels
    (cancel,) = result.cancels
    assert cancel["outcome"] == "dry_run" and cancel["reason_text"] == REASONS[recorded.locale]
