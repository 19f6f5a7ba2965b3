"""Turn on-screen text into values: money, dates, countdowns, order ids, the page locale.

Pure functions: no browser, no I/O. Every parser raises ValueError with the text it could not read,
or returns None where "nothing there" is a normal answer (countdowns, ids, locale).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qs, urlsplit

from agent.models import Money, is_ascii_digits

__all__ = [
    "CLOCK",
    "ascii_digits_only",
    "detect_locale",
    "find_date",
    "fold",
    "fold_accents",
    "order_id_from_url",
    "parse_date",
    "parse_duration_text",
    "parse_money",
]

# ---------------------------------------------------------------- text normalisation


def fold(text: str) -> str:
    """Case and whitespace folded (NBSP and newlines too); accents kept."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def fold_accents(text: str) -> str:
    """`fold` plus accents removed: "Concluído" → "concluido", "févr." → "fevr."."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return fold(bare)


def ascii_digits_only(text: str) -> str:
    """`text` with every non-ASCII digit ("２", "²", "٣") replaced by U+FFFD, so that folding (NFKD turns
    "２" and "²" into "2") cannot make digits of them: only 0-9 are digits in ids, prices and dates."""
    return "".join("\ufffd" if c.isnumeric() and not c.isascii() else c for c in text)


def _lang(locale: str | None) -> str:
    """Language part of a locale: "pt-BR" / "pt_br" / "PT" → "pt"."""
    return re.split(r"[-_]", locale or "")[0].lower()


# ---------------------------------------------------------------- money

# Symbols as they look once whitespace is removed. Tried longest first (CURRENCY_SYMBOLS_LONGEST_FIRST),
# so "HK$", "NT$", "US$" win over "S$"/"$" and "CA$" over "A$"; a bare "$" or "¥" stays as shown.
CURRENCY_SYMBOLS: dict[str, str] = {
    "US$": "USD", "CA$": "CAD", "C$": "CAD", "AU$": "AUD", "A$": "AUD", "NZ$": "NZD", "MX$": "MXN",
    "HK$": "HKD", "S$": "SGD", "SG$": "SGD", "NT$": "TWD", "R$": "BRL", "€": "EUR", "£": "GBP", "₩": "KRW",
    "₽": "RUB", "руб.": "RUB", "руб": "RUB", "zł": "PLN", "₴": "UAH", "₹": "INR", "₺": "TRY", "JP¥": "JPY",
    "CN¥": "CNY", "¥": "¥", "$": "$",
}  # fmt: skip
CURRENCY_SYMBOLS_LONGEST_FIRST = sorted(CURRENCY_SYMBOLS.items(), key=lambda item: -len(item[0]))
ISO_CODES = frozenset({
    "USD", "EUR", "BRL", "GBP", "CAD", "AUD", "NZD", "MXN", "HKD", "SGD", "TWD", "KRW", "JPY", "CNY", "RUB",
    "PLN", "UAH", "INR", "TRY", "CHF", "CLP", "COP", "SEK", "NOK", "DKK", "CZK", "ILS",
})  # fmt: skip
ZERO_DECIMAL = frozenset({"KRW", "JPY", "CLP"})  # a separator in these amounts is always a thousands one
# Currencies the site writes in one convention whatever the page language: their decimal mark wins
# over the locale's ("R$ 1.234" on an English page is R$ 1234,00). Add one only when that is known.
CURRENCY_DECIMAL_MARK = {"BRL": ","}
RANGE_DASHES = "-–—~〜"  # "US $0.99 - 1.99": a price range, never one amount
DECIMAL_COMMA_LANGS = frozenset(
    {"pt", "fr", "es", "de", "ru", "it", "nl", "pl", "tr", "uk", "cs", "sv", "da", "id"}
)

_NUMBER = re.compile(r"[0-9](?:[0-9.,'’]*[0-9])?")  # ASCII digits only: `\d` also takes "٣", "８"
_MINUS = ("-", "−")


def parse_money(text: str, locale: str | None = None) -> Money:
    """Read "US $12.34", "R$ 1.234,56", "12,34 €", "₩12,000", "R$132,74|132|74", per-character spans …

    Whitespace is dropped first: per-character spans put stray spaces/newlines between characters, and
    French/Russian group digits with (non-breaking) spaces. The first number with a currency written
    before it wins, then the first with one after it ("x2 US $6.17" is 6.17, not 2), so labels and
    counts around the price do not matter.
    """
    compact = "".join(text.split("|")[0].split())
    numbers = list(_NUMBER.finditer(compact))
    for reader in (_currency_before, _currency_after):
        for match in numbers:
            found = reader(compact[: match.start()], compact[match.end() :])
            if found is not None:
                if _range_follows(compact[match.end() :]) or _range_precedes(compact[: match.start()]):
                    raise ValueError(f"a price range, not one amount: {text!r}")
                currency, negative = found
                amount = _to_decimal(match.group(), currency, locale)
                return Money(amount=-amount if negative else amount, currency=currency)
    raise ValueError(f"no amount with a currency in {text!r}")


def _range_follows(after: str) -> bool:
    """Whether the rest after an amount is the other end of a range: "-1.99", "~US$1.99", "€-1,99€" —
    but not a discount ("-50%")."""
    rest = _without_currency(after)
    if not rest or rest[0] not in RANGE_DASHES:
        return False
    other = _NUMBER.match(_without_currency(rest[1:]))
    return other is not None and not _without_currency(rest[1:])[other.end() :].startswith("%")


def _range_precedes(before: str) -> bool:
    """Whether the text before an amount ends with the first end of a range: "0,99€-" (then "1,99€")."""
    head = _without_currency(before, at_end=True)
    if not head or head[-1] not in RANGE_DASHES:
        return False
    return is_ascii_digits(_without_currency(head[:-1], at_end=True)[-1:])


def _without_currency(text: str, at_end: bool = False) -> str:
    """`text` without the currency symbol or ISO code it starts (or, `at_end`, ends) with."""
    for symbol, _code in CURRENCY_SYMBOLS_LONGEST_FIRST:
        if text.endswith(symbol) if at_end else text.startswith(symbol):
            return text[: -len(symbol)] if at_end else text[len(symbol) :]
    code = text[-3:] if at_end else text[:3]
    if code in ISO_CODES:
        return text[:-3] if at_end else text[3:]
    return text


def _currency_before(before: str, after: str) -> tuple[str, bool] | None:
    """The currency right before a number ("US$", "R$", "USD"), and whether a minus sign is in front."""
    negative = before.endswith(_MINUS)
    head = before[:-1] if negative else before
    for symbol, code in CURRENCY_SYMBOLS_LONGEST_FIRST:
        if head.endswith(symbol):
            return code, negative or head[: -len(symbol)].endswith(_MINUS)
    if head[-3:] in ISO_CODES and not head[-4:-3].isupper():  # "Total:USD", not "XUSD"
        return head[-3:], negative or head[:-3].endswith(_MINUS)
    return None


def _currency_after(before: str, after: str) -> tuple[str, bool] | None:
    """The currency right after a number ("12,34€", "499₽", "12.50USD")."""
    negative = before.endswith(_MINUS)
    for symbol, code in CURRENCY_SYMBOLS_LONGEST_FIRST:
        if after.startswith(symbol):
            return code, negative
    if after[:3] in ISO_CODES and not after[3:4].isupper():
        return after[:3], negative
    return None


def _to_decimal(number: str, currency: str, locale: str | None) -> Decimal:
    sep = _decimal_separator(number, currency, locale)
    digits = "".join(c for c in number if c in "0123456789" or c == sep)
    try:
        return Decimal(digits.replace(",", ".") if sep else digits)
    except InvalidOperation as exc:  # e.g. "1.2.3,4.5" leaves two decimal points
        raise ValueError(f"cannot read the amount {number!r}") from exc


def _decimal_separator(number: str, currency: str, locale: str | None) -> str | None:
    """Which of "." and "," is the decimal point, or None for a whole amount.

    What the digits prove wins over the locale hint (a pt-BR page can still show "US $12.34"): two
    kinds of separator → the last one; one kind used twice → thousands; a single separator followed
    by 1–2 digits → decimals. Only "12,000"/"1.234" is ambiguous: zero-decimal currencies, then the
    currency's own mark (CURRENCY_DECIMAL_MARK: "R$ 1.234" is 1234 on any page), then the locale
    decide; with none of them it is read as thousands (prices have two decimals, not three).
    """
    seps = [c for c in number if c in ".,"]
    if not seps:
        return None
    if len(set(seps)) == 2:
        return seps[-1]
    if len(seps) > 1:
        return None
    tail = len(number) - number.rfind(seps[0]) - 1
    if tail != 3:
        return seps[0]
    if currency in ZERO_DECIMAL:
        return None
    mark = CURRENCY_DECIMAL_MARK.get(currency)
    if mark is None and not locale:
        return None
    if mark is None:
        mark = "," if _lang(locale) in DECIMAL_COMMA_LANGS else "."
    return seps[0] if seps[0] == mark else None


# ---------------------------------------------------------------- dates

# Month names per language, January first; abbreviations without their dot. Matching ignores accents
# and case, so "févr." and "FEVR" both hit. Data, not logic: add a language by adding a row.
MONTHS: dict[str, list[list[str]]] = {
    "en": [["january", "jan"], ["february", "feb"], ["march", "mar"], ["april", "apr"], ["may"],
           ["june", "jun"], ["july", "jul"], ["august", "aug"], ["september", "sep", "sept"],
           ["october", "oct"], ["november", "nov"], ["december", "dec"]],
    "pt": [["janeiro", "jan"], ["fevereiro", "fev"], ["março", "mar"], ["abril", "abr"], ["maio", "mai"],
           ["junho", "jun"], ["julho", "jul"], ["agosto", "ago"], ["setembro", "set"],
           ["outubro", "out"], ["novembro", "nov"], ["dezembro", "dez"]],
    "fr": [["janvier", "janv", "jan"], ["février", "févr", "fév"], ["mars", "mar"], ["avril", "avr"],
           ["mai"], ["juin"], ["juillet", "juil"], ["août", "aou"], ["septembre", "sept", "sep"],
           ["octobre", "oct"], ["novembre", "nov"], ["décembre", "déc"]],
    "es": [["enero", "ene"], ["febrero", "feb"], ["marzo", "mar"], ["abril", "abr"], ["mayo", "may"],
           ["junio", "jun"], ["julio", "jul"], ["agosto", "ago"], ["septiembre", "setiembre", "sep", "sept"],
           ["octubre", "oct"], ["noviembre", "nov"], ["diciembre", "dic"]],
    "de": [["januar", "jänner", "jan"], ["februar", "feb"], ["märz", "mär", "mrz"], ["april", "apr"],
           ["mai"], ["juni", "jun"], ["juli", "jul"], ["august", "aug"], ["september", "sep", "sept"],
           ["oktober", "okt"], ["november", "nov"], ["dezember", "dez"]],
    "ru": [["января", "январь", "янв"], ["февраля", "февраль", "фев", "февр"], ["марта", "март", "мар"],
           ["апреля", "апрель", "апр"], ["мая", "май"], ["июня", "июнь", "июн"], ["июля", "июль", "июл"],
           ["августа", "август", "авг"], ["сентября", "сентябрь", "сен", "сент"],
           ["октября", "октябрь", "окт"], ["ноября", "ноябрь", "ноя", "нояб"],
           ["декабря", "декабрь", "дек"]],
    "it": [["gennaio", "gen"], ["febbraio", "feb"], ["marzo", "mar"], ["aprile", "apr"], ["maggio", "mag"],
           ["giugno", "giu"], ["luglio", "lug"], ["agosto", "ago"], ["settembre", "set"],
           ["ottobre", "ott"], ["novembre", "nov"], ["dicembre", "dic"]],
}  # fmt: skip
MONTH_FIRST_LOCALES = frozenset({"en", "en-us"})  # "04/27/2026"; everyone else writes the day first


def _month_index() -> dict[str, int]:
    index: dict[str, int] = {}
    for months in MONTHS.values():
        for number, names in enumerate(months, start=1):
            for name in names:
                index[fold_accents(name)] = number
    return index


_MONTH_NUMBER = _month_index()
# Digits are ASCII 0-9 ([0-9], never `\d`, which also takes "٢٠٢٦" and "２０２６").
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
# "2026. 4. 27.", "2026년 4월 27일"
_YMD = re.compile(r"([0-9]{4})\s*[./년]\s*([0-9]{1,2})\s*[./월]\s*([0-9]{1,2})")
_DMY = re.compile(r"(?<![0-9])([0-9]{1,2})[./-]([0-9]{1,2})[./-]([0-9]{4})")
_TOKEN = re.compile(r"[^\W\d_]+|[0-9]+")


def parse_date(text: str, locale: str | None = None) -> dt.date:
    """Read "Apr 27, 2026", "27 de abr. de 2026", "12 janv. 2024", "2026-04-27", "2026. 4. 27.",
    "27/04/2026" (see `_numeric_dmy` for day/month order)."""
    found = find_date(text, locale)
    if found is None:
        raise ValueError(f"no date found in {text!r}")
    return found


def find_date(text: str, locale: str | None = None) -> dt.date | None:
    """`parse_date`, but None when the text holds no date; ValueError still for an ambiguous numeric
    date or an impossible one (a date is there, it cannot be read)."""
    for reader in (_iso_or_ymd, _numeric_dmy, _with_month_name):
        parts = reader(text, locale)
        if parts is not None:
            year, month, day = parts
            try:
                return dt.date(year, month, day)
            except ValueError as exc:
                raise ValueError(f"not a real date in {text!r}: {exc}") from exc
    return None


def _iso_or_ymd(text: str, locale: str | None) -> tuple[int, int, int] | None:
    match = _ISO_DATE.search(text) or _YMD.search(text)
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


def _numeric_dmy(text: str, locale: str | None) -> tuple[int, int, int] | None:
    """Numeric "27/04/2026" (day first) or "04/27/2026" (en-US).

    An undecidable "05/04/2026" needs a locale."""
    match = _DMY.search(text)
    if not match:
        return None
    first, second, year = int(match[1]), int(match[2]), int(match[3])
    if first > 12 or second > 12:
        return (year, second, first) if first > 12 else (year, first, second)
    if not locale:
        raise ValueError(f"ambiguous date {match[0]!r}: day or month first? pass the page locale")
    month_first = locale.lower().replace("_", "-") in MONTH_FIRST_LOCALES
    return (year, first, second) if month_first else (year, second, first)


def _with_month_name(text: str, locale: str | None) -> tuple[int, int, int] | None:
    """A month name with a 1–2 digit day at most two tokens away ("27 de abr.") and a 4-digit year."""
    tokens = _TOKEN.findall(fold_accents(ascii_digits_only(text)))
    year = next((int(t) for t in tokens if is_ascii_digits(t) and len(t) == 4), None)
    if year is None:
        return None
    for i, token in enumerate(tokens):
        month = _MONTH_NUMBER.get(token)
        if month is None:
            continue
        for j in (i + 1, i - 1, i - 2, i + 2):
            if 0 <= j < len(tokens) and is_ascii_digits(tokens[j]) and len(tokens[j]) <= 2:
                return year, month, int(tokens[j])
    return None


# ---------------------------------------------------------------- countdowns

# Unit words (accent-free, lower case) per language → seconds. Every language is tried: the words do not
# collide, and a reminder in the "wrong" language should still be read.
DURATION_UNITS: dict[str, dict[str, list[str]]] = {
    "en": {"week": ["week", "weeks", "wk"], "day": ["day", "days", "d"],
           "hour": ["hour", "hours", "hr", "hrs", "h"], "minute": ["minute", "minutes", "min", "mins", "m"],
           "second": ["second", "seconds", "sec", "secs", "s"]},
    "pt": {"week": ["semana", "semanas"], "day": ["dia", "dias"], "hour": ["hora", "horas"],
           "minute": ["minuto", "minutos"], "second": ["segundo", "segundos"]},
    "es": {"week": ["semana", "semanas"], "day": ["dia", "dias"], "hour": ["hora", "horas"],
           "minute": ["minuto", "minutos"], "second": ["segundo", "segundos"]},
    "fr": {"week": ["semaine", "semaines"], "day": ["jour", "jours", "j"], "hour": ["heure", "heures"],
           "minute": ["mn"], "second": ["seconde", "secondes"]},
    "de": {"week": ["woche", "wochen"], "day": ["tag", "tage", "tagen"], "hour": ["stunde", "stunden", "std"],
           "minute": ["minute", "minuten"], "second": ["sekunde", "sekunden", "sek"]},
    "ru": {"week": ["неделя", "недели", "недель"], "day": ["день", "дня", "дней", "дн", "д"],
           "hour": ["час", "часа", "часов", "ч"], "minute": ["минута", "минуты", "минут", "мин"],
           "second": ["секунда", "секунды", "секунд", "сек"]},
    "ko": {"day": ["일"], "hour": ["시간"], "minute": ["분"], "second": ["초"]},
}  # fmt: skip
_UNIT_SECONDS = {"week": 604800, "day": 86400, "hour": 3600, "minute": 60, "second": 1}
CLOCK = re.compile(r"(?<![0-9:])([0-9]{1,3}):([0-9]{2})(?::([0-9]{2}))?(?![0-9:])")
_AMOUNT_UNIT = re.compile(r"([0-9]+)\s*([^\W\d_]+)")


def _unit_seconds(locale: str | None) -> dict[str, int]:
    """Every unit word → seconds, the page locale's words taking precedence."""
    table: dict[str, int] = {}
    order = sorted(DURATION_UNITS, key=lambda lang: lang == _lang(locale))  # page locale last = wins
    for lang in order:
        for unit, words in DURATION_UNITS[lang].items():
            table.update({fold_accents(w): _UNIT_SECONDS[unit] for w in words})
    return table


