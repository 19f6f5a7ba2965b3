"""pytest plugin (entry point `pytest11: buyer_agent`): fixtures for users' own suites.

    buyer_agent_shop       the fixture shop, reset for the test; a ShopAdmin (scenario, clock, faults, log)
    buyer_agent_recording  the recording named by `@pytest.mark.buyer_agent_recording("default-en")`
    buyer_agent            a configured agent (Config + Store in tmp_path) pointed at the recording when
                           the test has that marker, else at the shop (with a saved session)
    buyer_agent_browser    the Chromium they share (the suite's own `browser` fixture when there is one)

Everything heavy is imported inside the fixtures: the plugin costs nothing to suites that do not use it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

    from agent.config import Config
    from agent.flows.runtime import Runtime
    from agent.models import Order
    from agent.recording.manifest import FlowResult, Manifest
    from agent.shop.admin import ShopAdmin
    from agent.shop.server import ShopThread
    from agent.store import Store

MARKER = "buyer_agent_recording"
INI_FIXTURES = "buyer_agent_fixtures"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        INI_FIXTURES, "folder of buyer-agent recordings (default: the ones shipped with buyer-agent)"
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}(name): replay this recording in buyer_agent / buyer_agent_recording"
    )


def fixtures_root(config: pytest.Config) -> Path:
    """Where recordings are looked up: the ini option, else the shipped ones (wheel, then source tree)."""
    configured = config.getini(INI_FIXTURES)
    if configured:
        return Path(str(config.rootpath)) / str(configured)
    package = Path(__file__).resolve().parent
    shipped = package / "_fixtures"
    return shipped if shipped.exists() else package.parent / "fixtures"


@dataclass
class Recording:
    folder: Path
    manifest: Manifest


@dataclass
class Agent:
    """The agent as a user's test drives it: `with agent.runtime() as rt: list_orders(rt)`."""

    config: Config
    store: Store
    browser: Browser
    recording: Recording | None = None

    @contextmanager
    def runtime(self) -> Iterator[Runtime]:
        from agent.flows.runtime import open_runtime
        from agent.recording.replay import replay_runtime

        if self.recording is not None:
            with replay_runtime(self.recording.folder, self.config, self.store, self.browser) as rt:
                yield rt
            return
        with open_runtime(self.config, self.store, "test", browser=self.browser) as rt:
            yield rt

    def orders(self, **filters: Any) -> list[Order]:
        from agent.flows.orders import list_orders

        with self.runtime() as rt:
            return list_orders(rt, **filters)

    def replay(self) -> FlowResult:
        """Run the recording's own flow again (its result should equal `recording.manifest.result`)."""
        from agent.recording.replay import replay

        assert self.recording is not None, f"mark the test with @pytest.mark.{MARKER}(name)"
        return replay(self.recording.folder, self.config, self.store, self.browser)


# -- the shop ----------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def buyer_agent_shop_server() -> Iterator[ShopThread]:
    from agent.shop.server import ShopThread

    with ShopThread() as server:
        yield server


@pytest.fixture
def buyer_agent_shop(buyer_agent_shop_server: ShopThread) -> Iterator[ShopAdmin]:
    """The shop, reset to its default scenario: `buyer_agent_shop.set_scenario("iframe")`, `.advance(48)`,
    `.faults(path="order.list", kind="error")`, `.log(kind="cancel")`; `.base_url` is where it runs."""
    from agent.shop.admin import ShopAdmin

    with ShopAdmin(buyer_agent_shop_server.base_url) as admin:
        admin.reset()
        yield admin


# -- browser, recording, agent -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def buyer_agent_browser(request: pytest.FixtureRequest) -> Iterator[Browser]:
    """The suite's own `browser` fixture when it has one (one Playwright per thread), else a Chromium."""
    try:
        yield request.getfixturevalue("browser")
        return
    except pytest.FixtureLookupError:
        pass
    from playwright.sync_api import sync_playwright

    from agent.browser_setup import launch_args, resolve_chromium

    exe = resolve_chromium()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=launch_args(exe), headless=True)
        yield browser
        browser.close()


@pytest.fixture
def buyer_agent_recording(request: pytest.FixtureRequest) -> Recording:
    """The recording named by the test's marker (or by indirect parametrisation)."""
    from agent.recording.manifest import Manifest

    marker = request.node.get_closest_marker(MARKER)
    name = marker.args[0] if marker and marker.args else getattr(request, "param", None)
    if not name:
        pytest.fail(f"buyer_agent_recording needs @pytest.mark.{MARKER}(name)")
    folder = Path(name) if Path(name).is_absolute() else _find(fixtures_root(request.config), str(name))
    return Recording(folder, Manifest.load(folder))


def _find(root: Path, name: str) -> Path:
    matches = sorted(p for p in root.glob(f"*/{name}") if (p / "manifest.json").exists())
    if not matches:
        pytest.fail(f"no recording {name!r} under {root}")
    return matches[0]


@pytest.fixture
def buyer_agent(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    buyer_agent_browser: Browser,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Agent]:
    """A configured agent (Config + Store in tmp_path): on the marked recording, else on the shop."""
    from agent.config import AccountConfig, BrowserConfig, Config, StorageConfig
    from agent.shop.seed import SHOP_EMAIL, SHOP_PASSWORD
    from agent.store import Store

    monkeypatch.setenv("BUYER_AGENT_PASSWORD", SHOP_PASSWORD)
    storage = StorageConfig(
        database=tmp_path / "agent.db", state_dir=tmp_path / "state", evidence_dir=tmp_path / "evidence"
    )
    config = Config(
        account=AccountConfig(email=SHOP_EMAIL),
        storage=storage,
        browser=BrowserConfig(trace="off", timeout_ms=10_000),
    )
    recording = None
    if request.node.get_closest_marker(MARKER) or "buyer_agent_recording" in request.fixturenames:
        recording = request.getfixturevalue("buyer_agent_recording")
    else:
        config = _on_shop(config, request.getfixturevalue("buyer_agent_shop"))
    with Store.open(storage.database) as store:
        yield Agent(config, store, buyer_agent_browser, recording)


def _on_shop(config: Config, admin: ShopAdmin) -> Config:
    """`config` pointed at the shop, with a saved session (tests not about logging in skip the login)."""
    site = config.site.model_copy(
        update={"base_url": admin.base_url, "login_url": admin.base_url + "/login/"}
    )
    admin.save_session(config.storage.state_dir, config.account.email)
    return config.model_copy(update={"site": site})
