"""A recording (and a live drift check) must never change anything on the site: every request that is
not a read is aborted before it leaves the browser, and remembered so the run fails loudly."""

from __future__ import annotations

from playwright.sync_api import BrowserContext, Route

from agent.errors import AgentError

READ_METHODS = {"GET", "HEAD", "OPTIONS"}


class WriteBlocked(AgentError):
    """Raised by agent.recording when a recorded or read-only run tried to send a write (POST …)."""

    def __init__(self, requests: list[str]) -> None:
        self.requests = requests
        super().__init__(f"a read-only run tried to write to the site (blocked): {'; '.join(requests[:3])}")


class ReadOnlyGuard:
    """`guard = ReadOnlyGuard(context)`; after the run, `guard.check()` raises WriteBlocked if anything
    but a read was attempted. Registered last, so it sees every request before other routes."""

    def __init__(self, context: BrowserContext) -> None:
        self.blocked: list[str] = []
        context.route("**/*", self._handle)

    def _handle(self, route: Route) -> None:
        request = route.request
        if request.method.upper() in READ_METHODS:
            route.fallback()
            return
        self.blocked.append(f"{request.method} {request.url.split('?')[0]}")
        route.abort("blockedbyclient")

    def check(self) -> None:
        if self.blocked:
            raise WriteBlocked(self.blocked)
