"""agent.parsing: on-screen text → values. Pure, no browser."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from agent.models import Money, Order, normalise_order_id
from agent.pages.base import digits_in, parsed_or_none
from agent.parsing import (
    CURRENCY_SYMBOLS_LONGEST_FIRST,
    MONTHS,
    detect_locale,
    fold_accents,
    order_id_from_url,
    parse_date,
    parse_duration_text,
    parse_money,
)
from agent.reminders import deadline_from_reminder, moment_in_text

# ---------------------------------------------------------------- money


@pytest.mark.parametrize(
    ("text", "locale", "amount", "currency"),
    [
        ("US $12.34", None, "12.34", "USD"),
        ("Total: US $1,234.56", None, "1234.56", "USD"),
        ("R$ 132,74", "pt-BR", "132.74", "BRL"),
        ("R$132,74", None, "132.74", "BRL"),
        ("R$ 1.234,56", None, "1234.56", "BRL"),
        ("R$\u00a01.234,56", "pt-BR", "1234.56", "BRL"),
        ("€ 12,34", None, "12.34", "EUR"),
        ("12,34 €", None, "12.34", "EUR"),
        ("1 234,56 €", "fr", "1234.56", "EUR"),
        ("1\u202f234,56\u00a0€", "fr", "1234.56", "EUR"),
        ("₩12,000", None, "12000", "KRW"),
        ("₩12,000", "ko", "12000", "KRW"),
        ("CA $5.00", None, "5.00", "CAD"),
        ("C$ 5.00", None, "5.00", "CAD"),
        ("£9.99", None, "9.99", "GBP"),
        ("1 234,50 руб.", "ru", "1234.50", "RUB"),
        ("499₽", None, "499", "RUB"),
        ("RUB 499,00", None, "499.00", "RUB"),
        ("12.50 USD", None, "12.50", "USD"),
        ("Total: US $12", None, "12", "USD"),
        ("US $0.5", None, "0.5", "USD"),
        ("-US $1.00", None, "-1.00", "USD"),
        ("US $1,234,567.89", None, "1234567.89", "USD"),
        ("R$ 1.234.567,89", None, "1234567.89", "BRL"),
        ("2 items, total US $3.10", None, "3.10", "USD"),
        ("x2 US $6.17", None, "6.17", "USD"),  # a quantity right before a price is not the amount
        ("12,34 € x2", "fr", "12.34", "EUR"),
        ("R$132,74|132|74", None, "132.74", "BRL"),
    ],
)
def test_parse_money(text: str, locale: str | None, amount: str, currency: str) -> None:
    assert parse_money(text, locale) == Money(amount=Decimal(amount), currency=currency)


def test_parse_money_keeps_decimal_exact() -> None:
    money = parse_money("US $0.10")
    assert isinstance(money.amount, Decimal)
    assert money.amount * 3 == Decimal("0.30")


def test_parse_money_from_per_character_spans() -> None:
    # textContent of <span class="es--wrap"><span class="es--char">U</span>… with template whitespace
    text = "\n  U\n  S\n  \n $\n  1\n 2\n .\n 3\n 4\n"
    assert parse_money(text) == Money(amount=Decimal("12.34"), currency="USD")


@pytest.mark.parametrize(
    ("text", "locale", "amount"),
    [
        ("US $1,234", None, "1234"),  # ambiguous 3 digits, no hint: thousands
        ("US $1,234", "en", "1234"),  # en: "," is a thousands separator
        ("US $1.234", "en", "1.234"),  # en: "." is the decimal point
        ("R$ 1.234", "pt-BR", "1234"),  # pt-BR: "." groups thousands
        ("€ 1,234", "fr", "1.234"),  # fr: "," is the decimal point
        ("US $12.34", "pt-BR", "12.34"),  # two digits after: decimals whatever the locale says
        ("R$ 12,3", "en", "12.3"),
    ],
)
def test_parse_money_decimal_separator(text: str, locale: str | None, amount: str) -> None:
    assert parse_money(text, locale).amount == Decimal(amount)


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("HK$ 12.00", "12.00", "HKD"), ("HK$12.00", "12.00", "HKD"), ("12.00 HK$", "12.00", "HKD"),
        ("S$ 3.50", "3.50", "SGD"), ("SG$ 3.50", "3.50", "SGD"), ("NT$ 120", "120", "TWD"),
        ("NT$1,200", "1200", "TWD"), ("A$ 5.00", "5.00", "AUD"), ("AU $5.00", "5.00", "AUD"),
        ("C$ 5.00", "5.00", "CAD"), ("CA $5.00", "5.00", "CAD"), ("NZ$ 5.00", "5.00", "NZD"),
        ("MX$ 50.00", "50.00", "MXN"), ("US$ 5.00", "5.00", "USD"), ("HKD 12.00", "12.00", "HKD"),
        ("SGD 3.50", "3.50", "SGD"), ("TWD 120", "120", "TWD"), ("-HK$ 1.00", "-1.00", "HKD"),
    ],
)  # fmt: skip
def test_dollar_symbols_map_to_their_iso_codes(text: str, amount: str, currency: str) -> None:
    assert parse_money(text, "en") == Money(amount=Decimal(amount), currency=currency)
    assert parse_money(text) == Money(amount=Decimal(amount), currency=currency)


def test_currency_symbols_are_tried_longest_first() -> None:
    symbols = [symbol for symbol, _ in CURRENCY_SYMBOLS_LONGEST_FIRST]
    for i, symbol in enumerate(symbols):  # no symbol is tried before a longer one that ends/starts with it
        assert not [s for s in symbols[i + 1 :] if len(s) > len(symbol) and (symbol in s)], symbol


@pytest.mark.parametrize(
    ("text", "locale", "amount"),
    [
        ("R$ 1.234", "en", "1234"),  # BRL groups with "." whatever the page language
        ("R$ 1.234", None, "1234"),
        ("R$ 1.234", "pt-BR", "1234"),
        ("R$ 1,234", "en", "1.234"),  # and "," is its decimal mark
        ("R$ 12.345", "en", "12345"),
        ("R$ 1.234,56", "en", "1234.56"),  # proven by the digits: unchanged
        ("R$ 12.34", "en", "12.34"),  # two decimals after "." are decimals, as before
        ("US $1.234", "en", "1.234"),  # USD has no mark of its own: the page locale decides, as before
        ("US $1,234", "pt-BR", "1.234"),
    ],
)
def test_a_currencys_own_decimal_mark_wins_over_the_page_locale(text: str, locale: str | None,
                                                                amount: str) -> None:  # fmt: skip
    assert parse_money(text, locale).amount == Decimal(amount)


@pytest.mark.parametrize(
    "text",
    [
        "US $0.99 - 1.99", "US $0.99-1.99", "US $0.99 ~ US $1.99", "US $0.99 – US $1.99",
        "0,99 € - 1,99 €", "R$ 10,00 – R$ 20,00", "10,00 - 20,00 R$", "499₽-599₽", "USD 1.00-2.00",
        "From US $3.10 - 4.20 /piece",
    ],
)  # fmt: skip
def test_a_price_range_is_an_error_never_its_first_end(text: str) -> None:
    with pytest.raises(ValueError, match="a price range, not one amount"):
        parse_money(text, "en")
    assert parsed_or_none(parse_money, text, "en") is None  # what the page objects record: unknown


@pytest.mark.parametrize(
    ("text", "amount"),
    [("US $12.34 -50%", "12.34"), ("-50% US $12.34", "12.34"), ("-US $1.00", "-1.00"),
     ("x2 US $6.17", "6.17")],
)  # fmt: skip
def test_a_discount_or_a_sign_is_no_range(text: str, amount: str) -> None:
    assert parse_money(text, "en").amount == Decimal(amount)


def test_unknown_symbol_is_kept_as_shown() -> None:
    assert parse_money("¥1,200").currency == "¥"
    assert parse_money("$3.00").currency == "$"


@pytest.mark.parametrize("text", ["", "Total:", "US $", "free shipping", "12.34", "abc 1,2"])
def test_parse_money_garbage(text: str) -> None:
    with pytest.raises(ValueError, match="no amount with a currency"):
        parse_money(text)


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("Apr 27, 2026", "en", dt.date(2026, 4, 27)),
        ("Order date: Apr 27, 2026", None, dt.date(2026, 4, 27)),
        ("Jul 15, 2026", None, dt.date(2026, 7, 15)),
        ("April 27, 2026", None, dt.date(2026, 4, 27)),
        ("27 de abr. de 2026", "pt-BR", dt.date(2026, 4, 27)),
        ("15 de jul. de 2026", "pt-BR", dt.date(2026, 7, 15)),
        ("Pedido feito em: 3 de set. de 2025", "pt-BR", dt.date(2025, 9, 3)),
        ("12 janv. 2024", "fr", dt.date(2024, 1, 12)),
        ("1 févr. 2024", "fr", dt.date(2024, 2, 1)),
        ("15 août 2024", "fr", dt.date(2024, 8, 15)),
        ("27 de abril de 2026", "es", dt.date(2026, 4, 27)),
        ("3 dic. 2025", "es", dt.date(2025, 12, 3)),
        ("27 апреля 2026 г.", "ru", dt.date(2026, 4, 27)),
        ("1 мая 2026", "ru", dt.date(2026, 5, 1)),
        ("15. März 2026", "de", dt.date(2026, 3, 15)),
        ("2026-04-27", None, dt.date(2026, 4, 27)),
        ("2026-04-27 10:31:02", None, dt.date(2026, 4, 27)),
        ("2026. 4. 27.", "ko", dt.date(2026, 4, 27)),
        ("주문일: 2026. 4. 27.", None, dt.date(2026, 4, 27)),
        ("2026년 4월 27일", "ko", dt.date(2026, 4, 27)),
        ("27/04/2026", "pt-BR", dt.date(2026, 4, 27)),
        ("27/04/2026", None, dt.date(2026, 4, 27)),  # 27 cannot be a month
        ("05/04/2026", "pt-BR", dt.date(2026, 4, 5)),
        ("04/05/2026", "en-US", dt.date(2026, 4, 5)),
        ("27.04.2026", "de", dt.date(2026, 4, 27)),
    ],
)
def test_parse_date(text: str, locale: str | None, expected: dt.date) -> None:
    assert parse_date(text, locale) == expected


def test_parse_date_ambiguous_numeric_needs_locale() -> None:
    with pytest.raises(ValueError, match="ambiguous"):
        parse_date("05/04/2026")


@pytest.mark.parametrize("text", ["", "yesterday", "Apr 2026", "Order ID: 8212345678901234"])
def test_parse_date_garbage(text: str) -> None:
    with pytest.raises(ValueError, match="no date"):
        parse_date(text)


def test_parse_date_impossible_date() -> None:
    with pytest.raises(ValueError, match="not a real date"):
        parse_date("Feb 30, 2026")


def test_month_abbreviations_agree_across_languages() -> None:
    # Matching tries every language, so one word must never mean two different months.
    seen: dict[str, int] = {}
    for months in MONTHS.values():
        for number, names in enumerate(months, start=1):
            for name in names:
                assert seen.setdefault(fold_accents(name), number) == number, name
    assert all(len(months) == 12 for months in MONTHS.values())
    assert {"en", "pt", "fr", "es", "ru", "de"} <= MONTHS.keys()


# ---------------------------------------------------------------- countdowns


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("The seller has 2 days to respond", "en", dt.timedelta(days=2)),
        (
            "Your order will be cancelled if the seller agrees. The seller has 2 days to respond.",
            "en",
            dt.timedelta(days=2),
        ),
        ("6 days 23:59:12", "en", dt.timedelta(days=6, hours=23, minutes=59, seconds=12)),
        ("Remaining time: 2d 03h 10m", "en", dt.timedelta(days=2, hours=3, minutes=10)),
        ("O vendedor tem 2 dias para responder", "pt-BR", dt.timedelta(days=2)),
        ("seller has 47 hours", "en", dt.timedelta(hours=47)),
        ("1 day 3 hours 5 minutes", None, dt.timedelta(days=1, hours=3, minutes=5)),
        ("Il reste 3 jours 4 heures", "fr", dt.timedelta(days=3, hours=4)),
        ("Осталось 2 дня 5 часов", "ru", dt.timedelta(days=2, hours=5)),
        ("Noch 1 Tag 12 Stunden", "de", dt.timedelta(days=1, hours=12)),
        ("El vendedor tiene 3 días", "es", dt.timedelta(days=3)),
        ("남은 시간: 1일 2시간", "ko", dt.timedelta(days=1, hours=2)),
        ("Time left 12:30", None, dt.timedelta(hours=12, minutes=30)),
        ("O vendedor tem 2 dias para responder", "en", dt.timedelta(days=2)),  # wrong hint still reads
    ],
)
def test_parse_duration_text(text: str, locale: str | None, expected: dt.timedelta) -> None:
    assert parse_duration_text(text, locale) == expected


@pytest.mark.parametrize(
    "text", ["", "Refund in progress", "You've canceled the order", "2 items", "Order ID: 8212345678901234"]
)
def test_parse_duration_text_none(text: str) -> None:
    assert parse_duration_text(text, "en") is None


def test_deadline_from_reminder() -> None:
    now = dt.datetime(2026, 4, 27, 10, 0, tzinfo=dt.UTC)
    assert deadline_from_reminder("The seller has 2 days to respond", now, "en") == now + dt.timedelta(days=2)
    assert deadline_from_reminder("Refund in progress", now, "en") is None


UTC = dt.UTC
NOW = dt.datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
DEC7_13 = dt.datetime(2026, 12, 7, 13, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("reminder", "locale", "expected"),
    [
        ("The seller must respond by Dec 7, 2026 13:00", "en", DEC7_13),  # was now + 13 hours
        ("Respond by Dec 7, 2026 13:00.", None, DEC7_13),
        ("The seller must respond by December 7, 2026 1:00 PM", "en", DEC7_13),
        ("by Dec 7, 2026 12:30 AM", "en", dt.datetime(2026, 12, 7, 0, 30, tzinfo=UTC)),
        ("O vendedor deve responder até 7 de dez. de 2026 13:00", "pt-BR", DEC7_13),
        ("Responda até 7 de dezembro de 2026 às 13:00", "pt-BR", DEC7_13),
        ("até 07/12/2026 13:00", "pt-BR", DEC7_13),
        ("by 2026-12-07 13:00:00", None, DEC7_13),
        ("by 2026-12-07T21:00:00+08:00", None, DEC7_13),
        ("by Dec 7, 2026 21:00 (GMT+8)", "en", DEC7_13),
        ("até 7 de dez. de 2026 10:00 (GMT-3)", "pt-BR", DEC7_13),
        ("by Dec 7, 2026 18:30 GMT+05:30", "en", DEC7_13),
        ("by Dec 7, 2026 13:00 UTC", "en", DEC7_13),
        # a date alone lasts all day
        ("The seller will ship your order by Dec 7, 2026.", "en",
         dt.datetime(2026, 12, 7, 23, 59, 59, tzinfo=UTC)),
        ("O vendedor enviará seu pedido até 7 de dez. de 2026.", "pt-BR",
         dt.datetime(2026, 12, 7, 23, 59, 59, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_an_absolute_date_time_is_that_moment(reminder: str, locale: str | None,
                                              expected: dt.datetime) -> None:  # fmt: skip
    assert deadline_from_reminder(reminder, NOW, locale) == expected
    assert deadline_from_reminder(reminder, NOW + dt.timedelta(days=3), locale) == expected  # not from now


@pytest.mark.parametrize(
    ("reminder", "locale", "left"),
    [
        ("The seller has 2 days to respond.", "en", dt.timedelta(days=2)),
        ("The seller has 2 days 5 hours to respond.", "en", dt.timedelta(days=2, hours=5)),
        ("The seller has 5 hours to respond.", "en", dt.timedelta(hours=5)),
        ("O vendedor tem 5 horas para responder.", "pt-BR", dt.timedelta(hours=5)),
        ("O vendedor tem 2 dias para responder.", "pt-BR", dt.timedelta(days=2)),
        ("Remaining: 6 days 23:59:12", "en", dt.timedelta(days=6, hours=23, minutes=59, seconds=12)),
        ("Time left 12:30", None, dt.timedelta(hours=12, minutes=30)),
        # a countdown wins over a date that is not the deadline
        ("Requested on Dec 1, 2026 10:00. The seller has 2 days to respond.", "en", dt.timedelta(days=2)),
        ("Solicitado em 1 de dez. de 2026 10:00. O vendedor tem 5 horas para responder.", "pt-BR",
         dt.timedelta(hours=5)),
    ],
)  # fmt: skip
def test_a_countdown_still_counts_from_now(reminder: str, locale: str | None, left: dt.timedelta) -> None:
    assert deadline_from_reminder(reminder, NOW, locale) == NOW + left


@pytest.mark.parametrize(
    "reminder", ["Respond by 05/04/2026 13:00", "by Feb 30, 2026 13:00", "by Dec 7, 2026 13:00 GMT+99"]
)
def test_a_date_that_cannot_be_read_gives_no_deadline_not_a_countdown(reminder: str) -> None:
    assert deadline_from_reminder(reminder, NOW, None) is None


def test_moment_in_text() -> None:
    assert moment_in_text("no date here 13:00") is None
    assert moment_in_text("Dec 7, 2026 13:00", "en") == DEC7_13
    assert moment_in_text("7 de dez. de 2026 13:00", "pt-BR") == DEC7_13


# ---------------------------------------------------------------- ids


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.aliexpress.com/p/order/detail.html?orderId=8212345678901234", "8212345678901234"),
        ("/p/order/detail.html?orderId=8212345678901234&spm=a2g0o.order_list.0", "8212345678901234"),
        ("https://x/p/order/detail.html?spm=a2g0o.1&orderId=3001234567890123456", "3001234567890123456"),
        ("/p/tracking/index.html?tradeOrderId=8212345678901234", "8212345678901234"),
        ("/p/order/detail.html?spm=a2g0o.order_list.0", None),
        ("/p/order/detail.html?orderId=abc", None),
        ("/store/1101", None),
        ("", None),
    ],
)
def test_order_id_from_url(url: str, expected: str | None) -> None:
    assert order_id_from_url(url) == expected


# Digits str.isdigit() (and a regex's \d) accept that are no order id, price or date: superscripts,
# full-width, Arabic-Indic, Devanagari.
UNICODE_DIGITS = ["²³⁴⁵⁶⁷⁸⁹", "８２１２３４５６７８９０１２３４", "٨٢١٢٣٤٥٦٧٨٩٠١٢٣٤", "८२१२३४५६७८९०१२३४"]


@pytest.mark.parametrize("digits", UNICODE_DIGITS)
def test_only_ascii_digits_are_ids(digits: str) -> None:
    assert digits.isdigit()  # what let them through before
    with pytest.raises(ValueError, match="digits 0-9"):
        normalise_order_id(digits)
    with pytest.raises(ValueError):
        Order(order_id=digits)
    assert order_id_from_url(f"/p/order/detail.html?orderId={digits}") is None
    assert order_id_from_url(f"/p/order/detail.html?orderId={digits}&tradeOrderId=8212345678901234") == (
        "8212345678901234"
    )
    assert digits_in(f"Order ID: {digits} Copy") is None


def test_ascii_ids_of_any_length_pass() -> None:
    # Not length-checked (see normalise_order_id): 16–19 digits is what the reference has seen, not a rule.
    assert normalise_order_id(" 8212345678901234 ") == "8212345678901234"
    assert normalise_order_id(3001234567890123456) == "3001234567890123456"
    assert normalise_order_id("555") == "555"
    for bad in ("", " ", "82123456789012a4", "-8212345678901234", "8212 3456", "8212345678901234\n1"):
        with pytest.raises(ValueError):
            normalise_order_id(bad)


@pytest.mark.parametrize(
    "text", ["US $１２.３４", "US $٩.٩٩", "R$ ١٣٢,٧٤", "१२.३४ €", "US $²³"]
)
def test_money_in_unicode_digits_is_not_read(text: str) -> None:
    with pytest.raises(ValueError, match="no amount"):
        parse_money(text)


@pytest.mark.parametrize(
    "text", ["٢٠٢٦-٠٤-٢٧", "２０２６-０４-２７", "Apr ２７, ２０２６", "٢٧/٠٤/٢٠٢٦", "27 de abr. de ²⁰²⁶"]
)
def test_dates_in_unicode_digits_are_not_read(text: str) -> None:
    with pytest.raises(ValueError, match="no date"):
        parse_date(text, "en")


def test_countdowns_in_unicode_digits_are_not_read() -> None:
    assert parse_duration_text("２ days ٣ hours", "en") is None
    assert parse_duration_text("６:５９:１２", "en") is None
    assert parse_duration_text("2 days ٣ hours", "en") == dt.timedelta(days=2)


# ---------------------------------------------------------------- locale

KNOWN = {
    "en": ["Awaiting shipment", "Completed", "Cancel order", "View all"],
    "pt-BR": ["Aguardando envio", "Concluído", "Cancelar pedido", "Ver tudo"],
}


@pytest.mark.parametrize(
    ("html_lang", "texts", "expected"),
    [
        ("en", [], "en"),
        ("pt-BR", [], "pt-BR"),
        ("pt-br", [], "pt-BR"),
        ("pt", [], "pt-BR"),
        ("pt_BR", ["Aguardando envio"], "pt-BR"),
        (None, ["Aguardando envio", "Concluído"], "pt-BR"),
        (None, ["  awaiting   SHIPMENT "], "en"),
        ("en", ["Aguardando envio", "Concluído", "Ver tudo"], "pt-BR"),  # stale lang attribute
        ("en", ["Aguardando envio", "Completed"], "en"),  # a tie keeps <html lang>
        (None, ["Aguardando envio", "Completed"], None),  # a tie without lang: unknown
        ("ko", [], None),
        (None, ["8212345678901234"], None),
        ("de", ["Completed"], "en"),
    ],
)
def test_detect_locale(html_lang: str | None, texts: list[str], expected: str | None) -> None:
    assert detect_locale(html_lang, texts, KNOWN) == expected
