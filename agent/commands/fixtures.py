"""Recorded fixture pages: `record NAME`, and the selector drift check `selectors check`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from agent.cli import App, cli, command, group
from agent.errors import UsageError
from agent.statuses import FLOWS, OrderStatus


@command(cli)
@click.argument("name")
@click.option(
    "--flow",
    type=click.Choice(FLOWS),
    default="orders",
    show_default=True,
    help="What to run: the orders listing, a dry-run cancel (never submits), or a sweep's reads.",
)
@click.option(
    "--status",
    type=click.Choice([s.value for s in OrderStatus if s != OrderStatus.UNKNOWN]),
    help="List only orders in this status (fewer rows, a smaller recording).",
)
@click.option(
    "--order",
    "order_ids",
    multiple=True,
    metavar="ID",
    help="Order(s) for cancel-dry-run/sweep (default: the first eligible one).",
)
@click.option("--reason", default="changed_mind", show_default=True, help="Reason for the dry-run cancel.")
@click.option(
    "--redact",
    multiple=True,
    metavar="TEXT",
    help="Text that must never be in the recording: your name, street, phone … (repeatable).",
)
@click.option(
    "--out",
    "out_root",
    type=click.Path(path_type=Path),
    default=Path("fixtures"),
    show_default=True,
    help="Folder of recordings; the recording goes to OUT/<profile>/NAME.",
)
def record(
    app: App,
    name: str,
    flow: str,
    status: str | None,
    order_ids: tuple[str, ...],
    reason: str,
    redact: tuple[str, ...],
    out_root: Path,
) -> None:
    """Record a read-only flow against the configured site as scrubbed fixture pages."""
    from agent.models import normalise_order_id
    from agent.recording.manifest import FlowParams
    from agent.recording.record import RecordSpec
    from agent.recording.record import record as record_flow

    try:
        ids = [normalise_order_id(i) for i in order_ids]
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    params = FlowParams(
        flow=flow, status=OrderStatus(status) if status else None, order_ids=ids, reason=reason
    )
    spec = RecordSpec(name, params, out_root=out_root, secrets=list(redact))
    with app.store() as store:
        folder = record_flow(app.config, store, spec)
    click.echo(f"recorded {flow} into {folder}")


selectors = group(cli, "selectors", help="The selector pack: drift checks.")


@command(selectors, "check")
@click.option(
    "--fixtures",
    "fixtures_dir",
    type=click.Path(path_type=Path),
    metavar="DIR",
    help="Recordings to check against (default: fixtures/<profile>).",
)
@click.option("--live", is_flag=True, help="Check the configured site instead (read-only, saved session).")
def selectors_check(app: App, fixtures_dir: Path | None, live: bool) -> None:
    """Run every pack key against recorded pages (or the live site); exit 1 if a key resolves nowhere."""
    from agent.recording.drift import check
    from agent.recording.manifest import recordings

    folder = fixtures_dir or Path("fixtures") / app.config.site.profile
    if not live and not recordings(folder):
        raise UsageError(f"no recordings under {folder} (make one with `buyer-agent record NAME`)")
    with app.store() as store:
        report = check(app.config, fixtures=folder, live=live, store=store)
    for line in report.lines():
        click.echo(line)
    late = sum(r.status == "late" for r in report.results)
    missing = sum(r.status == "missing" for r in report.results)
    click.echo(f"{len(report.results)} key checks: {missing} missing, {late} on a late fallback")
    if report.filters:
        names = ", ".join(f.control for f in report.filters)
        click.echo(f"filters the agent could not set (it read everything and filtered itself): {names}")
    sys.exit(0 if report.ok else 1)
