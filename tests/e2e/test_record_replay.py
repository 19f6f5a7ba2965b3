"""`record` against the live shop, then replay offline: the agent's orders listing and dry-run cancel give
the same result as live, the shop sees no request during the replay, nothing was submitted while
recording, and no secret of the recording account survives anywhere in the folder."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser

from agent.config import Config
from agent.errors import WriteBlocked
from agent.models import OrderStatus
from agent.recording.guard import ReadOnlyGuard
from agent.recording.manifest import FlowParams, Manifest
from agent.recording.record import RecordSpec, record
from agent.recording.replay import replay
from agent.recording.scrub import variants
from agent.shop.admin import ShopAdmin
from agent.shop.seed import SHOP_EMAIL, SHOP_PASSWORD
from agent.shop.server import ShopThread
from agent.store import Store

pytestmark = pytest.mark.e2e


def agent_config(folder: Path) -> Config:
    from agent.config import AccountConfig, BrowserConfig, StorageConfig

    storage = StorageConfig(
        database=folder / "agent.db", state_dir=folder / "state", evidence_dir=folder / "ev"
    )
    return Config(
        account=AccountConfig(email=SHOP_EMAIL),
        storage=storage,
        browser=BrowserConfig(trace="off", timeout_ms=10_000),
    )


@pytest.fixture(scope="module")
def recorded(
    buyer_agent_shop_server: ShopThread,
    buyer_agent_browser: Browser,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Path, Config, ShopAdmin]]:
    """One recording of a dry-run cancel (login through the shop's pages first: a password was typed)."""
    tmp = tmp_path_factory.mktemp("rec")
    with pytest.MonkeyPatch.context() as env, ShopAdmin(buyer_agent_shop_server.base_url) as admin:
        env.setenv("BUYER_AGENT_PASSWORD", SHOP_PASSWORD)
        admin.reset()
        base = agent_config(tmp)
        site = base.site.model_copy(
            update={"base_url": admin.base_url, "login_url": admin.base_url + "/login/"}
        )
        cfg = base.model_copy(update={"site": site})  # no saved session: record logs in through the pages
        spec = RecordSpec(
            "t",
            FlowParams(flow="cancel-dry-run", status=OrderStatus.AWAITING_PAYMENT),
            out_root=tmp / "fixtures",
            key=b"test",
        )
        with Store.open(cfg.storage.database) as store:
            folder = record(cfg, store, spec, browser=buyer_agent_browser)
        yield folder, cfg, admin


def test_replay_is_offline_and_gives_the_live_result(
    recorded: tuple[Path, Config, ShopAdmin], buyer_agent_browser: Browser, tmp_path: Path
) -> None:
    folder, _, admin = recorded
    manifest = Manifest.load(folder)
    live_unpaid = [o for o in admin.orders() if o["status"] == "awaiting_payment" and not o["deleted"]]
    assert len(manifest.result.orders) == len(live_unpaid) > 0
    assert admin.log(kind="cancel") == []  # the recording submitted nothing
    (cancel,) = manifest.result.cancels
    assert cancel["outcome"] == "dry_run" and cancel["reason_text"] == "I don't want it anymore"

    seen = len(admin.log())
    with Store.open(tmp_path / "replay.db") as store:
        again = replay(folder, agent_config(tmp_path), store, browser=buyer_agent_browser)
    assert len(admin.log()) == seen  # the shop saw nothing: every answer came from the HAR
    assert again.orders == manifest.result.orders
    assert again.cancels == manifest.result.cancels


def test_manifest_describes_the_screens(recorded: tuple[Path, Config, ShopAdmin]) -> None:
    manifest = Manifest.load(recorded[0])
    assert manifest.base_url == "http://shop.invalid" and manifest.locale == "en"
    assert [s.page_object for s in manifest.screens] == ["OrdersPage", "OrderDetailPage", "CancelDialog"]
    assert all((recorded[0] / s.file).exists() and s.keys for s in manifest.screens)
    assert manifest.params.order_ids == [manifest.result.cancels[0]["order_id"]]


def all_text(folder: Path) -> str:
    """Every file in the folder, plus every base64 body of the HAR decoded."""
    parts = [p.read_text(encoding="utf-8", errors="replace") for p in folder.rglob("*") if p.is_file()]
    har: dict[str, Any] = json.loads((folder / "recording.har").read_text(encoding="utf-8"))
    for entry in har["log"]["entries"]:
        content = entry["response"]["content"]
        if content.get("encoding") == "base64":
            parts.append(base64.b64decode(content["text"]).decode("utf-8", errors="replace"))
    return "\n".join(parts)


def test_no_secret_of_the_account_survives(recorded: tuple[Path, Config, ShopAdmin]) -> None:
    folder, cfg, admin = recorded
    text = all_text(folder)
    session = json.loads(next(Path(cfg.storage.state_dir).glob("*.json")).read_text())
    secrets = [SHOP_PASSWORD, SHOP_EMAIL] + [c["value"] for c in session["cookies"]]
    for secret in secrets:
        for form in variants(secret):
            assert form not in text, f"{secret!r} survives as {form!r}"
    for order in admin.orders():
        assert order["order_id"] not in text
    assert "127.0.0.1" not in text and "/__shop/" not in text
    assert "xman_us_t=" not in text  # no cookie header, no set-cookie


def test_the_guard_blocks_any_write(buyer_agent_shop: ShopAdmin, buyer_agent_browser: Browser) -> None:
    context = buyer_agent_browser.new_context()
    guard = ReadOnlyGuard(context)
    page = context.new_page()
    page.goto(buyer_agent_shop.base_url + "/login/")
    outcome = page.evaluate(
        "fetch('/h5/mtop.aliexpress.trade.buyer.order.operation/1.0/', {method: 'POST'})"
        ".then(() => 'sent', () => 'blocked')"
    )
    context.close()
    assert outcome == "blocked" and buyer_agent_shop.log(kind="cancel") == []
    with pytest.raises(WriteBlocked):
        guard.check()
