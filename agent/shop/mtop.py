"""The shop's MTOP gateway, as `shared/reference/aliexpress-api.md` describes the real one: the `_m_h5_tk`
token and its rotation, the signature over the exact `data` string, the transport parameters, the
faults an admin injects per error code, and the `linkage` that chains the list's pages.

Every call goes through `MtopGate.open_call`, which answers the failure envelope itself (token, signature,
injected fault, session) or hands back the parsed call. The signature is checked here with hashlib, on
its own, never with the agent's code: a wrong client is caught, not mirrored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from agent.shop.state import ShopState

APP_KEY = "12574478"
TOKEN_COOKIE = "_m_h5_tk"
TOKEN_ENC_COOKIE = "_m_h5_tk_enc"
TRANSPORT = ("jsv", "appKey", "t", "sign", "api", "v", "type", "dataType")
TOKEN_EMPTY = "FAIL_SYS_TOKEN_EMPTY::令牌为空"
TOKEN_EXPIRED = "FAIL_SYS_TOKEN_EXOIRED::令牌过期"  # (sic), as the real gateway spells it
ILLEGAL_ACCESS = "FAIL_SYS_ILLEGAL_ACCESS::非法请求"
SESSION_EXPIRED = "FAIL_SYS_SESSION_EXPIRED::Session expired"
API_NOT_FOUND = "FAIL_SYS_API_NOT_FOUNDED::API不存在"
TOKEN_CODES = ("FAIL_SYS_TOKEN_EMPTY", "FAIL_SYS_TOKEN_EXOIRED", "FAIL_SYS_ILLEGAL_ACCESS")
FAULT_MESSAGES = {
    "FAIL_SYS_TRAFFIC_LIMIT": "被挤爆啦,请稍后重试",
    "FAIL_SYS_USER_VALIDATE": "哎哟喂,被挤爆啦,请稍后重试",
    "FAIL_SYS_SESSION_EXPIRED": "Session expired",
    "FAIL_SYS_TOKEN_EXOIRED": "令牌过期",
    "FAIL_SYS_TOKEN_EMPTY": "令牌为空",
    "FAIL_SYS_ILLEGAL_ACCESS": "非法请求",
    "FAIL_SYS_ACCESS_DENIED": "没有权限",
    "UNKNOWN_FAIL_CODE": "Unknown error",
}
SOURCES = ("", "agent", "page")
LINKAGES_KEPT = 20  # per session: older ones are stale


@dataclass
class MtopFault:
    """An injected gateway answer: the next `count` calls of `api` (a substring of the API name; "" =
    every API) from `source` answer `code`. `source`: "" any caller, "page" a page's own fetch (it sends
    Sec-Fetch-Mode), "agent" anything else (a script with the session's cookies)."""

    code: str
    api: str = ""
    count: int = 1  # 0 = until cleared
    source: str = ""
    hits: int = 0

    def __post_init__(self) -> None:
        if not self.code or "::" in self.code:
            raise ValueError("an mtop fault needs a bare code, e.g. FAIL_SYS_TRAFFIC_LIMIT")
        if self.source not in SOURCES:
            raise ValueError(f"source must be one of {SOURCES}, got {self.source!r}")

    def ret(self) -> str:
        return f"{self.code}::{FAULT_MESSAGES.get(self.code, 'error')}"


@dataclass
class Call:
    """A call that passed the gateway: its API, method, payload (parsed), session token and caller
    ("page": a page's own fetch; "agent": anything else)."""

    api: str
    method: str
    data: dict[str, Any]
    session: str
    source: str = ""


@dataclass
class _Tokens:
    issued: dict[str, dt.datetime] = field(default_factory=dict)  # token → expiry (shop clock)


class MtopGate:
    """Tokens, injected faults and list linkages; one lock, reset with the shop."""

    def __init__(self, state: ShopState) -> None:
        self.state = state
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.tokens = _Tokens()
            self.faults: list[MtopFault] = []
            self.linkages: dict[str, OrderedDict[str, dict[str, Any]]] = {}

    # -- faults --------------------------------------------------------------------------------------
    def add_faults(self, specs: list[dict[str, Any]], clear: bool = False) -> list[dict[str, Any]]:
        with self.lock:
            if clear:
                self.faults = []
            self.faults.extend(MtopFault(**spec) for spec in specs)
            return [asdict(f) for f in self.faults]

    def _take_fault(self, api: str, source: str) -> MtopFault | None:
        with self.lock:
            for fault in self.faults:
                if fault.api in api and fault.source in ("", source):
                    fault.hits += 1
                    if fault.count and fault.hits >= fault.count:
                        self.faults.remove(fault)
                    return fault
            return None

    # -- tokens --------------------------------------------------------------------------------------
    def _issue(self) -> tuple[str, dt.datetime]:
        token = secrets.token_hex(16)
        expiry = self.state.now() + dt.timedelta(minutes=self.state.switches.token_ttl_minutes)
        with self.lock:
            self.tokens.issued[token] = expiry
        return token, expiry

    def _token_problem(self, cookie: str | None) -> str | None:
        token = (cookie or "").split("_", 1)[0]
        with self.lock:
            expiry = self.tokens.issued.get(token)
        if not token or expiry is None:
            return TOKEN_EMPTY
        return TOKEN_EXPIRED if self.state.now() >= expiry else None

    def rotated(self, response: Response) -> Response:
        """`response` with a fresh token in `Set-Cookie` (readable by the page's JS: not HttpOnly)."""
        token, expiry = self._issue()
        value = f"{token}_{int(expiry.timestamp() * 1000)}"
        response.set_cookie(TOKEN_COOKIE, value, path="/", httponly=False, samesite="lax")
        response.set_cookie(TOKEN_ENC_COOKIE, secrets.token_hex(16), path="/", httponly=False, samesite="lax")
        return response

    # -- the gateway ---------------------------------------------------------------------------------
    async def open_call(self, request: Request, api: str, needs_login: bool = True) -> Call | Response:
        """The parsed call, or the failure envelope to answer (each failure is logged as `mtop_fail`)."""
        query = request.query_params
        if request.method == "POST":
            raw = str((await request.form()).get("data") or "")
        else:
            raw = query.get("data", "")
        source = "page" if request.headers.get("sec-fetch-mode") else "agent"
        problem, rotate = self._transport_problem(request, api, raw), False
        if problem is None:
            problem = self._token_problem(request.cookies.get(TOKEN_COOKIE))
            rotate = problem is not None
        if problem is None and not _signed(request, raw):
            problem = ILLEGAL_ACCESS
        if problem is None:
            problem, rotate = self._fault(api, source)
        session = request.cookies.get("xman_us_t") or ""
        if problem is None and needs_login and self.state.touch(session) is None:
            problem = SESSION_EXPIRED
        data = _json_object(raw)
        if problem is None and data is None:
            problem = "FAIL_SYS_ILLEGAL_ARGUMENT::data is not a JSON object"
        if problem is not None:
            self.state.record("mtop_fail", None, api=api, code=problem.split("::")[0], source=source,
                              method=request.method)  # fmt: skip
            answer = JSONResponse(envelope(api, {}, problem))
            return self.rotated(answer) if rotate else answer
        assert data is not None
        return Call(api, request.method, data, session, source)

    def _transport_problem(self, request: Request, api: str, raw: str) -> str | None:
        query = request.query_params
        if any(not query.get(name) for name in TRANSPORT) or query.get("appKey") != APP_KEY:
            return ILLEGAL_ACCESS
        if query.get("api") != api or query.get("v") != "1.0":
            return API_NOT_FOUND
        return None

    def _fault(self, api: str, source: str) -> tuple[str | None, bool]:
        fault = self._take_fault(api, source)
        if fault is None:
            return None, False
        if fault.code == "FAIL_SYS_SESSION_EXPIRED":
            self.state.expire_sessions()  # the login really is gone: pages go to the login page too
        return fault.ret(), fault.code in TOKEN_CODES

    # -- list linkage --------------------------------------------------------------------------------
    def issue_linkage(self, session: str, query: dict[str, Any]) -> dict[str, Any]:
        """A new linkage for the page that follows `query` (one use; the older ones go stale)."""
        signature = secrets.token_hex(12)
        with self.lock:
            chain = self.linkages.setdefault(session, OrderedDict())
            chain[signature] = dict(query)
            while len(chain) > LINKAGES_KEPT:
                chain.popitem(last=False)
        return {
            "common": {"compress": True, "queryParams": secrets.token_urlsafe(24), "submitParams": ""},
            "signature": signature,
        }

    def redeem_linkage(self, session: str, linkage_json: str) -> dict[str, Any] | None:
        """The query the linkage was issued for, once; None for a missing, unknown or used linkage."""
        linkage = _json_object(linkage_json) or {}
        signature = str(linkage.get("signature", ""))
        with self.lock:
            return self.linkages.get(session, OrderedDict()).pop(signature, None)


def envelope(api: str, data: dict[str, Any], ret: str) -> dict[str, Any]:
    return {"api": api, "v": "1.0", "ret": [ret], "data": data}


def _signed(request: Request, raw: str) -> bool:
    query = request.query_params
    token = (request.cookies.get(TOKEN_COOKIE) or "").split("_", 1)[0]
    text = f"{token}&{query.get('t', '')}&{query.get('appKey', '')}&{raw}"
    expected = hashlib.md5(text.encode("utf-8")).hexdigest()  # noqa: S324 - the protocol's own choice
    return secrets.compare_digest(expected, query.get("sign", ""))


def _json_object(raw: str) -> dict[str, Any] | None:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def gate(request: Request) -> MtopGate:
    found: MtopGate = request.app.state.mtop
    return found
