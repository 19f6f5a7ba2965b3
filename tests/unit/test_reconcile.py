"""The crash-reconciliation rule: what the order's status says about a submission we may have made.
Only an order still in a cancellable status may be treated as "never submitted" (and so be retried)."""

from __future__ import annotations

import pytest

from agent.models import OrderStatus as S
from agent.policy import Submission, submission_outcome

CANCELLABLE = ["awaiting_payment", "payment_verifying", "awaiting_shipment"]


@pytest.mark.parametrize(
    ("status", "after_click", "expected"),
    [
        (S.CLOSED, True, Submission.CANCELLED),
        (S.CLOSED, False, Submission.CANCELLED),
        (S.CANCELLATION_REQUESTED, True, Submission.REQUESTED),
        (S.CANCELLATION_REQUESTED, False, Submission.REQUESTED),
        # Right after the click an unchanged status is "not yet": the request stays `submitting`.
        (S.AWAITING_SHIPMENT, True, Submission.NOT_YET),
        (S.AWAITING_PAYMENT, True, Submission.NOT_YET),
        (S.UNKNOWN, True, Submission.NOT_YET),
        # Reconciling after a crash: untouched cancellable orders were never submitted.
        (S.AWAITING_SHIPMENT, False, Submission.NOT_SUBMITTED),
        (S.AWAITING_PAYMENT, False, Submission.NOT_SUBMITTED),
        (S.PAYMENT_VERIFYING, False, Submission.NOT_SUBMITTED),
        # …anything else is a surprise a person must look at, never a reason to click again.
        (S.AWAITING_DELIVERY, False, Submission.UNEXPECTED),
        (S.COMPLETED, False, Submission.UNEXPECTED),
        (S.DISPUTE, False, Submission.UNEXPECTED),
        (S.UNKNOWN, False, Submission.UNEXPECTED),
    ],
)
def test_submission_outcome(status, after_click, expected):
    assert submission_outcome(status, after_click, CANCELLABLE) == expected


def test_only_configured_statuses_count_as_untouched():
    """A user who allows only unpaid orders: an awaiting-shipment order found after a crash is a surprise."""
    assert submission_outcome(S.AWAITING_SHIPMENT, False, ["awaiting_payment"]) == Submission.UNEXPECTED
