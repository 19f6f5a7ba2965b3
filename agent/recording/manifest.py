"""What a recording folder holds (`manifest.json`): how it was made, the screens the page objects
visited, and the flow's result at record time (replays must give the same)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from agent.models import OrderStatus
from agent.statuses import FLOWS as FLOWS  # noqa: F401  (light, for the CLI; re-exported here)

MANIFEST = "manifest.json"
HAR_FILE = "recording.har"
SCREENS_DIR = "screens"
Flow = Literal["orders", "cancel-dry-run", "sweep"]


class FlowParams(BaseModel):
    """The flow a recording ran, with everything needed to run it again the same way."""

    flow: Flow = "orders"
    status: OrderStatus | None = None
    search: str | None = None
    order_ids: list[str] = Field(default_factory=list)
    reason: str = "changed_mind"


class FlowResult(BaseModel):
    """What the agent got: parsed orders, dry-run cancel results, order details (stable fields only)."""

    orders: list[dict[str, Any]] = Field(default_factory=list)
    cancels: list[dict[str, Any]] = Field(default_factory=list)
    details: list[dict[str, Any]] = Field(default_factory=list)


class Screen(BaseModel):
    """One HTML snapshot: the rendered DOM (scripts removed) of a screen a page object read."""

    file: str
    url: str
    page_object: str
    keys: dict[str, int] = Field(default_factory=dict)  # key → candidate position that matched at record time


class Manifest(BaseModel):
    name: str
    profile: str
    base_url: str  # canonical: replay with this base URL (the shop: http://shop.invalid)
    locale: str
    scenario: str = ""
    recorded_at: dt.datetime
    agent_version: str
    params: FlowParams
    result: FlowResult = Field(default_factory=FlowResult)
    screens: list[Screen] = Field(default_factory=list)
    har: str = HAR_FILE

    def save(self, folder: Path) -> Path:
        path = folder / MANIFEST
        path.write_text(self.model_dump_json(indent=2) + "\n", encoding="utf-8")
        return path

    @classmethod
    def load(cls, folder: Path) -> Manifest:
        return cls.model_validate(json.loads((folder / MANIFEST).read_text(encoding="utf-8")))


def recordings(root: Path) -> list[Path]:
    """Every recording folder under `root` (a profile folder, or fixtures/ itself), sorted."""
    if not root.exists():
        return []
    return sorted(p.parent for p in root.rglob(MANIFEST))
