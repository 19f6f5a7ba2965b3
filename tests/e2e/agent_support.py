"""Helpers for the agent's e2e tests: a real config file pointing at the running shop, a real store,
and the agent's flows run in-process on the test session's Chromium."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser

from agent.config import Config
from agent.config_file import load_config
from agent.flows.cancel import CancelResult, cancel_orders
from agent.flows.runtime import open_runtime
from agent.models import RequestState
from agent.shop.admin import ShopAdmin
from agent.shop.seed import SHOP_EMAIL, SHOP_PASSWORD
from agent.store import Store

__all__ = [
    "FAST_API",
    "SHOP_PASSWORD",
    "make_config",
    "pick_order",
    "preload_session",
    "run_cancel",
    "submissions",
    "toml_value",
]


# The API client's pacing and back-off scaled down for tests (the defaults are pinned by unit tests).
FAST_API = {"min_interval_ms": 20, "jitter_ms": 10, "traffic_backoff_ms": 50}


def toml_value(value: Any) -> str:
    return json.dumps(value) if not isinstance(value, bool) else str(value).lower()


def make_config(tmp_path: Path, base_url: str, **sections: dict[str, Any]) -> Config:
    """Write a buyer-agent.toml for the shop (as a user would) and load it."""
    data: dict[str, dict[str, Any]] = {
        "site": {"base_url": base_url, "login_url": base_url + "/login/"},
        "account": {"email": SHOP_EMAIL},
        "browser": {"timeout_ms": 10_000, "trace": "off"},
        "storage": {"database": str(tmp_path / "agent.db"), "evidence_dir": str(tmp_path / "evidence"),
                    "state_dir": str(tmp_path / "state")},
        "policy": {"max_retries": 3},
        "api": dict(FAST_API),
    }  # fmt: skip
    for name, values in sections.items():
        data.setdefault(name, {}).update(values)
    text = "\n".join(
        f"[{name}]\n" + "\n".join(f"{k} = {toml_value(v)}" for k, v in values.items())
        for name, values in data.items()
    )
    path = tmp_path / "buyer-agent.toml"
    path.write_text(text + "\n", encoding="utf-8")
    return load_config(str(path))


def preload_session(cfg: Config, admin: ShopAdmin) -> None:
    """Tests not about logging in start from a saved session (as `buyer-agent login` leaves it)."""
    admin.save_session(cfg.storage.state_dir, cfg.account.email)


def run_cancel(
    cfg: Config, browser: Browser, ids: list[str], reason: str, **options: Any
) -> list[CancelResult]:
    with Store.open(cfg.storage.database) as store, open_runtime(cfg, store, "cancel", browser=browser) as rt:
        return cancel_orders(rt, ids, reason, **options)


def pick_order(admin: ShopAdmin, status: str, **match: Any) -> str:
    """The id of a seeded order in `status` whose fields match (e.g. picked_up=False)."""
    for order in admin.orders():
        if order["status"] == status and all(order.get(k) == v for k, v in match.items()):
            return str(order["order_id"])
    raise LookupError(f"no seeded order with status {status} and {match}")


def submissions(admin: ShopAdmin, order_id: str) -> list[dict[str, Any]]:
    """Every cancellation the shop received for the order (what the server saw, not what we said)."""
    return admin.log(kind="cancel", order_id=order_id)


# The shop's submission endpoints, by a part of their path (for its faults), and how long a `commit` fault
# holds a submission: until the test releases it (no agent waits that long).
CANCEL_API = "order.operation"
DISPUTE_FORM = "reverse-pages/start.html"
HELD_MS = 120_000


def disputable_order(admin: ShopAdmin, database: Path) -> str:
    """An order awaiting delivery whose request the seller shipped anyway: the case a dispute is for."""
    order_id = pick_order(admin, "awaiting_delivery")
    with Store.open(database) as store:
        store.insert_request(order_id, RequestState.SHIPPED_ANYWAY, reason_text="I don't want it anymore")
    return order_id
