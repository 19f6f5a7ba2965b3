"""Notifications through apprise to a real HTTP receiver on 127.0.0.1 (json://), never a mock."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from agent.cli import cli
from agent.config import NotifyConfig
from agent.models import RequestState
from agent.store import Store
from jobs.notify import Notifier, notify_transitions, send_summary
from tests.store_helpers import move

S = RequestState


@pytest.fixture
def received() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """(json:// URL of a local receiver, the bodies it received)."""
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


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _history(store: Store) -> None:
    move(store, "8101", S.REQUESTED)
    move(store, "8101", S.ACCEPTED, detail={"reason": "the order is closed"})
    move(store, "8101", S.REFUND_PENDING)  # not a notify event
    move(store, "8101", S.DISPUTE_FLAGGED, detail={"code": "refund_overdue"})
    move(store, "8102", S.REQUESTED)
    move(store, "8102", S.STALLED)


def test_one_message_per_transition_never_twice(
    store: Store, received: tuple[str, list[dict[str, Any]]]
) -> None:
    url, bodies = received
    notifier = Notifier(NotifyConfig(urls=[url]))
    _history(store)
    assert notify_transitions(store, notifier) == 3
    assert notify_transitions(store, notifier) == 0
    titles = [b["title"] for b in bodies]
    assert titles == [
        "buyer-agent: order 8101 accepted",
        "buyer-agent: order 8101 refund overdue",
        "buyer-agent: order 8102 stalled",
    ]
    assert "the order is closed" in bodies[0]["message"]
    move(store, "8102", S.DISPUTE_FLAGGED, detail={"code": "stalled"})
    assert notify_transitions(store, notifier) == 1
    assert [e.detail["event"] for e in store.events(kind="notified")][-1] == "dispute_flagged"


def test_only_the_configured_events(store: Store, received: tuple[str, list[dict[str, Any]]]) -> None:
    url, bodies = received
    _history(store)
    notify_transitions(store, Notifier(NotifyConfig(urls=[url], events=["stalled"])))
    assert [b["title"] for b in bodies] == ["buyer-agent: order 8102 stalled"]


def test_a_failure_is_recorded_never_raised_and_not_resent(store: Store) -> None:
    notifier = Notifier(NotifyConfig(urls=[f"json://127.0.0.1:{_closed_port()}/x"]))
    _history(store)
    assert notify_transitions(store, notifier) == 0
    assert len(store.events(kind="notify_failed")) == 3
    assert notify_transitions(store, notifier) == 0
    assert len(store.events(kind="notify_failed")) == 3  # at most once, even when it failed


def test_no_urls_sends_nothing_and_records_nothing(store: Store) -> None:
    _history(store)
    assert notify_transitions(store, Notifier(NotifyConfig())) == 0
    assert store.events(kind="notified") == []


def test_summary(received: tuple[str, list[dict[str, Any]]]) -> None:
    url, bodies = received
    assert send_summary(Notifier(NotifyConfig(urls=[url])), 4, [("8101", "requested", "accepted")], 0)
    assert bodies[0]["title"] == "buyer-agent: sweep summary"
    assert "Checked 4 request(s); 1 change(s)" in bodies[0]["message"]
    assert not send_summary(Notifier(NotifyConfig(urls=[url], summary=False)), 4, [], 0)


def test_cli_notify_test(in_tmp: Path, received: tuple[str, list[dict[str, Any]]]) -> None:
    url, bodies = received
    result = CliRunner().invoke(
        cli, ["notify", "--test"], env={"BUYER_AGENT_NOTIFY__URLS": json.dumps([url])}
    )
    assert result.exit_code == 0, result.output
    assert [b["title"] for b in bodies] == ["buyer-agent: test"]
    unset = CliRunner().invoke(cli, ["notify", "--test"])
    assert unset.exit_code == 2 and "no [notify] urls" in unset.output


def test_a_url_apprise_refuses_is_logged_masked(caplog: pytest.LogCaptureFixture) -> None:
    urls = ["tgram://bad-b0t-t0ken/", "xyzzy://robot:pa55@relay.example.org/tok3n"]
    notifier = Notifier(NotifyConfig(urls=urls))
    with caplog.at_level("WARNING", logger="jobs.notify"):
        assert notifier.send("title", "body") is False
    logged = caplog.text
    assert "tgram://****/" in logged and "xyzzy://****@relay.example.org/****" in logged
    assert not [s for s in ("bad-b0t", "pa55", "robot", "tok3n") if s in logged]
