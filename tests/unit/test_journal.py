"""The exactly-once rule shared by cancel and dispute (agent.journal): what the order's status can prove,
what the journal says about an open attempt, and whether the run that began it is still alive."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest

from agent import journal, processes
from agent.journal import Attempt, Unanswered
from agent.models import Event, Run
from agent.models import OrderStatus as O
from agent.policy import Submission, submission_outcome
from agent.store import Store

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
CANCELLABLE = ["awaiting_payment", "payment_verifying", "awaiting_shipment"]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (O.CLOSED, Submission.CANCELLED),
        (O.CANCELLATION_REQUESTED, Submission.REQUESTED),
        # Untouched proves nothing: a slow site may not show the request yet. The journal decides.
        (O.AWAITING_SHIPMENT, Submission.UNANSWERED),
        (O.AWAITING_PAYMENT, Submission.UNANSWERED),
        (O.PAYMENT_VERIFYING, Submission.UNANSWERED),
        # Anything else is a surprise a person must look at, never a reason to click again.
        (O.AWAITING_DELIVERY, Submission.UNEXPECTED),
        (O.COMPLETED, Submission.UNEXPECTED),
        (O.DISPUTE, Submission.UNEXPECTED),
        (O.UNKNOWN, Submission.UNEXPECTED),
    ],
)
def test_what_the_status_alone_can_prove(status: O, expected: Submission) -> None:
    assert submission_outcome(status, CANCELLABLE) == expected


def test_only_configured_statuses_count_as_untouched() -> None:
    assert submission_outcome(O.AWAITING_SHIPMENT, ["awaiting_payment"]) == Submission.UNEXPECTED


# ---------------------------------------------------------------- the journal's events


def ev(i: int, kind: str, minutes: int = 0, run: int | None = 1, **detail: object) -> Event:
    return Event(id=i, at=NOW + dt.timedelta(minutes=minutes), kind=kind, order_id="8212345678901234",
                 run_id=run, detail={"action": "cancel", **detail})  # fmt: skip


def test_no_begun_event_no_attempt() -> None:
    assert journal.open_attempt([ev(1, "observed")], "cancel") is None


def test_begun_then_nothing_sent_is_an_attempt_with_no_live_request() -> None:
    attempt = journal.open_attempt([ev(1, journal.BEGUN)], "cancel")
    assert attempt is not None and not attempt.live and attempt.begun_at == NOW and attempt.run_id == 1


def test_a_sent_request_is_live_until_the_site_definitely_refuses_it() -> None:
    sent = [ev(1, journal.BEGUN), ev(2, journal.SENT, 1)]
    assert journal.open_attempt(sent, "cancel").live_since == NOW + dt.timedelta(minutes=1)  # type: ignore[union-attr]
    accepted = [*sent, ev(3, journal.ANSWERED, 2, refused=False)]
    assert journal.open_attempt(accepted, "cancel").live  # type: ignore[union-attr]
    refused = [*sent, ev(3, journal.ANSWERED, 2, refused=True)]
    assert not journal.open_attempt(refused, "cancel").live  # type: ignore[union-attr]
    again = [*refused, ev(4, journal.SENT, 3)]  # the page sent again after the refusal
    assert journal.open_attempt(again, "cancel").live  # type: ignore[union-attr]


def test_a_closed_attempt_is_not_open_and_actions_do_not_mix() -> None:
    events = [ev(1, journal.BEGUN), ev(2, journal.SENT), ev(3, journal.CLOSED)]
    assert journal.open_attempt(events, "cancel") is None
    dispute = [ev(4, journal.BEGUN, action="dispute")]
    assert journal.open_attempt(events + dispute, "cancel") is None
    assert journal.open_attempt(events + dispute, "dispute") is not None


def test_dispute_journals_of_the_first_version_are_read_too() -> None:
    legacy = [Event(id=1, at=NOW, kind="dispute_submitting", order_id="1" * 16, run_id=4)]
    assert journal.open_attempt(legacy, "dispute") is not None
    voided = [*legacy, Event(id=2, at=NOW, kind="dispute_not_submitted", order_id="1" * 16)]
    assert journal.open_attempt(voided, "dispute") is None


# ---------------------------------------------------------------- the rule


def attempt(live: bool) -> Attempt:
    return Attempt(action="cancel", order_id="1" * 16, begun_event=1, begun_at=NOW, run_id=1,
                   live_since=NOW if live else None)  # fmt: skip


@pytest.mark.parametrize(
    ("live", "alive", "hours_later", "expected"),
    [
        (False, False, 0, Unanswered.RETRY),  # nothing left the browser and its run is over
        (False, False, 100, Unanswered.RETRY),
        (False, True, 0, Unanswered.PENDING),  # another run may be clicking right now
        (True, False, 0, Unanswered.PENDING),  # a request left: never again on a guess
        (True, False, 23.9, Unanswered.PENDING),
        (True, False, 24.1, Unanswered.ASK_HUMAN),  # the site stayed silent too long: a person decides
        (False, True, 24.1, Unanswered.ASK_HUMAN),
    ],
)
def test_unanswered(live: bool, alive: bool, hours_later: float, expected: Unanswered) -> None:
    now = NOW + dt.timedelta(hours=hours_later)
    assert journal.unanswered(attempt(live), alive, now, limit_hours=24) is expected


# ---------------------------------------------------------------- is the run alive? (real processes)


def run(**fields: object) -> Run:
    base: dict[str, object] = {"id": 7, "command": "cancel", "started_at": NOW}
    return Run.model_validate(base | fields)


def test_a_running_process_is_alive_and_an_exited_one_is_not() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        identity = processes.identity(child.pid)
        assert journal.run_alive(run(pid=child.pid, host=processes.host(), process=identity))
    finally:
        child.communicate(b"")
    assert not journal.run_alive(run(pid=child.pid, host=processes.host(), process=identity))


def test_a_reused_pid_is_not_the_run() -> None:
    me = run(pid=os.getpid(), host=processes.host(), process="another-boot:123")
    assert not journal.run_alive(me)


def test_an_ended_run_the_current_run_and_an_unknown_run_are_not_another_live_run() -> None:
    mine = processes.identity(os.getpid())
    assert not journal.run_alive(run(pid=os.getpid(), process=mine, ended_at=NOW))
    assert not journal.run_alive(run(pid=os.getpid(), process=mine), current_run_id=7)
    assert not journal.run_alive(None)
    assert journal.run_alive(run(pid=os.getpid(), process=mine, host=processes.host()))


def test_a_run_on_another_host_cannot_be_checked_so_it_counts_as_alive() -> None:
    assert journal.run_alive(run(pid=1, host="another-machine"))


def test_store_records_the_run_identity_and_judges_with_it(tmp_path) -> None:
    with Store.open(tmp_path / "a.db", clock=lambda: NOW) as store:
        run_id = store.start_run("cancel")
        assert store.begin_attempt("8212345678901234", "dispute", run_id)
        assert not store.begin_attempt("8212345678901234", "dispute", run_id)  # one open attempt at a time
        found = store.open_attempt("8212345678901234", "dispute")
        assert found is not None
        stored = store.get_run(run_id)
        assert stored is not None and stored.host == processes.host() and stored.process
        # This process is alive: for another run's eyes the attempt may be mid-click.
        assert journal.judge(store, found, NOW, current_run_id=None, limit_hours=24) is Unanswered.PENDING
        assert journal.judge(store, found, NOW, current_run_id=run_id, limit_hours=24) is Unanswered.RETRY
        store.end_run(run_id, "failed")
        assert journal.judge(store, found, NOW, current_run_id=None, limit_hours=24) is Unanswered.RETRY
