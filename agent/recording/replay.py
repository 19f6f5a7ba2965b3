"""Run the agent on a recording: Playwright's route_from_har (not_found="abort") answers every request,
the site's signed API calls included (agent.recording.mtop_replay matches them on what they ask),
nothing reaches the network, and the real page objects and selector pack do the work. The agent's own
API client is off: a recording holds what the screens needed, and the client's requests would not go
through the browser's routes.

The base URL at replay time is the manifest's `base_url`: recordings of the shop are rewritten to
http://shop.invalid when scrubbed (the routes answer before any DNS lookup), so they replay whatever
port they were recorded on; recordings of a real site keep its origin.

    with replay_runtime(Path("fixtures/aliexpress/default-en"), config, store) as rt:
        orders = list_orders(rt)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser

from agent.config import Config
from agent.flows.runtime import Runtime, open_runtime
from agent.recording.flows import run_flow
from agent.recording.guard import ReadOnlyGuard
from agent.recording.manifest import FlowResult, Manifest
from agent.recording.mtop_replay import install_mtop_replay
from agent.store import Store

# A control the recording does not hold never appears: look for it briefly (a late-rendered one shows up
# at once, the page's JS being replayed from memory).
FINDER_TIMEOUT_MS = 2_500


def replay_config(config: Config, manifest: Manifest) -> Config:
    """`config` pointed at the recording: its base URL, locale and profile; one attempt per read (a
    request missing from the recording fails at once instead of being retried)."""
    site = config.site.model_copy(
        update={
            "base_url": manifest.base_url,
            "login_url": manifest.base_url + "/login/",
            "locale": manifest.locale,
            "profile": manifest.profile,
            "api_base_url": "",
        }
    )
    return config.model_copy(
        update={
            "site": site,
            "browser": config.browser.model_copy(update={"trace": "off", "remote_endpoint": ""}),
            "policy": config.policy.model_copy(update={"max_retries": 1}),
            "api": config.api.model_copy(update={"enabled": False}),
        }
    )


@contextmanager
def replay_runtime(
    folder: Path, config: Config, store: Store, browser: Browser | None = None
) -> Iterator[Runtime]:
    """A Runtime whose browser context answers from the recording in `folder` only."""
    manifest = Manifest.load(folder)
    options = {"replay_har": folder / manifest.har}
    cfg = replay_config(config, manifest)
    with open_runtime(cfg, store, f"replay {manifest.name}", browser=browser, context_options=options) as rt:
        rt.site.finder.default_timeout_ms = min(rt.site.finder.default_timeout_ms, FINDER_TIMEOUT_MS)
        install_mtop_replay(rt.context, folder / manifest.har)
        guard = ReadOnlyGuard(rt.context)
        yield rt
        guard.check()


def replay(folder: Path, config: Config, store: Store, browser: Browser | None = None) -> FlowResult:
    """Run the recorded flow again on the recording; compare with `Manifest.load(folder).result`."""
    params = Manifest.load(folder).params
    with replay_runtime(folder, config, store, browser) as rt:
        result, _ = run_flow(rt, params)
    return result
