"""The drift check: every control key of a pack resolved on the page as it is, without clicking or
waiting, and which candidate matched. A fallback matching where the first choice no longer does is the
site drifting, seen before the last candidate breaks (`selectors check`, doctor, recordings)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from playwright.sync_api import Page

from agent.candidates import candidate_attempts, visible_count
from agent.packs import Pack

__all__ = ["Resolution", "check_pack"]


class Resolution(NamedTuple):
    """What check_pack found for a key: the matching candidate (or None), its strategy, its position."""

    candidate: str | None
    strategy: str
    position: int | None = None

    @property
    def late(self) -> bool:
        """True when a fallback (not the first candidate) matched: the site is drifting."""
        return bool(self.position)


def check_pack(
    page: Page, pack: Pack, locale: str | None = None, prefixes: Iterable[str] | None = None
) -> dict[str, Resolution]:
    """Resolve every control key on the current page without clicking or waiting.

    A control resolves when a candidate has exactly one visible match (structural `many` keys: at least
    one). Keys with parameters are reported as "parametrised"; two+ matches and no other: "ambiguous"."""
    wanted = tuple(prefixes or ())
    result: dict[str, Resolution] = {}
    for key, control in pack.controls.items():
        if wanted and not key.startswith(wanted):
            continue
        if any("{" in (c.name or c.value) or "{" in (c.has_text or "") for c in control.candidates):
            result[key] = Resolution(None, "parametrised")
            continue
        result[key] = _resolve(page, pack, key, locale or pack.meta.default_locale, control.many)
    return result


def _resolve(page: Page, pack: Pack, key: str, locale: str, many: bool) -> Resolution:
    ambiguous = False
    for attempt in candidate_attempts(page, pack, key, locale):
        n = visible_count(attempt.locator)
        if n == 1 or (many and n > 1):
            return Resolution(attempt.description, attempt.strategy, attempt.position)
        ambiguous = ambiguous or n > 1
    return Resolution(None, "ambiguous" if ambiguous else "none")
