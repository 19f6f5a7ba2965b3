"""Visible texts of the shop per locale (en, pt-BR), and money/date formatting.

Every string a page shows lives here so the selector pack can be checked against one table.
"""

from __future__ import annotations

import datetime as dt

LOCALES = ("en", "pt-BR")

REASON_IDS = ("R01", "R02", "R03", "R04", "R05", "R06", "R07", "R08", "R09")

STATUS = {
    "en": {
        "awaiting_payment": "Awaiting payment",
        "payment_verifying": "Payment being verified",
        "awaiting_shipment": "Awaiting shipment",
        "cancellation_requested": "Awaiting Cancellation",
        "awaiting_delivery": "Awaiting delivery",
        "completed": "Completed",
        "closed": "Closed",
        "canceled": "Canceled",
        "dispute": "In dispute",
    },
    "pt-BR": {
        "awaiting_payment": "Aguardando pagamento",
        "payment_verifying": "Verificando pagamento",
        "awaiting_shipment": "Aguardando envio",
        "cancellation_requested": "Aguardando cancelamento",
        "awaiting_delivery": "Aguardando a entrega",
        "completed": "Concluído",
        "closed": "Pedido encerrado",
        "canceled": "Cancelado",
        "dispute": "Em disputa",
    },
}

REASONS = {
    "en": [
        "I don't want it anymore",
        "I ordered the wrong product(s)",
        "I placed a duplicate order",
        "Shipping address is wrong",
        "I am not able to contact the supplier",
        "The supplier said the product(s) is out of stock",
        "The supplier refuses to ship the product(s)",
        "Shipping takes too long",
        "Other reasons",
    ],
    "pt-BR": [
        "Não quero mais",
        "Pedi o(s) produto(s) errado(s)",
        "Fiz um pedido duplicado",
        "O endereço de entrega está errado",
        "Não consigo contatar o fornecedor",
        "O fornecedor disse que o(s) produto(s) está(ão) fora de estoque",
        "O fornecedor se recusa a enviar o(s) produto(s)",
        "O envio demora muito",
        "Outros motivos",
    ],
}

TABS = {
    ("en", "new"): ["View all", "To pay", "Processing", "Processed", "Completed"],
    ("en", "old"): ["View All", "To Pay", "To ship", "Shipped", "Processed"],
    ("pt-BR", "new"): ["Ver tudo", "A pagar", "Processando", "Processado", "Concluído"],
    ("pt-BR", "old"): ["Ver tudo", "A pagar", "A enviar", "Enviado", "Processado"],
}
TAB_KEYS = ["all", "unpaid", "processing", "shipped", "completed"]

