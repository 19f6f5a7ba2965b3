"""Commands that watch outcomes: sweep, schedule, dispute, report, notify."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from agent.cli import ALL_ACCOUNTS, App, cli, command
from agent.commands.orders import _order_ids, _runtime
from agent.commands.output import Col, print_rows
from agent.errors import UsageError
from agent.statuses import DEFAULT_ACCOUNT

if TYPE_CHECKING:  # rich, the store and the jobs load inside the commands that use them
    from rich.console import Console

    from jobs.report import ReportRow
    from jobs.sweep import SweepResult

DISPUTE_EXIT = {"opened": 0, "already_opened": 0, "dry_run": 0, "unavailable": 1, "not_flagged": 1,
                "failed": 1, "pending": 1, "needs_human": 3}  # fmt: skip


@command(cli)
@click.option("--json", "as_json", is_flag=True, help="Print this run's transitions as JSON.")
@click.option("--wait", is_flag=True, help="If another sweep is running, wait for it instead of exiting.")
@ALL_ACCOUNTS
def sweep(app: App, as_json: bool, wait: bool, all_accounts: bool) -> None:
    """Re-check every watched request once: move states, flag disputes, notify."""
    from jobs.runner import run_sweep

    ask = (lambda prompt: click.prompt(prompt, hide_input=True)) if sys.stdin.isatty() else None
    if all_accounts:
        _sweep_all(app, as_json, wait, ask)
        return
    result = run_sweep(app.config, "sweep", wait=wait, ask=ask)
    if as_json:
        click.echo(json.dumps([t.model_dump(mode="json") for t in result.transitions], indent=2))
    else:
        print_sweep(result)
        for m in result.messages:  # escalations (policy.auto_escalate): events, not transitions
            click.echo(f"order {m.order_id}: message to the {m.level}: {m.outcome} — {m.message}")
    for order_id, error in result.errors.items():
        click.echo(f"error: order {order_id}: {error}", err=True)
    sys.exit(1 if result.errors else 0)


def _sweep_all(app: App, as_json: bool, wait: bool, ask: object) -> None:
    """`sweep --all-accounts`: each account in turn; one account's failure does not stop the others."""
    from jobs.runner import sweep_accounts

    app.for_each_account(True)  # refuses --account together with --all-accounts
    done = sweep_accounts(app.file_config, "sweep", wait=wait, ask=ask)
    failed = False
    out: list[dict[str, object]] = []
    for name, result in done.items():
        if isinstance(result, Exception):
            failed = True
            click.echo(f"error: account {name}: {' '.join(str(result).split())}", err=True)
            continue
        failed = failed or bool(result.errors)
        out += [{"account": name, **t.model_dump(mode="json")} for t in result.transitions]
        for order_id, error in result.errors.items():
            click.echo(f"error: account {name}: order {order_id}: {error}", err=True)
        if not as_json:
            click.echo(f"account {name}: {result.checked} request(s) checked, "
                       f"{len(result.transitions)} transition(s)")  # fmt: skip
    if as_json:
        click.echo(json.dumps(out, indent=2))
    else:
        for t in out:
            click.echo(
                f"  {t['account']}: {t['order_id']} {t['state_from']} -> {t['state_to']} ({t['reason']})"
            )
    sys.exit(1 if failed else 0)


def print_sweep(result: SweepResult, console: Console | None = None) -> None:
    """This run's transitions (order id, from, to, why), then what was checked."""
    from rich.console import Console

    console = console or Console()
    rows = [[t.order_id, t.state_from.value, t.state_to.value, t.reason] for t in result.transitions]
    print_rows([Col("order id"), Col("from", whole=True), Col("to", whole=True), Col("why")], rows,
               console=console)  # fmt: skip
    console.print(f"{result.checked} request(s) checked, {len(result.transitions)} transition(s)")


