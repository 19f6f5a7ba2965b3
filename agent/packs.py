"""Selector packs: load a site's TOML pack (data only) and validate it into pydantic models.

A pack holds URL paths, the candidates of every control key in priority order, menu openers, wordings per
locale, status wordings → canonical status, and reason synonyms. `agent.locate` turns it into locators.
The format is documented in `selectors/README.md`.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

import agent
from agent.errors import SelectorPackError
from agent.models import OrderStatus

STRATEGIES = ("role", "label", "placeholder", "title", "text", "css", "xpath")
ENGLISH = "en"
STATUS_TEXTS = "status_texts"  # reserved wording: every status wording of [statuses.<locale>] (then English)


class Candidate(BaseModel):
    """One way to find a control. Exactly one strategy field is set; `name` goes with `role`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    role: str | None = None
    name: str | None = None
    exact: bool = False
    label: str | None = None
    placeholder: str | None = None
    title: str | None = None
    text: str | None = None
    css: str | None = None
    xpath: str | None = None
    has_text: str | None = None
    frame: str | None = None

    @model_validator(mode="after")
    def _one_strategy(self) -> Candidate:
        set_ = [s for s in STRATEGIES if getattr(self, s) is not None]
        if len(set_) != 1:
            raise ValueError(
                f"a candidate needs exactly one of {', '.join(STRATEGIES)}; got {set_ or 'none'}"
            )
        if self.name is not None and self.role is None:
            raise ValueError("`name` is only valid with `role`")
        return self

    @property
    def strategy(self) -> str:
        return next(s for s in STRATEGIES if getattr(self, s) is not None)

    @property
    def value(self) -> str:
        return str(getattr(self, self.strategy))


class Control(BaseModel):
    """A control key: candidates in priority order, optional menu openers (other control keys)."""

    model_config = ConfigDict(extra="forbid")

    candidates: list[Candidate] = Field(min_length=1)
    menus: list[str] = Field(default_factory=list)
    many: bool = False  # a structural key (rows, items): several matches are expected
    note: str = ""


class Meta(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    default_locale: str = ENGLISH
    locales: list[str] = Field(min_length=1)  # complete locales: every wording, status and reason
    partial_locales: list[str] = Field(default_factory=list)  # some wordings; the rest falls back to en


class ReasonsMeta(BaseModel):
    """Facts about the reason keys that no wording tells: which ones blame the seller."""

    model_config = ConfigDict(extra="forbid")

    # Keys whose reason counts against the seller (cancellation-rules.md): chosen only by their key,
    # never from free text. Required, even if empty: a pack must say it, a missing table is no "none".
    blames_seller: list[str]


class Pack(BaseModel):
    """A validated selector pack."""

    model_config = ConfigDict(extra="forbid")

    meta: Meta
    paths: dict[str, str]
    attributes: dict[str, str] = Field(default_factory=dict)
    controls: dict[str, Control]
    wordings: dict[str, dict[str, list[str]]]
    statuses: dict[str, dict[str, OrderStatus]]
    reasons: dict[str, dict[str, list[str]]]
    reasons_meta: ReasonsMeta

    @field_validator("controls")
    @classmethod
    def _keys_are_dotted(cls, v: dict[str, Control]) -> dict[str, Control]:
        bad = [k for k in v if "." not in k]
        if bad:
            raise ValueError(f"control keys must be 'area.name': {bad}")
        return v

    @model_validator(mode="after")
    def _references_resolve(self) -> Pack:
        for key, control in self.controls.items():
            for menu in control.menus:
                if menu not in self.controls:
                    raise ValueError(f"{key}: menu opener {menu!r} is not a control key")
            for cand in control.candidates:
                for text in (cand.value, cand.name or "", cand.has_text or ""):
                    if text.startswith("@") and "{" not in text and not self.has_wording(text[1:]):
                        raise ValueError(f"{key}: wording {text!r} is not defined for {ENGLISH!r}")
        known = {key for table in self.reasons.values() for key in table}
        unknown = sorted(set(self.reasons_meta.blames_seller) - known)
        if unknown:
            raise ValueError(f"reasons_meta.blames_seller: {unknown} are not reason keys")
        return self

    # -- lookups ------------------------------------------------------------------------------------
    def control(self, key: str) -> Control:
        try:
            return self.controls[key]
        except KeyError:
            raise SelectorPackError(f"selector pack {self.meta.name!r} has no control key {key!r}") from None

    def has_wording(self, key: str) -> bool:
        return key == STATUS_TEXTS or key in self.wordings.get(ENGLISH, {})

    def words(self, key: str, locale: str | None = None) -> list[str]:
        """Every wording of `key` in the locale, then English (duplicates dropped, order kept).
        `status_texts` is every status wording of the `[statuses]` tables."""
        if not self.has_wording(key):
            raise SelectorPackError(f"selector pack {self.meta.name!r} has no wording {key!r}")
        table = self.statuses if key == STATUS_TEXTS else None
        out: list[str] = []
        for loc in (locale or self.meta.default_locale, ENGLISH):
            found = list(table.get(loc, {})) if table is not None else self.wordings.get(loc, {}).get(key, [])
            for word in found:
                if word not in out:
                    out.append(word)
        return out

    def path(self, key: str, **params: str) -> str:
        try:
            template = self.paths[key]
        except KeyError:
            raise SelectorPackError(f"selector pack {self.meta.name!r} has no path {key!r}") from None
        return template.format(**params)

    def attribute(self, key: str) -> str:
        try:
            return self.attributes[key]
        except KeyError:
            raise SelectorPackError(f"selector pack {self.meta.name!r} has no attribute {key!r}") from None

    @property
    def blames_seller(self) -> frozenset[str]:
        """The reason keys that blame the seller: chosen only by key (agent.reason_match)."""
        return frozenset(self.reasons_meta.blames_seller)

    def reason_words(self, reason_key: str, locale: str | None = None) -> list[str]:
        out: list[str] = []
        for loc in (locale or self.meta.default_locale, ENGLISH):
            out += [w for w in self.reasons.get(loc, {}).get(reason_key, []) if w not in out]
        return out


def pack_dirs() -> list[Path]:
    """Where packs live: `agent/_packs/` in a wheel, else the repository's `selectors/` (editable)."""
    here = Path(agent.__file__).parent
    return [here / "_packs", here.parent / "selectors"]


def load_pack(name: str) -> Pack:
    """Load and validate the pack `name` (e.g. "aliexpress"); SelectorPackError when missing/malformed."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise SelectorPackError(f"invalid selector pack name {name!r}")
    for folder in pack_dirs():
        path = folder / f"{name}.toml"
        if path.is_file():
            return load_pack_file(path)
    where = ", ".join(str(d) for d in pack_dirs())
    raise SelectorPackError(f"selector pack {name!r} not found (looked in {where})")


def load_pack_file(path: Path) -> Pack:
    try:
        raw: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SelectorPackError(f"selector pack {path} is unreadable: {exc}") from exc
    try:
        return Pack.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()[:8]
        )
        raise SelectorPackError(f"selector pack {path} is malformed: {problems}") from exc
