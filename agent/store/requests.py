"""The cancellation requests and the submission journal: the part of the store every state change goes
through (a compare-and-set through agent.transitions). Mixed into `Store` (agent.store.core), whose
connection, transactions and audit log it uses."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlite_utils

from agent import journal
from agent.errors import AlreadyRequested, IllegalTransition, StateConflict
from agent.models import CancelRequest, Event, RequestState
from agent.transitions import can_move

__all__ = ["FINAL_STATES", "REQUEST_FIELDS", "RequestTable", "to_iso"]

# `cancelled` is not final: an instant cancel of a paid order is watched until the refund lands.
FINAL_STATES = frozenset({RequestState.REFUNDED, RequestState.DISPUTE_RESOLVED, RequestState.FAILED})
REQUEST_FIELDS = frozenset(
    {
        "reason_key",
        "reason_text",
        "requested_at",
        "submitted_at",
        "seller_deadline",
        "dispute_deadline",
        "refund_due",
        "flagged_reason",
    }
)


def to_iso(value: Any) -> Any:
    """Datetimes as ISO-8601 UTC (naive ones are taken as UTC), dates as ISO dates, the rest unchanged."""
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(dt.UTC).isoformat(timespec="milliseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _present(row: dict[str, Any]) -> dict[str, Any]:
    """Drop NULL columns so the model's defaults apply."""
    return {k: v for k, v in row.items() if v is not None}


