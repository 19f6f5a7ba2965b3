"""pydantic domain models shared by pages, policy, flows, store and jobs."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

# The enums live in a module without pydantic, so that command registration stays cheap; same names here.
from agent.statuses import CancelOutcome as CancelOutcome
from agent.statuses import OrderStatus as OrderStatus
from agent.statuses import RequestState as RequestState

_ASCII_DIGITS = re.compile(r"[0-9]+")


def is_ascii_digits(text: str) -> bool:
    """Only 0-9 (at least one). `str.isdigit()` also takes "²³⁴", full-width "８２" and Arabic-Indic
    "٨٢", and a regex's `\\d` the last two: no id, price or date on the site is written with them."""
    return _ASCII_DIGITS.fullmatch(text) is not None


def normalise_order_id(value: object) -> str:
    """Ids arrive as strings in one place and numbers in another: keep a string of ASCII digits.

    The length is not checked: the reference has seen 16–19 digits on current orders, but no source
    says older or other ids cannot be shorter, and a wrong id on the command line is answered by the
    site at once ("not in your account", before anything is clicked)."""
    text = str(value).strip()
    if not is_ascii_digits(text):
        raise ValueError(f"order id must be the digits 0-9, got {text!r}")
    return text


class Money(BaseModel):
    model_config = ConfigDict(frozen=True)

    amount: Decimal
    currency: str  # ISO code when known ("USD", "BRL"), else the symbol as shown


class OrderLine(BaseModel):
    title: str
    sku: str = ""
    price: Money | None = None
    quantity: int = 1


class Order(BaseModel):
    """One row of My Orders (or the head of a detail page)."""

    order_id: str
    status: OrderStatus = OrderStatus.UNKNOWN
    status_text: str = ""
    placed_at: dt.date | None = None
    store_name: str = ""
    total: Money | None = None
    items: list[OrderLine] = Field(default_factory=list)
    actions: list[str] = Field(default_factory=list)  # visible action texts on the row

    _check_id = field_validator("order_id", mode="before")(normalise_order_id)


class OrderDetail(Order):
    """What the order detail page adds to a row."""

    reminder: str = ""
    payment_method: str = ""
    is_deposit: bool = False
    seller_deadline: dt.datetime | None = None
    ship_by: dt.datetime | None = None


class CancelRequest(BaseModel):
    """The store's row for an order's cancellation request (one per order)."""

    order_id: str
    state: RequestState
    reason_key: str = ""
    reason_text: str = ""
    requested_at: dt.datetime | None = None  # when the agent decided to cancel (journal written)
    submitted_at: dt.datetime | None = None  # when the site confirmed the request
    seller_deadline: dt.datetime | None = None
    dispute_deadline: dt.datetime | None = None
    refund_due: dt.datetime | None = None
    flagged_reason: str = ""
    updated_at: dt.datetime | None = None
    run_id: int | None = None


class Event(BaseModel):
    """One row of the append-only audit log."""

    id: int
    at: dt.datetime
    run_id: int | None = None
    order_id: str | None = None
    kind: str
    state_from: str | None = None
    state_to: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict)
    evidence: list[str] = Field(default_factory=list)  # paths of screenshots, snapshots, traces


class Run(BaseModel):
    """One CLI command or scheduled job execution."""

    id: int
    command: str
    started_at: dt.datetime
    ended_at: dt.datetime | None = None
    outcome: str | None = None
    pid: int | None = None
    host: str | None = None  # where it ran: liveness can only be checked on the same host
    process: str | None = None  # the process's identity (agent.processes), so a reused pid is not "alive"


class RefundLine(BaseModel):
    """One line of the site's returns/refunds list (a "reverse order" line): which order, where its
    refund stands, and how much (the line's unit price in minor units × its count)."""

    order_id: str
    order_line_id: str = ""
    reverse_order_id: str = ""
    state: str = "unknown"  # in_progress | awaiting_return | completed | unknown
    status_code: int | None = None  # the line's own reverseStatus, as sent
    reverse_type: str = ""
    amount: Money | None = None
    created_at: dt.datetime | None = None

    _check_id = field_validator("order_id", mode="before")(normalise_order_id)