@command(cli)
def schedule(app: App) -> None:
    """Run the scheduler in the foreground: the sweep on schedule.sweep_cron, plus deadline re-checks."""
    from jobs.scheduler import run_forever

    if app.account:  # this account only
        run_forever(app.file_config, [app.config.account_name])
    else:  # every configured account in turn
        run_forever(app.file_config)


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
    with (
        sweep_lock(app.config.storage.database, "dispute", wait=wait, account=app.config.account_name),
        _runtime(app, "dispute") as rt,
    ):
        result = open_dispute(rt, oid, dry_run=dry_run)
    if as_json:
        click.echo(json.dumps(result.model_dump(mode="json"), indent=2, ensure_ascii=False))
    else:
        click.echo(f"order {oid}: {result.outcome} — {result.message}")
    sys.exit(DISPUTE_EXIT[result.outcome])


@command(cli)
@click.option("--json", "as_json", is_flag=True, help="Print the rows and the totals as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print one CSV row per request (or write it: --output).")
@click.option("--output", "output", metavar="FILE", help="With --csv: write the CSV to FILE.")
@click.option("--html", "html_path", metavar="PATH", help="Write one self-contained HTML page.")
@ALL_ACCOUNTS
def report(
    app: App, as_json: bool, as_csv: bool, output: str | None, html_path: str | None, all_accounts: bool
) -> None:
    """Every request: state, amount, age, deadlines and what to do next; totals per currency."""
    from jobs.report import build_report, render_html, report_csv, report_json, urgent_first

    if as_json and as_csv:
        raise UsageError("--json and --csv: choose one")
    if output and not as_csv:
        raise UsageError("--output writes the CSV: add --csv")
    from agent.store import utcnow

    now = utcnow()
    rows = []
    for each in app.for_each_account(all_accounts):
        with each.store() as store:
            rows += build_report(store, now, each.config.policy, timelines=bool(html_path))
    rows = urgent_first(rows, now)
    if html_path:
        target = Path(html_path)
        _write_report(target, render_html(rows, now, target))
        click.echo(f"report written to {target}", err=as_json or as_csv)
    if as_csv and output:
        _write_report(Path(output), report_csv(rows))
        click.echo(f"CSV written to {output}", err=True)
    elif as_csv:
        click.echo(report_csv(rows), nl=False)
    elif as_json:
        click.echo(report_json(rows))
    elif not html_path:
        print_report(rows, named=all_accounts or app.config.account_name != DEFAULT_ACCOUNT)


REPORT_COLS = [Col("order id"), Col("state", whole=True), Col("amount"), Col("age (d)", whole=True),
               Col("seller deadline"), Col("refund due"), Col("dispute deadline"),
               Col("next step")]  # fmt: skip


def print_report(rows: list[ReportRow], console: Console | None = None, named: bool = False) -> None:
    """Every request (urgent ones in red), then the totals per currency; `named` adds the account."""
    from rich.console import Console

    from jobs.money import BUCKETS
    from jobs.report import report_totals

    console = console or Console()
    cells = [[r.order_id, r.state.value, _amount(r), "" if r.age_days is None else str(r.age_days),
              _day(r.seller_deadline), _day(r.refund_due), _day(r.dispute_deadline), r.next_step]
             for r in rows]  # fmt: skip
    cols = [*REPORT_COLS, Col("account", whole=True)] if named else REPORT_COLS
    cells = [[*c, r.account] for c, r in zip(cells, rows, strict=True)] if named else cells
    print_rows(cols, cells, ["bold red" if r.urgent else None for r in rows], console=console)
    sums = report_totals(rows)
    if sums:
        cols = [Col("currency"), *(Col(b.replace("_", " "), whole=True) for b in BUCKETS)]
        totals = [[currency, *(str(per[b]) for b in BUCKETS)] for currency, per in sums.items()]
        print_rows(cols, totals, console=console, title="totals", first_width=8)


def _amount(row: ReportRow) -> str:
    """The order total, and the refund when the site showed one ("12.30 USD, refund 11.00 USD")."""
    text = f"{row.amount} {row.currency}" if row.amount is not None else ""
    if row.refund_amount is not None:
        text += f"{', ' if text else ''}refund {row.refund_amount} {row.refund_currency}"
    return text


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

    notifier = Notifier(app.file_config.notify)  # one [notify] for every account
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
        store.check_owner(oid)
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
