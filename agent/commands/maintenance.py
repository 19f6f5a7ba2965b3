"""Commands for a long-running installation: prune (retention)."""

from __future__ import annotations

import json

import click

from agent.cli import App, cli, command


@command(cli)
@click.option("--older-than", "older_than", type=click.IntRange(min=1), metavar="DAYS",
              help="Remove what settled more than DAYS ago (default: storage.keep_days).")
@click.option("--dry-run", is_flag=True, help="Print what would go; change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def prune(app: App, older_than: int | None, dry_run: bool, as_json: bool) -> None:
    """Remove evidence, traces, events and runs of settled requests older than storage.keep_days, the
    oldest evidence beyond storage.evidence_max_mb, then VACUUM. Never anything of an open request."""
    from jobs.lock import sweep_lock
    from jobs.prune import prune as run_prune

    cfg = app.config
    with sweep_lock(cfg.storage.database, "prune", account=cfg.account_name), app.store() as store:
        result = run_prune(app.config, store, older_than_days=older_than, dry_run=dry_run)
    if as_json:
        click.echo(json.dumps(result.model_dump(mode="json"), indent=2))
    else:
        click.echo(result.line())
