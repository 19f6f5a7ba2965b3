"""Selector drift: run every key of the pack against recorded screens (or the live site) and report, per key,
which candidate matched — flagging keys that now match only a later candidate than when recorded, or only
their last one, and keys that match nothing.

    report = check(config, fixtures=Path("fixtures/aliexpress"))    # or live=True (read-only, saved session)
    report.ok        # every expected key resolved (the CLI's exit code 0/1)
    report.flagged   # late or missing, for a notification

Recorded screens are loaded as they were: the snapshot's HTML at its URL, everything else (styles,
frames) from the recording's HAR, nothing from the network. Which keys a screen must resolve is its
baseline in the manifest (what resolved when it was recorded); conditional controls (an empty state, a
menu) are reported but never fail the check.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Literal

from playwright.sync_api import Browser, BrowserContext, Page, Route
from pydantic import BaseModel, Field

from agent.browser import BrowserSession
from agent.config import Config
from agent.flows.runtime import open_runtime
from agent.locate import load_pack
from agent.pack_check import Resolution, check_pack
from agent.packs import Pack
from agent.pages import OrderDetailPage, OrdersPage
from agent.recording.camera import page_keys
from agent.recording.guard import ReadOnlyGuard
from agent.recording.manifest import Manifest, Screen, recordings
from agent.store import Store

Status = Literal["ok", "late", "missing", "n/a"]


class KeyResult(BaseModel):
    key: str
    screen: str  # "<recording>/<snapshot file>" or the live URL
    page_object: str
    candidate: str | None = None
    position: int | None = None
    candidates: int = 0
    baseline: int | None = None
    status: Status = "n/a"
    note: str = ""  # when nothing matched: "none", "ambiguous" (several matches), …


class FilterNote(BaseModel):
    """A filter control the agent could not set on some run (`filter_unavailable` events): it read every
    order and filtered locally instead — correct, but a sign the page changed."""

    control: str
    times: int
    last_at: str
    error: str = ""


class DriftReport(BaseModel):
    source: str
    results: list[KeyResult] = Field(default_factory=list)
    filters: list[FilterNote] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(r.status == "missing" for r in self.results)

    @property
    def flagged(self) -> list[KeyResult]:
        return [r for r in self.results if r.status in ("late", "missing")]

    def lines(self) -> list[str]:
        out = []
        for r in self.results:
            where = f"#{r.position} {r.candidate}" if r.candidate else f"nothing ({r.note})"
            was = f" (recorded #{r.baseline})" if r.baseline is not None else ""
            out.append(f"{r.status:8} {r.key:40} {where}{was}  [{r.screen}]")
        for f in self.filters:
            out.append(f"{'filter':8} {f.control:40} unavailable {f.times}x, last {f.last_at}: {f.error}")
        return out


def classify(found: Resolution, baseline: int | None, candidates: int) -> Status:
    """ok / late (a later candidate than recorded, or only the last of several) / missing / n/a."""
    if found.position is None:  # several matches (e.g. one per item of a multi-item order) is not drift
        return "missing" if baseline is not None and found.strategy != "ambiguous" else "n/a"
    if baseline is not None and found.position > baseline:
        return "late"
    if candidates > 1 and found.position == candidates - 1 and baseline != found.position:
        return "late"
    return "ok"


def resolve_screen(page: Page, pack: Pack, locale: str, page_object: str) -> dict[str, Resolution]:
    keys = page_keys(page_object)
    found = check_pack(page, pack, locale, prefixes=keys)
    return {k: v for k, v in found.items() if k in keys and v.strategy != "parametrised"}


def results_for(pack: Pack, screen: Screen, where: str, found: dict[str, Resolution]) -> list[KeyResult]:
    out = []
    for key, res in sorted(found.items()):
        n = len(pack.control(key).candidates)
        baseline = screen.keys.get(key)
        out.append(
            KeyResult(
                key=key,
                screen=where,
                page_object=screen.page_object,
                candidate=res.candidate,
                position=res.position,
                candidates=n,
                baseline=baseline,
                status=classify(res, baseline, n),
                note="" if res.candidate else res.strategy,
            )
        )
    return out


# -- recorded screens --------------------------------------------------------------------------------
@contextmanager
def replay_context(browser: Browser, folder: Path, manifest: Manifest) -> Iterator[BrowserContext]:
    """A context that answers from the recording only (aborting anything else)."""
    context = browser.new_context(locale=manifest.locale, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    context.route("**/*", lambda route: route.abort())
    har = folder / manifest.har
    if har.exists():
        context.route_from_har(har, not_found="abort")
    try:
        yield context
    finally:
        context.close()


def show_screen(context: BrowserContext, folder: Path, screen: Screen) -> Page:
    """A page showing the snapshot at its recorded URL (styles and frames from the HAR)."""
    html = (folder / screen.file).read_text(encoding="utf-8")

    def matches(url: str) -> bool:
        return url == screen.url

    def serve(route: Route) -> None:
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

    context.route(matches, serve)
    page = context.new_page()
    try:
        page.goto(screen.url, wait_until="load")
    finally:
        context.unroute(matches, serve)
    return page


def baseline(browser: Browser, pack: Pack, folder: Path, manifest: Manifest) -> list[Screen]:
    """The manifest's screens with the keys that resolve on them now (called when recording)."""
    out = []
    with replay_context(browser, folder, manifest) as context:
        for screen in manifest.screens:
            page = show_screen(context, folder, screen)
            found = resolve_screen(page, pack, manifest.locale, screen.page_object)
            page.close()
            keys = {k: r.position for k, r in found.items() if r.position is not None}
            out.append(screen.model_copy(update={"keys": keys}))
    return out


