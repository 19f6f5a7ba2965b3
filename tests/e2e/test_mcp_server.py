"""`buyer-agent mcp` as an assistant runs it: a real process spawned by the SDK's own stdio client, against
the shop. A cancel needs the token of its preview; it reaches the shop exactly once; a token is good for
one use, for its order and reason only, also after the server restarts."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from agent.models import RequestState
from agent.shop.admin import ShopAdmin
from agent.shop.seed import SECOND_EMAIL
from agent.shop.server import ShopThread
from agent.store import Store
from tests.e2e.agent_support import SHOP_PASSWORD, make_config, pick_order, preload_session, submissions
from tests.e2e.process_support import agent, finish, request_state

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("processes")]


def _server(cfg_path: Path, *options: str) -> StdioServerParameters:
    exe = Path(sys.executable).with_name("buyer-agent")  # the console script an assistant's config names
    command, args = (str(exe), []) if exe.exists() else (sys.executable, ["-m", "agent"])
    env = {**os.environ, "BUYER_AGENT_PASSWORD": SHOP_PASSWORD}
    args = [*args, "mcp", "--config", str(cfg_path), *options]
    return StdioServerParameters(command=command, args=args, env=env)


def _session(
    cfg_path: Path, calls: list[tuple[str, dict[str, Any]]], *options: str
) -> list[tuple[bool, str]]:
    """Start `buyer-agent mcp [options]`, make the calls in order, stop it; (is_error, text) of each."""

    async def run() -> list[tuple[bool, str]]:
        with anyio.fail_after(180):
            server = _server(cfg_path, *options)
            async with stdio_client(server) as streams, ClientSession(*streams) as session:
                await session.initialize()
                results = []
                for name, args in calls:
                    result = await session.call_tool(name, args)
                    results.append((bool(result.is_error), result.content[0].text))
                return results

    return anyio.run(run)


def test_preview_then_cancel_reaches_the_shop_exactly_once(cfg_path: Path, shop_admin: ShopAdmin) -> None:
    order_id = pick_order(shop_admin, "awaiting_shipment", picked_up=False)
    cancel = {"order_id": order_id, "reason": "changed_mind"}

    (listed, no_token, preview, wrong_reason) = _session(cfg_path, [
        ("list_orders", {"status": "awaiting_shipment"}),
        ("cancel", cancel),
        ("cancel_preview", cancel),
        ("cancel", {**cancel, "reason": "wrong_item", "token": "not-a-token"}),
    ])  # fmt: skip
    assert not listed[0], listed[1]
    expected = {o["order_id"] for o in shop_admin.orders() if o["status"] == "awaiting_shipment"
                and not o["deleted"]}  # fmt: skip
    assert {o["order_id"] for o in json.loads(listed[1])["orders"]} == expected
    assert no_token[0] and "cancel_preview" in no_token[1]
    assert not preview[0], preview[1]
    shown = json.loads(preview[1])
    assert shown["outcome"] == "dry_run" and shown["token"] and shown["expires_at"]
    assert wrong_reason[0] and "unknown token" in wrong_reason[1]
    assert submissions(shop_admin, order_id) == []  # a preview sends nothing
    token = shown["token"]

    (other_reason, done, again, shown, report) = _session(cfg_path, [  # a new server: the same token book
        ("cancel", {**cancel, "reason": "wrong_item", "token": token}),
        ("cancel", {**cancel, "token": token}),
        ("cancel", {**cancel, "token": token}),
        ("show_order", {"order_id": order_id}),
        ("report", {}),
    ])  # fmt: skip
    assert other_reason[0] and "another reason" in other_reason[1]
    assert not done[0], done[1]
    assert json.loads(done[1])["outcome"] == "requested"
    assert again[0] and "already used" in again[1]
    assert len(submissions(shop_admin, order_id)) == 1  # exactly one cancel in the shop's log
    assert request_state(cfg_path, order_id) == RequestState.REQUESTED
    assert json.loads(shown[1])["request"]["state"] == "requested"
    (row,) = json.loads(report[1])["requests"]
    assert row["order_id"] == order_id and row["state"] == "requested" and row["amount"]


def test_the_sweep_tool_never_clicks_even_with_auto_dispute_on(
    cfg_path: Path, shop: ShopThread, shop_admin: ShopAdmin
) -> None:
    """The CLI's sweep would open the dispute of a request whose order shipped anyway; the tool only
    reads and records (the request is flagged, nothing is submitted)."""
    make_config(cfg_path.parent, shop.base_url, policy={"auto_dispute": True})
    order_id = pick_order(shop_admin, "awaiting_shipment", picked_up=False)
    cancel = ["cancel", order_id, "--reason", "changed_mind", "--yes", "--json"]
    code, out, err = finish(agent(cfg_path, *cancel))
    assert code == 0 and json.loads(out)[0]["outcome"] == "requested", err
    shop_admin.ship(order_id)

    (swept,) = _session(cfg_path, [("sweep", {})])

    assert not swept[0], swept[1]
    moves = [(t["state_from"], t["state_to"]) for t in json.loads(swept[1])["transitions"]]
    assert ("shipped_anyway", "dispute_flagged") in moves
    assert request_state(cfg_path, order_id) == RequestState.DISPUTE_FLAGGED
    assert shop_admin.log(kind="dispute") == []  # flagged, never submitted


def test_the_tools_of_one_account_record_and_report_under_that_account(
    tmp_path: Path, shop: ShopThread, shop_admin: ShopAdmin
) -> None:
    """`buyer-agent --account resale mcp`: what its tools read is that account's, in the database too."""
    cfg = make_config(tmp_path, shop.base_url, **{"accounts.resale": {"email": SECOND_EMAIL}})
    resale = cfg.for_account("resale")
    preload_session(resale, shop_admin)
    (theirs,) = shop_admin.add_orders(count=1, status="awaiting_shipment", email=SECOND_EMAIL)
    with Store.open(resale.storage.database, account="resale") as store:
        store.insert_request(theirs, RequestState.REQUESTED, reason_text="I don't want it anymore")

    (shown, report) = _session(tmp_path / "buyer-agent.toml",
                               [("show_order", {"order_id": theirs}), ("report", {})], "--account", "resale")

    assert not shown[0] and json.loads(shown[1])["request"]["state"] == "requested", shown[1]
    assert not report[0] and [r["order_id"] for r in json.loads(report[1])["requests"]] == [theirs]
    with Store.open(resale.storage.database, account="resale") as store:
        assert store.get_order(theirs) is not None  # recorded under the account it belongs to
    with Store.open(resale.storage.database) as store:
        assert store.get_order(theirs) is None and store.get_request(theirs) is None