_EN = {
    "my_orders": "My Orders",
    "deleted_orders": "Deleted orders",
    "search_placeholder": "Order ID, product or store name",
    "search": "Search",
    "orders_placed_in": "Orders placed in",
    "time_all": "All",
    "time_6m": "Last 6 months",
    "time_1y": "Last year",
    "time_2y": "Last 2 years",
    "order_date": "Order date",
    "order_id": "Order ID",
    "copy": "Copy",
    "order_details": "Order details",
    "total": "Total",
    "view_orders": "View orders",
    "no_orders": "No orders yet",
    "load_error": "Something went wrong. Please try again.",
    "try_again": "Try again",
    "loading": "Loading...",
    "cancel_order": "Cancel order",
    "more": "More",
    "more_actions": "More actions",
    "keep_order": "Keep order",
    "confirm": "Confirm",
    "close": "Close",
    "cancellation_reason": "Cancellation reason",
    "select_reason": "Select a reason",
    "order_placed_on": "Order placed on",
    "payment_method": "Payment method",
    "paid_on": "Payment time",
    "shipped_on": "Shipped on",
    "ended_on": "Closed on",
    "subtotal": "Subtotal",
    "shipping": "Shipping",
    "deposit": "Deposit",
    "final_payment": "Final payment",
    "installment": "Installment",
    "store": "Store",
    "contact_seller": "Contact seller",
    "download_receipt": "Download receipt",
    "recommended": "More to love",
    "coupon_title": "Your welcome coupon: US $5 off",
    "coupon_cta": "Collect now",
    "chat_title": "Chat with us",
    "chat_body": "Hi! How can we help you today?",
    "cookie_text": "We use cookies to improve your experience.",
    "accept": "Accept",
    "reminder_link_pre": "If you no longer want this order, you can ",
    "reminder_link": "request order cancellation",
}
_PT = {
    "my_orders": "Meus pedidos",
    "deleted_orders": "Pedidos excluídos",
    "search_placeholder": "ID do pedido, produto ou nome da loja",
    "search": "Pesquisar",
    "orders_placed_in": "Pedidos feitos em",
    "time_all": "Todos",
    "time_6m": "Últimos 6 meses",
    "time_1y": "Último ano",
    "time_2y": "Últimos 2 anos",
    "order_date": "Data do pedido",
    "order_id": "ID do pedido",
    "copy": "Copiar",
    "order_details": "Detalhes do pedido",
    "total": "Total",
    "view_orders": "Ver pedidos",
    "no_orders": "Nenhum pedido ainda",
    "load_error": "Algo deu errado. Tente novamente.",
    "try_again": "Tentar novamente",
    "loading": "Carregando...",
    "cancel_order": "Cancelar pedido",
    "more": "Mais",
    "more_actions": "Mais ações",
    "keep_order": "Manter pedido",
    "confirm": "Confirmar",
    "close": "Fechar",
    "cancellation_reason": "Motivo do cancelamento",
    "select_reason": "Selecione um motivo",
    "order_placed_on": "Pedido feito em",
    "payment_method": "Forma de pagamento",
    "paid_on": "Data do pagamento",
    "shipped_on": "Enviado em",
    "ended_on": "Encerrado em",
    "subtotal": "Subtotal",
    "shipping": "Frete",
    "deposit": "Sinal",
    "final_payment": "Pagamento final",
    "installment": "Parcelado",
    "store": "Loja",
    "contact_seller": "Contatar vendedor",
    "download_receipt": "Baixar recibo",
    "recommended": "Você também pode gostar",
    "coupon_title": "Seu cupom de boas-vindas: R$ 25 de desconto",
    "coupon_cta": "Resgatar agora",
    "chat_title": "Fale conosco",
    "chat_body": "Olá! Como podemos ajudar?",
    "cookie_text": "Usamos cookies para melhorar sua experiência.",
    "accept": "Aceitar",
    "reminder_link_pre": "Se você não quiser mais este pedido, você pode ",
    "reminder_link": "solicitar cancelamento do pedido",
}
UI = {"en": _EN, "pt-BR": _PT}

BUTTONS = {
    "en": {
        "PAY": "Pay now",
        "CANCEL_ORDER": "Cancel order",
        "CONFIRM_GOODS": "Confirm received",
        "TRACKING": "Track order",
        "REPURCHASE": "Buy this again",
        "DELETE": "Delete",
        "OPEN_DISPUTE": "Returns/refunds",
        "VIEW_DISPUTE": "View dispute",
        "DOWNLOAD_RECEIPT": "Download receipt",
        "CONTACT_SELLER": "Contact seller",
    },
    "pt-BR": {
        "PAY": "Pagar agora",
        "CANCEL_ORDER": "Cancelar pedido",
        "CONFIRM_GOODS": "Confirmar recebimento",
        "TRACKING": "Rastrear pedido",
        "REPURCHASE": "Comprar novamente",
        "DELETE": "Excluir",
        "OPEN_DISPUTE": "Devoluções/reembolsos",
        "VIEW_DISPUTE": "Ver disputa",
        "DOWNLOAD_RECEIPT": "Baixar recibo",
        "CONTACT_SELLER": "Contatar vendedor",
    },
}

