"""`buyer-agent resolve`: a person answers a request that needs a human, with what they saw on the site —
a guarded move out of `needs_human` only, recorded as theirs, deadlines set for what is watched next."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from agent.cli import cli
from agent.models import RequestState
from agent.store import Store

OID = "8212345678901234"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["resolve", *args])
    return result.exit_code, result.output


def test_a_person_tells_the_agent_the_request_is_on_the_site(in_tmp: Path) -> None:
    with Store.open(in_tmp / "buyer-agent.db") as store:
        store.begin_submission(OID, "changed_mind", "I don't want it anymore")
        store.transition(OID, RequestState.NEEDS_HUMAN, expected=RequestState.SUBMITTING)
    code, out = run(OID, "requested")
    assert (code, out.strip()) == (0, f"order {OID}: requested (as you saw it on the site)")
    with Store.open(in_tmp / "buyer-agent.db") as store:
        request = store.get_request(OID)
        event = [e for e in store.events_for(OID) if e.kind == "request_state"][-1]
    assert request is not None and request.state is RequestState.REQUESTED
    assert request.seller_deadline is not None and request.dispute_deadline is not None  # watched again
    assert event.detail["by"] == "person" and event.state_from == "needs_human"


def test_only_a_request_that_needs_a_human_can_be_resolved(in_tmp: Path) -> None:
    with Store.open(in_tmp / "buyer-agent.db") as store:
        store.begin_submission(OID, "changed_mind", "I don't want it anymore")
    code, out = run(OID, "not-submitted")
    assert code == 2 and "does not need a human (it is submitting)" in out and "Traceback" not in out
    with Store.open(in_tmp / "buyer-agent.db") as store:
        assert store.get_request(OID).state is RequestState.SUBMITTING  # type: ignore[union-attr]
    code, out = run(OID, "maybe")
    assert code == 2
