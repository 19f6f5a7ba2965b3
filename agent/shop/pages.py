"""The shop's imitation of the buyer side: HTML pages (rendered by their own JS) and the mtop JSON APIs."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from agent.shop import api, i18n, reverse
from agent.shop.cancel_forms import cancel_boot
from agent.shop.mtop import APP_KEY, Call, MtopGate, gate
from agent.shop.state import SESSION_COOKIE, Session, ShopState

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
TICKET_COOKIE = "login_aliyunid_ticket"
LOGIN_PATH = "/login/"
API_PATHS = {
    name: f"/h5/{full}/1.0/"
    for name, full in [
        ("list", api.API_LIST),
        ("detail", api.API_DETAIL),
        ("count", api.API_COUNT),
        ("operation", api.API_OPERATION),
        ("reverse", reverse.API_REVERSE),
    ]
}


API_NAMES = {name: path.split("/")[2] for name, path in API_PATHS.items()}


def shop(request: Request) -> ShopState:
    state: ShopState = request.app.state.shop
    return state


def session_of(request: Request) -> Session | None:
    return shop(request).touch(request.cookies.get(SESSION_COOKIE))


def login_redirect(request: Request) -> RedirectResponse:
    return RedirectResponse(f"{LOGIN_PATH}?return_url={quote(str(request.url), safe='')}", status_code=302)


def boot(state: ShopState, **extra: Any) -> dict[str, Any]:
    """What a page's JS needs to know (passed as JSON in the HTML; Jinja's tojson escapes it)."""
    sw = state.switches
    return {
        "locale": sw.locale,
        "layout": sw.layout,
        "reasons": sw.reasons,
        "popups": sw.popups,
        "priceChars": sw.price_chars,
        "timeFilter": sw.time_filter,
        "loginUrl": LOGIN_PATH,
        "api": API_PATHS,
        "apiNames": API_NAMES,
        "appKey": APP_KEY,
        "i18n": api.page_i18n(sw.locale),
        "redesigned": sw.redesigned,
        "cancel": cancel_boot(state, str(extra.get("orderId") or "")),
        **extra,
    }


def render(request: Request, name: str, **context: Any) -> HTMLResponse:
    state = shop(request)
    context.setdefault("lang", state.switches.locale)
    context.setdefault("ui", i18n.UI[state.switches.locale])
    context.setdefault("redesigned", state.switches.redesigned)  # loads static/redesign.js
    return TEMPLATES.TemplateResponse(request, name, context)


def _order_id(request: Request) -> str:
    value = request.query_params.get("orderId", "")
    return value if value.isascii() and value.isdigit() else ""  # 0-9 only, not "８" or "²"


async def orders_page(request: Request) -> Response:
    state = shop(request)
    if session_of(request) is None:
        return login_redirect(request)
    state.record("page", None, path=request.url.path, query=str(request.query_params))
    return render(request, "orders.html", boot=boot(state, page="orders"))


async def detail_page(request: Request) -> Response:
    state = shop(request)
    if session_of(request) is None:
        return login_redirect(request)
    order_id = _order_id(request)
    state.record("page", order_id or None, path=request.url.path, query=str(request.query_params))
    return render(request, "detail.html", boot=boot(state, page="detail", orderId=order_id))


async def actions_frame(request: Request) -> Response:
    """The `iframe` layout: the status block's buttons live in this same-origin document."""
    state = shop(request)
    if session_of(request) is None:
        return login_redirect(request)
    order_id = _order_id(request)
    state.record("page", order_id or None, path=request.url.path, query=str(request.query_params))
    return render(request, "actions_frame.html", order_id=order_id)


async def store_page(request: Request) -> Response:
    store_id = request.path_params["store_id"]
    return render(request, "store.html", store_id=store_id)


async def home(request: Request) -> Response:
    return RedirectResponse("/p/order/index.html", status_code=302)


# -- JSON APIs (every call through the MTOP gateway: agent/shop/mtop.py) ---------------------------
def _answer(api_name: str, data: dict[str, Any], ret: str = api.SUCCESS) -> JSONResponse:
    return JSONResponse(api.envelope(api_name, data, ret))


async def api_list(request: Request) -> Response:
    """First page by GET (`renderType: "init"` and the filters); pages 2..N by POST built from the
    previous answer's linkage, hierarchy and endpoint. A missing or stale linkage answers SUCCESS with
    an empty `data`, as the real API does."""
    state, mtop = shop(request), gate(request)
    call = await mtop.open_call(request, api.API_LIST)
    if not isinstance(call, Call):
        return call
    if call.method == "POST":
        query = _next_page_query(mtop, call)
        if query is None:
            state.record("api_list_stale", None, method="POST", source=call.source)
            return _answer(api.API_LIST, {})
        if state.switches.load_delay_ms:  # "View orders" takes a while on the real site
            await asyncio.sleep(state.switches.load_delay_ms / 1000)
    else:
        query = api.list_query(call.data)
    state.record("api_list", None, method=call.method, source=call.source, **query)
    try:
        with state.lock:
            found = api.filter_orders(
                state.settled(), state.now(), query["statusTab"], query["timeOption"], query["searchInput"]
            )
            data = api.list_payload(found, state.switches, state.now(), query, first=call.method == "GET")
    except ValueError as exc:
        return _answer(api.API_LIST, {}, f"FAIL_SYS_ILLEGAL_ARGUMENT::{exc}")
    data["linkage"] = mtop.issue_linkage(call.session, query)
    return _answer(api.API_LIST, data)


