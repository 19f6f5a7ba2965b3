"""The demo story behind `buyer-agent demo` (see agent/commands/demo.py): imported when it runs."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from rich.console import Console
from rich.table import Table

from agent.config import Config
from agent.config_file import load_config
from agent.flows.cancel import cancel_orders
from agent.flows.orders import list_orders
from agent.flows.runtime import Runtime, open_runtime
from agent.flows.session import ensure_logged_in
from agent.models import OrderStatus
from agent.shop.admin import ShopAdmin
from agent.shop.seed import SHOP_PASSWORD
from agent.shop.server import ShopThread
from agent.store import Store
from jobs.report import build_report, render_html
from jobs.sweep import sweep

console = Console()


def _demo_config(folder: Path, base_url: str, headed: bool) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "buyer-agent.toml"
    path.write_text(
        f'[site]\nbase_url = "{base_url}"\nlogin_url = "{base_url}/login/"\n\n'
        '[account]\nemail = "buyer@example.com"\npassword_env = "BUYER_AGENT_DEMO_PASSWORD"\n\n'
        f"[browser]\nheadless = {str(not headed).lower()}\n",
        encoding="utf-8",
    )
    return path


def run_demo(headed: bool, folder: str) -> None:
    """Start the shop, tell the story, sweep three days later and print the report."""
    work = Path(folder)
    shutil.rmtree(work, ignore_errors=True)
    os.environ["BUYER_AGENT_DEMO_PASSWORD"] = SHOP_PASSWORD  # the shop's demo account, this process only
    with ShopThread() as shop, ShopAdmin(shop.base_url) as admin:
        console.rule(f"fixture shop at {shop.base_url}")
        cfg = load_config(str(_demo_config(work, shop.base_url, headed)))
        with Store.open(cfg.storage.database, clock=shop.state.now) as store:
            with open_runtime(cfg, store, "demo") as rt:
                _story(rt, admin)
            _print_record(store)
            console.rule("three days later")
            admin.advance(72)
            with open_runtime(cfg, store, "sweep") as rt:
                result = sweep(rt)
            for t in result.transitions:
                console.print(f"{t.order_id}: {t.state_from.value} → {t.state_to.value}  {t.reason}")
            _print_report(store, cfg, work / "report.html")
    console.print(f"\nEverything is in {work}/ — browse it with `datasette {cfg.storage.database}`.")


def _story(rt: Runtime, admin: ShopAdmin) -> None:
    ensure_logged_in(rt)
    console.print(f"logged in as {rt.email} (session saved in {rt.browser.state_path(rt.email)})")
    waiting = list_orders(rt, OrderStatus.AWAITING_SHIPMENT)
    unpaid = list_orders(rt, OrderStatus.AWAITING_PAYMENT)
    table = Table("status", "store", "total", title="My Orders: awaiting shipment")
    table.add_column("order id", no_wrap=True)
    for o in waiting:
        table.add_row(
            o.status_text, o.store_name, f"{o.total.amount} {o.total.currency}" if o.total else "", o.order_id
        )
    console.print(table)
    dry = cancel_orders(rt, [waiting[0].order_id], "changed_mind", dry_run=True)[0]
    console.print(f"dry run on {dry.order_id}: {dry.outcome.value} — would choose {dry.reason_text!r}")
    result = cancel_orders(rt, [unpaid[0].order_id], "duplicate_order")[0]
    console.print(f"cancel {unpaid[0].order_id} ({unpaid[0].status_text}): {result.outcome.value}")
    for seller in (
        "accept",
        "reject",
        "silent",
    ):  # the shop knows what each seller will do; the agent doesn't
        order_id = _order_whose_seller_will(admin, seller)
        result = cancel_orders(rt, [order_id], "shipping_too_long")[0]
        console.print(
            f"cancel {order_id} (its seller will {seller}): {result.outcome.value} {result.message}"
        )


def _order_whose_seller_will(admin: ShopAdmin, seller: str) -> str:
    return next(
        str(o["order_id"])
        for o in admin.orders()
        if o["status"] == "awaiting_shipment" and o["seller"] == seller and not o["picked_up"]
    )


def _print_report(store: Store, cfg: Config, html: Path) -> None:
    now = store.clock()
    from agent.commands.jobs import print_report

    rows = build_report(store, now, cfg.policy, timelines=True)
    console.print("buyer-agent report")
    print_report(rows, console=console)  # as `buyer-agent report` prints it: amounts, then the totals
    html.write_text(render_html(rows, now, html), encoding="utf-8")
    console.print(f"HTML report: {html}")


def _print_record(store: Store) -> None:
    table = Table("state", "reason", "seller deadline", title="What the database recorded: cancel_requests")
    table.add_column("order id", no_wrap=True)
    for r in store.requests():
        table.add_row(r.state.value, r.reason_text or "", str(r.seller_deadline or ""), r.order_id)
    console.print(table)
    events = Table("kind", "order", title="events (audit log), last 15")
    for e in store.events()[-15:]:
        events.add_row(e.kind, e.order_id or "")
    console.print(events)
