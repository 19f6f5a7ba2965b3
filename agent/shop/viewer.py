"""Whose request it is: the account (session email) of each request's session cookie, so one shop serves
several buyer accounts, each seeing and acting on its own orders only (agent.shop.state filters by it and
names it in every operation-log entry). No session (the admin API, a logged-out page): no filter."""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from starlette.requests import cookie_parser

if TYPE_CHECKING:
    from agent.shop.state import ShopState

__all__ = ["VIEWER", "ViewerMiddleware"]

VIEWER: ContextVar[str] = ContextVar("shop_viewer", default="")
SESSION_COOKIE = "xman_us_t"  # as agent.shop.state.SESSION_COOKIE


class ViewerMiddleware:
    """ASGI middleware: sets VIEWER for the request from its session cookie (without touching the session:
    the session's own request count and expiry stay the pages' business)."""

    def __init__(self, app: Any, state: ShopState) -> None:
        self.app, self.state = app, state

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        token = cookie_parser(headers.get(b"cookie", b"").decode("latin-1")).get(SESSION_COOKIE, "")
        mark = VIEWER.set(self.state.session_email(token))
        try:
            await self.app(scope, receive, send)
        finally:
            VIEWER.reset(mark)
