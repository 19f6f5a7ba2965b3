"""jobs.lifecycle: the cancellation request's state machine. Pure, no browser, no clock."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import NamedTuple

import pytest

from agent.models import OrderStatus, RequestState
from jobs.lifecycle import ALLOWED, TERMINAL, Deadlines, Observation, advance, can_move, next_state

S = RequestState
O = OrderStatus  # noqa: E741
NOW = dt.datetime(2026, 5, 4, 12, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)

TEXTS = {  # what the pack's refund/dispute wordings look like (en + pt-BR)
    "refund_in_progress": ["Refund in progress", "Reembolso em andamento"],
    "refunded": ["Refunded", "Reembolsado"],
    "dispute_opened": ["Dispute opened", "Disputa aberta"],
    "dispute_resolved": ["Dispute closed", "Disputa encerrada"],
}


# ---------------------------------------------------------------- the graph

ALL_EDGES = sorted((a, b) for a, targets in ALLOWED.items() for b in targets)
FORBIDDEN = sorted(set(itertools.product(S, S)) - set(ALL_EDGES))


def test_every_state_has_a_row() -> None:
    assert set(ALLOWED) == set(S)


@pytest.mark.parametrize(("a", "b"), ALL_EDGES, ids=[f"{a}->{b}" for a, b in ALL_EDGES])
def test_allowed_transition(a: RequestState, b: RequestState) -> None:
    assert can_move(a, b)


@pytest.mark.parametrize(("a", "b"), FORBIDDEN, ids=[f"{a}-x->{b}" for a, b in FORBIDDEN])
def test_forbidden_transition(a: RequestState, b: RequestState) -> None:
    assert not can_move(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (S.REQUESTED, S.REFUNDED),  # a refund is always seen pending first
        (S.REQUESTED, S.REFUND_PENDING),  # …and only after the seller accepted
        (S.SUBMITTING, S.ACCEPTED),
        (S.SUBMITTING, S.SUBMITTING),
        (S.CANCELLED, S.REQUESTED),
        (S.REFUNDED, S.REQUESTED),
        (S.REFUNDED, S.DISPUTE_FLAGGED),
        (S.DISPUTE_RESOLVED, S.DISPUTE_OPENED),
        (S.DISPUTE_OPENED, S.REFUNDED),
        (S.SHIPPED_ANYWAY, S.ACCEPTED),
        (S.REJECTED, S.REQUESTED),  # a new request goes through submitting, never straight back
        (S.ACCEPTED, S.REJECTED),
        (S.NEEDS_HUMAN, S.SUBMITTING),
    ],
)
def test_notable_forbidden_transitions(a: RequestState, b: RequestState) -> None:
    assert not can_move(a, b)


def test_no_state_moves_to_itself_and_terminal_states_are_final() -> None:
    assert all(s not in targets for s, targets in ALLOWED.items())
    assert all(not ALLOWED[s] for s in TERMINAL)


def test_needs_human_is_reachable_from_every_non_final_state() -> None:
    assert all(can_move(s, S.NEEDS_HUMAN) for s in S if s not in TERMINAL | {S.NEEDS_HUMAN})


def test_every_state_is_reachable_from_submitting() -> None:
    seen, todo = {S.SUBMITTING}, [S.SUBMITTING]
    while todo:
        for nxt in ALLOWED[todo.pop()] - seen:
            seen.add(nxt)
            todo.append(nxt)
    assert seen == set(S)


# ---------------------------------------------------------------- next_state, table-driven


def look(
    status: OrderStatus, reminder: str = "", refund: str | None = None, dispute: str | None = None
) -> Observation:
    return Observation(
        status=status, status_text=status.value, reminder=reminder, observed_at=NOW,
        refund_status=refund, dispute_status=dispute,
    )  # fmt: skip


NONE = Deadlines()
SELLER_PAST = Deadlines(seller=NOW - 2 * H)  # past the deadline and the default 30 min grace
SELLER_IN_GRACE = Deadlines(seller=NOW - dt.timedelta(minutes=10))
SELLER_AHEAD = Deadlines(seller=NOW + DAY)
REFUND_PAST = Deadlines(refund_due=NOW - H)
REFUND_AHEAD = Deadlines(refund_due=NOW + DAY)
WINDOW_CLOSING = Deadlines(dispute=NOW + 3 * DAY, dispute_warning_days=5)
WINDOW_FAR = Deadlines(dispute=NOW + 30 * DAY, dispute_warning_days=5)
WINDOW_SHUT = Deadlines(dispute=NOW - DAY, dispute_warning_days=5)
ALL_PAST = Deadlines(seller=NOW - 2 * H, refund_due=NOW - H, dispute=NOW + DAY)


CLOSING, OVERDUE = "dispute_window_closing", "refund_overdue"
OPENED, RESOLVED = "dispute_opened", "dispute_resolved"


class Case(NamedTuple):
    current: RequestState
    obs: Observation
    deadlines: Deadlines
    to: RequestState | None
    code: str | None = None


CASES: list[Case] = [
    # reconciliation of the irreversible click
    Case(S.SUBMITTING, look(O.CLOSED, "You've canceled the order"), NONE, S.CANCELLED, "instant_cancel"),
    Case(S.SUBMITTING, look(O.CANCELLATION_REQUESTED), NONE, S.REQUESTED, "request_confirmed"),
    # an untouched order proves nothing: the journal decides (agent.journal), never the status alone
    Case(S.SUBMITTING, look(O.AWAITING_SHIPMENT), ALL_PAST, None),
    Case(S.SUBMITTING, look(O.AWAITING_PAYMENT), ALL_PAST, None),
    # it moved on since (shipped …): nobody can tell what the click did
    Case(S.SUBMITTING, look(O.AWAITING_DELIVERY), NONE, S.NEEDS_HUMAN, "moved_after_submission"),
    Case(S.SUBMITTING, look(O.COMPLETED), NONE, S.NEEDS_HUMAN, "moved_after_submission"),
    # instant cancel
    Case(S.CANCELLED, look(O.CLOSED, "Refund in progress"), NONE, S.REFUND_PENDING, "refund_started"),
    Case(S.CANCELLED, look(O.CLOSED, refund="Refunded"), NONE, S.REFUND_PENDING, "refund_started"),
    Case(S.CANCELLED, look(O.CLOSED, "Reembolso em andamento"), NONE, S.REFUND_PENDING, "refund_started"),
    Case(S.CANCELLED, look(O.CLOSED, "You've canceled the order"), NONE, None),
    Case(S.CANCELLED, look(O.CLOSED), REFUND_PAST, S.DISPUTE_FLAGGED, OVERDUE),
    Case(S.CANCELLED, look(O.CLOSED), WINDOW_CLOSING, None),  # nothing paid, nothing to dispute
    # waiting for the seller
    Case(S.REQUESTED, look(O.CLOSED), NONE, S.ACCEPTED, "seller_accepted"),
    Case(S.REQUESTED, look(O.CLOSED), ALL_PAST, S.ACCEPTED, "seller_accepted"),  # facts before clock
    Case(S.REQUESTED, look(O.AWAITING_SHIPMENT), NONE, S.REJECTED, "seller_rejected"),
    Case(S.REQUESTED, look(O.AWAITING_DELIVERY), NONE, S.SHIPPED_ANYWAY, "shipped_anyway"),
    Case(S.REQUESTED, look(O.COMPLETED), NONE, S.SHIPPED_ANYWAY, "shipped_anyway"),
    Case(S.REQUESTED, look(O.DISPUTE), NONE, S.DISPUTE_FLAGGED, "dispute_seen"),
    Case(S.REQUESTED, look(O.CANCELLATION_REQUESTED), SELLER_AHEAD, None),
    Case(S.REQUESTED, look(O.CANCELLATION_REQUESTED), SELLER_IN_GRACE, None),
    Case(S.REQUESTED, look(O.CANCELLATION_REQUESTED), SELLER_PAST, S.STALLED, "seller_silent"),
    Case(S.REQUESTED, look(O.CANCELLATION_REQUESTED), NONE, None),
    Case(S.REQUESTED, look(O.CANCELLATION_REQUESTED), WINDOW_CLOSING, S.DISPUTE_FLAGGED, CLOSING),
    # stalled: the seller or the site may still answer
    Case(S.STALLED, look(O.CANCELLATION_REQUESTED), SELLER_PAST, None),  # already stalled: no repeat
    Case(S.STALLED, look(O.CLOSED), SELLER_PAST, S.ACCEPTED, "seller_accepted"),
    Case(S.STALLED, look(O.AWAITING_SHIPMENT), SELLER_PAST, S.REJECTED, "seller_rejected"),
    Case(S.STALLED, look(O.AWAITING_DELIVERY), SELLER_PAST, S.SHIPPED_ANYWAY, "shipped_anyway"),
    Case(S.STALLED, look(O.DISPUTE), NONE, S.DISPUTE_FLAGGED, "dispute_seen"),
    Case(S.STALLED, look(O.CANCELLATION_REQUESTED), WINDOW_CLOSING, S.DISPUTE_FLAGGED, CLOSING),
    # rejected
    Case(S.REJECTED, look(O.AWAITING_SHIPMENT), NONE, None),
    Case(S.REJECTED, look(O.AWAITING_DELIVERY), NONE, S.SHIPPED_ANYWAY, "shipped_anyway"),
    Case(S.REJECTED, look(O.CLOSED), NONE, S.ACCEPTED, "closed_after_rejection"),
    Case(S.REJECTED, look(O.DISPUTE), NONE, S.DISPUTE_FLAGGED, "dispute_seen"),
    Case(S.REJECTED, look(O.AWAITING_SHIPMENT), WINDOW_CLOSING, S.DISPUTE_FLAGGED, CLOSING),
    Case(S.REJECTED, look(O.AWAITING_SHIPMENT), WINDOW_FAR, None),
    # accepted
    Case(S.ACCEPTED, look(O.CLOSED, "Refund in progress"), NONE, S.REFUND_PENDING, "refund_started"),
    Case(S.ACCEPTED, look(O.CLOSED, refund="Refunded"), NONE, S.REFUND_PENDING, "refund_started"),
    Case(S.ACCEPTED, look(O.CLOSED), REFUND_AHEAD, None),
    Case(S.ACCEPTED, look(O.CLOSED), REFUND_PAST, S.DISPUTE_FLAGGED, OVERDUE),
    Case(S.ACCEPTED, look(O.AWAITING_DELIVERY), NONE, S.SHIPPED_ANYWAY, "shipped_anyway"),
    Case(S.ACCEPTED, look(O.DISPUTE), NONE, S.DISPUTE_FLAGGED, "dispute_seen"),
    Case(S.ACCEPTED, look(O.CLOSED), WINDOW_CLOSING, S.DISPUTE_FLAGGED, CLOSING),
    # shipped anyway
    Case(S.SHIPPED_ANYWAY, look(O.AWAITING_DELIVERY), NONE, None),
    Case(S.SHIPPED_ANYWAY, look(O.AWAITING_DELIVERY), WINDOW_FAR, None),
    Case(S.SHIPPED_ANYWAY, look(O.COMPLETED), WINDOW_CLOSING, S.DISPUTE_FLAGGED, CLOSING),
    Case(S.SHIPPED_ANYWAY, look(O.COMPLETED), WINDOW_SHUT, None),  # too late to warn
    Case(S.SHIPPED_ANYWAY, look(O.DISPUTE), NONE, S.DISPUTE_FLAGGED, "dispute_seen"),
    Case(S.SHIPPED_ANYWAY, look(O.CLOSED, "Refund in progress"), NONE, S.REFUND_PENDING, "refund_started"),
    # refund pending
    Case(S.REFUND_PENDING, look(O.CLOSED, "Refund in progress"), REFUND_AHEAD, None),
    Case(S.REFUND_PENDING, look(O.CLOSED, refund="Refunded"), NONE, S.REFUNDED, "refunded"),
    Case(S.REFUND_PENDING, look(O.CLOSED, refund="Reembolsado"), NONE, S.REFUNDED, "refunded"),
    Case(S.REFUND_PENDING, look(O.CLOSED, refund="Refunded"), REFUND_PAST, S.REFUNDED, "refunded"),
    Case(S.REFUND_PENDING, look(O.CLOSED, "Refund in progress"), REFUND_PAST, S.DISPUTE_FLAGGED, OVERDUE),
    Case(S.REFUND_PENDING, look(O.CLOSED, "Refund in progress"), WINDOW_CLOSING, S.DISPUTE_FLAGGED, CLOSING),
    Case(S.REFUND_PENDING, look(O.DISPUTE), NONE, S.DISPUTE_FLAGGED, "dispute_seen"),
    # disputes
    Case(S.DISPUTE_FLAGGED, look(O.CLOSED, "Refund in progress"), ALL_PAST, None),  # flagged once only
    Case(S.DISPUTE_FLAGGED, look(O.DISPUTE), NONE, S.DISPUTE_OPENED, OPENED),
    Case(S.DISPUTE_FLAGGED, look(O.COMPLETED, dispute="Dispute opened"), NONE, S.DISPUTE_OPENED, OPENED),
    Case(S.DISPUTE_FLAGGED, look(O.CLOSED, refund="Refunded"), NONE, S.REFUNDED, "refunded"),
    Case(S.DISPUTE_OPENED, look(O.DISPUTE, dispute="Dispute opened"), NONE, None),
    Case(S.DISPUTE_OPENED, look(O.CLOSED, dispute="Dispute closed"), NONE, S.DISPUTE_RESOLVED, RESOLVED),
    Case(S.DISPUTE_OPENED, look(O.DISPUTE, dispute="Disputa encerrada"), NONE, S.DISPUTE_RESOLVED, RESOLVED),
    Case(S.DISPUTE_OPENED, look(O.CLOSED, refund="Refunded"), NONE, S.DISPUTE_RESOLVED, RESOLVED),
    # only a person (or a fresh submission) moves these
    Case(S.REFUNDED, look(O.DISPUTE), ALL_PAST, None),
    Case(S.DISPUTE_RESOLVED, look(O.AWAITING_SHIPMENT), ALL_PAST, None),
    Case(S.NEEDS_HUMAN, look(O.CLOSED, refund="Refunded"), ALL_PAST, None),
    Case(S.FAILED, look(O.CANCELLATION_REQUESTED), ALL_PAST, None),
    Case(S.FAILED, look(O.UNKNOWN), NONE, None),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[f"{c.current}|{c.obs.status}|{i}" for i, c in enumerate(CASES)])
def test_next_state(case: Case) -> None:
    step = next_state(case.current, case.obs, case.deadlines, NOW, TEXTS)
    if case.to is None:
        assert step is None
        return
    assert step is not None
    assert (step.state_from, step.state_to, step.code) == (case.current, case.to, case.code)
    assert step.reason and step.at == NOW and can_move(step.state_from, step.state_to)


RULED = [s for s in S if s not in TERMINAL | {S.NEEDS_HUMAN, S.FAILED}]


@pytest.mark.parametrize("current", RULED)
def test_unknown_status_wording_needs_a_human(current: RequestState) -> None:
    obs = Observation(status=O.UNKNOWN, status_text="Aguardando algo novo", observed_at=NOW)
    step = next_state(current, obs, NONE, NOW, TEXTS)
    assert step is not None and (step.state_to, step.code) == (S.NEEDS_HUMAN, "unknown_status")
    assert "Aguardando algo novo" in step.reason


def test_every_automatic_edge_is_exercised() -> None:
    # Edges out of needs_human and failed are a person's (or a new submission's) doing, and voiding an
    # unanswered submission (submitting → failed) is the journal's (agent.journal); all others must be
    # produced by some next_state case above, or the rule tables and ALLOWED have drifted.
    produced = {(c.current, c.to) for c in CASES if c.to is not None}
    produced |= {(s, S.NEEDS_HUMAN) for s in RULED}
    automatic = {(a, b) for a, b in ALL_EDGES if a not in {S.NEEDS_HUMAN, S.FAILED}}
    automatic -= {(S.SUBMITTING, S.FAILED)}
    assert automatic - produced == set()


def test_texts_are_optional_and_only_status_counts_without_them() -> None:
    assert next_state(S.ACCEPTED, look(O.CLOSED, "Refund in progress"), NONE, NOW) is None
    assert next_state(S.REQUESTED, look(O.CLOSED), NONE, NOW) is not None


def test_text_matching_ignores_case_and_spacing() -> None:
    step = next_state(S.REFUND_PENDING, look(O.CLOSED, refund="  REFUNDED\n to your card"), NONE, NOW, TEXTS)
    assert step is not None and step.state_to is S.REFUNDED


def test_grace_is_configurable() -> None:
    tight = Deadlines(seller=NOW - dt.timedelta(minutes=10), stall_grace=dt.timedelta(0))
    step = next_state(S.REQUESTED, look(O.CANCELLATION_REQUESTED), tight, NOW, TEXTS)
    assert step is not None and step.state_to is S.STALLED


# ---------------------------------------------------------------- advance: several steps from one look


@pytest.mark.parametrize(
    ("current", "obs", "path"),
    [
        (S.REQUESTED, look(O.CLOSED, refund="Refunded"), [S.ACCEPTED, S.REFUND_PENDING, S.REFUNDED]),
        (S.SUBMITTING, look(O.CLOSED, "Refund in progress"), [S.CANCELLED, S.REFUND_PENDING]),
        (S.REQUESTED, look(O.DISPUTE), [S.DISPUTE_FLAGGED, S.DISPUTE_OPENED]),
        (S.REQUESTED, look(O.AWAITING_SHIPMENT), [S.REJECTED]),
        (S.STALLED, look(O.CLOSED, "Refund in progress"), [S.ACCEPTED, S.REFUND_PENDING]),
        (S.REQUESTED, look(O.CANCELLATION_REQUESTED), []),
        (S.REFUNDED, look(O.CLOSED, refund="Refunded"), []),
    ],
)
def test_advance(current: RequestState, obs: Observation, path: list[RequestState]) -> None:
    steps = advance(current, obs, NONE, NOW, TEXTS)
    assert [s.state_to for s in steps] == path
    froms = [current, *path][: len(path)]
    assert [s.state_from for s in steps] == froms
    assert all(can_move(s.state_from, s.state_to) for s in steps)


def test_advance_flags_an_overdue_refund_once() -> None:
    steps = advance(S.ACCEPTED, look(O.CLOSED, "Refund in progress"), REFUND_PAST, NOW, TEXTS)
    assert [(s.state_to, s.code) for s in steps] == [
        (S.REFUND_PENDING, "refund_started"),
        (S.DISPUTE_FLAGGED, "refund_overdue"),
    ]


def test_models_are_plain_data() -> None:
    step = next_state(S.REQUESTED, look(O.CLOSED), NONE, NOW, TEXTS)
    assert step is not None
    assert step.model_dump(mode="json")["state_to"] == "accepted"
    assert Observation.model_validate(look(O.CLOSED).model_dump()) == look(O.CLOSED)
