"""Shared steps of the outcome e2e tests: the agent configured against the shop, on the shop's clock,
sharing the session's Chromium; a local HTTP receiver for notifications (apprise json://)."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

from playwright.sync_api import Browser

from agent.config import Config
from agent.flows.cancel import CancelResult, cancel_orders
from agent.flows.runtime import Runtime, open_runtime
from agent.shop.admin import ShopAdmin
from agent.shop.seed import SHOP_EMAIL
from agent.store import Store
from jobs.notify import Notifier, notify_transitions
from jobs.sweep import SweepResult, sweep

T = TypeVar("T")


class ShopClock:
    """The shop's time for the agent's store: read once, then moved only by `advance` (no HTTP per tick)."""

    def __init__(self, admin: ShopAdmin) -> None:
        self.admin = admin
        self.now = dt.datetime.fromisoformat(admin.state()["clock"]["now"])

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, hours: float) -> None:
        self.now = dt.datetime.fromisoformat(self.admin.advance(hours))


class Receiver:
    """An HTTP server on 127.0.0.1 that keeps every JSON body POSTed to it."""

    def __init__(self) -> None:
        received: list[dict[str, Any]] = []
        self.received = received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                received.append(json.loads(body or b"{}"))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.server.server_address[1]}/notify"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def titles(self) -> list[str]:
        return [str(m.get("title", "")) for m in self.received]


@dataclass
class Agent:
    """The agent as a user runs it, in-process: config, database on the shop's clock, the test browser."""

    config: Config
    clock: ShopClock
    browser: Browser
    admin: ShopAdmin
    runs: list[int] = field(default_factory=list)

    @contextmanager
    def runtime(self, command: str) -> Iterator[Runtime]:
        with self.store() as store, open_runtime(self.config, store, command, browser=self.browser) as rt:
            self.runs.append(rt.run_id)
            yield rt

    def store(self) -> Store:
        return Store.open(self.config.storage.database, clock=self.clock)

    def run(self, command: str, step: Callable[[Runtime], T]) -> T:
        with self.runtime(command) as rt:
            return step(rt)

    def cancel(self, *order_ids: str, reason: str = "changed_mind") -> list[CancelResult]:
        return self.run("cancel", lambda rt: cancel_orders(rt, order_ids, reason))

    def sweep(self) -> SweepResult:
        return self.run("sweep", sweep)

    def notify(self) -> int:
        with self.store() as store:
            return notify_transitions(store, Notifier(self.config.notify))

    def state(self, order_id: str) -> str:
        with self.store() as store:
            request = store.get_request(order_id)
            assert request is not None, order_id
            return request.state.value

    def path(self, order_id: str) -> list[str]:
        """Every state the request went through, in order (from the audit log)."""
        with self.store() as store:
            events = store.events_for(order_id)
        return [e.state_to for e in events if e.kind == "request_state" and e.state_to]


def agent_config(tmp_path: Path, base_url: str, **policy: Any) -> Config:
    return Config.model_validate(
        {
            "site": {"base_url": base_url, "login_url": f"{base_url}/login/"},
            "account": {"email": SHOP_EMAIL},
            "browser": {"trace": "off", "timeout_ms": 10000},
            "storage": {
                "database": str(tmp_path / "agent.db"),
                "evidence_dir": str(tmp_path / "evidence"),
                "state_dir": str(tmp_path / "state"),
            },
            "policy": policy,
            "api": {"min_interval_ms": 20, "jitter_ms": 10, "traffic_backoff_ms": 50},
        }
    )


def save_shop_session(config: Config, admin: ShopAdmin, base_url: str) -> None:
    """A saved session, as `buyer-agent login` leaves it, without going through the login pages."""
    admin.save_session(config.storage.state_dir)


def shop_log(admin: ShopAdmin, kind: str, order_id: str | None = None) -> list[dict[str, Any]]:
    return admin.log(kind=kind, order_id=order_id)
