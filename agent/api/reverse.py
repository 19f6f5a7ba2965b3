"""Parser of the returns/refunds list (`mtop.aliexpress.buyer.reverse.queryreverseorderpagelistforbuyer`):
one answer → its refund lines (agent.models.RefundLine) and the `total` to count them against.

Facts used (aliexpress-api.md): the answer is under `data.module` with `total` and `items[]`, each
`{shopName, reverseOrderLines[]}`; a line's `tradeOrderId` (required), `tradeOrderLineId`,
`reverseOrderId`, `reverseStatus` (a number), `reverseType`, `gmtCreate` (ms epoch as a string) and
`aeItemDTO {itemCount, itemUnitPrice {cent, currency}}` — each used when present. `module.pages` is
never used: it came back 0 with real results.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from agent.api.protocol import digits
from agent.api.values import epoch_ms, integer, text
from agent.errors import ApiRefused
from agent.models import Money, RefundLine

__all__ = ["LINE_STATES", "ReversePage", "parse_reverse"]

# The request's `reverseStatus` filter (the reference's meaning), also used for a line's own code.
LINE_STATES = {2: "in_progress", 3: "awaiting_return", 4: "completed"}


@dataclass(frozen=True)
class ReversePage:
    lines: list[RefundLine]
    total: int | None  # None when the answer does not say


def parse_reverse(data: Mapping[str, Any]) -> ReversePage:
    module = data.get("module")
    if not isinstance(module, Mapping):
        raise ApiRefused("the refunds answer has no module", "bad_answer")
    lines = []
    for item in module.get("items") or []:
        if not isinstance(item, Mapping):
            continue
        for raw in item.get("reverseOrderLines") or []:
            line = _line(raw) if isinstance(raw, Mapping) else None
            if line is not None:
                lines.append(line)
    total = integer(module.get("total"), -1)
    return ReversePage(lines, total if total >= 0 else None)


def _line(raw: Mapping[str, Any]) -> RefundLine | None:
    order_id = digits(raw.get("tradeOrderId"))
    if order_id is None:
        return None  # a line that names no order settles nothing
    code = integer(raw.get("reverseStatus"), -1)
    return RefundLine(
        order_id=order_id,
        order_line_id=digits(raw.get("tradeOrderLineId")) or "",
        reverse_order_id=digits(raw.get("reverseOrderId")) or "",
        state=LINE_STATES.get(code, "unknown"),
        status_code=code if code >= 0 else None,
        reverse_type=text(raw.get("reverseType")),
        amount=_amount(raw.get("aeItemDTO")),
        created_at=epoch_ms(raw.get("gmtCreate")),
    )


def _amount(item: object) -> Money | None:
    """The line's unit price (integer minor units) × its count, in the line's currency."""
    if not isinstance(item, Mapping):
        return None
    price = item.get("itemUnitPrice")
    if not isinstance(price, Mapping):
        return None
    cents, currency = integer(price.get("cent"), -1), text(price.get("currency"))
    if cents < 0 or not currency:
        return None
    count = max(1, integer(item.get("itemCount"), 1))
    return Money(amount=Decimal(cents * count).scaleb(-2), currency=currency)  # 1530 → 15.30, not 15.3
