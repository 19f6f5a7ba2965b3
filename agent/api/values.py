"""Field values as the API sends them: texts with stray whitespace, numbers as strings or numbers,
localised money and dates (parsed with agent.parsing, None when they do not parse)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def text(value: object) -> str:
    return " ".join(str(value or "").split())


def integer(value: object, default: int) -> int:
    if isinstance(value, bool):
        return default
    try:
        return int(str(value).strip())
    except ValueError:
        return default


def parsed(parser: Callable[[str, str | None], T], value: object, locale: str) -> T | None:
    found = text(value)
    if not found:
        return None
    try:
        return parser(found, locale)
    except ValueError:
        return None


def epoch_ms(value: object) -> dt.datetime | None:
    """A time sent as milliseconds since the epoch (a number or a string of digits)."""
    ms = integer(value, -1)
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC) if ms > 0 else None
