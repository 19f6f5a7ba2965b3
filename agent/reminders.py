"""An order page's reminder → the moment it announces. Pure: no browser, no I/O.

Two kinds of reminder: a countdown ("The seller has 2 days to respond", "O vendedor tem 5 horas para
responder", "6 days 23:59:12") runs out `now` + that long; an absolute deadline ("The seller will ship
your order by Dec 7, 2026", "… by Dec 7, 2026 13:00", "até 7 de dez. de 2026 13:00") is that moment.
"""

from __future__ import annotations

import datetime as dt
import re

from agent.parsing import CLOCK, ascii_digits_only, find_date, parse_duration_text

__all__ = ["deadline_from_reminder", "moment_in_text"]

SITE_TIME_ZONE = dt.UTC  # a date-time whose text names no zone is read in the site's time: UTC
# "GMT+8", "UTC-3", "GMT+05:30", "(UTC)"; and right after the clock "+08:00", "-0300", "Z"
_NAMED_OFFSET = re.compile(r"\b(?:GMT|UTC)(?:\s*([+\-−])\s*([0-9]{1,2})(?::?([0-9]{2}))?)?", re.I)
_TRAILING_OFFSET = re.compile(r"^\s*(?:(Z)\b|([+\-−])([0-9]{2}):?([0-9]{2})\b)")
_MERIDIEM = re.compile(r"^\s*([ap])\.?\s?m\b\.?", re.I)  # "1:00 PM", "1:00 p.m."


def deadline_from_reminder(reminder: str, now: dt.datetime, locale: str | None = None) -> dt.datetime | None:
    """When the reminder's deadline is reached (UTC), or None when it announces none.

    A countdown with unit words ("2 days 5 hours", "5 horas") counts from `now` (when the page was
    read) and wins over any date in the text ("requested on Dec 1, 2026 10:00; the seller has 2 days":
    2 days, the date's clock is no countdown). Otherwise a date in the text is the deadline
    (`moment_in_text`); otherwise a bare clock ("Time left 12:30") is a countdown. A date that cannot
    be read (ambiguous "05/04/2026" without a locale) gives None: a deadline is never guessed.
    """
    try:
        moment = moment_in_text(reminder, locale)
        dated = moment is not None
    except ValueError:  # a date is there, it cannot be read
        moment, dated = None, True
    if dated and parse_duration_text(reminder, locale, clocks=False) is None:
        return moment
    left = parse_duration_text(reminder, locale, clocks=not dated)
    return None if left is None else now + left


def moment_in_text(text: str, locale: str | None = None) -> dt.datetime | None:
    """The date-time a text names, in UTC: its date, its time of day if a clock is written (24-hour, or
    with AM/PM), else the day's last second (a deadline "by Dec 7" lasts all of Dec 7); in the zone the
    text names ("GMT+8", "UTC-3", "13:00+08:00"), else the site's (UTC). None when it holds no date;
    ValueError for a date that is there but cannot be read."""
    day = find_date(text, locale)
    if day is None:
        return None
    digits = ascii_digits_only(text)
    clock = next((m for m in CLOCK.finditer(digits) if int(m[1]) < 24), None)
    if clock is None:
        zone = _zone(text, "")
        return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=zone).astimezone(dt.UTC)
    after = digits[clock.end() :]
    hour = _with_meridiem(int(clock[1]), after)
    moment = dt.datetime.combine(
        day, dt.time(hour, int(clock[2]), int(clock[3] or 0)), tzinfo=_zone(text, after)
    )
    return moment.astimezone(dt.UTC)


def _with_meridiem(hour: int, after: str) -> int:
    """A 12-hour clock's hour on the 24-hour clock ("1:00 PM" → 13, "12:30 AM" → 0)."""
    marker = _MERIDIEM.match(after)
    if marker is None or not 1 <= hour <= 12:
        return hour
    return hour % 12 + (12 if marker[1].lower() == "p" else 0)


def _zone(text: str, after_clock: str) -> dt.tzinfo:
    """The zone the text names: an offset right after the clock, else "GMT±h[:mm]"/"UTC±h", else UTC."""
    trailing = _TRAILING_OFFSET.match(after_clock)
    if trailing is not None:
        return dt.UTC if trailing[1] else _offset(trailing[2], trailing[3], trailing[4])
    named = _NAMED_OFFSET.search(text)
    if named is not None and named[1]:
        return _offset(named[1], named[2], named[3] or "0")
    return SITE_TIME_ZONE


def _offset(sign: str, hours: str, minutes: str) -> dt.tzinfo:
    delta = dt.timedelta(hours=int(hours), minutes=int(minutes))
    return dt.timezone(-delta if sign in "-−" else delta)
