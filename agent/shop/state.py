"""The fixture shop's whole mutable state, behind one lock (it is served from uvicorn's thread while
tests read it from theirs): orders, clock, sessions, pending logins, fault rules and the operation log.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import secrets
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from agent.shop import orders as lifecycle
from agent.shop import scenarios
from agent.shop.i18n import REASON_IDS
from agent.shop.orders import Order
from agent.shop.seed import SHOP_EMAIL, build_seed, bulk_orders
from agent.shop.viewer import VIEWER

logger = logging.getLogger(__name__)

FAULT_KINDS = ("error", "slow", "drop", "late", "commit", "logout")
SESSION_COOKIE = "xman_us_t"


@dataclass
class Session:
    token: str
    email: str
    created_at: dt.datetime
    requests: int = 0
    expired: bool = False


@dataclass
class PendingLogin:
    """A login between steps (email → password → captcha → code); keyed by the `_lp` cookie."""

    pid: str
    email: str = ""
    step: str = "email"  # email | password | captcha | otp
    return_url: str = ""


@dataclass
class Fault:
    path: str  # a substring of the request path (+ "?query"), e.g. "order.list" or "orderId=8212…"
    kind: str = "error"  # error (HTTP status) | slow (delay, then normal) | drop (close, no response)
    # | late (act on the request normally, then hold the answer for delay_ms: "did my click go through?")
    # | commit (log the request on arrival, act after delay_ms even if the client stopped waiting)
    # | logout (the site ends this request's session: a logged-out answer)
    count: int = 1  # how many matching requests it hits; 0 = until cleared
    status: int = 500
    delay_ms: int = 2000
    method: str = ""  # "" = any
    hits: int = 0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"fault kind must be one of {FAULT_KINDS}, got {self.kind!r}")


@dataclass
class LogEntry:
    seq: int
    at: str
    kind: str
    order_id: str | None
    detail: dict[str, Any] = field(default_factory=dict)
    account: str = ""  # the email of the session that made the request ("" = none: admin, logged out)


class ShopState:
    """Everything the shop knows. Every public method takes the lock; readers get copies or JSON."""

    def __init__(self, scenario: str = "default", **switches: Any) -> None:
        self.lock = threading.RLock()
        self.logged = threading.Condition(self.lock)  # notified on every log entry (admin long-poll)
        self.reset(scenario, **switches)

    # -- lifecycle -------------------------------------------------------------------------------
    def reset(self, scenario: str | None = "default", **switches: Any) -> None:
        with self.lock:
            self.epoch = getattr(self, "epoch", 0) + 1  # held requests of before the reset are dropped
            self.switches = scenarios.build(scenario or "default", **switches)
            self.start = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
            self.offset = dt.timedelta()
            self.orders: dict[str, Order] = {o.order_id: o for o in build_seed(self.start)}
            self.sessions: dict[str, Session] = {}
            self.pending: dict[str, PendingLogin] = {}
            self.log: list[LogEntry] = []
            self.faults: list[Fault] = []
            self.messages: list[dict[str, str]] = []  # sent to a seller or to support (agent.shop.messages)
            self.commit_generation = 0  # bumped by release_commits(): held `commit` requests take effect
            self.captcha_solved = False
            self.otp_code = ""
            self._rng = random.Random(7)
            self._batches = 0
            self._install_faults(self.switches.faults)
            logger.info("shop reset: scenario %s, %d orders", self.switches.name, len(self.orders))

    def set_scenario(self, name: str | None = None, **switches: Any) -> dict[str, Any]:
        with self.lock:
            self.switches = scenarios.build(name, base=self.switches, **switches)
            if name is not None or "faults" in switches:
                self.faults = []
                self._install_faults(self.switches.faults)
            return self.switches.to_json()

    def now(self) -> dt.datetime:
        return self.start + self.offset

    def advance(self, hours: float) -> dt.datetime:
        if hours < 0:
            raise ValueError("the shop clock only moves forward")
        with self.lock:
            self.offset += dt.timedelta(hours=hours)
            self.record("clock", None, hours=hours, now=self.now().isoformat())
            return self.now()

    def rules(self) -> lifecycle.Rules:
        s = self.switches
        return lifecycle.Rules(s.seller_window_h, s.strict_seller, s.refund_days)

    # -- operation log ---------------------------------------------------------------------------
    def record(self, kind: str, order_id: str | None, /, **detail: Any) -> None:
        with self.lock:
            entry = LogEntry(len(self.log) + 1, self.now().isoformat(), kind, order_id, detail, VIEWER.get())
            self.log.append(entry)
            self.logged.notify_all()

    def log_json(self) -> list[dict[str, Any]]:
        with self.lock:
            return [asdict(e) for e in self.log]

    def wait_for_log(self, kind: str | None, order_id: str | None, since: int, timeout_s: float) -> None:
        """Block until an entry after `since` matches (or the timeout passes): a test waits on what
        the shop received instead of polling."""

        def matched() -> bool:
            return any(e.seq > since and kind in (None, e.kind) and order_id in (None, e.order_id)
                       for e in self.log)  # fmt: skip

        with self.logged:
            self.logged.wait_for(matched, timeout=timeout_s)

    # -- orders ----------------------------------------------------------------------------------
    def settled(self) -> list[Order]:
        """Every order with the transitions due by now applied, newest first."""
        with self.lock:
            now, rules = self.now(), self.rules()
            for order in self.orders.values():
                lifecycle.settle(order, now, rules)
            return sorted(filter(_seen, self.orders.values()), key=lambda o: o.placed_at, reverse=True)

    def order(self, order_id: str) -> Order | None:
        """The order, if the request's account may see it (another account's order: None, as not found)."""
        with self.lock:
            found = self.orders.get(order_id)
            if found and not _seen(found):
                return None
            if found:
                lifecycle.settle(found, self.now(), self.rules())
            return found

    def add_orders(self, spec: dict[str, Any]) -> list[str]:
        with self.lock:
            self._batches += 1
            made = bulk_orders(self.now(), spec, self._batches)
            for order in made:
                self.orders[order.order_id] = order
            return [o.order_id for o in made]

    def cancel(
        self, order_id: str, reason_id: str, reason_text: str, comment: str | None = None
    ) -> tuple[Order | None, str | None]:
        """A cancel submission: (order, None) when accepted, else (order or None, i18n error key).
        `comment` (the cancel page's free text) is logged only when one was sent."""
        sent = {} if comment is None else {"comment": comment}
        with self.lock:
            order = self.order(order_id)
            if order is None:
                self.record(
                    "cancel_rejected",
                    order_id,
                    reasonId=reason_id,
                    reasonText=reason_text,
                    error="not_found",
                    **sent,
                )
                return None, "status_changed"
            error = lifecycle.cancel_error(order)
            if error is None and reason_id not in REASON_IDS:
                error = "bad_reason"
            if error:
                self.record(
                    "cancel_rejected",
                    order_id,
                    reasonId=reason_id,
                    reasonText=reason_text,
                    error=error,
                    status=order.status,
                    **sent,
                )
                return order, error
            before = order.status
            lifecycle.apply_cancel(order, self.now(), reason_id)
            self.record(
                "cancel",
                order_id,
                reasonId=reason_id,
                reasonText=reason_text,
                status_before=before,
                status=order.status,
                **sent,
            )
            return order, None

    def ship(self, order_id: str) -> Order:
        """Admin: the seller ships the order now (a test of what happens to a request meanwhile)."""
        with self.lock:
            order = self.order(order_id)
            if order is None:
                raise KeyError(order_id)
            order.status, order.shipped_at, order.picked_up = "awaiting_delivery", self.now(), True
            self.record("shipped", order_id)
            return order

    def dispute(self, order_id: str, reason: str, message: str, files: list[str]) -> Order | None:
        with self.lock:
            order = self.order(order_id)
            if order is None or not lifecycle.can_dispute(order):
                self.record("dispute_rejected", order_id, reason=reason, message=message, files=files)
                return None
            lifecycle.open_dispute(order, self.now(), reason, message, files)
            self.record("dispute", order_id, reason=reason, message=message, files=files)
            return order

    def send_message(self, order_id: str, to: str, text: str) -> bool:
        """A message to the order's seller or to support (`to`): kept and logged; False (logged as
        `message_rejected`) for an unknown order or an empty text."""
        with self.lock:
            if self.order(order_id) is None or not text:
                self.record("message_rejected", order_id or None, to=to, text=text)
                return False
            at = self.now().isoformat()
            self.messages.append({"order_id": order_id, "to": to, "text": text, "at": at})
            self.record("message", order_id, to=to, text=text)
            return True

    def messages_for(self, order_id: str, to: str) -> list[dict[str, str]]:
        with self.lock:
            return [dict(m) for m in self.messages if m["order_id"] == order_id and m["to"] == to]

    def resolve_dispute(self, order_id: str, outcome: str) -> Order:
        with self.lock:
            order = self.order(order_id)
            if order is None:
                raise KeyError(order_id)
            lifecycle.resolve_dispute(order, self.now(), outcome)
            self.record("dispute_resolved", order_id, outcome=outcome)
            return order

    # -- sessions and logins ---------------------------------------------------------------------
    def session_email(self, token: str | None) -> str:
        """The account of a session ("" for none), for agent.shop.viewer: an expired session still filters
        (its pages answer "logged out" all the same) and its calls still name their account in the log."""
        with self.lock:
            session = self.sessions.get(token or "")
            return session.email.lower() if session else ""

    def new_session(self, email: str) -> Session:
        with self.lock:
            session = Session(secrets.token_hex(16), email, self.now())
            self.sessions[session.token] = session
            return session

    def touch(self, token: str | None) -> Session | None:
        """The live session for a request (counting it against session_ttl_requests), or None."""
        with self.lock:
            session = self.sessions.get(token or "")
            if session is None or session.expired:
                return None
            session.requests += 1
            ttl = self.switches.session_ttl_requests
            if ttl and session.requests > ttl:
                session.expired = True
                self.record("session_expired", None, reason="ttl", requests=session.requests)
                return None
            return session

    def expire_session(self, token: str | None) -> None:
        with self.lock:
            session = self.sessions.get(token or "")
            if session is not None and not session.expired:
                session.expired = True
                self.record("session_expired", None, reason="fault")

    def expire_sessions(self) -> int:
        with self.lock:
            live = [s for s in self.sessions.values() if not s.expired]
            for session in live:
                session.expired = True
            self.record("session_expired", None, reason="admin", sessions=len(live))
            return len(live)

    def pending_login(self, pid: str | None) -> PendingLogin:
        with self.lock:
            if pid and pid in self.pending:
                return self.pending[pid]
            created = PendingLogin(secrets.token_hex(8))
            self.pending[created.pid] = created
            return created

    def new_otp(self) -> str:
        with self.lock:
            self.otp_code = f"{self._rng.randrange(10**6):06d}"
            return self.otp_code

    def solve_captcha(self) -> None:
        with self.lock:
            self.captcha_solved = True
            self.record("captcha_solved", None)

    # -- faults ----------------------------------------------------------------------------------
    def _install_faults(self, specs: list[dict[str, Any]]) -> None:
        self.faults.extend(Fault(**spec) for spec in specs)

    def add_faults(self, specs: list[dict[str, Any]], clear: bool = False) -> list[dict[str, Any]]:
        with self.lock:
            if clear:
                self.faults = []
            self._install_faults(specs)
            return [asdict(f) for f in self.faults]

    def release_commits(self) -> None:
        """Let every request held by a `commit` fault take effect now."""
        with self.lock:
            self.commit_generation += 1
            self.record("released", None)

    def take_fault(self, path: str, method: str) -> Fault | None:
        """The fault rule this request triggers (using up one of its count), if any."""
        with self.lock:
            for fault in self.faults:
                if fault.path in path and (not fault.method or fault.method == method):
                    fault.hits += 1
                    if fault.count and fault.hits >= fault.count:
                        self.faults.remove(fault)
                    self.record("fault", None, path=path, kind=fault.kind, status=fault.status)
                    return Fault(**{**asdict(fault)})
            return None

    # -- admin view ------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        with self.lock:
            orders = self.settled()
            return {
                "scenario": self.switches.to_json(),
                "clock": {
                    "now": self.now().isoformat(),
                    "start": self.start.isoformat(),
                    "offset_hours": self.offset.total_seconds() / 3600,
                },
                "orders": [o.to_json() for o in orders],
                "sessions": [
                    asdict(s) | {"created_at": s.created_at.isoformat()} for s in self.sessions.values()
                ],
                "otp_code": self.otp_code,
                "captcha": {"enabled": self.switches.captcha, "solved": self.captcha_solved},
                "faults": [asdict(f) for f in self.faults],
            }


def _seen(order: Order) -> bool:
    """Whether the request's account (agent.shop.viewer) may see the order; no session sees every one."""
    viewer = VIEWER.get()
    return not viewer or (order.owner or SHOP_EMAIL) == viewer
