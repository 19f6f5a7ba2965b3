"""Notifications through apprise to a real HTTP receiver on 127.0.0.1 (json://), never a mock."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import stamina
from click.testing import CliRunner

from agent.cli import cli
from agent.config import NotifyConfig
from agent.models import RequestState
from agent.store import Store
from jobs.notify import Notifier, notify_transitions, pending_targets, send_summary, target_id
from tests.store_helpers import move

S = RequestState


@pytest.fixture(autouse=True)
def _no_backoff_waits() -> Iterator[None]:
    """stamina's testing mode: the configured number of tries (up to 10), without the waits."""
    with stamina.set_testing(True, attempts=10, cap=True):
        yield


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


def test_a_failure_is_recorded_never_raised_and_stays_pending(store: Store) -> None:
    url = f"json://127.0.0.1:{_closed_port()}/x"
    notifier = Notifier(NotifyConfig(urls=[url], attempts=2))
    _history(store)
    assert notify_transitions(store, notifier) == 0
    failed = store.events(kind="notify_failed")
    assert len(failed) == 3 and all(e.detail["targets"] == [target_id(url)] for e in failed)
    assert sorted(pending_targets(store).values()) == [[target_id(url)]] * 3
    assert len(store.events(kind="notified")) == 1  # the URL failed its tries once: the rest wait
    assert notify_transitions(store, notifier) == 0  # the next pass tries the pending ones again
    assert len(store.events(kind="notified")) == 2 and len(store.events(kind="notify_failed")) == 4
    assert sorted(pending_targets(store).values()) == [[target_id(url)]] * 3


class FlakyReceiver:
    """A local webhook answering 500 to its first `failures` POSTs, then 200; it keeps what it took."""

    def __init__(self, failures: int) -> None:
        self.failures, self.tries, self.taken = failures, 0, []  # type: list[dict[str, Any]]
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                outer.tries += 1
                ok = outer.tries > outer.failures
                if ok:
                    outer.taken.append(body)
                self.send_response(200 if ok else 500)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"json://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def flaky() -> Iterator[Callable[[int], FlakyReceiver]]:
    made: list[FlakyReceiver] = []

    def make(failures: int) -> FlakyReceiver:
        made.append(FlakyReceiver(failures))
        return made[-1]

    yield make
    for receiver in made:
        receiver.close()


def test_retried_with_backoff_then_delivered_once(
    store: Store, flaky: Callable[[int], FlakyReceiver]
) -> None:
    receiver = flaky(2)  # two 500s, then it takes the message
    move(store, "8101", S.REQUESTED)
    move(store, "8101", S.STALLED)
    assert notify_transitions(store, Notifier(NotifyConfig(urls=[receiver.url], attempts=3))) == 1
    assert receiver.tries == 3
    assert [b["title"] for b in receiver.taken] == ["buyer-agent: order 8101 stalled"]
    assert store.events(kind="notify_failed") == []
    assert notify_transitions(store, Notifier(NotifyConfig(urls=[receiver.url], attempts=3))) == 0
    assert receiver.tries == 3  # nothing sent again


def test_a_dead_url_costs_one_round_of_tries_per_pass_then_everything_pending_goes(
    store: Store, flaky: Callable[[int], FlakyReceiver]
) -> None:
    receiver = flaky(2)
    notifier = Notifier(NotifyConfig(urls=[receiver.url], attempts=2))
    _history(store)  # three transitions worth a message
    assert notify_transitions(store, notifier) == 0
    assert (receiver.tries, receiver.taken) == (2, [])  # two tries for the first, the others wait
    assert notify_transitions(store, notifier) == 3  # the URL is back: each pending one, once
    assert [b["title"] for b in receiver.taken] == [
        "buyer-agent: order 8101 accepted",
        "buyer-agent: order 8101 refund overdue",
        "buyer-agent: order 8102 stalled",
    ]
    assert notify_transitions(store, notifier) == 0 and receiver.tries == 5


def test_still_failing_stays_pending_and_the_next_sweep_sends_it(
    tmp_path: Path, flaky: Callable[[int], FlakyReceiver], received: tuple[str, list[dict[str, Any]]]
) -> None:
    from agent.config import Config, StorageConfig
    from jobs.runner import run_sweep

    down = flaky(3)  # fails all three tries of the first pass, takes the fourth
    good_url, good_bodies = received
    database = tmp_path / "agent.db"
    with Store.open(database) as store:
        for state in (S.REQUESTED, S.ACCEPTED, S.REFUND_PENDING, S.REFUNDED):  # nothing left to watch
            move(store, "8101", state)
    config = Config(storage=StorageConfig(database=database, state_dir=tmp_path / "state"),
                    notify=NotifyConfig(urls=[down.url, good_url], attempts=3, summary=False))  # fmt: skip
    run_sweep(config, "sweep")
    assert (down.tries, down.taken, len(good_bodies)) == (3, [], 1)
    with Store.open(database) as store:
        assert pending_targets(store) == {store.events(kind="request_state")[1].id: [target_id(down.url)]}
    run_sweep(config, "sweep")  # the next sweep: only the URL that failed, once
    assert [b["title"] for b in down.taken] == ["buyer-agent: order 8101 accepted"]
    assert len(good_bodies) == 1
    run_sweep(config, "sweep")
    assert (down.tries, len(down.taken), len(good_bodies)) == (4, 1, 1)
    with Store.open(database) as store:
        assert set(map(tuple, pending_targets(store).values())) == {()}


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
