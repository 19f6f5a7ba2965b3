"""The escalation ladder (agent.escalation) over a real SQLite journal: seller, then support, then the
dispute flag, each contact with the hours between the two policy values to answer; settled levels are
never due again; the sweep's flag waits for the ladder; the report names the next rung; the policy and
the `message` command refuse bad input with one line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from agent import journal
from agent.cli import cli
from agent.config import Config, PolicyConfig
from agent.escalation import (
    ACTIONS,
    SENT,
    UNAVAILABLE,
    Ladder,
    Level,
    due_now,
    ladder_of,
    next_of,
    settled_levels,
)
from agent.models import CancelRequest, RequestState
from agent.store import Store
from jobs.lifecycle import Observation
from jobs.report import escalation_step
from jobs.scheduler import escalation_moments, plan_rechecks
from jobs.watch import deadlines_of, decide
from tests.store_helpers import Clock, move

S = RequestState
OID = "8212345678901234"
T0 = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)
POL = PolicyConfig(auto_escalate=True, escalate_seller_after_hours=12, escalate_support_after_hours=36)




@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[Store]:
    with Store.open(tmp_path / "agent.db", clock=clock) as opened:
        move(opened, OID, S.REQUESTED)
        clock.at(50)
        move(opened, OID, S.STALLED, detail={"code": "seller_silent"})  # the ladder counts from here: T0+50
        yield opened


def _ladder(store: Store) -> tuple[CancelRequest, Ladder]:
    request = store.get_request(OID)
    assert request is not None
    return request, ladder_of(request, store.events_for(OID))


def _send(store: Store, level: Level) -> None:
    """What agent.flows.escalate journals for a message the conversation showed."""
    assert store.begin_attempt(OID, ACTIONS[level], None, level=level, text="hello")
    store.add_event(SENT, order_id=OID, detail={"level": level})
    store.close_attempt(OID, ACTIONS[level], None, outcome="sent")


def test_the_ladder_seller_then_support_then_dispute(store: Store, clock: Clock) -> None:
    request, ladder = _ladder(store)
    assert ladder.since == T0 + dt.timedelta(hours=50) and ladder.settled == {}
    assert due_now(ladder, request.state, clock.at(61.9), POL) is None
    rung = due_now(ladder, request.state, clock.at(62), POL)
    assert rung is not None and (rung.step, rung.due) == ("seller", T0 + dt.timedelta(hours=62))

    clock.at(70)  # the seller messaged 8 h late: support still waits the seller's full 24 h to answer
    _send(store, "seller")
    request, ladder = _ladder(store)
    assert next_of(ladder, POL) is not None
    assert next_of(ladder, POL).step == "support"  # type: ignore[union-attr]
    assert next_of(ladder, POL).due == T0 + dt.timedelta(hours=94)  # type: ignore[union-attr]
    assert due_now(ladder, request.state, clock.at(93), POL) is None

    clock.at(94)
    _send(store, "support")
    request, ladder = _ladder(store)
    rung = due_now(ladder, request.state, clock.at(118), POL)
    assert rung is not None and rung.step == "dispute"
    assert due_now(ladder, S.DISPUTE_FLAGGED, clock.now, POL) is None  # only stalled/rejected climb


def test_a_level_handed_to_a_person_or_not_offered_is_passed(store: Store, clock: Clock) -> None:
    assert store.begin_attempt(OID, "message_seller", None, level="seller", text="hello")
    clock.at(70)
    store.close_attempt(OID, "message_seller", None, outcome="needs_human")
    assert settled_levels(store.events_for(OID)) == {"seller": T0 + dt.timedelta(hours=70)}
    store.add_event(UNAVAILABLE, order_id=OID, detail={"level": "support"})
    request, ladder = _ladder(store)
    assert ladder.skipped == {"support": T0 + dt.timedelta(hours=70)}
    assert next_of(ladder, POL).step == "dispute"  # type: ignore[union-attr]
    voided = [e for e in store.events_for(OID) if e.kind == journal.CLOSED]
    assert [e.detail["outcome"] for e in voided] == ["needs_human"]


def test_the_sweep_holds_the_flag_until_the_ladder_is_done(store: Store, clock: Clock) -> None:
    request, _ = _ladder(store)
    obs = Observation(status="cancellation_requested", status_text="Awaiting Cancellation", observed_at=T0)
    deadlines = deadlines_of(request, POL)
    held = decide(request, obs, deadlines, clock.now, hold=frozenset({S.STALLED, S.REJECTED}))
    assert held == []
    [flag] = decide(request, obs, deadlines, clock.now)
    assert (flag.state_to, flag.code) == (S.DISPUTE_FLAGGED, "stalled")


def test_the_report_names_the_next_rung(store: Store, clock: Clock) -> None:
    _, ladder = _ladder(store)
    off = POL.model_copy(update={"auto_escalate": False})
    assert escalation_step(OID, ladder, clock.at(51), off) == (
        f"message the seller from 2026-07-04 02:00: buyer-agent message {OID} --to seller"
    )
    _send(store, "seller")
    _, ladder = _ladder(store)
    assert escalation_step(OID, ladder, clock.at(200), POL) == (
        f"the seller was messaged; next, customer service: buyer-agent message {OID} --to support "
        "(the sweep does it: policy.auto_escalate)"
    )


def test_support_must_come_after_the_seller() -> None:
    with pytest.raises(ValidationError, match="must be more than escalate_seller_after_hours"):
        PolicyConfig(escalate_seller_after_hours=48, escalate_support_after_hours=48)


@pytest.mark.parametrize(
    ("args", "shown"),
    [([OID], "Missing option '--to'"), (["12ab", "--to", "seller"], "order id"),
     ([OID, "--to", "boss"], "Invalid value for '--to'")],
)  # fmt: skip
def test_the_message_command_refuses_bad_input(in_tmp: Path, args: list[str], shown: str) -> None:
    result = CliRunner().invoke(cli, ["message", *args])
    assert result.exit_code == 2 and shown in result.output and "Traceback" not in result.output


def test_the_scheduler_plans_a_recheck_when_the_next_rung_falls_due(
    store: Store, clock: Clock, tmp_path: Path
) -> None:
    config = Config.model_validate(
        {"policy": POL.model_dump(mode="json"), "storage": {"database": str(tmp_path / "agent.db")}}
    )
    moments = escalation_moments(store, config)
    assert moments == {OID: T0 + dt.timedelta(hours=62)}
    planned = plan_rechecks(store.requests(), config.schedule, clock.at(51), clock.now, moments)
    assert [(r.kind, r.run_at) for r in planned if r.kind == "escalation"] == [("escalation", moments[OID])]
    off = config.model_copy(update={"policy": POL.model_copy(update={"auto_escalate": False})})
    assert plan_rechecks(store.requests(), off.schedule, clock.now, clock.now) == [
        r for r in planned if r.kind != "escalation"
    ]
