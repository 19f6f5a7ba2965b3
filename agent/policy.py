"""Pure rules: may this order be cancelled, which offered reason is ours, when things are due.

No browser, no I/O, no locale data: wordings (statuses, reasons) come from the selector pack and are
passed in; numbers (windows, caps, business days) come from config and are passed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from agent.models import CancelOutcome, Money, Order, OrderDetail, OrderStatus, RequestState
from agent.parsing import fold
from agent.reason_match import REASON_KEYS, ReasonChoice, match_reason, normalise_reason

__all__ = [
    "CANCELLABLE",
    "INSTANT_CANCEL",
    "REASON_KEYS",
    "Eligibility",
    "ReasonChoice",
    "add_business_days",
    "canonical_status",
    "classify_payment_method",
    "dispute_deadline",
    "dispute_warning",
    "eligibility",
    "match_reason",
    "normalise_reason",
    "refund_due",
    "seller_deadline",
]

# ---------------------------------------------------------------- eligibility

CANCELLABLE = frozenset(
    {OrderStatus.AWAITING_PAYMENT, OrderStatus.PAYMENT_VERIFYING, OrderStatus.AWAITING_SHIPMENT}
)
INSTANT_CANCEL = frozenset(
    {OrderStatus.AWAITING_PAYMENT, OrderStatus.PAYMENT_VERIFYING}
)  # no seller involved
# Store states that mean "no request of ours is alive on the site": a fresh one may be submitted.
NO_LIVE_REQUEST = frozenset({RequestState.FAILED})


class Eligibility(BaseModel):
    """The verdict on one order. `outcome` is set only on refusals (not_cancellable / already_requested)."""

    model_config = ConfigDict(frozen=True)

    ok: bool
    outcome: CancelOutcome | None = None
    reason: str
    needs_human: bool = False
    instant: bool = False  # True: the site cancels at once (unpaid/verifying); False: a request to the seller


def _refuse(reason: str, *, already: bool = False, human: bool = False) -> Eligibility:
    outcome = CancelOutcome.ALREADY_REQUESTED if already else CancelOutcome.NOT_CANCELLABLE
    return Eligibility(ok=False, outcome=outcome, reason=reason, needs_human=human)


def eligibility(
    order: OrderDetail | Order,
    allowed_statuses: Collection[OrderStatus | str],
    amount_cap: Decimal | Money | None,
    existing_request_state: RequestState | None,
    *,
    cap_currency: str | None = None,
) -> Eligibility:
    """Decide whether to submit a cancellation for `order`. Checks run from "never touch it again" to
    "config says no", so the recorded reason is the most fundamental one.

    `amount_cap` is a Money (its currency counts), or a bare Decimal in `cap_currency`; a bare Decimal
    with no currency applies in whatever currency the order shows. Different currencies are never
    converted: the order is refused with a reason saying so.
    """
    refusal = (
        _check_existing(existing_request_state)
        or _check_status(order)
        or _check_deposit(order)
        or _check_allowed(order.status, allowed_statuses)
        or _check_cap(order.total, amount_cap, cap_currency)
    )
    if refusal is not None:
        return refusal
    instant = order.status in INSTANT_CANCEL
    how = "cancels at once" if instant else "asks the seller to cancel"
    return Eligibility(ok=True, reason=f"{order.status.value}: {how}", instant=instant)


def _check_existing(state: RequestState | None) -> Eligibility | None:
    if state is None or state in NO_LIVE_REQUEST:
        return None
    if state is RequestState.NEEDS_HUMAN:
        return _refuse("a person must look at this order first (state needs_human)", human=True)
    if state is RequestState.REJECTED:
        return _refuse("the seller rejected our earlier request; a person decides what next", already=True,
                       human=True)  # fmt: skip
    if state is RequestState.SUBMITTING:
        return _refuse("an earlier submission is not reconciled yet; not submitting twice", already=True)
    return _refuse(f"a cancellation was already submitted (state {state.value})", already=True)


def _check_status(order: Order) -> Eligibility | None:
    status = order.status
    if status is OrderStatus.CANCELLATION_REQUESTED:
        return _refuse("the site already shows a cancellation request", already=True)
    if status is OrderStatus.UNKNOWN:
        return _refuse(f"unknown status wording {order.status_text!r}: never guessed", human=True)
    if status not in CANCELLABLE:
        return _refuse(f"status {status.value} cannot be cancelled")
    return None


def _check_deposit(order: Order) -> Eligibility | None:
    if isinstance(order, OrderDetail) and order.is_deposit:
        return _refuse("deposit/instalment order: partial payments need a person", human=True)
    return None


def _check_allowed(status: OrderStatus, allowed: Collection[OrderStatus | str]) -> Eligibility | None:
    if status.value in {str(s) for s in allowed}:
        return None
    return _refuse(f"status {status.value} is not in the configured allowed statuses")


def _check_cap(
    total: Money | None, cap: Decimal | Money | None, cap_currency: str | None
) -> Eligibility | None:
    if cap is None:
        return None
    if total is None:
        return _refuse("the order total is not shown, so the amount cap cannot be checked")
    limit, currency = (cap.amount, cap.currency) if isinstance(cap, Money) else (cap, cap_currency)
    if currency is not None and currency != total.currency:
        return _refuse(
            f"total {total.amount} {total.currency} vs cap {limit} {currency}: different currencies, "
            "not converted"
        )
    if total.amount > limit:
        return _refuse(f"total {total.amount} {total.currency} is over the cap {limit}")
    return None


# ---------------------------------------------------------------- statuses


def canonical_status(
    text: str, statuses_by_locale: Mapping[str, Mapping[str, str]], locale: str | None
) -> OrderStatus:
    """The canonical status for a wording: the page locale's table first, then the others.

    Exact match after folding case and whitespace; unknown wording → UNKNOWN, never guessed.
    """
    wanted = fold(text)
    for table in _tables_in_order(statuses_by_locale, locale):
        for wording, status in table.items():
            if fold(wording) == wanted:
                try:
                    return OrderStatus(status)
                except ValueError as exc:
                    raise ValueError(f"status pack maps {wording!r} to unknown status {status!r}") from exc
    return OrderStatus.UNKNOWN


def _tables_in_order(
    by_locale: Mapping[str, Mapping[str, str]], locale: str | None
) -> list[Mapping[str, str]]:
    wanted = (locale or "").lower().replace("_", "-")
    first = [t for loc, t in by_locale.items() if loc.lower().replace("_", "-") == wanted]
    return first + [t for loc, t in by_locale.items() if loc.lower().replace("_", "-") != wanted]


# ------------------------------------------------------- reasons: agent/reason_match.py (re-exported)

# ---------------------------------------------------------------- deadlines


def seller_deadline(
    requested_at: dt.datetime, reminder_deadline: dt.datetime | None, default_hours: float
) -> dt.datetime:
    """When the seller must have answered: the page's own countdown wins over the configured default."""
    if reminder_deadline is not None:
        return reminder_deadline
    return requested_at + dt.timedelta(hours=default_hours)


