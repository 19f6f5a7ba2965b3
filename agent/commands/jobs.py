"""Commands that watch outcomes: sweep, schedule, dispute, report, notify."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from agent.cli import App, cli, command
from agent.commands.orders import _order_ids, _runtime
from agent.errors import UsageError

DISPUTE_EXIT = {"opened": 0, "already_opened": 0, "dry_run": 0, "unavailable": 1, "not_flagged": 1,
                "failed": 1, "pending": 1, "needs_human": 3}  # fmt: skip


@command(cli)
@click.option("--json", "as_json", is_flag=True, help="Print this run's transitions as JSON.")
@click.option("--wait", is_flag=True, help="If another sweep is running, wait for it instead of exiting.")
def sweep(app: App, as_json: bool, wait: bool) -> None:
    """Re-check every watched request once: move states, flag disputes, notify."""
    from jobs.runner import run_sweep

    ask = (lambda prompt: click.prompt(prompt, hide_input=True)) if sys.stdin.isatty() else None
    result = run_sweep(app.config, "sweep", wait=wait, ask=ask)
    if as_json:
        click.echo(json.dumps([t.model_dump(mode="json") for t in result.transitions], indent=2))
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table("from", "to", "why")
        table.add_column("order id", no_wrap=True, min_width=19)
        for t in result.transitions:
            table.add_row(t.state_from.value, t.state_to.value, t.reason, t.order_id)
        Console().print(table)
        click.echo(f"{result.checked} request(s) checked, {len(result.transitions)} transition(s)")
    for order_id, error in result.errors.items():
        click.echo(f"error: order {order_id}: {error}", err=True)
    sys.exit(1 if result.errors else 0)


@command(cli)
def schedule(app: App) -> None:
    """Run the scheduler in the foreground: the sweep on schedule.sweep_cron, plus deadline re-checks."""
    from jobs.scheduler import run_forever

    run_forever(app.config)


@command(cli)
@click.argument("order_id")
@click.option("--dry-run", is_flag=True, help="Fill in the form, then stop before submitting.")
@click.option("--wait", is_flag=True, help="If a sweep is running, wait for it instead of exiting.")
@click.option("--json", "as_json", is_flag=True)
def dispute(app: App, order_id: str, dry_run: bool, wait: bool, as_json: bool) -> None:
    """Open a dispute for a flagged request (exactly once), with its timeline and screenshots."""
    from agent.flows.dispute import open_dispute
    from jobs.lock import sweep_lock

    (oid,) = _order_ids((order_id,))
    with sweep_lock(app.config.storage.database, "dispute", wait=wait), _runtime(app, "dispute") as rt:
        result = open_dispute(rt, oid, dry_run=dry_run)
    if as_json:
        click.echo(json.dumps(result.model_dump(mode="json"), indent=2, ensure_ascii=False))
    else:
        click.echo(f"order {oid}: {result.outcome} — {result.message}")
    sys.exit(DISPUTE_EXIT[result.outcome])


@command(cli)
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON.")
@click.option("--html", "html_path", metavar="PATH", help="Write one self-contained HTML page.")
def report(app: App, as_json: bool, html_path: str | None) -> None:
    """Every request: state, age, deadlines and what to do next."""
    from agent.store import utcnow
    from jobs.report import build_report, render_html, rows_json

    now = utcnow()
    with app.store() as store:
        rows = build_report(store, now, app.config.policy, timelines=bool(html_path))
    if html_path:
        target = Path(html_path)
        _write_report(target, render_html(rows, now, target))
        click.echo(f"report written to {target}", err=as_json)
    if as_json:
        click.echo(rows_json(rows))
        return
    if html_path:
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("state", "age (d)", "seller deadline", "refund due", "dispute deadline", "next step")
    table.add_column("order id", no_wrap=True, min_width=19)
    for r in rows:
        style = "bold red" if r.urgent else None
        table.add_row(
            r.state.value, "" if r.age_days is None else str(r.age_days), _day(r.seller_deadline),
            _day(r.refund_due), _day(r.dispute_deadline), r.next_step, r.order_id, style=style,
        )  # fmt: skip
    Console().print(table)


def _write_report(target: Path, text: str) -> None:
    """Write the page, creating its folder first (as `mkdir -p` would: `--html reports/july.html` means
    "put it there", like the database path). A path that cannot be written is one line, exit 2."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except FileExistsError as exc:  # a file sits where a folder of the path should be
        why = f"{exc.filename} is a file, not a folder"
    except OSError as exc:
        why = exc.strerror or str(exc)
    else:
        return
    raise UsageError(f"cannot write the report to {target}: {why}")


def _day(value: object) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else ""


@command(cli)
@click.option(
    "--test", "test", is_flag=True, required=True, help="Send a test message to every [notify] URL."
)
def notify(app: App, test: bool) -> None:
    """Check the notification setup: `buyer-agent notify --test`."""
    from jobs.notify import Notifier

    notifier = Notifier(app.config.notify)
    if not notifier.enabled:
        raise UsageError("no [notify] urls configured")
    ok = notifier.send("buyer-agent: test", "Notifications from buyer-agent reach you here.")
    click.echo("test message sent" if ok else "sending failed (see the log)")
    sys.exit(0 if ok else 1)


RESOLUTIONS = {  # what the person saw on the site → the state the request takes
    "requested": "requested",  # the site shows the cancellation request (the agent keeps watching it)
    "cancelled": "cancelled",  # the order was cancelled (the refund is watched)
    "not-submitted": "failed",  # nothing of ours is on the site: `cancel` may submit again
    "shipped": "shipped_anyway",  # it shipped despite the request (a dispute may follow)
    "dispute-opened": "dispute_opened",  # a dispute is open for it
    "refunded": "refunded",  # the money is back: nothing more to watch
}


@command(cli)
@click.argument("order_id")
@click.argument("seen", type=click.Choice(list(RESOLUTIONS)))
def resolve(app: App, order_id: str, seen: str) -> None:
    """Tell the agent what you saw on the site for a request that needs a human."""
    from agent.deadlines import entry_fields
    from agent.errors import StateConflict
    from agent.models import RequestState

    (oid,) = _order_ids((order_id,))
    to = RequestState(RESOLUTIONS[seen])
    with app.store() as store:
        request = store.get_request(oid)
        if request is None or request.state is not RequestState.NEEDS_HUMAN:
            shown = request.state.value if request else "no request"
            raise UsageError(f"order {oid} does not need a human (it is {shown}): nothing to resolve")
        fields = entry_fields(request, to, store.clock(), app.config.policy)
        try:
            store.transition(oid, to, expected=RequestState.NEEDS_HUMAN,
                             detail={"by": "person", "seen": seen}, **fields)  # fmt: skip
        except StateConflict as exc:
            raise UsageError(str(exc)) from None
    click.echo(f"order {oid}: {to.value} (as you saw it on the site)")
