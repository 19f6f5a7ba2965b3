"""A pack key's candidates as concrete locators: each candidate with its wording (the locale's, then
English) and parameters filled in, in the pack's priority order. The finder (agent.locate), the overlay
guard (agent.overlays) and the drift check (agent.pack_check) all look through these."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from playwright.sync_api import FrameLocator, Locator, Page

from agent.packs import Candidate, Pack

__all__ = ["Attempt", "Root", "candidate_attempts", "visible_count"]

Root = Page | Locator | FrameLocator


@dataclass(frozen=True)
class Attempt:
    """One concrete way to look: a candidate with its wording and parameters filled in."""

    locator: Locator
    description: str
    strategy: str
    position: int  # index of the candidate in the pack (0 = first choice)

    @property
    def framed(self) -> bool:
        """Looks inside an iframe (the candidate names one), not in the page or scope itself."""
        return self.strategy.startswith("frame")



def _fill(text: str, params: Mapping[str, str] | None) -> str:
    for name, value in (params or {}).items():
        text = text.replace("{" + name + "}", value)
    return text


def _texts(pack: Pack, text: str, locale: str, params: Mapping[str, str] | None) -> list[str]:
    text = _fill(text, params)
    return pack.words(text[1:], locale) if text.startswith("@") else [text]


def _has_text(
    pack: Pack, cand: Candidate, locale: str, params: Mapping[str, str] | None
) -> re.Pattern[str] | None:
    if cand.has_text is None:
        return None
    words = _texts(pack, cand.has_text, locale, params)
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)


def _build(root: Root, cand: Candidate, text: str) -> Locator:
    if cand.role is not None:
        if cand.name is None:
            return root.get_by_role(cand.role)  # type: ignore[arg-type]
        return root.get_by_role(cand.role, name=text, exact=cand.exact)  # type: ignore[arg-type]
    builders: dict[str, Callable[[], Locator]] = {
        "label": lambda: root.get_by_label(text, exact=cand.exact),
        "placeholder": lambda: root.get_by_placeholder(text, exact=cand.exact),
        "title": lambda: root.get_by_title(text, exact=cand.exact),
        "text": lambda: root.get_by_text(text, exact=cand.exact),
        "css": lambda: root.locator(text),
        "xpath": lambda: root.locator(f"xpath={text}"),
    }
    return builders[cand.strategy]()


def _describe(cand: Candidate, text: str, pattern: re.Pattern[str] | None) -> str:
    if cand.role is not None:
        desc = f"role={cand.role}" + (f'[name="{text}"]' if cand.name is not None else "")
    else:
        desc = f'{cand.strategy}="{text}"'
    if pattern is not None:
        desc += f" has_text=/{pattern.pattern}/"
    if cand.frame:
        desc = f"frame({cand.frame}) >> {desc}"
    return desc


def candidate_attempts(
    root: Root, pack: Pack, key: str, locale: str, params: Mapping[str, str] | None = None
) -> list[Attempt]:
    """Every concrete attempt of `key`, in priority order (wordings: the locale's, then English)."""
    out: list[Attempt] = []
    for position, cand in enumerate(pack.control(key).candidates):
        base: Root = root.frame_locator(cand.frame) if cand.frame else root
        pattern = _has_text(pack, cand, locale, params)
        source = cand.name if cand.role is not None else cand.value
        texts = _texts(pack, source, locale, params) if source is not None else [""]
        for text in texts:
            loc = _build(base, cand, text)
            if pattern is not None:
                loc = loc.filter(has_text=pattern)
            strategy = f"frame:{cand.strategy}" if cand.frame else cand.strategy
            out.append(Attempt(loc, _describe(cand, text, pattern), strategy, position))
    return out


def visible_count(loc: Locator) -> int:
    return loc.filter(visible=True).count()
