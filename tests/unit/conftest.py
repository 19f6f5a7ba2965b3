"""Shared fixtures for the fast unit tests (no browser, no network)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from agent.store import Store


@pytest.fixture(autouse=True)
def _no_buyer_agent_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # The developer's own BUYER_AGENT_* settings must not leak into any test.
    for name in list(os.environ):
        if name.startswith("BUYER_AGENT_"):
            monkeypatch.delenv(name)


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run the test in an empty folder, so no ./buyer-agent.toml is found by accident."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def write_toml(tmp_path: Path) -> Callable[..., Path]:
    """write_toml(text, name="buyer-agent.toml") -> path of the written file."""

    def write(text: str, name: str = "buyer-agent.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "agent.db") as opened:
        yield opened
