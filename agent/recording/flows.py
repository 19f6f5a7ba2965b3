"""The flows a recording may run — all read-only: a cancel runs only as a dry run, hard-wired here — and
the stable parts of their results (what a replay must reproduce)."""

from __future__ import annotations

from typing import Any

from agent.flows.cancel import CancelResult, cancel_orders
from agent.flows.orders import list_orders
from agent.flows.read import read_detail
from agent.flows.runtime import Runtime
from agent.models import Order, OrderDetail, OrderStatus
from agent.recording.manifest import FlowParams, FlowResult

SWEEP_STATUSES = {OrderStatus.CANCELLATION_REQUESTED}
SWEEP_MAX_DETAILS = 3
DETAIL_FIELDS = {"order_id", "status", "status_text", "total", "items", "actions", "reminder", "is_deposit"}


def run_flow(rt: Runtime, params: FlowParams) -> tuple[FlowResult, FlowParams]:
    """Run the flow; returns its result and the parameters resolved on the way (the orders it chose)."""
    orders = list_orders(rt, status=params.status, search=params.search)
    result = FlowResult(orders=[order_json(o) for o in orders])
    if params.flow == "cancel-dry-run":
        ids = params.order_ids or _cancellable(rt, orders)[:1]
        params = params.model_copy(update={"order_ids": ids})
        found = cancel_orders(rt, ids, params.reason, dry_run=True, confirm=_never)  # never submits
        result.cancels = [cancel_json(r) for r in found]
    elif params.flow == "sweep":
        ids = (
            params.order_ids or [o.order_id for o in orders if o.status in SWEEP_STATUSES][:SWEEP_MAX_DETAILS]
        )
        params = params.model_copy(update={"order_ids": ids})
        result.details = [detail_json(read_detail(rt, order_id)) for order_id in ids]
    return result, params


def _cancellable(rt: Runtime, orders: list[Order]) -> list[str]:
    allowed = set(rt.config.policy.allowed_statuses)
    return [o.order_id for o in orders if o.status in allowed]


def _never(detail: OrderDetail, reason: str) -> bool:
    return False


def order_json(order: Order) -> dict[str, Any]:
    return order.model_dump(mode="json")


def cancel_json(result: CancelResult) -> dict[str, Any]:
    return result.model_dump(
        mode="json", include={"order_id", "outcome", "status_text", "reason_text", "message"}
    )


def detail_json(detail: OrderDetail) -> dict[str, Any]:
    return detail.model_dump(mode="json", include=DETAIL_FIELDS)
