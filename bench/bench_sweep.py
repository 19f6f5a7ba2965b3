"""Benchmark: a sweep over N open requests in the fixture shop, side by side with
(a) a naive pass that opens every request's detail page with all resources loaded, and
(b) the floor: the same data fetched over plain HTTP (httpx) with the session's cookies.

Prints wall time and peak memory (Python heap via tracemalloc, in a second pass; browser RSS summed over
Chromium's processes from /proc) for each, and the ratios. Figures only: nothing here is asserted.

    .venv/bin/python bench/bench_sweep.py                 # N = 100 and 1000 (a few minutes)
    .venv/bin/python bench/bench_sweep.py --n 100 --naive-sample 100 --load-delay-ms 0

The naive pass is measured on `--naive-sample` orders and scaled to N (it is linear: one page per order),
so that the default run stays under five minutes; the line says so when it is scaled.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from playwright.sync_api import Browser, sync_playwright

from agent.browser import account_slug
from agent.browser_setup import launch_args, resolve_chromium
from agent.config import Config
from agent.flows.read import read_detail
from agent.flows.runtime import open_runtime
from agent.models import Order, OrderStatus, RequestState
from agent.shop.admin import ShopAdmin
from agent.shop.seed import SHOP_EMAIL
from agent.shop.server import ShopThread
from agent.store import Store
from jobs.sweep import sweep

LIST_API = "/h5/mtop.aliexpress.trade.buyer.order.list/1.0/"


@dataclass
class Figure:
    name: str
    seconds: float
    py_peak_mb: float
    browser_peak_mb: float
    note: str = ""


class RssSampler:
    """Peak RSS of this process's descendants (Chromium), sampled every 100 ms from /proc."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, _descendants_rss())

    def __enter__(self) -> RssSampler:
        self.peak = _descendants_rss()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _descendants_rss() -> int:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    mine, frontier = set(), {os.getpid()}
    while frontier:
        frontier = {pid for pid, ppid in parents.items() if ppid in frontier} - mine
        mine |= frontier
    total = 0
    for pid in mine:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def measure(name: str, step: Callable[[], object], note: str = "", scale: float = 1.0) -> Figure:
    """Two passes: wall time and browser RSS without tracing (tracemalloc slows Python several-fold),
    then the Python heap's peak under tracemalloc."""
    started = time.perf_counter()
    with RssSampler() as rss:
        step()
    seconds = (time.perf_counter() - started) * scale
    tracemalloc.start()
    step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return Figure(name, seconds, peak / 2**20, rss.peak / 2**20, note)


def setup(tmp: Path, admin: ShopAdmin, base_url: str, n: int, delay_ms: int) -> tuple[Config, list[str]]:
    admin.reset()
    admin.set_scenario(load_delay_ms=delay_ms)
    ids = admin.add_orders(count=n, status="cancellation_requested", seller="silent", spread_h=0.5)
    placed = {o["order_id"]: o["placed_at"] for o in admin.orders()}
    config = Config.model_validate(
        {
            "site": {"base_url": base_url, "login_url": f"{base_url}/login/"},
            "account": {"email": SHOP_EMAIL},
            "browser": {"trace": "off"},
            "storage": {
                "database": str(tmp / f"bench-{n}.db"),
                "evidence_dir": str(tmp / "evidence"),
                "state_dir": str(tmp / "state"),
            },
        }
    )
    admin.save_session(config.storage.state_dir)
    now = dt.datetime.now(dt.UTC)
    with Store.open(config.storage.database) as store, store.transaction():
        for oid in ids:
            placed_on = dt.date.fromisoformat(placed[oid][:10])
            store.upsert_order(
                Order(order_id=oid, status=OrderStatus.CANCELLATION_REQUESTED, placed_at=placed_on)
            )
            store.transition(
                oid,
                RequestState.REQUESTED,
                expected=None,
                requested_at=now,
                seller_deadline=now + dt.timedelta(hours=48),
                dispute_deadline=now + dt.timedelta(days=80),
            )
    return config, ids


def run_sweep(config: Config, browser: Browser) -> None:
    with (
        Store.open(config.storage.database) as store,
        open_runtime(config, store, "bench", browser=browser) as rt,
    ):
        result = sweep(rt)
    assert result.checked > 0 and not result.errors, result.errors


def run_naive(config: Config, browser: Browser, ids: list[str]) -> None:
    heavy = config.model_copy(
        update={"browser": config.browser.model_copy(update={"block_resources": False})}
    )
    with (
        Store.open(config.storage.database) as store,
        open_runtime(heavy, store, "naive", browser=browser) as rt,
    ):
        for oid in ids:
            read_detail(rt, oid)


def run_floor(config: Config, base_url: str, ids_needing_detail: list[str]) -> None:
    state = json.loads((config.storage.state_dir / f"{account_slug(SHOP_EMAIL)}.json").read_text())
    cookies = {c["name"]: c["value"] for c in state["cookies"]}
    with httpx.Client(base_url=base_url, cookies=cookies, timeout=60) as client:
        client.get("/p/order/index.html").raise_for_status()
        page, more = 1, True
        while more:
            query = {"statusTab": "all", "timeOption": "6m", "pageIndex": page}
            body = client.get(LIST_API, params={"data": json.dumps(query)}).json()
            fields = [
                c["fields"] for k, c in body["data"]["data"].items() if k.startswith("pc_om_list_body_")
            ]
            more, page = bool(fields[0]["hasMore"]), page + 1
        for oid in ids_needing_detail:
            client.get(
                "/h5/mtop.aliexpress.trade.buyer.order.detail/1.0/",
                params={"data": json.dumps({"tradeOrderId": oid})},
            ).raise_for_status()


def bench(
    n: int, sample: int, delay_ms: int, shop: ShopThread, admin: ShopAdmin, browser: Browser
) -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        config, ids = setup(Path(tmp), admin, shop.base_url, n, delay_ms)
        floor = measure("floor (httpx)", lambda: run_floor(config, shop.base_url, []))
        ours = measure("our sweep", lambda: run_sweep(config, browser))
        k = min(sample, n)
        naive = measure(
            "naive (every detail, all resources)",
            lambda: run_naive(config, browser, ids[:k]),
            note="" if k == n else f"measured on {k}, scaled x{n / k:.0f}",
            scale=n / k,
        )
    return [naive, floor, ours]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[100, 1000], help="open requests per run")
    parser.add_argument("--naive-sample", type=int, default=25, help="orders the naive pass really opens")
    parser.add_argument("--load-delay-ms", type=int, default=300, help="the shop's 'View orders' delay")
    args = parser.parse_args()
    exe = resolve_chromium()
    with ShopThread() as shop, ShopAdmin(shop.base_url) as admin, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=launch_args(exe), headless=True)
        print(f"load delay {args.load_delay_ms} ms per 'View orders' page; times in s, memory peaks in MB")
        for n in args.n:
            naive, floor, ours = bench(n, args.naive_sample, args.load_delay_ms, shop, admin, browser)
            print(f"\nN = {n}")
            for f in (naive, floor, ours):
                print(
                    f"  {f.name:<38} {f.seconds:8.1f} s  py {f.py_peak_mb:7.1f} MB  "
                    f"browser {f.browser_peak_mb:7.0f} MB  {f.note}"
                )
            print(
                f"  sweep / floor = {ours.seconds / floor.seconds:.2f}x   "
                f"naive / sweep = {naive.seconds / ours.seconds:.1f}x"
            )
        browser.close()


if __name__ == "__main__":
    main()
