"""Build the shop app, serve it (the `buyer-agent shop` command), or run it in a thread (tests).

`ShopThread` binds its socket before uvicorn starts, so the port is known and connections queue at
once; `start()` then waits on an Event set by uvicorn's startup, never on a sleep.
"""

from __future__ import annotations

import logging
import socket
import threading
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from agent.shop import admin, cancel_page, disputes, login, messages, pages
from agent.shop.faults import FaultMiddleware
from agent.shop.mtop import MtopGate
from agent.shop.state import ShopState
from agent.shop.viewer import ViewerMiddleware

logger = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"


def create_app(scenario: str = "default", **switches: Any) -> Starlette:
    """The shop as an ASGI app; its state is `app.state.shop` (a ShopState)."""
    state = ShopState(scenario, **switches)
    routes = [
        *pages.ROUTES,
        *cancel_page.ROUTES,
        *login.ROUTES,
        *disputes.ROUTES,
        *messages.ROUTES,
        *admin.ROUTES,
        Mount("/static", StaticFiles(directory=str(STATIC)), name="static"),
    ]
    middleware = [Middleware(ViewerMiddleware, state=state), Middleware(FaultMiddleware, state=state)]
    app = Starlette(routes=routes, middleware=middleware)
    app.state.shop = state
    app.state.mtop = MtopGate(state)
    return app


def _config(app: Starlette, host: str, port: int, log_level: str) -> uvicorn.Config:
    # h11 explicitly: the dropped-connection fault needs its transport; no websockets, no lifespan.
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http="h11",
        ws="none",
        lifespan="off",
        log_level=log_level,
        timeout_graceful_shutdown=2,
    )


def serve(host: str = "127.0.0.1", port: int = 8000, scenario: str = "default") -> None:
    """Run the shop in the foreground until interrupted (blocking)."""
    logger.info("fixture shop on http://%s:%d (scenario %s)", host, port, scenario)
    uvicorn.Server(_config(create_app(scenario), host, port, "info")).run()


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, ready: threading.Event) -> None:
        super().__init__(config)
        self._ready = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self._ready.set()


class ShopThread:
    """uvicorn serving the shop on 127.0.0.1 in a background thread: `with ShopThread() as shop: …`."""

    def __init__(self, scenario: str = "default", port: int = 0, **switches: Any) -> None:
        self.app = create_app(scenario, **switches)
        self.state: ShopState = self.app.state.shop
        self._port = port
        self._ready = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""

    @property
    def login_url(self) -> str:
        return f"{self.base_url}/login/"

    def start(self) -> ShopThread:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self._port))
        sock.listen(128)
        port = sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        self._server = _Server(_config(self.app, "127.0.0.1", port, "warning"), self._ready)
        self._thread = threading.Thread(target=self._run, args=(sock,), name=f"shop-{port}", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout=15) or not self._server.started:
            self.stop()
            raise RuntimeError(f"the fixture shop did not start on {self.base_url}")
        logger.info("fixture shop running at %s", self.base_url)
        return self

    def _run(self, sock: socket.socket) -> None:
        assert self._server is not None
        try:
            self._server.run(sockets=[sock])
        finally:
            self._ready.set()  # never leave start() waiting if uvicorn failed
            sock.close()

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server, self._thread = None, None

    def __enter__(self) -> ShopThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
