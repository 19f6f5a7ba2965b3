"""The dispute message (agent.flows.dispute.build_message) from a real SQLite journal: plain dated
sentences a seller or an AliExpress agent can read — never "on ?", never an internal code."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.flows.dispute import FLAG_WORDING, OPEN_ISSUE, STATE_WORDING, STEP_WORDING, build_message
from agent.models import RequestState
from agent.store import Store
from jobs.lifecycle import ALLOWED
from jobs.watch import FLAG_ON
from tests.store_helpers import Clock, move

S = RequestState
OID = "8212345678901234"
T0 = dt.datetime(2026, 7, 15, 10, 31, tzinfo=dt.UTC)
# Every code and state name the agent uses internally: none may reach the message.
CODES = {s.value for s in S} | set(FLAG_ON.values()) | set(STEP_WORDING) | set(FLAG_WORDING) | {"by_hand"}




@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[Store]:
    with Store.open(tmp_path / "agent.db", clock=clock) as opened:
        yield opened


def step(store: Store, clock: Clock, state: S, code: str = "", hours: float = 1, **fields: object) -> None:
    """One transition as the sweep writes it (jobs.sweep._apply): detail code + human reason."""
    clock.advance(hours)
    detail = {"code": code, "reason": f"internal wording with {code or state.value}"} if code else None
    move(store, OID, state, 1, detail=detail, **fields)


def assert_plain(message: str) -> None:
    assert "?" not in message and "None" not in message
    assert not re.search(r"\w_\w", message), message  # no snake_case code
    words = set(re.findall(r"[a-z_]+", message.lower()))
    assert not (CODES - {"accepted", "rejected", "refunded", "requested", "cancelled", "stalled"}) & words
    assert "internal wording" not in message  # the lifecycle's reasons are for the log, not the seller


def test_a_request_seen_elsewhere_has_no_placeholder_date(store: Store, clock: Clock) -> None:
    # The cancel flow journals a request made in the app without requested_at (_journal_seen_request).
    move(store, OID, S.REQUESTED, 1)
    step(store, clock, S.STALLED, "seller_silent", hours=50)
    step(store, clock, S.DISPUTE_FLAGGED, "stalled", hours=0, flagged_reason="stalled")
    message = build_message(store, store.get_request(OID))  # type: ignore[arg-type]
    assert message.startswith("I asked to cancel this order on 2026-07-15.")  # the first journal date
    assert (
        "- 2026-07-17 12:31 UTC: The seller had not answered by the deadline and the order was not cancelled."
        in (message.splitlines())
    )
    assert message.splitlines()[-2] == "The seller never answered my cancellation request."
    assert_plain(message)


def test_a_shipped_anyway_story_reads_as_plain_dated_sentences(store: Store, clock: Clock) -> None:
    store.begin_submission(OID, "changed_mind", "I don't want it anymore", 1)
    step(store, clock, S.REQUESTED, "request_confirmed", hours=0.01, submitted_at=T0)
    step(store, clock, S.REJECTED, "seller_rejected", hours=6)
    step(store, clock, S.SHIPPED_ANYWAY, "shipped_anyway", hours=24)
    step(store, clock, S.DISPUTE_FLAGGED, "shipped_anyway", hours=0, flagged_reason="shipped_anyway")
    message = build_message(store, store.get_request(OID))  # type: ignore[arg-type]
    assert message.splitlines() == [
        'I asked to cancel this order on 2026-07-15, giving the reason "I don\'t want it anymore".',
        "What happened since:",
        "- 2026-07-15 10:31 UTC: The site showed my cancellation request as waiting for the seller's answer.",
        "- 2026-07-15 16:31 UTC: The seller rejected the cancellation and the order went back to awaiting "
        "shipment.",
        "- 2026-07-16 16:31 UTC: The seller shipped the order although I had asked to cancel it.",
        "The order was shipped although I had asked to cancel it before shipment.",
        "Please refund the order in full.",
    ]
    assert_plain(message)


def test_a_request_flagged_by_hand_states_no_internal_reason(store: Store, clock: Clock) -> None:
    move(store, OID, S.REQUESTED, 1, requested_at=T0, submitted_at=T0)
    step(store, clock, S.ACCEPTED, "seller_accepted", hours=20)
    step(store, clock, S.DISPUTE_FLAGGED, "by_hand", hours=100, flagged_reason="by_hand")
    message = build_message(store, store.get_request(OID))  # type: ignore[arg-type]
    assert "by hand" not in message and "Open issue" not in message
    assert "The order was closed: the seller accepted the cancellation or the site cancelled it." in message
    assert_plain(message)


@pytest.mark.parametrize(
    ("flag", "fields", "sentence"),
    [
        ("refund_overdue", {"refund_due": T0 + dt.timedelta(days=28)},
         "The refund has not arrived although it was due by 2026-08-12."),
        ("dispute_window_closing", {"dispute_deadline": T0 + dt.timedelta(days=90)},
         "Nothing is settled and the buyer protection period ends on 2026-10-13."),
        ("refund_overdue", {}, "The refund has not arrived although it was due."),
    ],
)  # fmt: skip
def test_clock_flags_give_their_date(store: Store, clock: Clock, flag: str, fields: dict[str, object],
                                     sentence: str) -> None:  # fmt: skip
    move(store, OID, S.REQUESTED, 1, requested_at=T0)
    step(store, clock, S.ACCEPTED, "seller_accepted", hours=20)
    step(store, clock, S.REFUND_PENDING, "refund_started", hours=2)
    step(store, clock, S.DISPUTE_FLAGGED, flag, hours=24 * 30, flagged_reason=flag, **fields)
    message = build_message(store, store.get_request(OID))  # type: ignore[arg-type]
    assert sentence in message.splitlines() and FLAG_WORDING[flag] in message
    assert_plain(message)


def test_every_state_the_message_may_meet_has_a_wording_or_is_internal() -> None:
    internal = {S.SUBMITTING, S.FAILED, S.NEEDS_HUMAN, S.DISPUTE_FLAGGED}
    for state in S:
        assert state in internal or state.value in STATE_WORDING, state
    assert set(OPEN_ISSUE) == set(FLAG_ON.values()) | {"refund_overdue", "dispute_window_closing"}
    assert {s for s, _ in ALLOWED.items()} <= set(S)  # the state machine uses no state unknown here
    for sentence in [*STEP_WORDING.values(), *STATE_WORDING.values(), *FLAG_WORDING.values()]:
        assert sentence[0].isupper() and sentence.endswith(".") and not re.search(r"\w_\w", sentence)
