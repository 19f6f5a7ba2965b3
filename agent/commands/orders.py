"""Commands for a person's own orders: login, orders, show, cancel."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from agent import stopping
from agent.cli import ALL_ACCOUNTS, App, cli, command
from agent.errors import AgentError, NeedsHuman, Stopped, UsageError
from agent.statuses import CancelOutcome, OrderStatus

if TYPE_CHECKING:  # flows (Playwright), models (pydantic) and rich load inside the commands that use them
    from rich.console import Console

    from agent.flows.cancel import CancelResult
    from agent.flows.runtime import Runtime
    from agent.models import CancelRequest, Order, OrderDetail

EXIT_FOR_OUTCOME = {
    CancelOutcome.FAILED: 1,
    CancelOutcome.PENDING: 1,
    CancelOutcome.NEEDS_HUMAN: 3,
    CancelOutcome.NOT_CANCELLABLE: 4,
}


@contextmanager
def _runtime(app: App, name: str, headed: bool = False) -> Iterator[Runtime]:
    from agent.flows.runtime import open_runtime

    cfg = app.config
    if headed:
        cfg = cfg.model_copy(update={"browser": cfg.browser.model_copy(update={"headless": False})})
    ask = _ask_code if sys.stdin.isatty() else None
    with app.store() as store, open_runtime(cfg, store, name, ask=ask) as rt:
        yield rt


def _ask_code(prompt: str) -> str:
    with stopping.interruptible():  # Ctrl-C at a prompt stops at once (exit 130)
        return str(click.prompt(prompt, hide_input=True))


def _order_json(order: Order) -> dict[str, object]:
    data = order.model_dump(mode="json")
    data["total"] = (
        {"amount": str(order.total.amount), "currency": order.total.currency} if order.total else None
    )
    return data


def _date(value: str | None, option: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option} must be a date like 2026-04-27, got {value!r}") from None


def _order_ids(values: tuple[str, ...]) -> list[str]:
    from agent.models import normalise_order_id

    try:
        ids = [normalise_order_id(v) for v in values]
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return list(dict.fromkeys(ids))  # the same id twice is one cancellation


@command(cli)
@click.option("--headed", is_flag=True, help="Show the browser and wait for you to solve a captcha by hand.")
@click.option(
    "--wait-for-human", is_flag=True, help="Wait for a person even without --headed (remote browsers)."
)
@click.option("--wait", "wait_s", default=600, show_default=True, help="Seconds to wait for a human.")
def login(app: App, headed: bool, wait_for_human: bool, wait_s: int) -> None:
    """Log in (or check the saved session) and save the session for the next runs."""
    from agent.flows.session import log_in_with_human

    with _runtime(app, "login", headed=headed) as rt:
        if headed or wait_for_human:
            log_in_with_human(rt, wait_s)
        else:
            from agent.flows.session import ensure_logged_in

            ensure_logged_in(rt)
        click.echo(f"logged in as {rt.email}; session saved")


HEADED = click.option("--headed", is_flag=True, help="Show the browser while the agent works.")


@command(cli)
@HEADED
@click.option("--status", type=click.Choice([s.value for s in OrderStatus if s != OrderStatus.UNKNOWN]))
@click.option("--since", metavar="DATE", help="Placed on or after (YYYY-MM-DD).")
@click.option("--until", metavar="DATE", help="Placed on or before (YYYY-MM-DD).")
@click.option("--search", metavar="TEXT", help="Order id, product or store name.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@ALL_ACCOUNTS
def orders(app: App, status: str | None, since: str | None, until: str | None, search: str | None,
           as_json: bool, headed: bool, all_accounts: bool) -> None:  # fmt: skip
    """List your orders (all pages), filtered."""
    from agent.flows.orders import list_orders

    since_d, until_d = _date(since, "--since"), _date(until, "--until")
    found: list[Order] = []
    owners: list[str] = []
    codes: set[int] = set()
    for each in app.for_each_account(all_accounts):
        try:
            with _runtime(each, "orders", headed=headed) as rt:
                listed = list_orders(rt, OrderStatus(status) if status else None, since_d, until_d, search)
        except Stopped:
            raise
        except AgentError as exc:
            if not all_accounts:
                raise
            codes.add(exc.exit_code)  # one account's failure (a login, a captcha) hides no other's orders
            click.echo(f"error: account {each.config.account_name}: {' '.join(str(exc).split())}", err=True)
            continue
        found += listed
        owners += [each.config.account_name] * len(listed)
    if as_json:
        rows = [
            _order_json(o) | ({"account": a} if all_accounts else {})
            for o, a in zip(found, owners, strict=True)
        ]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        print_orders(found, owners if all_accounts else None)
        click.echo(f"{len(found)} order(s)")
    sys.exit(3 if 3 in codes else 1 if codes else 0)  # a person is needed (a captcha) outranks a failure


@command(cli)
@HEADED
@click.argument("order_id")
@click.option("--json", "as_json", is_flag=True)
def show(app: App, order_id: str, as_json: bool, headed: bool) -> None:
    """Show one order as the site shows it, and what the agent recorded about it."""
    from agent.flows.orders import show_order

    (oid,) = _order_ids((order_id,))
    with _runtime(app, "show", headed=headed) as rt:
        detail = show_order(rt, oid)
        request = rt.store.get_request(oid)
    if as_json:
        data = _order_json(detail) | {"request": request.model_dump(mode="json") if request else None}
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    for line in detail_lines(detail, request):
        click.echo(line)


def print_orders(found: list[Order], owners: list[str] | None = None, console: Console | None = None) -> None:
    """One row per order — order id, placed, status, store, total, items (and the account, for several):
    each value under its header, ids and dates never cut."""
    from agent.commands.output import Col, print_rows

    cols = [Col("order id"), Col("placed", whole=True), Col("status"), Col("store"),
            Col("total", whole=True), Col("items", whole=True),
            *([Col("account", whole=True)] if owners is not None else [])]  # fmt: skip
    rows = [[o.order_id, str(o.placed_at or ""), o.status_text, o.store_name,
             f"{o.total.amount} {o.total.currency}" if o.total else "", str(len(o.items)),
             *([owners[i]] if owners is not None else [])] for i, o in enumerate(found)]  # fmt: skip
    print_rows(cols, rows, console=console)


def detail_lines(d: OrderDetail, request: CancelRequest | None) -> list[str]:
    """`show`: the order id and status, one `label: value` line per known fact, the items, the request.
    Never wrapped by us: a long title runs on (the terminal folds it), an id is never cut."""
    total = f"{d.total.amount} {d.total.currency}" if d.total else "?"
    lines = [f"order {d.order_id}: {d.status_text} [{d.status.value}]"]
    lines += [f"  {label}: {value}" for label, value in (
        ("reminder", d.reminder), ("placed", d.placed_at), ("store", d.store_name),
        ("payment", d.payment_method), ("total", total)) if value]  # fmt: skip
    if d.is_deposit:
        lines.append("  deposit/instalment order: cancel it by hand")
    lines += [f"  - {line.quantity} x {line.title}" for line in d.items]
    if request:
        lines.append(f"request: {request.state.value} (reason: {request.reason_text or '-'})")
    return lines


@command(cli)
@HEADED
@click.argument("order_ids", nargs=-1, required=True)
@click.option("--reason", required=True, metavar="R",
              help="changed_mind, wrong_item, duplicate_order, wrong_address, out_of_stock, "
                   "shipping_too_long, found_cheaper, seller_asked, cannot_contact_seller, "
                   "seller_refuses_to_ship, other — or free text (never picks a reason that blames "
                   "the seller: name its key).")  # fmt: skip
@click.option("--dry-run", is_flag=True, help="Do everything up to the confirming click, then stop.")
@click.option("--yes", is_flag=True, help="Do not ask before each cancellation.")
@click.option("--fallback-other", is_flag=True, help='Pick "Other reasons" when no offered reason matches.')
@click.option("--json", "as_json", is_flag=True)
def cancel(app: App, order_ids: tuple[str, ...], reason: str, dry_run: bool, yes: bool, fallback_other: bool,
           as_json: bool, headed: bool) -> None:  # fmt: skip
    """Cancel one or more of your orders (each exactly once)."""
    from rich.progress import Progress

    from agent.flows.cancel import CancelResult, cancel_orders

    ids = _order_ids(order_ids)
    if not reason.strip():
        raise UsageError("--reason must not be empty")
    with app.store() as store:  # another account's order: refused before a browser starts
        for oid in ids:
            store.check_owner(oid)
    confirm = None if (yes or dry_run or not sys.stdin.isatty()) else _ask_person
    bar = Progress(transient=True, disable=len(ids) < 2 or as_json)
    done: list[CancelResult] = []

    def on_result(result: CancelResult) -> None:
        done.append(result)
        bar.advance(task)

    try:
        with _runtime(app, "cancel", headed=headed) as rt, bar:
            task = bar.add_task("cancelling", total=len(ids))
            cancel_orders(rt, ids, reason, dry_run=dry_run, fallback_other=fallback_other, confirm=confirm,
                          on_result=on_result)  # fmt: skip
    except NeedsHuman as exc:  # the run stops for a person: still show what was done before it stopped
        _print_results(done + _not_done(ids, done, exc), as_json)
        raise
    except Stopped as exc:  # SIGTERM/SIGINT between two orders: what was done, and what was not begun
        not_begun = [CancelResult(order_id=i, outcome=CancelOutcome.SKIPPED, message=f"not attempted: {exc}")
                     for i in ids if i not in {r.order_id for r in done}]  # fmt: skip
        _print_results(done + not_begun, as_json)
        raise
    _print_results(done, as_json)
    if rt.trace and not as_json:  # known once the run has closed: where to replay what went wrong
        click.echo(f"trace of this run: {rt.trace} (open with `playwright show-trace`)", err=True)
    codes = {EXIT_FOR_OUTCOME.get(r.outcome, 0) for r in done}
    sys.exit(next((code for code in (1, 3, 4) if code in codes), 0))


def _not_done(ids: list[str], done: list[CancelResult], stop: NeedsHuman) -> list[CancelResult]:
    """The order the run stopped on (it needs a person) and the ones after it (not attempted)."""
    from agent.flows.cancel import CancelResult

    left = [i for i in ids if i not in {r.order_id for r in done}]
    stopped = CancelOutcome.NEEDS_HUMAN, stop.what
    skipped = CancelOutcome.SKIPPED, "not attempted: the run stopped for a person"
    return [CancelResult(order_id=order_id, outcome=outcome, message=message)
            for order_id, (outcome, message) in zip(left, [stopped] + [skipped] * len(left), strict=False)]


def _ask_person(detail: OrderDetail, reason_text: str) -> bool:
    total = f"{detail.total.amount} {detail.total.currency}" if detail.total else "?"
    with stopping.interruptible():  # Ctrl-C at the question: nothing was clicked, stop now (exit 130)
        return click.confirm(f"Cancel order {detail.order_id} ({detail.store_name}, {total}) "
                             f"with reason {reason_text!r}?", default=False)  # fmt: skip


def _print_results(results: list[CancelResult], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps([r.model_dump(mode="json") for r in results], indent=2, ensure_ascii=False))
        return
    print_results(results)


def print_results(results: list[CancelResult], console: Console | None = None) -> None:
    """One row per order: order id, outcome, the reason picked, what happened."""
    from agent.commands.output import Col, print_rows

    rows = [[r.order_id, r.outcome.value, r.reason_text, r.message] for r in results]
    print_rows([Col("order id"), Col("outcome", whole=True), Col("reason"), Col("message")], rows,
               console=console)  # fmt: skip