def _next_page_query(mtop: MtopGate, call: Call) -> dict[str, Any] | None:
    """The filters and page of a POST page, or None when its linkage is missing or stale."""
    try:
        params = json.loads(str(call.data.get("params") or "{}"))
        components = json.loads(str(params.get("data") or "{}"))
    except (ValueError, AttributeError):
        return None
    if not isinstance(params, dict) or not isinstance(components, dict):
        return None
    if mtop.redeem_linkage(call.session, str(params.get("linkage") or "")) is None:
        return None
    by_tag = {c.get("tag"): c.get("fields", {}) for c in components.values() if isinstance(c, dict)}
    header, body = by_tag.get("pc_om_list_header_action", {}), by_tag.get("pc_om_list_body", {})
    query = api.list_query(header if isinstance(header, dict) else {})
    try:
        query["pageIndex"] = max(1, int(body.get("pageIndex", 1)))
    except (TypeError, ValueError, AttributeError):
        return None
    return query


async def api_detail(request: Request) -> Response:
    """By `tradeOrderId`; `orderId` (the wrong parameter) answers SUCCESS with an empty skeleton."""
    state = shop(request)
    call = await gate(request).open_call(request, api.API_DETAIL)
    if not isinstance(call, Call):
        return call
    order_id = str(call.data.get("tradeOrderId", ""))
    state.record("api_detail", order_id or None, wrong_parameter=not order_id, source=call.source)
    if not order_id:
        return _answer(api.API_DETAIL, api.detail_skeleton())
    with state.lock:
        order = state.order(order_id)
        if order is None:
            return _answer(api.API_DETAIL, {}, "FAIL_BIZ_ORDER_NOT_FOUND::Order not found")
        data = api.detail_payload(order, state.switches, state.now(), state.rules())
    return _answer(api.API_DETAIL, data)


async def api_count(request: Request) -> Response:
    """Counts per tab; zeros when logged out (SUCCESS all the same: never a session probe)."""
    state = shop(request)
    call = await gate(request).open_call(request, api.API_COUNT, needs_login=False)
    if not isinstance(call, Call):
        return call
    logged_in = session_of(request) is not None
    state.record("api_count", None, logged_in=logged_in, source=call.source)
    with state.lock:
        data = api.count_payload(state.settled() if logged_in else [], state.now())
    return _answer(api.API_COUNT, data)


async def api_reverse(request: Request) -> Response:
    state = shop(request)
    call = await gate(request).open_call(request, reverse.API_REVERSE)
    if not isinstance(call, Call):
        return call
    asked = {k: call.data.get(k) for k in ("pageNo", "reverseStatus", "tradeOrderId")}
    state.record("api_reverse", None, source=call.source, **asked)
    try:
        with state.lock:
            data = reverse.reverse_payload(state.settled(), call.data, state.switches.locale, state.now())
    except reverse.BadReverseQuery as exc:
        return _answer(reverse.API_REVERSE, {}, f"UNKNOWN_FAIL_CODE::{exc}")
    return _answer(reverse.API_REVERSE, data)


async def api_operation(request: Request) -> Response:
    state = shop(request)
    call = await gate(request).open_call(request, api.API_OPERATION)
    if not isinstance(call, Call):
        return call
    query = call.data
    if call.method != "POST" or query.get("operation") != "cancel":
        return _answer(api.API_OPERATION, {}, "FAIL_SYS_ILLEGAL_ARGUMENT::unsupported operation")
    order_id = str(query.get("tradeOrderId", ""))
    comment = str(query["comment"]) if "comment" in query else None  # the cancel page's free text
    order, error = state.cancel(
        order_id, str(query.get("reasonId", "")), str(query.get("reasonText", "")), comment=comment
    )
    texts = i18n.REMINDERS[state.switches.locale]
    if error or order is None:
        code = {"picked_up": "FAIL_BIZ_ORDER_CANNOT_CANCEL", "bad_reason": "FAIL_BIZ_PARAM_ERROR"}.get(
            error or "", "FAIL_BIZ_ORDER_STATUS_CHANGED"
        )
        return _answer(api.API_OPERATION, {}, f"{code}::{texts[error or 'status_changed']}")
    return _answer(api.API_OPERATION, api.operation_payload(order, state.switches))


ROUTES = [
    Route("/", home),
    Route("/p/order/index.html", orders_page),
    Route("/p/order/detail.html", detail_page),
    Route("/p/order/actions.html", actions_frame),
    Route("/store/{store_id}", store_page),
    Route(API_PATHS["list"], api_list, methods=["GET", "POST"]),
    Route(API_PATHS["detail"], api_detail),
    Route(API_PATHS["count"], api_count),
    Route(API_PATHS["reverse"], api_reverse, methods=["POST"]),
    Route(API_PATHS["operation"], api_operation, methods=["POST"]),
]
