"""`buyer-agent demo`: the whole story against the embedded fixture shop, in one browser.

Start the shop, log in, list orders, dry-run a cancel, cancel an unpaid order and three awaiting-shipment
orders (their sellers will accept, reject, stay silent), print what the database recorded; then let three
days pass on the shop's clock, sweep, and print the report (also written as HTML). Everything lands in
./demo-run/ (a fresh folder each time). The agent runs on the shop's clock so their deadlines agree.
"""

from __future__ import annotations

import click

from agent.cli import App, cli, command


@command(cli)
@click.option("--headed", is_flag=True, help="Show the browser while the agent works.")
@click.option("--folder", default="demo-run", show_default=True, type=click.Path(file_okay=False))
def demo(app: App, headed: bool, folder: str) -> None:
    """Run the agent against the embedded fixture shop and show what it recorded."""
    from agent.commands.demo_story import run_demo  # the shop, the browser, the flows: only when it runs

    run_demo(headed, folder)
