"""`buyer-agent message ORDER_ID --to seller|support`: escalate before a dispute (agent.flows.escalate)."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

from agent.cli import App, cli, command
from agent.commands.orders import _order_ids, _runtime

if TYPE_CHECKING:
    from agent.escalation import Level

# Like `dispute` (agent.commands.jobs.DISPUTE_EXIT): 0 done or nothing to do, 1 not done, 3 ask a person.
MESSAGE_EXIT = {"sent": 0, "already_sent": 0, "dry_run": 0, "unavailable": 1, "not_escalable": 1, "failed": 1,
                "pending": 1, "needs_human": 3}  # fmt: skip


@command(cli)
@click.argument("order_id")
@click.option(
    "--to",
    "to",
    type=click.Choice(["seller", "support"]),
    required=True,
    help="The seller (the order's Contact seller page) or customer service (the support form).",
)
@click.option("--dry-run", is_flag=True, help="Write the message into the page, then stop before sending.")
@click.option("--wait", is_flag=True, help="If a sweep is running, wait for it instead of exiting.")
@click.option("--json", "as_json", is_flag=True)
def message(app: App, order_id: str, to: str, dry_run: bool, wait: bool, as_json: bool) -> None:
    """Message the seller or customer service about a request, once per order and level, from its timeline."""
    from agent.flows.escalate import send_message
    from jobs.lock import sweep_lock

    (oid,) = _order_ids((order_id,))
    level: Level = "seller" if to == "seller" else "support"
    with sweep_lock(app.config.storage.database, "message", wait=wait), _runtime(app, "message") as rt:
        result = send_message(rt, oid, level, dry_run=dry_run)
    if as_json:
        click.echo(json.dumps(result.model_dump(mode="json"), indent=2, ensure_ascii=False))
    else:
        click.echo(f"order {oid}: message to the {to}: {result.outcome} — {result.message}")
        if result.text and result.outcome in ("dry_run", "sent"):
            click.echo(result.text)
    sys.exit(MESSAGE_EXIT[result.outcome])