PAYMENT = {
    "en": {
        "card": "Visa ending in 4242",
        "paypal": "PayPal",
        "wallet": "AliExpress wallet balance",
        "boleto": "Boleto",
        "pix": "Pix",
    },
    "pt-BR": {
        "card": "Visa com final 4242",
        "paypal": "PayPal",
        "wallet": "Saldo da carteira AliExpress",
        "boleto": "Boleto",
        "pix": "Pix",
    },
}

REMINDERS = {
    "en": {
        "awaiting_payment": "Please complete the payment, or the order will be closed automatically.",
        "payment_verifying": "Your payment is being verified. This may take up to 24 hours.",
        "awaiting_shipment": "The seller will ship your order by {date}.",
        "cancellation_requested": "Your order will be cancelled if the seller agrees. "
        "The seller has {left} to respond.",
        "cancellation_pending_overdue": "Your order will be cancelled if the seller agrees.",
        "awaiting_delivery": "Your package is on its way.",
        "completed": "Order completed. Thank you for shopping with us.",
        "canceled": "You've canceled the order",
        "refund_in_progress": "Refund in progress",
        "refunded": "Refunded",
        "dispute": "Dispute opened. The seller has 5 days to respond.",
        "dispute_resolved": "The dispute has been closed.",
        "picked_up": "Your order has been picked up by the courier company and can't be canceled "
        "at this time",
        "status_changed": "The order status has changed. Please refresh the page.",
        "bad_reason": "Please select a reason.",
    },
    "pt-BR": {
        "awaiting_payment": "Conclua o pagamento, ou o pedido será encerrado automaticamente.",
        "payment_verifying": "Seu pagamento está sendo verificado. Isso pode levar até 24 horas.",
        "awaiting_shipment": "O vendedor enviará seu pedido até {date}.",
        "cancellation_requested": "Seu pedido será cancelado se o vendedor concordar. "
        "O vendedor tem {left} para responder.",
        "cancellation_pending_overdue": "Seu pedido será cancelado se o vendedor concordar.",
        "awaiting_delivery": "Seu pacote está a caminho.",
        "completed": "Pedido concluído. Obrigado por comprar conosco.",
        "canceled": "Você cancelou o pedido",
        "refund_in_progress": "Reembolso em andamento",
        "refunded": "Reembolsado",
        "dispute": "Disputa aberta. O vendedor tem 5 dias para responder.",
        "dispute_resolved": "A disputa foi encerrada.",
        "picked_up": "Seu pedido foi retirado pela transportadora e não pode ser cancelado no momento",
        "status_changed": "O status do pedido mudou. Atualize a página.",
        "bad_reason": "Selecione um motivo.",
    },
}

_MONTHS = {
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    "pt-BR": ["jan.", "fev.", "mar.", "abr.", "mai.", "jun.", "jul.", "ago.", "set.", "out.", "nov.", "dez."],
}
# pt-BR accounts pay in reais; the seed stores one amount, shown at a fixed rate per locale.
_RATE = {"en": 1, "pt-BR": 5}


def fmt_date(when: dt.datetime, locale: str) -> str:
    """'Apr 27, 2026' / '27 de abr. de 2026'."""
    month = _MONTHS[locale][when.month - 1]
    if locale == "pt-BR":
        return f"{when.day} de {month} de {when.year}"
    return f"{month} {when.day}, {when.year}"


def fmt_datetime(when: dt.datetime | None, locale: str) -> str:
    if when is None:
        return ""
    return f"{fmt_date(when, locale)} {when:%H:%M}"


def amount(cents: int, locale: str) -> int:
    return cents * _RATE[locale]


def fmt_money(cents: int, locale: str, compact: bool = False) -> str:
    """'US $12.34' / 'R$ 132,74'; compact=True gives the list API's 'R$132,74' (as captured)."""
    value = amount(cents, locale)
    whole, frac = divmod(value, 100)
    if locale == "pt-BR":
        whole_text = f"{whole:,}".replace(",", ".")
        return f"R${'' if compact else ' '}{whole_text},{frac:02d}"
    return f"US ${whole:,}.{frac:02d}"


