"""`buyer-agent doctor`: check the whole setup (agent.doctor), one line per check, exit 1 when one fails."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from agent.cli import App, cli, command

STYLE = {"ok": "green", "warn": "yellow", "fail": "bold red"}


@command(cli)
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON.")
@click.option("--quick", is_flag=True, help="Skip the browser, session, API and drift checks.")
@click.option(
    "--fixtures",
    "fixtures_dir",
    type=click.Path(path_type=Path),
    metavar="DIR",
    help="Recordings for the drift check (default: the shipped ones of the configured profile).",
)
def doctor(app: App, as_json: bool, quick: bool, fixtures_dir: Path | None) -> None:
    """Check config, password, browser, session, API, selectors, database, lock, cooldown and notify URLs:
    ok / warn / fail with the fix. Exit 0 when nothing fails, else 1. Read-only."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from agent.doctor import run_checks

    checks = run_checks(app.config_path, quick=quick, fixtures=fixtures_dir)
    failed = any(c.status == "fail" for c in checks)
    if as_json:
        click.echo(json.dumps({"ok": not failed, "checks": [c.model_dump() for c in checks]}, indent=2))
    else:
        table = Table("check", "status", "detail", "fix")
        table.columns[0].no_wrap = True
        for column in table.columns[2:]:
            column.overflow = "fold"  # a long path wraps, never cut to "…"
        for c in checks:
            table.add_row(c.name, f"[{STYLE[c.status]}]{c.status}[/]", escape(c.detail), escape(c.fix))
        Console().print(table)
    sys.exit(1 if failed else 0)
