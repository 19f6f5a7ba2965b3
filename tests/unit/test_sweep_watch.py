"""The sweep's own decisions (jobs.watch): flags with reasons, where to look, refund dates."""

from __future__ import annotations

import datetime as dt

import pytest

from agent.config import PolicyConfig
from agent.deadlines import entry_fields
from agent.locate import load_pack
from agent.models import CancelRequest, Order, OrderDetail, OrderStatus, RequestState
from jobs.lifecycle import TEXT_KEYS, Deadlines
from jobs.watch import deadlines_of, decide, needs_detail, observation

S, O = RequestState, OrderStatus  # noqa: E741 - short aliases keep the tables readable
NOW = dt.datetime(2026, 5, 4, 12, tzinfo=dt.UTC)  # a Monday
PACK = load_pack("aliexpress")
PACK_TEXTS = {key: [w for loc in PACK.meta.locales for w in PACK.words(key, loc)] for key in TEXT_KEYS}
OID = "8212345678901234"


def req(state: RequestState, **fields: object) -> CancelRequest:
    data: dict[str, object] = {"requested_at": NOW - dt.timedelta(days=3), **fields}
    return CancelRequest(order_id=OID, state=state, **data)  # type: ignore[arg-type]


def row(status: OrderStatus, text: str = "") -> Order:
    return Order(order_id=OID, status=status, status_text=text or status.value)


def detail(status: OrderStatus, reminder: str) -> OrderDetail:
    return OrderDetail(order_id=OID, status=status, status_text=status.value, reminder=reminder)


def path(request: CancelRequest, look: Order, deadlines: Deadlines | None = None) -> list[tuple[str, str]]:
    steps = decide(request, observation(look, NOW), deadlines or Deadlines(), NOW, PACK_TEXTS)
    return [(s.state_to.value, s.code) for s in steps]


def test_rejected_is_flagged_at_once_with_its_reason() -> None:
    assert path(req(S.REQUESTED), row(O.AWAITING_SHIPMENT)) == [
        ("rejected", "seller_rejected"),
        ("dispute_flagged", "rejected"),
    ]


def test_shipped_anyway_is_flagged() -> None:
    assert path(req(S.REQUESTED), row(O.AWAITING_DELIVERY)) == [
        ("shipped_anyway", "shipped_anyway"),
        ("dispute_flagged", "shipped_anyway"),
    ]


def test_silent_past_the_deadline_stalls_then_is_flagged() -> None:
    late = Deadlines(seller=NOW - dt.timedelta(hours=2))
    assert path(req(S.REQUESTED), row(O.CANCELLATION_REQUESTED), late) == [
        ("stalled", "seller_silent"),
        ("dispute_flagged", "stalled"),
    ]
    on_time = Deadlines(seller=NOW + dt.timedelta(hours=2))
    assert path(req(S.REQUESTED), row(O.CANCELLATION_REQUESTED), on_time) == []


def test_a_stalled_request_left_unflagged_is_flagged_on_the_next_look() -> None:
    assert path(req(S.STALLED), row(O.CANCELLATION_REQUESTED)) == [("dispute_flagged", "stalled")]


def test_accepted_with_refund_text_then_refunded() -> None:
    assert path(req(S.REQUESTED), detail(O.CLOSED, "Refund in progress")) == [
        ("accepted", "seller_accepted"),
        ("refund_pending", "refund_started"),
    ]
    assert path(req(S.REFUND_PENDING), detail(O.CLOSED, "Reembolsado")) == [("refunded", "refunded")]


def test_refund_overdue_is_a_flag() -> None:
    overdue = Deadlines(refund_due=NOW - dt.timedelta(days=1))
    assert path(req(S.REFUND_PENDING), detail(O.CLOSED, "Refund in progress"), overdue) == [
        ("dispute_flagged", "refund_overdue")
    ]


def test_dispute_window_closing_flags_a_pending_request() -> None:
    closing = Deadlines(dispute=NOW + dt.timedelta(days=2), dispute_warning_days=5)
    assert path(req(S.REQUESTED), row(O.CANCELLATION_REQUESTED), closing) == [
        ("dispute_flagged", "dispute_window_closing")
    ]


