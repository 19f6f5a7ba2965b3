"""Benchmark: a sweep over N open requests in the fixture shop, side by side with
(a) a naive pass that opens every request's detail page with all resources loaded,
(b) the floor: the same list read over plain HTTP (httpx) with the session's cookies, signed like the
    agent's client signs (MTOP: `_m_h5_tk` token, md5 signature, rotation, pages 2..N by POST with the
    previous answer's linkage) — once paced like the client (`api.min_interval_ms` + jitter between
    call starts: the protocol's own rule) and once unpaced, and
(c) the sweep on its screen fallback: the shop refuses every API call the agent makes
    (FAIL_SYS_ACCESS_DENIED), so My Orders is paged on screen.

Prints wall time and peak memory (Python heap via tracemalloc, in a second pass; browser RSS summed over
Chromium's processes from /proc) for each, and the ratios. Figures only: nothing here is asserted.

    .venv/bin/python bench/bench_sweep.py                 # N = 100 and 1000 (several minutes)
    .venv/bin/python bench/bench_sweep.py --n 1000 --naive-sample 10

The naive pass is measured on `--naive-sample` orders and scaled to N (it is linear: one page per order),
so that the default run stays reasonable; the line says so when it is scaled.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
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

LIST = "mtop.aliexpress.trade.buyer.order.list"
APP_KEY = "12574478"


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


class SignedFloor:
    """The floor: a hand-written MTOP client over httpx (no browser, no parsing beyond paging)."""

    def __init__(self, client: httpx.Client, pace_s: tuple[float, float] | None) -> None:
        self.client, self.pace_s, self.last = client, pace_s, 0.0

    def call(self, api: str, payload: dict[str, object], method: str = "GET") -> dict[str, object]:
        text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)  # signed as sent
        for _ in range(3):  # a rotated token: re-sign and send again
            body = self._send(api, text, method)
            code = str(body["ret"][0]).split("::")[0]  # type: ignore[index]
            if not code.startswith(("FAIL_SYS_TOKEN_", "FAIL_SYS_ILLEGAL_ACCESS")):
                assert code == "SUCCESS", body["ret"]
                return body["data"]  # type: ignore[return-value]
        raise RuntimeError(f"{api}: token refused three times")

    def _send(self, api: str, text: str, method: str) -> dict[str, object]:
        if self.pace_s:
            gap = self.pace_s[0] + random.uniform(0, self.pace_s[1])
            wait = self.last + gap - time.time()
            if wait > 0:
                time.sleep(wait)
        self.last = time.time()
        token = (self.client.cookies.get("_m_h5_tk") or "").split("_")[0]
        t = str(int(time.time() * 1000))
        sign = hashlib.md5(f"{token}&{t}&{APP_KEY}&{text}".encode()).hexdigest()
        query = {"jsv": "2.5.1", "appKey": APP_KEY, "t": t, "sign": sign, "api": api, "v": "1.0",
                 "type": "originaljson", "dataType": "json"}  # fmt: skip
        path = f"/h5/{api}/1.0/"
        if method == "POST":
            response = self.client.post(path, params=query, data={"data": text})
        else:
            response = self.client.get(path, params=query | {"data": text})
        response.raise_for_status()
        return dict(response.json())


def _next_page(data: dict) -> dict[str, str]:  # type: ignore[type-arg]
    comps = data["data"]
    body_key = next(k for k, v in comps.items() if v["tag"] == "pc_om_list_body")
    head_key = next(k for k, v in comps.items() if v["tag"] == "pc_om_list_header_action")
    body = json.loads(json.dumps(comps[body_key]))
    body["fields"]["pageIndex"] += 1
    params = {"data": json.dumps({body_key: body, head_key: comps[head_key]}), "operator": body_key,
              **{k: json.dumps(data[k]) for k in ("linkage", "hierarchy", "endpoint")}}  # fmt: skip
    return {"params": json.dumps(params)}


def run_floor(config: Config, base_url: str, paced: bool) -> None:
    state = json.loads((config.storage.state_dir / f"{account_slug(SHOP_EMAIL)}.json").read_text())
    cookies = {c["name"]: c["value"] for c in state["cookies"] if c["name"] != "_m_h5_tk"}
    pace = (config.api.min_interval_ms / 1000, config.api.jitter_ms / 1000) if paced else None
    with httpx.Client(base_url=base_url, cookies=cookies, timeout=60) as client:
        client.get("/p/order/index.html").raise_for_status()
        floor = SignedFloor(client, pace)
        first = {"statusTab": "all", "renderType": "init", "clientPlatform": "pc", "timeZone": "GMT+0",
                 "timeOption": "6m"}  # fmt: skip
        data = floor.call(LIST, first)
        while _has_more(data):
            data = floor.call(LIST, _next_page(data), "POST")


def _has_more(data: dict) -> bool:  # type: ignore[type-arg]
    return bool(next(c for c in data["data"].values() if c["tag"] == "pc_om_list_body")["fields"]["hasMore"])


def run_screen_fallback(config: Config, admin: ShopAdmin, browser: Browser) -> None:
    """The sweep while the shop refuses every API call the agent itself makes: the screen reads My Orders."""
    admin.mtop_faults(code="FAIL_SYS_ACCESS_DENIED", api="order.list", count=0, source="agent")
    try:
        run_sweep(config, browser)
    finally:
        admin.mtop_faults(clear=True)


def bench(
    n: int, sample: int, delay_ms: int, shop: ShopThread, admin: ShopAdmin, browser: Browser
) -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        config, ids = setup(Path(tmp), admin, shop.base_url, n, delay_ms)
        floor = measure("floor (httpx, signed, paced)", lambda: run_floor(config, shop.base_url, True))
        bare = measure("floor (httpx, signed, unpaced)", lambda: run_floor(config, shop.base_url, False))
        ours = measure("our sweep (API)", lambda: run_sweep(config, browser))
        screen = measure(
            "our sweep (API refused: screen)", lambda: run_screen_fallback(config, admin, browser)
        )
        k = min(sample, n)
        naive = measure(
            "naive (every detail, all resources)",
            lambda: run_naive(config, browser, ids[:k]),
            note="" if k == n else f"measured on {k}, scaled x{n / k:.0f}",
            scale=n / k,
        )
    return [naive, floor, bare, ours, screen]


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
            naive, floor, bare, ours, screen = bench(
                n, args.naive_sample, args.load_delay_ms, shop, admin, browser
            )
            print(f"\nN = {n}")
            for f in (naive, floor, bare, ours, screen):
                print(
                    f"  {f.name:<38} {f.seconds:8.1f} s  py {f.py_peak_mb:7.1f} MB  "
                    f"browser {f.browser_peak_mb:7.0f} MB  {f.note}"
                )
            ratio = ours.seconds / floor.seconds
            print(f"  sweep / floor = {ratio:.2f}x   (unpaced floor: {ours.seconds / bare.seconds:.2f}x)")
            ratio = screen.seconds / floor.seconds
            print(
                f"  screen fallback / floor = {ratio:.2f}x   (unpaced: {screen.seconds / bare.seconds:.2f}x)"
            )
            print(f"  naive / sweep = {naive.seconds / ours.seconds:.1f}x")
        browser.close()


if __name__ == "__main__":
    main()
