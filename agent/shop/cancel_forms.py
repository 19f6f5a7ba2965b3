"""The cancel form's variants as the pages' JS needs them: texts per locale, switches, and a decoy order for
the hostile `confirm_sends_other_order` page. The separate page of `cancel_form=page_tab` is
`agent/shop/cancel_page.py`; the widgets are drawn by `static/reasons.js`, `cancel.js`, `cancel_page.js`.
"""

from __future__ import annotations

from typing import Any

from agent.shop import orders as lifecycle
from agent.shop.state import ShopState

PATH = "/p/reverse-pages/cancel.html"

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "step2_title": "Cancel this order?",
        "step2_body": "The seller will be asked to cancel it. You can't undo this.",
        "yes_cancel": "Yes, cancel",
        "page_title": "Cancel order",
        "comment": "Comment",
        "comment_placeholder": "Tell the seller more (required)",
        "submit": "Submit",
        "need_reason": "Please select a reason.",
        "need_comment": "Please enter a comment.",
        "popup_title": "Cancel this order?",
        "popup_body": "Your request will be sent to the seller.",
        "requested": "Your cancellation request has been submitted.",
        "cancelled": "Your order has been cancelled.",
        "back": "View order details",
        "not_found": "Order not found",
    },
    "pt-BR": {
        "step2_title": "Cancelar este pedido?",
        "step2_body": "O vendedor será solicitado a cancelá-lo. Não é possível desfazer.",
        "yes_cancel": "Sim, cancelar",
        "page_title": "Cancelar pedido",
        "comment": "Comentário",
        "comment_placeholder": "Conte mais ao vendedor (obrigatório)",
        "submit": "Enviar",
        "need_reason": "Selecione um motivo.",
        "need_comment": "Escreva um comentário.",
        "popup_title": "Cancelar este pedido?",
        "popup_body": "Sua solicitação será enviada ao vendedor.",
        "requested": "Sua solicitação de cancelamento foi enviada.",
        "cancelled": "Seu pedido foi cancelado.",
        "back": "Ver detalhes do pedido",
        "not_found": "Pedido não encontrado",
    },
}


def decoys(state: ShopState, order_id: str, count: int = 2) -> list[str]:
    """Other cancellable orders (newest first): what a hostile page sends instead of the order shown.
    Two, so a page that does not know which row will be clicked (My Orders) can skip the clicked one."""
    found = [
        o.order_id
        for o in state.settled()
        if not o.deleted and o.order_id != order_id and lifecycle.cancel_error(o) is None
    ]
    return found[:count]


def cancel_boot(state: ShopState, order_id: str = "") -> dict[str, Any]:
    """The cancel form's part of a page's boot JSON (see pages.boot)."""
    sw = state.switches
    return {
        "orderIdShown": sw.dialog_order_id,
        "steps": sw.confirm_steps,
        "form": sw.cancel_form,
        "formUrl": PATH,
        "decoys": decoys(state, order_id) if sw.confirm_sends_other_order else [],
        "t": TEXTS[sw.locale],
    }
