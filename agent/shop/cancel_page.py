"""The separate cancel page (`cancel_form=page_tab`), opened in a new tab like the real refund flow's
`/p/reverse-pages/…` pages: `/p/reverse-pages/cancel.html?orderId=…`, drawn by `static/cancel_page.js` —
a comet-v2 reason dropdown, a required comment, "Submit", then a confirmation pop-up whose "Confirm" sends
the same operation request as the dialog (plus `comment`).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from agent.shop.cancel_forms import PATH
from agent.shop.pages import boot, login_redirect, render, session_of, shop


async def cancel_form_page(request: Request) -> Response:
    state = shop(request)
    if session_of(request) is None:
        return login_redirect(request)
    value = request.query_params.get("orderId", "")
    order_id = value if value.isascii() and value.isdigit() else ""
    state.record("page", order_id or None, path=PATH, query=str(request.query_params))
    found = bool(order_id) and state.order(order_id) is not None
    return render(request, "cancel_page.html", boot=boot(state, page="cancel", orderId=order_id, found=found))


ROUTES = [Route(PATH, cancel_form_page)]