def parse_duration_text(text: str, locale: str | None = None, *, clocks: bool = True) -> dt.timedelta | None:
    """Sum every "<n> <unit>" and (with `clocks`) "HH:MM[:SS]" in a countdown; None when the text holds
    no duration.

    "The seller has 2 days to respond" → 2 days; "6 days 23:59:12"; "2d 03h 10m"; "47 hours";
    "O vendedor tem 2 dias para responder". Numbers followed by other words ("2 items") are ignored.
    """
    folded = fold_accents(ascii_digits_only(text))
    seconds, found = 0, False
    for match in CLOCK.finditer(folded) if clocks else ():
        hours, minutes, secs = int(match[1]), int(match[2]), int(match[3] or 0)
        seconds, found = seconds + hours * 3600 + minutes * 60 + secs, True
    units = _unit_seconds(locale)
    for match in _AMOUNT_UNIT.finditer(CLOCK.sub(" ", folded)):
        unit = units.get(match[2])
        if unit is not None:
            seconds, found = seconds + int(match[1]) * unit, True
    return dt.timedelta(seconds=seconds) if found else None


# ---------------------------------------------------------------- ids and locale

ORDER_ID_PARAMS = ("orderId", "tradeOrderId", "orderid", "order_id")


def order_id_from_url(url: str) -> str | None:
    """The order id from a detail/tracking link's orderId= or tradeOrderId=; spm= and the rest ignored."""
    query = parse_qs(urlsplit(url).query)
    for name in ORDER_ID_PARAMS:
        for value in query.get(name, []):
            if is_ascii_digits(value.strip()):
                return value.strip()
    return None