class RequestTable:
    """Requests and the journal; the host class (Store) provides the connection and the audit log."""

    db: sqlite_utils.Database

    if TYPE_CHECKING:  # provided by the host class, agent.store.core.Store

        def transaction(self) -> contextlib.AbstractContextManager[None]: ...
        def now(self) -> str: ...
        def events_for(self, order_id: str) -> list[Event]: ...
        def _append_event(self, kind: str, **columns: Any) -> int: ...
        def _first(self, table: str, column: str, value: object) -> dict[str, Any] | None: ...
        def check_owner(self, order_id: str) -> None: ...
        def _mine(self, where: str = "", params: list[Any] | None = None) -> tuple[str, list[Any]]: ...
        def _stamp(self, row: dict[str, Any]) -> dict[str, Any]: ...

    account: str

    # ------------------------------------------------------------ cancellation requests

    def get_request(self, order_id: str) -> CancelRequest | None:
        row = self._request_row(order_id)
        return CancelRequest.model_validate(_present(row)) if row else None

    def begin_submission(
        self, order_id: str, reason_key: str, reason_text: str, run_id: int | None = None
    ) -> CancelRequest:
        """Journal `submitting` (and `submission_begun`) right before the irreversible click — committed
        when this returns. A compare-and-set from "no request" or `failed`: raises AlreadyRequested for any
        other state, so two processes (or a rerun while a click is unanswered) can never both submit."""
        with self.transaction():
            self.check_owner(order_id)
            row = self._request_row(order_id)
            found = RequestState(row["state"]) if row else None
            if found not in (None, RequestState.FAILED):
                raise AlreadyRequested(order_id, str(found))
            now = self.now()
            fresh = dict(order_id=order_id, state=RequestState.SUBMITTING.value, reason_key=reason_key,
                         reason_text=reason_text, requested_at=now, updated_at=now,
                         run_id=run_id)  # fmt: skip
            self.db.table("cancel_requests").insert(
                self._stamp(fresh), replace=True
            )  # a failed attempt starts over
            detail = {"reason_key": reason_key, "reason_text": reason_text}
            self._append_event("request_state", order_id=order_id, run_id=run_id, state_from=found,
                               state_to=RequestState.SUBMITTING.value, detail=detail)  # fmt: skip
            self._append_event(journal.BEGUN, order_id=order_id, run_id=run_id, detail={"action": "cancel"})
        return self._request(order_id)

    def transition(
        self,
        order_id: str,
        to: RequestState,
        *,
        expected: RequestState | None,
        run_id: int | None = None,
        detail: dict[str, Any] | None = None,
        evidence: list[str] | list[Path] | None = None,
        **fields: Any,
    ) -> CancelRequest:
        """Move a request from `expected` (None: the order has none yet) to `to`, updating `fields`: a
        compare-and-set through agent.transitions, with a `request_state` event carrying the changed fields,
        `detail` and `evidence`. Leaving `submitting` closes the cancel submission's journal.

        Raises IllegalTransition for a move the table forbids, and StateConflict when the request is no
        longer in `expected` (another run moved it): that lost race is recorded as a `transition_lost`
        event and nothing is overwritten."""
        to = RequestState(to)
        expected = RequestState(expected) if expected is not None else None
        if not can_move(expected, to):
            raise IllegalTransition(order_id, expected, to)
        changed = self._checked_fields(fields)
        values = self._stamp({**changed, "state": to.value, "updated_at": self.now()})
        if run_id is not None:  # keep the last run that touched it
            values["run_id"] = run_id
        with self.transaction():
            self.check_owner(order_id)
            found = self._state(order_id)
            if found == expected:
                self.db.table("cancel_requests").upsert({"order_id": order_id, **values}, pk="order_id")
                self._append_event("request_state", order_id=order_id, run_id=run_id,
                                   state_from=expected.value if expected else None, state_to=to.value,
                                   detail={**changed, **(detail or {})}, evidence=evidence)  # fmt: skip
                if expected is RequestState.SUBMITTING:
                    close = {"action": "cancel", "outcome": to.value}
                    self._append_event(journal.CLOSED, order_id=order_id, run_id=run_id, detail=close)
            else:
                lost = {"expected": expected.value if expected else None, "wanted": to.value,
                        "found": found.value if found else None}  # fmt: skip
                self._append_event("transition_lost", order_id=order_id, run_id=run_id, detail=lost)
        if found != expected:  # raised after the commit: the lost race stays on record
            raise StateConflict(order_id, expected, found, to)
        return self._request(order_id)

    def amend(
        self, order_id: str, expected: RequestState, run_id: int | None = None, **fields: Any
    ) -> CancelRequest:
        """Fill in fields (deadlines…) of a request still in `expected`, without a state change; recorded
        as a `request_fields` event. StateConflict (recorded) when the state moved meanwhile."""
        changed = self._checked_fields(fields)
        with self.transaction():
            found = self._state(order_id)
            if found is expected:
                self.db.table("cancel_requests").update(order_id, {**changed, "updated_at": self.now()})
                self._append_event("request_fields", order_id=order_id, run_id=run_id, detail=changed)
            else:
                shown = found.value if found else None
                lost = {"expected": expected.value, "wanted": "amend", "found": shown}
                self._append_event("transition_lost", order_id=order_id, run_id=run_id, detail=lost)
        if found is not expected:
            raise StateConflict(order_id, expected, found, expected)
        return self._request(order_id)

    def insert_request(
        self, order_id: str, state: RequestState, run_id: int | None = None, **fields: Any
    ) -> CancelRequest:
        """A request in any state for an order that has none (imports, tests, benchmarks): never
        overwrites — AlreadyRequested when the order already has one."""
        state = RequestState(state)
        values = {**self._checked_fields(fields), "order_id": order_id, "state": state.value,
                  "updated_at": self.now(), "run_id": run_id}  # fmt: skip
        with self.transaction():
            self.check_owner(order_id)
            found = self._state(order_id)
            if found is not None:
                raise AlreadyRequested(order_id, found.value)
            self.db.table("cancel_requests").insert(self._stamp(values))
            self._append_event("request_state", order_id=order_id, run_id=run_id, state_to=state.value,
                               detail={"inserted": True, **values})  # fmt: skip
        return self._request(order_id)

    def requests(self, states: set[RequestState] | None = None) -> list[CancelRequest]:
        """All requests (or those in `states`), oldest first."""
        rows = self.db.table("cancel_requests").rows_where(*self._mine(), order_by="requested_at, order_id")
        found = [CancelRequest.model_validate(_present(r)) for r in rows]
        return [r for r in found if states is None or r.state in states]

    def open_requests(self) -> list[CancelRequest]:
        """Requests still worth watching: every state except FINAL_STATES."""
        return [r for r in self.requests() if r.state not in FINAL_STATES]

    def _checked_fields(self, fields: dict[str, Any]) -> dict[str, Any]:
        unknown = set(fields) - REQUEST_FIELDS
        if unknown:
            raise TypeError(f"unknown request field(s): {', '.join(sorted(unknown))}")
        return {k: to_iso(v) for k, v in fields.items()}

    def _state(self, order_id: str) -> RequestState | None:
        row = self._request_row(order_id)
        return RequestState(row["state"]) if row else None

    def _request(self, order_id: str) -> CancelRequest:
        request = self.get_request(order_id)
        assert request is not None, f"request {order_id} vanished"
        return request

    def _request_row(self, order_id: str) -> dict[str, Any] | None:
        return self._first("cancel_requests", "order_id", order_id)

    # ------------------------------------------------------------ the submission journal (agent.journal)

    def open_attempt(self, order_id: str, action: str) -> journal.Attempt | None:
        """The open submission of `action` for the order (see agent.journal), or None."""
        return journal.open_attempt(self.events_for(order_id), action)

    def begin_attempt(self, order_id: str, action: str, run_id: int | None = None, **detail: Any) -> bool:
        """Journal `submission_begun` unless an attempt of `action` is open — the check and the write in
        one write transaction, so two processes can never both pass. True when this run may submit."""
        with self.transaction():
            if self.open_attempt(order_id, action) is not None:
                return False
            self._append_event(journal.BEGUN, order_id=order_id, run_id=run_id,
                               detail={**detail, "action": action})  # fmt: skip
        return True

    def close_attempt(self, order_id: str, action: str, run_id: int | None = None, **detail: Any) -> None:
        with self.transaction():
            self._append_event(journal.CLOSED, order_id=order_id, run_id=run_id,
                               detail={**detail, "action": action})  # fmt: skip
