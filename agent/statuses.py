"""The domain's enums and fixed choices, in a module that imports nothing heavy: the CLI builds its
options from them when it registers its commands. agent.models (the enums) and agent.recording.manifest
(FLOWS) re-export them; import them from there elsewhere. Also the one fixed account name.
"""

from __future__ import annotations

from enum import StrEnum

DEFAULT_ACCOUNT = "default"  # the single [account] table's name, and a one-account setup's rows and files


class OrderStatus(StrEnum):
    """Canonical order statuses; the selector pack maps every locale's wording onto these."""

    AWAITING_PAYMENT = "awaiting_payment"
    PAYMENT_VERIFYING = "payment_verifying"
    AWAITING_SHIPMENT = "awaiting_shipment"
    CANCELLATION_REQUESTED = "cancellation_requested"
    AWAITING_DELIVERY = "awaiting_delivery"
    COMPLETED = "completed"
    CLOSED = "closed"
    DISPUTE = "dispute"
    UNKNOWN = "unknown"


class RequestState(StrEnum):
    """States of a cancellation request (one per order) in the store."""

    SUBMITTING = "submitting"  # journalled right before the irreversible click
    CANCELLED = "cancelled"  # instant cancel (unpaid / verifying)
    REQUESTED = "requested"  # waiting for the seller
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    STALLED = "stalled"
    SHIPPED_ANYWAY = "shipped_anyway"
    REFUND_PENDING = "refund_pending"
    REFUNDED = "refunded"
    DISPUTE_FLAGGED = "dispute_flagged"
    DISPUTE_OPENED = "dispute_opened"
    DISPUTE_RESOLVED = "dispute_resolved"
    NEEDS_HUMAN = "needs_human"
    FAILED = "failed"


class CancelOutcome(StrEnum):
    """What `buyer-agent cancel` reports per order."""

    CANCELLED = "cancelled"
    REQUESTED = "requested"
    ALREADY_REQUESTED = "already_requested"
    NOT_CANCELLABLE = "not_cancellable"
    DRY_RUN = "dry_run"
    SKIPPED = "skipped"  # the person said no at the confirmation prompt
    PENDING = "pending"  # a click is still unanswered: re-check later, never click again meanwhile
    NEEDS_HUMAN = "needs_human"  # a person must look at the order (see the message)
    FAILED = "failed"


# The flows `buyer-agent record` can record (agent.recording.manifest.Flow spells the same as a Literal).
FLOWS: tuple[str, ...] = ("orders", "cancel-dry-run", "sweep")
