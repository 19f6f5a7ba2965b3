"""`buyer-agent doctor`: check the whole setup (agent.doctor), one line per check, exit 1 when one fails."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from agent.cli import App, cli, command
from agent.commands.output import Col, print_rows

if TYPE_CHECKING:
    from rich.console import Console

    from agent.doctor import Check

STYLE = {"ok": "green", "warn": "yellow", "fail": "bold red"}  # a row's colour by its status


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
    from agent.doctor import run_checks

    checks = run_checks(app.config_path, account=app.account, quick=quick, fixtures=fixtures_dir)
    failed = any(c.status == "fail" for c in checks)
    if as_json:
        click.echo(json.dumps({"ok": not failed, "checks": [c.model_dump() for c in checks]}, indent=2))
    else:
        print_checks(checks)
    sys.exit(1 if failed else 0)


def print_checks(checks: list[Check], console: Console | None = None) -> None:
    """One row per check: check, status, detail, fix — nothing cut (a long path is folded over lines)."""
    cols = [Col("check"), Col("status", whole=True), Col("detail", fold=True), Col("fix", fold=True)]
    rows = [[c.name, c.status, c.detail, c.fix] for c in checks]
    print_rows(cols, rows, [STYLE[c.status] for c in checks], console=console, first_width=0)
