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

from agent.shop import api, i18n
from agent.shop.cancel_forms import cancel_boot
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
    ]
}


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
        "loginUrl": LOGIN_PATH,
        "api": API_PATHS,
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


# -- JSON APIs -------------------------------------------------------------------------------------
def _params(raw: str | None) -> dict[str, Any] | None:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _fail(name: str, ret: str) -> JSONResponse:
    return JSONResponse(api.envelope(name, {}, ret))


async def api_list(request: Request) -> Response:
    state = shop(request)
    if session_of(request) is None:
        return _fail(api.API_LIST, api.SESSION_EXPIRED)
    query = _params(request.query_params.get("data"))
    if query is None:
        return _fail(api.API_LIST, "FAIL_SYS_ILLEGAL_ARGUMENT::data is not a JSON object")
    state.record("api_list", None, **query)
    page = int(query.get("pageIndex", 1) or 1)
    if page > 1 and state.switches.load_delay_ms:  # "View orders" takes a while on the real site
        await asyncio.sleep(state.switches.load_delay_ms / 1000)
    try:
        with state.lock:
            found = api.filter_orders(
                state.settled(),
                state.now(),
                str(query.get("statusTab", "all")),
                str(query.get("timeOption", "all")),
                str(query.get("searchInput", "")),
            )
            data = api.list_payload(found, state.switches, state.now(), query)
    except ValueError as exc:
        return _fail(api.API_LIST, f"FAIL_SYS_ILLEGAL_ARGUMENT::{exc}")
    return JSONResponse(api.envelope(api.API_LIST, data))


async def api_detail(request: Request) -> Response:
    state = shop(request)
    if session_of(request) is None:
        return _fail(api.API_DETAIL, api.SESSION_EXPIRED)
    query = _params(request.query_params.get("data")) or {}
    order_id = str(query.get("tradeOrderId", ""))
    state.record("api_detail", order_id or None)
    with state.lock:
        order = state.order(order_id)
        if order is None:
            return _fail(api.API_DETAIL, "FAIL_BIZ_ORDER_NOT_FOUND::Order not found")
        data = api.detail_payload(order, state.switches, state.now(), state.rules())
    return JSONResponse(api.envelope(api.API_DETAIL, data))


async def api_count(request: Request) -> Response:
    state = shop(request)
    if session_of(request) is None:
        return _fail(api.API_COUNT, api.SESSION_EXPIRED)
    state.record("api_count", None)
    with state.lock:
        data = api.count_payload(state.settled(), state.now())
    return JSONResponse(api.envelope(api.API_COUNT, data))


async def api_operation(request: Request) -> Response:
    state = shop(request)
    if session_of(request) is None:
        return _fail(api.API_OPERATION, api.SESSION_EXPIRED)
    form = await request.form()
    query = _params(str(form.get("data") or ""))
    if not query or query.get("operation") != "cancel":
        return _fail(api.API_OPERATION, "FAIL_SYS_ILLEGAL_ARGUMENT::unsupported operation")
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
        return _fail(api.API_OPERATION, f"{code}::{texts[error or 'status_changed']}")
    return JSONResponse(api.envelope(api.API_OPERATION, api.operation_payload(order, state.switches)))


ROUTES = [
    Route("/", home),
    Route("/p/order/index.html", orders_page),
    Route("/p/order/detail.html", detail_page),
    Route("/p/order/actions.html", actions_frame),
    Route("/store/{store_id}", store_page),
    Route(API_PATHS["list"], api_list),
    Route(API_PATHS["detail"], api_detail),
    Route(API_PATHS["count"], api_count),
    Route(API_PATHS["operation"], api_operation, methods=["POST"]),
]
