"""Benchmark: one cancel after the browser is up, and a batch of 20 in one browser, against the shop.

Side by side in the same run, taking turns order by order (so a machine whose load changes weighs on both
alike): the agent (finder, double-checks, journal, evidence screenshot, read-back) and the floor — a
hand-written Playwright script doing only the clicks a cancel needs, with hard-coded
selectors and no checks. Prints figures and ratios, then where the agent's time goes: the browser's
launch, the session (run + context + login check), and per cancel each step (bench/phases.py); asserts
nothing.

    .venv/bin/python bench/bench_cancel.py [--batch 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agent.browser_setup import launch_args, resolve_chromium  # noqa: E402
from agent.flows.cancel import cancel_orders  # noqa: E402
from agent.flows.runtime import open_runtime  # noqa: E402
from agent.flows.session import ensure_logged_in  # noqa: E402
from agent.shop.admin import ShopAdmin  # noqa: E402
from agent.shop.seed import SHOP_PASSWORD  # noqa: E402
from agent.shop.server import ShopThread  # noqa: E402
from agent.store import Store  # noqa: E402
from bench.phases import Phases  # noqa: E402
from tests.e2e.agent_support import make_config, preload_session  # noqa: E402

Cancel = Callable[[str], None]


@dataclass
class Side:
    """One side of the comparison: `cancel` is timed; `quiet` (untimed) waits until what the cancel left
    running in the browser is done, so that it never weighs on the other side's turn. The agent does not
    wait for the order page's reload after an accepted cancel (it reads the order through the API); in a
    batch the next order's page load cuts that reload short, but taking turns it would run on into the
    floor's time."""

    cancel: Cancel
    quiet: Callable[[], None] = lambda: None


def floor_cancel(page: Page, base_url: str, order_id: str) -> None:
    """The least a script can do to cancel: open, click, pick the first reason, confirm, see it done."""
    page.goto(f"{base_url}/p/order/detail.html?orderId={order_id}")
    page.click(".order-status-btns .comet-btn:has-text('Cancel order')")
    page.check(".cancel-reason-list input[type=radio] >> nth=0")
    with page.expect_navigation():
        page.click(".cancel-order-confirm")
    page.wait_for_selector(".order-status .order-block-title:has-text('Awaiting Cancellation')")


@contextmanager
def floor_side(browser: Browser, shop: ShopThread, admin: ShopAdmin) -> Iterator[Side]:
    """The floor's cancel of one order, in a context of its own that lives for the whole comparison."""
    context = browser.new_context()
    context.add_cookies(
        [{"name": k, "value": v, "url": shop.base_url} for k, v in admin.new_session().items()]
    )
    page = context.new_page()
    yield Side(lambda order_id: floor_cancel(page, shop.base_url, order_id))
    context.close()


@contextmanager
def agent_side(
    browser: Browser, shop: ShopThread, admin: ShopAdmin, folder: Path, phases: Phases
) -> Iterator[Side]:
    """The agent's cancel of one order, in one run (browser context, store) for the whole comparison."""
    folder.mkdir(parents=True, exist_ok=True)
    cfg = make_config(folder, shop.base_url)
    preload_session(cfg, admin)
    session_start = time.perf_counter()
    with Store.open(cfg.storage.database) as store, open_runtime(cfg, store, "bench", browser=browser) as rt:
        ensure_logged_in(rt)  # "after the browser is up" and logged in, like the floor
        phases.totals["session (per run)"] += time.perf_counter() - session_start

        def cancel(order_id: str) -> None:
            with phases.phase("flow logic"):
                (result,) = cancel_orders(rt, [order_id], "changed_mind")
            assert result.outcome.value == "requested", result.message

        with phases.installed():
            yield Side(cancel, quiet=lambda: rt.page.wait_for_load_state("load"))


def side_by_side(agent: Side, floor: Side, admin: ShopAdmin, count: int) -> tuple[list[float], list[float]]:
    """`count` cancels each, taking turns (agent, floor, agent …): a machine whose load changes during the
    run weighs on both alike."""
    times: tuple[list[float], list[float]] = ([], [])
    for pair in zip(fresh_orders(admin, count), fresh_orders(admin, count), strict=True):
        for spent, side, order_id in zip(times, (agent, floor), pair, strict=True):
            start = time.perf_counter()
            side.cancel(order_id)
            spent.append(time.perf_counter() - start)
            side.quiet()
    return times


def fresh_orders(admin: ShopAdmin, count: int) -> list[str]:
    return admin.add_orders(count=count, status="awaiting_shipment", seller="silent")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3, help="single cancels measured (median shown)")
    args = parser.parse_args()
    os.environ.setdefault("BUYER_AGENT_PASSWORD", SHOP_PASSWORD)
    with ShopThread() as shop, ShopAdmin(shop.base_url) as admin, sync_playwright() as p:
        exe = resolve_chromium(playwright_path=p.chromium.executable_path)
        start = time.perf_counter()
        browser = p.chromium.launch(executable_path=exe, args=launch_args(exe))
        launch = time.perf_counter() - start
        one, many = Phases(), Phases()
        with tempfile.TemporaryDirectory() as tmp:
            with agent_side(browser, shop, admin, Path(tmp) / "a1", one) as agent, \
                    floor_side(browser, shop, admin) as floor:  # fmt: skip
                singles_agent, singles_floor = side_by_side(agent, floor, admin, args.repeat)
            with agent_side(browser, shop, admin, Path(tmp) / "a2", many) as agent, \
                    floor_side(browser, shop, admin) as floor:  # fmt: skip
                batch = side_by_side(agent, floor, admin, args.batch)
            batch_agent, batch_floor = sum(batch[0]), sum(batch[1])
        browser.close()
    one_a, one_f = statistics.median(singles_agent), statistics.median(singles_floor)
    print(f"{'':28}{'agent':>10}{'floor':>10}{'ratio':>8}   target")
    label = f"one cancel (median of {args.repeat})"
    print(f"{label:28}{one_a:>9.2f}s{one_f:>9.2f}s{one_a / one_f:>8.2f}   < 3 s")
    print(f"{'batch of ' + str(args.batch) + ' in one browser':28}{batch_agent:>9.2f}s{batch_floor:>9.2f}s"
          f"{batch_agent / batch_floor:>8.2f}   < 20 s")  # fmt: skip
    session = one.totals.pop("session (per run)")
    print(f"\nwhere the agent's time goes: browser launch {launch:.2f} s (once); session {session:.2f} s "
          "(per run: run row, context, login check)")  # fmt: skip
    many.totals.pop("session (per run)", None)
    print(f"per cancel, single (mean of {args.repeat}):")
    print("\n".join(one.lines(args.repeat)))
    print(f"per cancel, in the batch of {args.batch}:")
    print("\n".join(many.lines(args.batch)))


if __name__ == "__main__":
    main()
