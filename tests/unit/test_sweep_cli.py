"""`buyer-agent sweep` without a browser: nothing watched means no browser is started at all."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from agent.cli import cli
from agent.models import RequestState
from agent.store import Store
from tests.store_helpers import move


def test_sweep_json_with_nothing_to_watch_starts_no_browser(in_tmp: Path) -> None:
    with Store.open(in_tmp / "buyer-agent.db") as store:
        move(store, "8101", RequestState.REFUNDED)  # final: not watched
    env = {"BUYER_AGENT_BROWSER__EXECUTABLE_PATH": "/nonexistent/chromium"}  # would fail if launched
    result = CliRunner().invoke(cli, ["sweep", "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == []
    with Store.open(in_tmp / "buyer-agent.db") as store:
        [event] = store.events(kind="sweep")
    assert event.detail == {"checked": 0}
