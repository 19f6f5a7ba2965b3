"""ASGI middleware that makes the shop misbehave on purpose: latency, HTTP errors, dropped connections.

Delays are `asyncio.sleep` on the server: the shop simulating a slow network, never a test waiting.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from agent.shop.state import SESSION_COOKIE, Fault, ShopState

logger = logging.getLogger(__name__)

# Requests the faults and latency never touch: the admin API and static assets.
EXEMPT = ("/__shop", "/static")


class DroppedConnection(ConnectionError):
    """Raised where no socket can be closed (in-process test clients) to stand for a dropped connection."""


class FaultMiddleware:
    def __init__(self, app: ASGIApp, state: ShopState) -> None:
        self.app, self.state = app, state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(EXEMPT):
            await self.app(scope, receive, send)
            return
        latency = self.state.switches.latency_ms
        if latency:
            await asyncio.sleep(latency / 1000)
        query = scope.get("query_string", b"").decode("latin-1")
        fault = self.state.take_fault(scope["path"] + ("?" + query if query else ""), scope["method"])
        if fault is None:
            await self.app(scope, receive, send)
        elif fault.kind == "commit":
            await _commit_late(self.app, self.state, scope, receive, send, fault.delay_ms)
        elif fault.kind == "logout":
            self.state.expire_session(_cookie(scope, SESSION_COOKIE))
            await self.app(scope, receive, send)
        elif fault.kind == "slow":
            await asyncio.sleep(fault.delay_ms / 1000)
            await self.app(scope, receive, send)
        elif fault.kind == "late":
            await _answer_late(self.app, scope, receive, send, fault.delay_ms)
        elif fault.kind == "error":
            await _error(fault, send)
        else:
            await _drop(receive, send)


async def _answer_late(app: ASGIApp, scope: Scope, receive: Receive, send: Send, delay_ms: int) -> None:
    """Handle the request fully (state changes, log), then hold the response back before sending it."""
    held: list[Any] = []

    async def hold(message: Any) -> None:
        held.append(message)

    await app(scope, receive, hold)
    await asyncio.sleep(delay_ms / 1000)
    for message in held:
        await send(message)


async def _commit_late(
    app: ASGIApp, state: ShopState, scope: Scope, receive: Receive, send: Send, delay_ms: int
) -> None:
    """A backend that is slow, not dead: the request is logged on arrival (`received`), then takes effect
    after `delay_ms` (or when the admin releases held requests: `POST /__shop/faults/release`) whether or
    not the client still waits — the "was my click taken?" case of a slow site. (`slow` instead delays
    before the shop acts at all.)"""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    state.record("received", None, path=scope["path"], method=scope["method"])
    generation, epoch = state.commit_generation, state.epoch
    deadline = time.monotonic() + delay_ms / 1000
    while state.commit_generation == generation and time.monotonic() < deadline:
        await asyncio.sleep(0.05)  # the shop's backend at work (until `delay_ms`, or released by the admin)
    if state.epoch != epoch:  # the shop was reset meanwhile: a request of the old world acts on nothing
        return
    replayed = False

    async def replay() -> dict[str, Any]:
        nonlocal replayed
        if replayed:
            return {"type": "http.disconnect"}
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def answer(message: Any) -> None:
        try:
            await send(message)
        except (OSError, RuntimeError):  # the client gave up waiting: the effect stands all the same
            logger.info("commit fault: the client had gone before the answer")

    await app(scope, replay, answer)


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                k, _, v = part.strip().partition("=")
                if k == name:
                    return v
    return None


async def _error(fault: Fault, send: Send) -> None:
    body = b"<html><body><h1>500 Internal Server Error</h1></body></html>"
    await send(
        {
            "type": "http.response.start",
            "status": fault.status,
            "headers": [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _drop(receive: Receive, send: Send) -> None:
    """Close the socket without a byte of response (uvicorn's h11 cycle exposes its transport)."""
    transport: Any = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:
        raise DroppedConnection("the shop dropped this connection (fault rule)")
    transport.close()
    # Wait for uvicorn to notice the disconnect so it does not try to answer with a 500.
    try:
        async with asyncio.timeout(2):
            while (await receive())["type"] != "http.disconnect":
                pass
    except TimeoutError:
        logger.warning("dropped connection: no disconnect event within 2 s")
