"""Deterministic scrubbing of a recording before anything is written to fixtures/.

What goes: the account's secrets (password, session cookie values, anything passed in `secrets`) in every
form they travel in (plain, URL-encoded, base64); e-mails; phone numbers; tracking numbers; values of
PII fields in JSON (names, addresses, phones …) and those same values wherever else they appear; cookies,
set-cookie, authorization and token headers; token query parameters; password form fields. Order ids are
remapped with a keyed hash to other ids of the same length, the same way everywhere (URLs, HTML, JSON
strings and numbers), so links between pages and API answers survive. Money amounts stay.

The recorded origin (e.g. http://127.0.0.1:41234) is rewritten to a canonical one (see `canonical_origin`)
so a recording replays with the same base URL whatever port it was made on.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus, urlsplit

REDACTED = "REDACTED"
SHOP_ORIGIN = "http://shop.invalid"  # .invalid never resolves (RFC 2606): replay is routed before DNS
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}

SECRET_HEADERS = re.compile(
    r"^(cookie|set-cookie|authorization|proxy-authorization|x-.*token.*|x-csrf.*|"
    r"x-xsrf.*|x-api-key|x-auth.*)$",
    re.I,
)
TOKEN_PARAMS = re.compile(
    r"^(.*token.*|_m_h5_tk.*|sign|ticket|session.*|sid|auth.*|access_key|"
    r"password|passwd|pwd|code|otp|csrf.*|xsrf.*)$",
    re.I,
)
PASSWORD_FIELDS = re.compile(r"^(password|passwd|pwd|pass|fm-login-password|code|otp)$", re.I)
PII_KEYS = re.compile(
    r"(^|_)(receiver|consignee|contact_person|contact_name|buyer_name|full_name|first_name|last_name|"
    r"real_name|nick_?name|user_?name|login_id|address(es)?|street|city|province|district|zip(_code)?|"
    r"post_?code|postal_code|phone|mobile|tel(ephone)?|e?_?mail|cpf|cnpj|tax_id|passport|"
    r"tracking(_no|_number)?|logistics_no|mail_no|waybill)($|_)"
)
ID_KEYS = re.compile(r"^(order_?id|trade_?order_?id|parent_?order_?id|sub_?order_?id)$", re.I)
# A run of 15–19 digits is an order id; "%22" in front (URL-encoded JSON) is an escape, not digits of it.
NOT_IN_ESCAPE = r"(?<!%)(?<!%[0-9A-Fa-f])(?:(?<=%[0-9A-Fa-f]{2})|(?<!\d))"
ID_RUN = re.compile(NOT_IN_ESCAPE + r"\d{15,19}(?!\d)")
ID_PARAM = re.compile(r"(?:orderId|tradeOrderId|data-order-id)(?:=|%3D|\"?\s*[:=]\s*\"?)(\d{8,19})", re.I)
EMAIL = re.compile(  # the local part never swallows a %XX escape in front of it
    r"(?:(?<=%[0-9A-Fa-f]{2})|(?<![A-Za-z0-9._%+-]))[A-Za-z0-9._+-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
    r"\.[A-Za-z]{2,}"
)
PHONE = re.compile(r"(?<![\w+])\+\d{1,3}[\s.-]?(?:\(\d{1,4}\)[\s.-]?)?\d{2,5}(?:[\s.-]?\d{2,5}){1,3}(?!\w)")
TRACKING = re.compile(r"\b(?:[A-Z]{2}\d{9}[A-Z]{2}|LP\d{12,16}|(?:YT|UJ|CN|AE|CJ|SY|LX|LY)\d{10,18})\b")


def canonical_origin(base_url: str) -> str:
    """Where a recording of `base_url` lives at replay time: the shop (any local port) → SHOP_ORIGIN;
    any other site keeps its own origin."""
    parts = urlsplit(base_url)
    if (parts.hostname or "") in LOCAL_HOSTS:
        return SHOP_ORIGIN
    return f"{parts.scheme}://{parts.netloc}"


def variants(secret: str) -> set[str]:
    """Every form a secret may travel in: plain, URL-encoded, JSON-escaped, and base64 at each of the
    three byte alignments (only the characters that do not depend on the bytes around it)."""
    out = {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]}
    raw = secret.encode()
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw).decode()
        stable = encoded[-(-8 * shift // 6) : 8 * (shift + len(raw)) // 6]
        if len(stable) >= 6:
            out |= {stable, stable.replace("+", "-").replace("/", "_")}
    return {v for v in out if v}


class Scrubber:
    """One scrubbing pass over one recording. `key` makes the id mapping keyed (same key, same ids);
    `secrets` are strings that must never survive (the password, the e-mail, names the user gives)."""

    def __init__(
        self, key: bytes, secrets: Iterable[str] = (), origin: str = "", target_origin: str = ""
    ) -> None:
        self.key = key
        self.secrets = {s for s in secrets if s and len(s) >= 3}
        self.origin = origin.rstrip("/")
        self.target_origin = (target_origin or canonical_origin(origin)).rstrip("/") if origin else ""
        self.ids: dict[str, str] = {}
        self.pii: dict[str, str] = {}

    # -- collecting ---------------------------------------------------------------------------------
    def learn_text(self, text: str) -> None:
        """Remember order ids this text links to (orderId=…) and PII values of JSON fields in it."""
        for match in ID_PARAM.finditer(text):
            self.map_id(match.group(1))
        value = _maybe_json(text)
        if value is not None:
            self._learn_json(value)

    def learn_secret(self, value: str) -> None:
        if value and len(value) >= 6:
            self.secrets.add(value)

    def _learn_json(self, node: Any, key: str = "") -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                self._learn_json(v, str(k))
        elif isinstance(node, list):
            for v in node:
                self._learn_json(v, key)
        elif ID_KEYS.match(key) and str(node).isdigit() and len(str(node)) >= 8:
            self.map_id(str(node))
        elif isinstance(node, str) and _is_pii_key(key) and len(node.strip()) >= 3:
            self.pii.setdefault(node, f"[{_kind(key)}]")

    # -- mapping ------------------------------------------------------------------------------------
    def map_id(self, digits: str) -> str:
        """A keyed, injective stand-in of the same length (no leading zero when the original had none)."""
        if digits in self.ids:
            return self.ids[digits]
        taken = set(self.ids.values())
        for counter in range(1000):
            out = _keyed_digits(self.key, digits, counter)
            if out not in taken and out != digits and out not in self.ids:
                self.ids[digits] = out
                return out
        raise ValueError(f"cannot remap an id of {len(digits)} digits")  # pragma: no cover

    # -- replacing ----------------------------------------------------------------------------------
    def text(self, text: str) -> str:
        """Scrub one string: origin, secrets, PII values, e-mails, phones, tracking numbers, order ids."""
        if self.origin:
            text = text.replace(self.origin, self.target_origin)
            text = text.replace(quote(self.origin, safe=""), quote(self.target_origin, safe=""))
        for secret in sorted(self.secrets, key=len, reverse=True):
            for form in sorted(variants(secret), key=len, reverse=True):
                text = text.replace(form, REDACTED)
        for value in sorted(self.pii, key=len, reverse=True):
            text = text.replace(value, self.pii[value]).replace(json.dumps(value)[1:-1], self.pii[value])
        text = EMAIL.sub(lambda m: self._fake("user", m.group()) + "@example.invalid", text)
        text = PHONE.sub(lambda m: "+00 " + self._digits(m.group()), text)
        text = TRACKING.sub(lambda m: self._tracking(m.group()), text)
        text = ID_RUN.sub(lambda m: self.map_id(m.group()), text)
        return _known_ids(text, self.ids)

    def json_value(self, value: Any, key: str = "") -> Any:
        """Scrub a decoded JSON value: PII fields blanked by key, every string through `text`."""
        if isinstance(value, dict):
            return {self.text(str(k)): self.json_value(v, str(k)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.json_value(v, key) for v in value]
        if isinstance(value, str):
            if _is_pii_key(key) and value.strip():
                return f"[{_kind(key)}]"
            return self.text(value)
        if isinstance(value, int) and not isinstance(value, bool) and len(str(value)) >= 8:
            mapped = self.text(str(value))
            return int(mapped) if mapped.isdigit() else value
        return value

    def body(self, text: str) -> str:
        """A response/request body: JSON structurally (keys decide PII), anything else as text."""
        value = _maybe_json(text)
        if value is None or isinstance(value, str | int | float | bool):
            return self.text(text)
        return json.dumps(self.json_value(value), ensure_ascii=False, separators=(",", ":"))

    def _fake(self, prefix: str, value: str) -> str:
        return prefix + hmac.new(self.key, value.encode(), hashlib.sha256).hexdigest()[:8]

    def _digits(self, value: str) -> str:
        n = sum(c.isdigit() for c in value)
        return _keyed_digits(self.key, value, 0)[: max(n - 2, 6)]

    def _tracking(self, value: str) -> str:
        digits = re.sub(r"\D", "", value)
        mapped = _keyed_digits(self.key, value, 0)[: len(digits)]
        return value.replace(digits, mapped, 1) if digits else value


def _keyed_digits(key: bytes, value: str, counter: int) -> str:
    digest = hmac.new(key, f"{value}:{counter}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest * 2, "big")
    digits = str(number).zfill(len(value))[-len(value) :] if value.isdigit() else str(number)
    if value.isdigit() and value[0] != "0" and digits[0] == "0":
        digits = str(1 + number % 9) + digits[1:]
    return digits


def _known_ids(text: str, ids: dict[str, str]) -> str:
    """Shorter ids learnt from orderId=… links (the 15–19-digit ones are already done)."""
    short = [i for i in ids if len(i) < 15]
    if not short:
        return text
    pattern = re.compile(
        NOT_IN_ESCAPE + "(" + "|".join(map(re.escape, sorted(short, key=len, reverse=True))) + r")(?!\d)"
    )
    return pattern.sub(lambda m: ids[m.group()], text)


def _snake(key: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", key).replace("-", "_").lower()


def _is_pii_key(key: str) -> bool:
    return bool(key) and PII_KEYS.search(_snake(key)) is not None


def _kind(key: str) -> str:
    match = PII_KEYS.search(_snake(key))
    return match.group(2) if match else "pii"


def _maybe_json(text: str) -> Any:
    stripped = text.lstrip()
    if not stripped or stripped[0] not in "[{":
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None
