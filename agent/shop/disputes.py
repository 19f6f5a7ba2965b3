"""Returns/refunds: the dispute start form (reason, message, optional evidence upload) and its status page."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from agent.shop import i18n
from agent.shop.orders import can_dispute
from agent.shop.pages import login_redirect, render, session_of, shop

START = "/p/reverse-pages/start.html"
DETAIL = "/p/reverse-pages/detail.html"


def _order_id(request: Request) -> str:
    value = request.query_params.get("orderId", "")
    return value if value.isascii() and value.isdigit() else ""  # 0-9 only, not "８" or "²"


def _form(request: Request, order_id: str, error: str = "", message: str = "") -> Response:
    state = shop(request)
    order = state.order(order_id)
    texts = i18n.DISPUTE[state.switches.locale]
    eligible = order is not None and can_dispute(order)
    return render(
        request,
        "dispute_start.html",
        order=order,
        order_id=order_id,
        eligible=eligible,
        t=texts,
        error=error,
        message=message,
    )


async def start_page(request: Request) -> Response:
    if session_of(request) is None:
        return login_redirect(request)
    order_id = _order_id(request)
    shop(request).record("page", order_id or None, path=START, query=str(request.query_params))
    return _form(request, order_id)


async def start_submit(request: Request) -> Response:
    if session_of(request) is None:
        return login_redirect(request)
    state, order_id = shop(request), _order_id(request)
    form = await request.form()
    reason, message = str(form.get("reason") or ""), str(form.get("message") or "").strip()
    texts = i18n.DISPUTE[state.switches.locale]
    if reason not in texts["reasons"] or not message:
        return _form(request, order_id, error=str(texts["message_required"]), message=message)
    files = []
    for upload in form.getlist("evidence"):
        if isinstance(upload, UploadFile) and upload.filename:
            files.append(upload.filename)
            await upload.close()
    if state.dispute(order_id, reason, message, files) is None:
        return _form(request, order_id)
    return RedirectResponse(f"{DETAIL}?orderId={order_id}", status_code=303)


async def detail_page(request: Request) -> Response:
    if session_of(request) is None:
        return login_redirect(request)
    state, order_id = shop(request), _order_id(request)
    state.record("page", order_id or None, path=DETAIL, query=str(request.query_params))
    order = state.order(order_id)
    texts = i18n.DISPUTE[state.switches.locale]
    dispute = order.dispute if order else None
    if dispute is None:
        state_text = texts["not_eligible"]
    elif dispute.resolved:
        state_text = texts["resolved_refund" if dispute.resolved == "refund" else "resolved_rejected"]
    else:
        state_text = texts["awaiting_seller"]
    return render(
        request,
        "dispute_detail.html",
        order_id=order_id,
        dispute=dispute,
        t=texts,
        state_text=state_text,
        opened_on=i18n.fmt_datetime(dispute.opened_at, state.switches.locale) if dispute else "",
    )


ROUTES = [
    Route(START, start_page, methods=["GET"]),
    Route(START, start_submit, methods=["POST"]),
    Route(DETAIL, detail_page),
]
