"""The admin API (`/__shop/…`, JSON; never part of the imitation) and `ShopAdmin`, its tiny client.

Tests drive the shop through it: move the clock, switch scenarios, inject faults, solve the captcha
(standing in for the human), and read the operation log to assert what the server actually received.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from agent.shop.mtop import gate
from agent.shop.pages import SESSION_COOKIE, TICKET_COOKIE, shop
from agent.shop.seed import SHOP_EMAIL


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    value = json.loads(raw or b"{}")
    if not isinstance(value, dict):
        raise ValueError("the request body must be a JSON object")
    return value


def _bad(exc: Exception) -> JSONResponse:
    return JSONResponse({"error": str(exc)}, status_code=400)


async def get_state(request: Request) -> Response:
    with gate(request).lock:
        mtop = [dict(vars(f)) for f in gate(request).faults]
    return JSONResponse(shop(request).to_json() | {"mtop_faults": mtop})


async def get_log(request: Request) -> Response:
    kind, order_id = request.query_params.get("kind"), request.query_params.get("order_id")
    since = int(request.query_params.get("since", 0))
    wait_ms = min(int(request.query_params.get("wait_ms", 0)), 120_000)
    if wait_ms:  # long-poll: answer as soon as a matching entry exists
        state = shop(request)
        await anyio.to_thread.run_sync(lambda: state.wait_for_log(kind, order_id, since, wait_ms / 1000))
    entries = shop(request).log_json()
    entries = [
        e
        for e in entries
        if e["seq"] > since
        and (not kind or e["kind"] == kind)
        and (not order_id or e["order_id"] == order_id)
    ]
    return JSONResponse(entries)


async def advance(request: Request) -> Response:
    try:
        now = shop(request).advance(float((await _body(request)).get("hours", 0)))
    except ValueError as exc:
        return _bad(exc)
    return JSONResponse({"now": now.isoformat()})


async def scenario(request: Request) -> Response:
    try:
        body = await _body(request)
        switches = shop(request).set_scenario(body.pop("name", None), **body)
    except (ValueError, TypeError) as exc:
        return _bad(exc)
    return JSONResponse(switches)


async def reset(request: Request) -> Response:
    try:
        body = await _body(request)
        shop(request).reset(body.pop("scenario", None), **body)
        gate(request).reset()
    except (ValueError, TypeError) as exc:
        return _bad(exc)
    return JSONResponse({"scenario": shop(request).switches.to_json()})


async def faults(request: Request) -> Response:
    try:
        body = await _body(request)
        clear = bool(body.pop("clear", False))
        rules = body.pop("rules", [body] if body else [])
        return JSONResponse({"faults": shop(request).add_faults(rules, clear=clear)})
    except (ValueError, TypeError) as exc:
        return _bad(exc)


async def release(request: Request) -> Response:
    shop(request).release_commits()
    return JSONResponse({"released": True})


async def mtop_faults(request: Request) -> Response:
    """Gateway answers per error code: `{"code", "api", "count", "source"}`, `{"rules": [...]}`, `clear`."""
    try:
        body = await _body(request)
        clear = bool(body.pop("clear", False))
        rules = body.pop("rules", [body] if body else [])
        return JSONResponse({"faults": gate(request).add_faults(rules, clear=clear)})
    except (ValueError, TypeError) as exc:
        return _bad(exc)


async def add_orders(request: Request) -> Response:
    try:
        ids = shop(request).add_orders(await _body(request))
    except (ValueError, TypeError) as exc:
        return _bad(exc)
    return JSONResponse({"order_ids": ids})


async def solve_captcha(request: Request) -> Response:
    shop(request).solve_captcha()
    return JSONResponse({"solved": True})


async def expire_sessions(request: Request) -> Response:
    return JSONResponse({"expired": shop(request).expire_sessions()})


async def new_session(request: Request) -> Response:
    """A logged-in session without the login pages (for tests that are not about logging in)."""
    session = shop(request).new_session(str((await _body(request)).get("email", SHOP_EMAIL)))
    return JSONResponse(
        {
            "token": session.token,
            "cookies": {SESSION_COOKIE: session.token, TICKET_COOKIE: session.token[:16]},
        }
    )


async def ship(request: Request) -> Response:
    try:
        order = shop(request).ship(str((await _body(request))["order_id"]))
    except (KeyError, ValueError) as exc:
        return _bad(exc)
    return JSONResponse({"order_id": order.order_id, "status": order.status})


async def cancel_elsewhere(request: Request) -> Response:
    """The buyer cancels in the app or on another device: a real submission the agent did not make."""
    try:
        body = await _body(request)
        order, error = shop(request).cancel(str(body["order_id"]), str(body.get("reason_id", "R01")),
                                            "(cancelled elsewhere)")  # fmt: skip
    except (KeyError, ValueError) as exc:
        return _bad(exc)
    if order is None or error:
        return _bad(ValueError(error or "no such order"))
    return JSONResponse({"order_id": order.order_id, "status": order.status})


async def resolve_dispute(request: Request) -> Response:
    try:
        body = await _body(request)
        order = shop(request).resolve_dispute(str(body["order_id"]), str(body.get("outcome", "refund")))
    except (KeyError, ValueError) as exc:
        return _bad(exc)
    return JSONResponse({"order_id": order.order_id, "status": order.status})


ROUTES = [
    Route("/__shop/state", get_state),
    Route("/__shop/log", get_log),
    Route("/__shop/clock/advance", advance, methods=["POST"]),
    Route("/__shop/scenario", scenario, methods=["POST"]),
    Route("/__shop/reset", reset, methods=["POST"]),
    Route("/__shop/faults", faults, methods=["POST"]),
    Route("/__shop/faults/release", release, methods=["POST"]),
    Route("/__shop/mtop/faults", mtop_faults, methods=["POST"]),
    Route("/__shop/orders", add_orders, methods=["POST"]),
    Route("/__shop/captcha/solve", solve_captcha, methods=["POST"]),
    Route("/__shop/sessions/expire", expire_sessions, methods=["POST"]),
    Route("/__shop/sessions", new_session, methods=["POST"]),
    Route("/__shop/disputes/resolve", resolve_dispute, methods=["POST"]),
    Route("/__shop/orders/ship", ship, methods=["POST"]),
    Route("/__shop/orders/cancel", cancel_elsewhere, methods=["POST"]),
]


class ShopAdmin:
    """Client of the admin API: `ShopAdmin(shop.base_url).advance(48)`. Raises httpx errors on 4xx/5xx."""

    def __init__(self, base_url: str, client: httpx.Client | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = client or httpx.Client(base_url=self.base_url, timeout=10)

    def _get(self, path: str, **params: Any) -> Any:
        response = self._client.get(f"/__shop/{path}", params={k: v for k, v in params.items() if v})
        response.raise_for_status()
        return response.json()

    def _post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self._client.post(f"/__shop/{path}", json=body or {})
        response.raise_for_status()
        return response.json()

    def state(self) -> dict[str, Any]:
        return dict(self._get("state"))

    def log(
        self, kind: str | None = None, order_id: str | None = None, since: int = 0
    ) -> list[dict[str, Any]]:
        return list(self._get("log", kind=kind, order_id=order_id, since=since))

    def wait_for_log(
        self, kind: str | None = None, order_id: str | None = None, since: int = 0, timeout_s: float = 30
    ) -> list[dict[str, Any]]:
        """Block (server-side) until the shop logged a matching entry; the entries, possibly []."""
        response = self._client.get(
            "/__shop/log",
            params={k: v for k, v in {"kind": kind, "order_id": order_id, "since": since,
                                      "wait_ms": int(timeout_s * 1000)}.items() if v},
            timeout=timeout_s + 10,
        )  # fmt: skip
        response.raise_for_status()
        return list(response.json())

    def advance(self, hours: float) -> str:
        return str(self._post("clock/advance", {"hours": hours})["now"])

    def set_scenario(self, name: str | None = None, **switches: Any) -> dict[str, Any]:
        return dict(self._post("scenario", ({"name": name} if name else {}) | switches))

    def reset(self, scenario: str | None = None, **switches: Any) -> dict[str, Any]:
        return dict(self._post("reset", ({"scenario": scenario} if scenario else {}) | switches))

    def faults(self, **fault: Any) -> list[dict[str, Any]]:
        """One rule (`path=, kind=error|slow|drop|late|commit|logout, count=, status=, delay_ms=, method=`),
        `rules=[…]`, and/or `clear=True`."""
        return list(self._post("faults", fault)["faults"])

    def release_commits(self) -> None:
        """Requests held by a `commit` fault take effect now (the slow backend finally gets to them)."""
        self._post("faults/release")
    def mtop_faults(self, **fault: Any) -> list[dict[str, Any]]:
        """Gateway faults: one rule (`code=`, `api=` substring, `count=` (0 = until cleared), `source=`
        "" | "agent" | "page"), `rules=[…]`, and/or `clear=True`."""
        return list(self._post("mtop/faults", fault)["faults"])

    def add_orders(self, **spec: Any) -> list[str]:
        return list(self._post("orders", spec)["order_ids"])

    def solve_captcha(self) -> None:
        self._post("captcha/solve")

    def expire_sessions(self) -> int:
        return int(self._post("sessions/expire")["expired"])

    def new_session(self, email: str = SHOP_EMAIL) -> dict[str, str]:
        """Cookies of a fresh logged-in session, name → value."""
        return dict(self._post("sessions", {"email": email})["cookies"])

    def save_session(self, state_dir: str | Path, email: str = SHOP_EMAIL) -> Path:
        """A live session saved where buyer-agent keeps `email`'s login (a Playwright storage state),
        as `buyer-agent login` would leave it: for tests and benchmarks that are not about logging in."""
        from agent.browser import account_slug  # the agent's naming of saved sessions

        host = urlsplit(str(self._client.base_url)).hostname
        cookies = [
            {"name": k, "value": v, "domain": host, "path": "/", "expires": -1, "httpOnly": True,
             "secure": False, "sameSite": "Lax"}
            for k, v in self.new_session(email).items()
        ]  # fmt: skip
        path = Path(state_dir) / f"{account_slug(email)}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"cookies": cookies, "origins": []}), encoding="utf-8")
        return path

    def resolve_dispute(self, order_id: str, outcome: str = "refund") -> str:
        return str(self._post("disputes/resolve", {"order_id": order_id, "outcome": outcome})["status"])

    def ship(self, order_id: str) -> str:
        return str(self._post("orders/ship", {"order_id": order_id})["status"])

    def cancel_elsewhere(self, order_id: str, reason_id: str = "R01") -> str:
        return str(self._post("orders/cancel", {"order_id": order_id, "reason_id": reason_id})["status"])

    def orders(self) -> list[dict[str, Any]]:
        return list(self.state()["orders"])

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> ShopAdmin:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
