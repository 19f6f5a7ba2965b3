"""Contacting the seller and customer service: the order's message page ("Contact seller" on the order
detail) and the support contact form. Both are plain forms (POST, then 303 back to the same page, which
lists what was sent), logged as `message` (detail `to`: seller | support, `text`) or `message_rejected`.

The real pages were never seen publicly (the reverse API only names `seller.contactSellerUrl` and
`canContact`): the shop keeps to a text box, a send button and the conversation, the least a person sees.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from agent.shop.pages import login_redirect, render, session_of, shop

SELLER = "/p/message/index.html"
SUPPORT = "/p/support/contact.html"
MAX_TEXT = 2000

TEXTS = {
    "en": {
        "seller_title": "Messages",
        "support_title": "Contact customer service",
        "conversation": "Conversation",
        "your_requests": "Your requests about this order",
        "box": "Type a message",
        "support_box": "Describe your issue",
        "send": "Send",
        "support_send": "Submit",
        "empty": "Please enter a message.",
        "no_order": "Order not found",
        "received": "We have received your request. Customer service will reply within 48 hours.",
        "none": "No messages yet",
        "you": "You",
        "back": "Back to order",
    },
    "pt-BR": {
        "seller_title": "Mensagens",
        "support_title": "Fale com o atendimento ao cliente",
        "conversation": "Conversa",
        "your_requests": "Suas solicitações sobre este pedido",
        "box": "Digite uma mensagem",
        "support_box": "Descreva o seu problema",
        "send": "Enviar",
        "support_send": "Enviar",
        "empty": "Digite uma mensagem.",
        "no_order": "Pedido não encontrado",
        "received": "Recebemos sua solicitação. O atendimento responderá em até 48 horas.",
        "none": "Nenhuma mensagem ainda",
        "you": "Você",
        "back": "Voltar ao pedido",
    },
}


def _order_id(request: Request) -> str:
    value = request.query_params.get("orderId", "")
    return value if value.isascii() and value.isdigit() else ""


def _page(request: Request, to: str, order_id: str, error: str = "", text: str = "") -> Response:
    state = shop(request)
    texts = TEXTS[state.switches.locale]
    order = state.order(order_id)
    return render(
        request,
        "messages.html",
        to=to,
        action=SELLER if to == "seller" else SUPPORT,
        order=order,
        order_id=order_id,
        sent=state.messages_for(order_id, to),
        received=to == "support" and request.query_params.get("sent") == "1",
        error=error or ("" if order else texts["no_order"]),
        text=text,
        t=texts,
    )


def _viewer(to: str) -> Callable[[Request], Awaitable[Response]]:
    async def view(request: Request) -> Response:
        if session_of(request) is None:
            return login_redirect(request)
        order_id = _order_id(request)
        path = SELLER if to == "seller" else SUPPORT
        shop(request).record("page", order_id or None, path=path, query=str(request.query_params))
        return _page(request, to, order_id)

    return view


def _sender(to: str) -> Callable[[Request], Awaitable[Response]]:
    async def send(request: Request) -> Response:
        if session_of(request) is None:
            return login_redirect(request)
        state = shop(request)
        form = await request.form()
        order_id = _order_id(request) or str(form.get("orderId") or "")
        order_id = order_id if order_id.isascii() and order_id.isdigit() else ""
        text = str(form.get("message") or "").replace("\r\n", "\n").strip()[:MAX_TEXT]  # as a form sends it
        if not state.send_message(order_id, to, text):
            error = TEXTS[state.switches.locale]["empty" if state.order(order_id) else "no_order"]
            return _page(request, to, order_id, error=error, text=text)
        path = SELLER if to == "seller" else SUPPORT
        return RedirectResponse(f"{path}?orderId={order_id}" + ("&sent=1" if to == "support" else ""), 303)

    return send


ROUTES = [
    Route(SELLER, _viewer("seller"), methods=["GET"]),
    Route(SELLER, _sender("seller"), methods=["POST"]),
    Route(SUPPORT, _viewer("support"), methods=["GET"]),
    Route(SUPPORT, _sender("support"), methods=["POST"]),
]