def check_recording(browser: Browser, pack: Pack, folder: Path) -> list[KeyResult]:
    manifest = Manifest.load(folder)
    results: list[KeyResult] = []
    with replay_context(browser, folder, manifest) as context:
        for screen in manifest.screens:
            page = show_screen(context, folder, screen)
            found = resolve_screen(page, pack, manifest.locale, screen.page_object)
            page.close()
            results += results_for(pack, screen, f"{folder.name}/{screen.file}", found)
    return results


def check_fixtures(pack: Pack, browser: Browser, fixtures: Path) -> DriftReport:
    """Every recording under `fixtures` (one recording folder, a profile folder or fixtures/)."""
    report = DriftReport(source=str(fixtures))
    for folder in recordings(fixtures):
        report.results += check_recording(browser, pack, folder)
    return report


# -- the live site -----------------------------------------------------------------------------------
CORE_KEYS = {  # what must resolve on any account's screens, whatever the recordings say
    "OrdersPage": {"orders.tabs", "orders.row", "orders.row_status", "orders.row_detail_link"},
    "OrderDetailPage": {"order_detail.root", "order_detail.status_title"},
}


def live_baseline(fixtures: Path | None) -> dict[str, dict[str, int]]:
    """Per page object, the keys that resolved on every recorded screen of it (a key unique only in some
    state, e.g. one search result, is not expected live), at the latest position any of them needed."""
    best: dict[str, dict[str, int]] = {}
    for folder in recordings(fixtures) if fixtures else []:
        for screen in Manifest.load(folder).screens:
            if screen.page_object not in best:
                best[screen.page_object] = dict(screen.keys)
                continue
            known = best[screen.page_object]
            best[screen.page_object] = {
                k: max(p, screen.keys[k]) for k, p in known.items() if k in screen.keys
            }
    return best


def live_screen(
    pack: Pack, page: Page, locale: str, page_object: str, known: dict[str, int]
) -> list[KeyResult]:
    """Check the screen a page object has open right now (read-only: nothing is clicked)."""
    expected = dict(known)
    for key in CORE_KEYS.get(page_object, set()):
        expected.setdefault(key, max(0, len(pack.control(key).candidates) - 2))  # the last one is late
    screen = Screen(file="", url=page.url, page_object=page_object, keys=expected)
    return results_for(pack, screen, page.url.split("?")[0], resolve_screen(page, pack, locale, page_object))


def check_live(
    config: Config, store: Store, browser: Browser | None = None, fixtures: Path | None = None
) -> DriftReport:
    """My Orders and the first order's detail page of the configured site, with the saved session; never
    logs in (SessionExpired: run `buyer-agent login`) and never writes (ReadOnlyGuard)."""
    known = live_baseline(fixtures)
    with open_runtime(config, store, "selectors check --live", browser=browser) as rt:
        guard = ReadOnlyGuard(rt.context)
        orders = OrdersPage(rt.site).open()
        results = live_screen(rt.pack, rt.page, rt.site.locale, "OrdersPage", known.get("OrdersPage", {}))
        rows = orders.orders()
        if rows:
            OrderDetailPage(rt.site).open(rows[0].order_id)
            results += live_screen(
                rt.pack, rt.page, rt.site.locale, "OrderDetailPage", known.get("OrderDetailPage", {})
            )
        guard.check()
    return DriftReport(source=config.site.base_url, results=results)


def unavailable_filters(store: Store) -> list[FilterNote]:
    """Every filter control runs could not set (from the events table), the latest first."""
    notes: dict[str, FilterNote] = {}
    for event in store.events(kind="filter_unavailable"):
        control = str(event.detail.get("control", "?"))
        seen = notes.get(control)
        notes[control] = FilterNote(
            control=control,
            times=(seen.times if seen else 0) + 1,
            last_at=f"{event.at:%Y-%m-%d %H:%M}",
            error=str(event.detail.get("error", ""))[:160],
        )
    return sorted(notes.values(), key=lambda n: n.last_at, reverse=True)


def check(
    config: Config,
    fixtures: Path | None = None,
    live: bool = False,
    browser: Browser | None = None,
    store: Store | None = None,
) -> DriftReport:
    """The drift check as a job calls it: the recordings under `fixtures` (default
    fixtures/<profile>), or with `live=True` the configured site. `report.ok` / `report.flagged`;
    `report.filters`: filter controls runs could not set (never a failure: they are optional)."""
    folder = fixtures or Path("fixtures") / config.site.profile
    with ExitStack() as stack:
        if store is None and (live or config.storage.database.exists()):
            store = stack.enter_context(Store.open(config.storage.database, account=config.account_name))
        if live:
            assert store is not None
            report = check_live(config, store, browser, folder)
        else:
            storage = config.storage
            if browser is None:
                session = BrowserSession(config.browser, storage.state_dir, storage.evidence_dir)
                browser = stack.enter_context(session).browser
            report = check_fixtures(load_pack(config.site.profile), browser, folder)
        report.filters = unavailable_filters(store) if store is not None else []
        return report
