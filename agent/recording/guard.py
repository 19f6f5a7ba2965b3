"""A recording (and a live drift check) must never change anything on the site: every request that is
not a read is aborted before it leaves the browser, and remembered so the run fails loudly. Reads the
site's API sends by POST (the order list's pages 2..N, the refunds list) are reads."""

from __future__ import annotations

from playwright.sync_api import BrowserContext, Route

from agent.api.protocol import is_read_post
from agent.errors import WriteBlocked

READ_METHODS = {"GET", "HEAD", "OPTIONS"}


class ReadOnlyGuard:
    """`guard = ReadOnlyGuard(context)`; after the run, `guard.check()` raises WriteBlocked if anything
    but a read was attempted. Registered last, so it sees every request before other routes."""

    def __init__(self, context: BrowserContext) -> None:
        self.blocked: list[str] = []
        context.route("**/*", self._handle)

    def _handle(self, route: Route) -> None:
        request = route.request
        if request.method.upper() in READ_METHODS or (request.method == "POST" and is_read_post(request.url)):
            route.fallback()
            return
        self.blocked.append(f"{request.method} {request.url.split('?')[0]}")
        route.abort("blockedbyclient")

    def check(self) -> None:
        if self.blocked:
            raise WriteBlocked(self.blocked)