def detect_locale(html_lang: str | None, texts: list[str], known: Mapping[str, list[str]]) -> str | None:
    """Which of the `known` locales (locale → wordings it uses) the page is in.

    `<html lang>` decides unless the visible texts clearly say otherwise (more exact wording hits for
    another locale): the site has been seen serving a stale lang attribute. None when nothing tells.
    """
    hits = {loc: _wording_hits(texts, words) for loc, words in known.items()}
    by_lang = _locale_for_lang(html_lang, list(known))
    best = max(hits, key=lambda loc: hits[loc], default=None)
    if best is None or hits[best] == 0:
        return by_lang
    if by_lang is not None and hits[by_lang] >= hits[best]:
        return by_lang
    tied = [loc for loc, n in hits.items() if n == hits[best]]
    return best if len(tied) == 1 else None


def _wording_hits(texts: list[str], words: list[str]) -> int:
    wanted = {fold(w) for w in words}
    return sum(1 for t in texts if fold(t) in wanted)


def _locale_for_lang(html_lang: str | None, locales: list[str]) -> str | None:
    """Map `<html lang>` onto a known locale: "pt-br" → "pt-BR"; "pt" → the first "pt-…" one; else None."""
    if not html_lang:
        return None
    wanted = html_lang.strip().lower().replace("_", "-")
    exact = [loc for loc in locales if loc.lower().replace("_", "-") == wanted]
    same_lang = [loc for loc in locales if _lang(loc) == _lang(wanted)]
    matches = exact or same_lang
    return matches[0] if matches else None
