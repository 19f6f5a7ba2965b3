"""`buyer-agent mcp`: the agent as Model Context Protocol tools, over stdio (the official `mcp` SDK).

Read-only tools: `list_orders`, `show_order`, `report` (the database only, no browser) and `sweep`
(reads the site and records what it saw; never clicks: `policy.auto_dispute` is off for it).
The one irreversible act takes two calls: `cancel_preview` runs the cancel as a dry run (everything up to
the confirming click) and, when the order could be cancelled, returns a one-time token bound to the
order, the reason and the account, valid 10 minutes (agent.mcp_tokens); `cancel` spends that token, then
takes the very path of `buyer-agent cancel` (agent.flows.cancel: journal, network guard, exactly once).

Tool calls run one at a time (each opens its own browser). stdout carries the protocol: logs go to stderr.
Only this module imports `mcp`, and only the `mcp` command imports this module.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from agent import __version__
from agent.config import Config
from agent.errors import AgentError, UsageError
from agent.mcp_tokens import TokenBook
from agent.models import CancelOutcome, OrderStatus, normalise_order_id
from agent.store import Store

__all__ = ["account_name", "build_server"]

Clock = Callable[[], dt.datetime]
INSTRUCTIONS = (
    "Tools for the person's own AliExpress buyer account. Reading is free; cancelling takes two steps: "
    "cancel_preview (a dry run that returns a token), then cancel with that token, order and reason. "
    "Ask the person before calling cancel: it cannot be undone."
)


def account_name(config: Config) -> str:
    """The account a token is bound to: the one the server was started for (`--account`)."""
    return config.account_name


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def build_server(config: Config, clock: Clock = _utcnow) -> MCPServer:
    """The server with its six tools; `clock` drives the tokens' validity (tests)."""
    tools = _Tools(config, TokenBook(config.storage.state_dir, clock), clock)
    server = MCPServer("buyer-agent", version=__version__, instructions=INSTRUCTIONS)
    for fn in (tools.list_orders, tools.show_order, tools.report, tools.sweep, tools.cancel_preview,
               tools.cancel):  # fmt: skip
        server.add_tool(fn, name=fn.__name__, description=(fn.__doc__ or "").strip())
    return server


class _Tools:
    def __init__(self, config: Config, tokens: TokenBook, clock: Clock) -> None:
        self.config, self.tokens, self.clock = config, tokens, clock
        self.one_at_a_time = threading.Lock()

    @contextmanager
    def _call(self) -> Iterator[None]:
        """One tool at a time; an agent error becomes the tool's error message (one line)."""
        with self.one_at_a_time:
            try:
                yield
            except AgentError as exc:
                raise ToolError(f"{type(exc).__name__}: {' '.join(str(exc).split())}") from None

    def _store(self) -> Store:
        """The database, scoped to the server's account (`--account`), as every command scopes it."""
        return Store.open(self.config.storage.database, account=self.config.account_name)

    @contextmanager
    def _runtime(self, name: str) -> Iterator[Any]:
        from agent.flows.runtime import open_runtime

        with self._store() as store, open_runtime(self.config, store, f"mcp {name}") as rt:
            yield rt

    def list_orders(self, status: str | None = None, since: str | None = None, until: str | None = None,
                    search: str | None = None) -> dict[str, Any]:  # fmt: skip
        """Your orders on the site, all pages, filtered: status (awaiting_payment, awaiting_shipment,
        awaiting_delivery, completed, closed …), since/until (YYYY-MM-DD), search (id, product, store).
        Returns {"orders": [...]} as `buyer-agent orders --json` gives them."""
        from agent.flows.orders import list_orders

        with self._call():
            wanted = _status(status)
            since_d, until_d = _date(since, "since"), _date(until, "until")
            with self._runtime("list_orders") as rt:
                found = list_orders(rt, wanted, since_d, until_d, search)
            return {"orders": [o.model_dump(mode="json") for o in found]}

    def show_order(self, order_id: str) -> dict[str, Any]:
        """One order as the site shows it now, and the agent's cancellation request for it (or null)."""
        from agent.flows.orders import show_order

        with self._call():
            oid = _order_id(order_id)
            with self._runtime("show_order") as rt:
                detail = show_order(rt, oid)
                request = rt.store.get_request(oid)
            return detail.model_dump(mode="json") | {
                "request": request.model_dump(mode="json") if request else None
            }

    def report(self) -> dict[str, Any]:
        """Every request the agent watches: state, amount, deadlines, next step; totals per currency."""
        import json

        from jobs.report import build_report, report_json

        with self._call(), self._store() as store:
            rows = build_report(store, self.clock(), self.config.policy)
            data: dict[str, Any] = json.loads(report_json(rows))
            return data

    def sweep(self) -> dict[str, Any]:
        """Re-check every watched request on the site once (read-only: never clicks, never disputes):
        moves states, flags disputes, notifies; returns this run's transitions and errors."""
        from jobs.runner import run_sweep

        with self._call():
            policy = self.config.policy.model_copy(update={"auto_dispute": False})
            result = run_sweep(self.config.model_copy(update={"policy": policy}), "mcp sweep", wait=True)
            return result.model_dump(mode="json", include={"run_id", "checked", "transitions", "errors"})

    def cancel_preview(self, order_id: str, reason: str, fallback_other: bool = False) -> dict[str, Any]:
        """A dry run of cancelling one order: everything up to the confirming click, nothing sent. When
        the order can be cancelled this way, returns `token`: pass it to `cancel` with the same order and
        reason within 10 minutes (one use). reason: changed_mind, wrong_item, duplicate_order,
        wrong_address, out_of_stock, shipping_too_long, found_cheaper, seller_asked, other, or free text."""
        from agent.flows.cancel import cancel_orders

        with self._call():
            oid, why = _order_id(order_id), _reason(reason)
            with self._runtime("cancel_preview") as rt:
                (result,) = cancel_orders(rt, [oid], why, dry_run=True, fallback_other=fallback_other)
            data = result.model_dump(mode="json") | {"token": None, "expires_at": None}
            if result.outcome is CancelOutcome.DRY_RUN:
                token, expires = self.tokens.issue(oid, why, account_name(self.config),
                                                   fallback_other=fallback_other)  # fmt: skip
                data |= {"token": token, "expires_at": expires.isoformat()}
            return data

    def cancel(self, order_id: str, reason: str, token: str = "") -> dict[str, Any]:
        """Cancel one order, exactly once — only with the token of its cancel_preview (same order and
        reason, within 10 minutes, one use). Irreversible: ask the person first."""
        from agent.flows.cancel import cancel_orders

        with self._call():
            oid, why = _order_id(order_id), _reason(reason)
            entry = self.tokens.spend(token, oid, why, account_name(self.config))
            with self._runtime("cancel") as rt:
                (result,) = cancel_orders(rt, [oid], why, fallback_other=bool(entry.get("fallback_other")))
            return result.model_dump(mode="json")


def _order_id(value: str) -> str:
    try:
        return normalise_order_id(value)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _reason(value: str) -> str:
    if not value.strip():
        raise UsageError("reason must not be empty")
    return value


def _status(value: str | None) -> OrderStatus | None:
    if not value:
        return None
    try:
        return OrderStatus(value)
    except ValueError:
        known = ", ".join(s.value for s in OrderStatus if s is not OrderStatus.UNKNOWN)
        raise UsageError(f"unknown status {value!r}; one of {known}") from None


def _date(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{name} must be a date like 2026-04-27, got {value!r}") from None
