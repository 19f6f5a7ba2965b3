"""The MCP server's one-time cancel tokens (a 0600 file, one use, 10 minutes, bound to order, reason and
account) and the tools that need no browser, through the SDK's own client connected in-process."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client

from agent.config import Config
from agent.mcp_server import build_server
from agent.mcp_tokens import TokenBook, TokenRefused
from tests.store_helpers import Clock

T0 = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)




def test_a_token_is_spent_once_and_survives_a_restart(tmp_path: Path) -> None:
    clock = Clock(T0)
    token, expires = TokenBook(tmp_path, clock).issue("8101", "changed_mind", "default")
    assert expires == T0 + dt.timedelta(minutes=10)
    book_file = tmp_path / "mcp-tokens.json"
    assert book_file.stat().st_mode & 0o777 == 0o600 and token not in book_file.read_text()  # a hash only

    TokenBook(tmp_path, clock).spend(token, "8101", "changed_mind", "default")  # a "restarted" server
    with pytest.raises(TokenRefused, match="already used"):
        TokenBook(tmp_path, clock).spend(token, "8101", "changed_mind", "default")


@pytest.mark.parametrize(
    ("order_id", "reason", "account", "minutes", "why"),
    [
        ("8102", "changed_mind", "default", 0, "another order"),
        ("8101", "wrong_item", "default", 0, "another reason"),
        ("8101", "changed_mind", "work", 0, "another account"),
        ("8101", "changed_mind", "default", 10, "expired"),
    ],
)
def test_a_token_bound_to_something_else_or_expired_is_refused(
    tmp_path: Path, order_id: str, reason: str, account: str, minutes: int, why: str
) -> None:
    clock = Clock(T0)
    book = TokenBook(tmp_path, clock)
    token, _ = book.issue("8101", "changed_mind", "default")
    clock.now = T0 + dt.timedelta(minutes=minutes)
    with pytest.raises(TokenRefused, match=why):
        book.spend(token, order_id, reason, account)
    clock.now = T0 + dt.timedelta(minutes=9, seconds=59)
    if minutes == 0:  # a refusal does not spend it: the right call still works
        assert book.spend(token, "8101", "changed_mind", "default")["order_id"] == "8101"


def _call(config: Config, clock: Clock, *calls: tuple[str, dict[str, Any]]) -> list[Any]:
    async def run() -> list[Any]:
        async with Client(build_server(config, clock)) as client:
            names = {t.name for t in (await client.list_tools()).tools}
            assert names == {"list_orders", "show_order", "report", "sweep", "cancel_preview", "cancel"}
            return [await client.call_tool(name, args) for name, args in calls]

    return anyio.run(run)


def test_cancel_without_a_valid_token_is_refused_before_any_browser(tmp_path: Path) -> None:
    config = Config.model_validate({"storage": {"database": str(tmp_path / "a.db"),
                                                "state_dir": str(tmp_path / "state")}})  # fmt: skip
    clock = Clock(T0)
    token, _ = TokenBook(config.storage.state_dir, clock).issue("8101", "changed_mind", "default")
    clock.now = T0 + dt.timedelta(minutes=11)
    results = _call(config, clock,
                    ("cancel", {"order_id": "8101", "reason": "changed_mind"}),
                    ("cancel", {"order_id": "8101", "reason": "changed_mind", "token": "made-up"}),
                    ("cancel", {"order_id": "8101", "reason": "changed_mind", "token": token}),
                    ("cancel", {"order_id": "81x", "reason": "changed_mind", "token": token}))  # fmt: skip
    texts = [r.content[0].text for r in results]
    assert all(r.is_error for r in results), texts
    assert "run cancel_preview" in texts[0] and "unknown token" in texts[1] and "expired" in texts[2]
    assert "digits" in texts[3]
    assert not (tmp_path / "a.db").exists()  # refused before any run, browser or database


def test_report_tool_returns_requests_and_totals(tmp_path: Path) -> None:
    config = Config.model_validate({"storage": {"database": str(tmp_path / "a.db"),
                                                "state_dir": str(tmp_path / "state")}})  # fmt: skip
    (result,) = _call(config, Clock(T0), ("report", {}))
    assert not result.is_error
    assert json.loads(result.content[0].text) == {"requests": [], "totals": {}}


def test_the_sdk_and_the_chart_library_load_only_when_used() -> None:
    """`buyer-agent` without `mcp` never imports the MCP SDK, nor pygal (the report's charts)."""
    code = ("import sys, agent.cli, jobs.report; "
            "print(sorted(m for m in ('mcp', 'pygal') if m in sys.modules))")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
