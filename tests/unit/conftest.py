"""Shared fixtures for the fast unit tests (no browser, no network)."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

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


@pytest.fixture
def received() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """(json:// URL of a local receiver, the bodies it received): a real endpoint for notifications."""
    bodies: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            bodies.append(json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}"))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"json://127.0.0.1:{server.server_address[1]}/hook", bodies
    server.shutdown()
    server.server_close()