@pytest.mark.parametrize(
    ("state", "look", "fields", "expected"),
    [
        (S.REQUESTED, None, {}, True),  # not in the list
        (S.REQUESTED, row(O.UNKNOWN, "Weird"), {}, True),
        (S.REQUESTED, row(O.CANCELLATION_REQUESTED), {}, False),
        (S.REQUESTED, row(O.AWAITING_SHIPMENT), {}, False),
        (S.REQUESTED, row(O.CLOSED), {}, True),  # accepted — is the refund moving?
        (S.REFUND_PENDING, row(O.CLOSED), {}, True),
        (S.CANCELLED, row(O.CLOSED), {}, False),  # unpaid: nothing to look for
        (S.CANCELLED, row(O.CLOSED), {"refund_due": NOW}, True),
        (S.DISPUTE_OPENED, row(O.DISPUTE), {}, False),
        (S.DISPUTE_OPENED, row(O.COMPLETED), {}, True),
        (S.DISPUTE_FLAGGED, row(O.AWAITING_DELIVERY), {}, False),
        (S.SUBMITTING, row(O.CLOSED), {}, True),  # rare: the page carries the seller's countdown
    ],
)
def test_where_the_list_is_not_enough(
    state: RequestState, look: Order | None, fields: dict[str, object], expected: bool
) -> None:
    assert needs_detail(req(state, **fields), look) is expected


def test_refund_due_starts_on_accepted_and_cancelled_only_when_paid() -> None:
    pol = PolicyConfig(refund_business_days={"card": 3})
    due = entry_fields(req(S.REQUESTED), S.ACCEPTED, NOW, pol, payment_text="Visa ending in 4242")
    assert due == {"refund_due": dt.datetime(2026, 5, 7, 12, tzinfo=dt.UTC)}
    assert "refund_due" not in entry_fields(req(S.SUBMITTING), S.CANCELLED, NOW, pol, paid=False)
    assert entry_fields(req(S.REQUESTED), S.REJECTED, NOW, pol, payment_text="Visa") == {}
    assert entry_fields(req(S.ACCEPTED, refund_due=NOW), S.ACCEPTED, NOW, pol, payment_text="Visa") == {}


def test_every_way_into_requested_sets_the_seller_and_dispute_deadlines() -> None:
    pol = PolicyConfig(seller_response_hours=48, dispute_window_days=90)
    asked = NOW - dt.timedelta(hours=2)
    fields = entry_fields(req(S.SUBMITTING, requested_at=asked), S.REQUESTED, NOW, pol,
                          placed_on=dt.date(2026, 5, 1))  # fmt: skip
    assert fields["seller_deadline"] == asked + dt.timedelta(hours=48)  # counted from the request
    assert fields["dispute_deadline"] == dt.datetime(2026, 7, 30, tzinfo=dt.UTC)
    page = NOW + dt.timedelta(hours=20)  # the page's own countdown wins
    assert entry_fields(None, S.REQUESTED, NOW, pol, page_seller_deadline=page)["seller_deadline"] == page


def test_an_instant_cancel_of_a_paid_order_is_watched_until_the_refund_lands() -> None:
    pol = PolicyConfig(refund_business_days={"card": 3})
    fields = entry_fields(req(S.SUBMITTING), S.CANCELLED, NOW, pol, payment_text="Visa", paid=True)
    assert fields["refund_due"] == dt.datetime(2026, 5, 7, 12, tzinfo=dt.UTC) and "dispute_deadline" in fields


def test_deadlines_come_from_the_request_and_the_grace_from_the_recheck_delay() -> None:
    request = req(S.REQUESTED, seller_deadline=NOW, dispute_deadline=NOW + dt.timedelta(days=80))
    d = deadlines_of(request, PolicyConfig(dispute_warning_days=7), recheck_minutes=30)
    assert (d.seller, d.dispute, d.dispute_warning_days) == (NOW, NOW + dt.timedelta(days=80), 7)
    assert d.stall_grace == dt.timedelta(minutes=15)