def price_info(cents: int, locale: str) -> str:
    """formatPriceInfo: 'R$132,74|132|74'."""
    whole, frac = divmod(amount(cents, locale), 100)
    return f"{fmt_money(cents, locale, compact=True)}|{whole}|{frac:02d}"


def time_left(hours: float, locale: str) -> str:
    """'2 days' / '5 hours' (pt-BR '2 dias' / '5 horas')."""
    if hours >= 24:
        n, unit = int(hours // 24), ("day", "days") if locale == "en" else ("dia", "dias")
    else:
        n, unit = max(1, int(hours)), ("hour", "hours") if locale == "en" else ("hora", "horas")
    return f"{n} {unit[0] if n == 1 else unit[1]}"


LOGIN = {
    "en": {
        "title": "Sign in",
        "email": "Email or phone number",
        "continue": "Continue",
        "password": "Password",
        "sign_in": "Sign in",
        "code": "Verification code",
        "verify": "Verify",
        "code_sent": "We sent a verification code to {email}.",
        "wrong_password": "Your account name or password is incorrect.",
        "wrong_code": "The verification code is incorrect.",
        "captcha": "Please slide to verify",
        "captcha_hint": "Drag the slider to the right",
        "change": "Change",
    },
    "pt-BR": {
        "title": "Entrar",
        "email": "E-mail ou número de telefone",
        "continue": "Continuar",
        "password": "Senha",
        "sign_in": "Entrar",
        "code": "Código de verificação",
        "verify": "Verificar",
        "code_sent": "Enviamos um código de verificação para {email}.",
        "wrong_password": "O nome da conta ou a senha está incorreto.",
        "wrong_code": "O código de verificação está incorreto.",
        "captcha": "Deslize para verificar",
        "captcha_hint": "Arraste o controle para a direita",
        "change": "Alterar",
    },
}

DISPUTE = {
    "en": {
        "title": "Returns/refunds",
        "reason": "Reason",
        "select_reason": "Select a reason",
        "message": "Describe the problem",
        "evidence": "Upload evidence (optional)",
        "submit": "Submit",
        "not_eligible": "This order can't be disputed right now.",
        "opened": "Dispute opened",
        "status": "Dispute status",
        "files": "Evidence",
        "no_files": "None",
        "awaiting_seller": "Waiting for the seller's response",
        "resolved_refund": "Closed: refund granted",
        "resolved_rejected": "Closed: no refund",
        "message_required": "Please describe the problem.",
        "back": "Back to order",
        "opened_on": "Opened on",
        "reasons": [
            "Item not received",
            "Item not as described",
            "Item damaged",
            "Wrong item sent",
            "Missing parts",
            "Other",
        ],
    },
    "pt-BR": {
        "title": "Devoluções/reembolsos",
        "reason": "Motivo",
        "select_reason": "Selecione um motivo",
        "message": "Descreva o problema",
        "evidence": "Enviar provas (opcional)",
        "submit": "Enviar",
        "not_eligible": "Este pedido não pode ser contestado agora.",
        "opened": "Disputa aberta",
        "status": "Status da disputa",
        "files": "Provas",
        "no_files": "Nenhuma",
        "awaiting_seller": "Aguardando a resposta do vendedor",
        "resolved_refund": "Encerrada: reembolso concedido",
        "resolved_rejected": "Encerrada: sem reembolso",
        "message_required": "Descreva o problema.",
        "back": "Voltar ao pedido",
        "opened_on": "Aberta em",
        "reasons": [
            "Item não recebido",
            "Item diferente do anunciado",
            "Item danificado",
            "Item errado",
            "Peças faltando",
            "Outro",
        ],
    },
}
