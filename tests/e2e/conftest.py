"""Fixtures for the fixture-shop e2e tests: one shop server per session (per xdist worker), one Chromium
per module, a shop reset and a fresh browser context for every test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from agent.browser_setup import launch_args, resolve_chromium
from agent.packs import Pack, load_pack
from agent.shop.admin import ShopAdmin
from agent.shop.server import ShopThread
from tests.e2e.agent_support import make_config, preload_session

expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def _shop_server() -> Iterator[ShopThread]:
    with ShopThread() as server:
        yield server


@pytest.fixture(scope="session")
def _admin(_shop_server: ShopThread) -> Iterator[ShopAdmin]:
    with ShopAdmin(_shop_server.base_url) as admin:
        yield admin


@pytest.fixture(scope="module")
def pack() -> Pack:
    """The shipped selector pack (the page-object tests build their `Site` from it)."""
    return load_pack("aliexpress")


@pytest.fixture
def shop(_shop_server: ShopThread, _admin: ShopAdmin) -> ShopThread:
    """The running shop, reset to the default scenario (seed, clock, sessions, log, faults)."""
    _admin.reset()
    return _shop_server


@pytest.fixture
def shop_admin(shop: ShopThread, _admin: ShopAdmin) -> ShopAdmin:
    return _admin


# Module scope, not session: other e2e modules start their own sync_playwright(), and two cannot run at once
# in one thread; pytest tears a module fixture down before the next module's tests (also under xdist).
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    exe = resolve_chromium()  # before sync_playwright(): it runs its own Playwright to look
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=launch_args(exe), headless=True)
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Browser, shop: ShopThread) -> Iterator[BrowserContext]:
    ctx = browser.new_context(base_url=shop.base_url, viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def logged_in(context: BrowserContext, shop: ShopThread, shop_admin: ShopAdmin) -> Page:
    """A page whose context already holds a live session (for tests that are not about logging in)."""
    cookies = shop_admin.new_session()
    context.add_cookies(
        [{"name": k, "value": v, "url": shop.base_url, "httpOnly": True} for k, v in cookies.items()]
    )
    return context.new_page()


@pytest.fixture
def cfg_path(shop: ShopThread, shop_admin: ShopAdmin, tmp_path: Path) -> Path:
    """A buyer-agent.toml for the shop with a saved session, as a user leaves it after `login`."""
    cfg = make_config(tmp_path, shop.base_url)
    preload_session(cfg, shop_admin)
    return tmp_path / "buyer-agent.toml"