def dispute_deadline(
    placed_at: dt.datetime,
    delivered_at: dt.datetime | None,
    page_deadline: dt.datetime | None,
    window_days: int,
    *,
    after_delivery_days: int | None = None,
) -> dt.datetime:
    """Last moment to open a dispute: what the page says, else `window_days` after placing the order.

    With `after_delivery_days` (the older "15 days after delivery" rule) and a delivery date, the
    earlier of the two counts: warning too early costs nothing, too late loses the money.
    """
    if page_deadline is not None:
        return page_deadline
    deadline = placed_at + dt.timedelta(days=window_days)
    if delivered_at is not None and after_delivery_days is not None:
        deadline = min(deadline, delivered_at + dt.timedelta(days=after_delivery_days))
    return deadline


def dispute_warning(now: dt.datetime, dispute_deadline: dt.datetime, warning_days: float) -> bool:
    """True while the dispute window is still open but closes within `warning_days`."""
    return now < dispute_deadline and dispute_deadline - now <= dt.timedelta(days=warning_days)


# Words of the payment-method line per class (accent-free, lower case). Brand names travel across
# locales; the generic words ("card", "cartao") are the few per-language ones the site shows.
PAYMENT_METHOD_WORDS: dict[str, list[str]] = {
    "paypal": ["paypal"],
    "wallet": ["balance", "wallet", "saldo", "carteira", "alipay", "western union", "bank transfer",
               "transferencia", "boleto", "pix", "solde", "guthaben", "баланс", "кошел"],
    "card": ["card", "visa", "mastercard", "master card", "maestro", "amex", "american express", "elo",
             "hipercard", "discover", "jcb", "cartao", "tarjeta", "carte", "karte", "карта", "credit",
             "debit", "credito", "debito"],
}  # fmt: skip


def classify_payment_method(text: str, words: Mapping[str, list[str]] | None = None) -> str:
    """ "Visa ****1234" → card; "PayPal" → paypal; "AliExpress balance" → wallet; else "other".

    Checked in the order of `words` (PayPal and wallets before cards: "PayPal (card)" is PayPal).
    """
    tokens = f" {normalise_reason(text)} "
    for kind, kind_words in (words or PAYMENT_METHOD_WORDS).items():
        if any(f" {normalise_reason(w)}" in tokens for w in kind_words):
            return kind
    return "other"


def add_business_days(start: dt.datetime, days: int) -> dt.datetime:
    """`days` working days after `start` (Saturdays and Sundays skipped; holidays are not known)."""
    current, left = start, days
    while left > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


def refund_due(
    cancelled_at: dt.datetime,
    payment_method_text: str,
    refund_business_days: Mapping[str, int],
    *,
    words: Mapping[str, list[str]] | None = None,
) -> dt.datetime:
    """When the refund should have arrived: business days per payment class (card/paypal/wallet/other).

    A class missing from config falls back to "other", then to the longest configured wait.
    """
    if not refund_business_days:
        raise ValueError("refund_business_days is empty: configure at least 'other'")
    kind = classify_payment_method(payment_method_text, words)
    days = refund_business_days.get(kind, refund_business_days.get("other"))
    if days is None:
        days = max(refund_business_days.values())
    return add_business_days(cancelled_at, days)


# ---------------------------------------------------------------- after a submission (and after a crash)


class Submission(StrEnum):
    """What the order's status says about a cancellation we submitted (or may have submitted)."""

    CANCELLED = "cancelled"  # the site cancelled at once
    REQUESTED = "requested"  # the site forwarded it to the seller
    UNANSWERED = "unanswered"  # the order looks untouched: the journal decides (agent.journal), not the page
    UNEXPECTED = "unexpected"  # the order moved somewhere else (shipped …): a person looks


def submission_outcome(status: OrderStatus, cancellable: Collection[OrderStatus | str]) -> Submission:
    """Decide from the status alone what it can prove. An order still in a cancellable status proves
    nothing (a slow site may not show a request yet): whether it may be submitted again is the journal's
    call, never the page's."""
    if status == OrderStatus.CLOSED:
        return Submission.CANCELLED
    if status == OrderStatus.CANCELLATION_REQUESTED:
        return Submission.REQUESTED
    if status in {OrderStatus(s) for s in cancellable}:
        return Submission.UNANSWERED
    return Submission.UNEXPECTED
