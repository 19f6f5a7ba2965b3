"""What people read, as they run it: `buyer-agent cancel`, `show`, `report` and `sweep` in their own
processes against the shop, on terminals of 80 and 120 columns (COLUMNS): `report` at both, the others
at one each (every process is a browser: each output at both widths, and its snapshots, are in
tests/unit/test_human_output_text.py, with a fixed clock and ids). Each value is read back under its header
and compared with what the same command prints as JSON (or with what the database recorded); ids are
never cut; no line is wider than the terminal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agent.shop.admin import ShopAdmin
from agent.store import Store
from tests.e2e.process_support import agent, finish
from tests.e2e.table_text import table_rows

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("processes")]
WIDTHS = ("80", "120")


def _run(cfg_path: Path, *args: str, columns: str = "200") -> str:
    code, out, err = finish(agent(cfg_path, *args, env={"COLUMNS": columns}))
    assert code == 0, err
    return out


def _fits(out: str, columns: str, ids: list[str]) -> None:
    assert all(len(line) <= int(columns) for line in out.splitlines()), out
    assert "…" not in out and all(order_id in out for order_id in ids)


def _sweep_rows(cfg_path: Path, after_id: int) -> list[dict[str, Any]]:
    with Store.open(cfg_path.parent / "agent.db") as store:
        events = store.events(after_id=after_id, kind="request_state")
    return [{"order id": e.order_id, "from": e.state_from, "to": e.state_to, "why": e.detail["reason"]}
            for e in events]  # fmt: skip


def _last_event(cfg_path: Path) -> int:
    with Store.open(cfg_path.parent / "agent.db") as store:
        return max((e.id for e in store.events()), default=0)


def test_each_value_under_its_header_at_80_and_120_columns(cfg_path: Path, shop_admin: ShopAdmin) -> None:
    ids = [o["order_id"] for o in shop_admin.orders()
           if o["status"] == "awaiting_shipment" and not o["picked_up"] and not o["deleted"]][:2]  # fmt: skip
    dry_run = ["cancel", ids[0], "--reason", "changed_mind", "--dry-run"]

    previewed = json.loads(_run(cfg_path, *dry_run, "--json"))
    expected = [{"order id": r["order_id"], "outcome": r["outcome"], "reason": r["reason_text"],
                 "message": r["message"]} for r in previewed]  # fmt: skip
    out = _run(cfg_path, *dry_run, columns="80")
    _fits(out, "80", ids[:1])
    assert table_rows(out) == expected and expected[0]["outcome"] == "dry_run"
    done = json.loads(_run(cfg_path, "cancel", *ids, "--reason", "changed_mind", "--yes", "--json"))
    assert [r["outcome"] for r in done] == ["requested", "requested"]

    shown = json.loads(_run(cfg_path, "show", ids[0], "--json"))
    lines = _run(cfg_path, "show", ids[0], columns="120").splitlines()  # one line per fact, at any width
    assert lines[0] == f"order {ids[0]}: {shown['status_text']} [{shown['status']}]"
    facts = dict(ln.strip().split(": ", 1) for ln in lines[1:] if ln.startswith("  ") and ": " in ln)
    total = shown["total"]
    assert facts["store"] == shown["store_name"] and facts["placed"] == shown["placed_at"]
    assert facts["total"] == f"{total['amount']} {total['currency']}"
    assert lines[-1] == f"request: requested (reason: {shown['request']['reason_text']})"

    data = json.loads(_run(cfg_path, "report", "--json"))
    for columns in WIDTHS:
        out = _run(cfg_path, "report", columns=columns)
        _fits(out, columns, ids)
        rows = table_rows(out)
        assert [r["order id"] for r in rows] == [r["order_id"] for r in data["requests"]]
        for row, want in zip(rows, data["requests"], strict=True):
            assert row["state"] == want["state"] and row["next step"] == want["next_step"]
            assert row["amount"] == f"{want['amount']} {want['currency']}"
        totals = table_rows(out, first="currency")
        assert totals == [{"currency": cur, **{k.replace("_", " "): v for k, v in per.items()}}
                          for cur, per in data["totals"].items()]  # fmt: skip

    for order_id in ids:  # the sellers ship anyway: the sweep says so
        shop_admin.ship(order_id)
    before = _last_event(cfg_path)
    out = _run(cfg_path, "sweep", columns="120")
    _fits(out, "120", ids)
    recorded = _sweep_rows(cfg_path, before)
    assert {r["order id"] for r in recorded} == set(ids)
    assert table_rows(out) == recorded
