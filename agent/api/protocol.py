"""The MTOP protocol's pure parts (shared/reference/aliexpress-api.md): the calls, the signature, the
token cookie, the transport parameters, the envelope's codes and what each kind of code means.

No I/O here: `agent.api.client` sends, this module decides.
"""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from typing import Any
from urllib.parse import unquote

TOKEN_COOKIE = "_m_h5_tk"
REGION_COOKIE = "aep_usuc_f"
JSV = "2.5.1"

# Each call: (API name, HTTP method). Paths are /h5/<api>/1.0/ under the configured API base URL.
LIST = "mtop.aliexpress.trade.buyer.order.list"
DETAIL = "mtop.aliexpress.trade.buyer.order.detail"
COUNT = "mtop.aliexpress.trade.buyer.order.count"
REVERSE = "mtop.aliexpress.buyer.reverse.queryreverseorderpagelistforbuyer"
READ_POSTS = (LIST, REVERSE)  # reads sent by POST (the list's pages 2..N, the refunds list): not writes


def is_read_post(url: str) -> bool:
    """A POST that only reads (a read-only run may send it): the list's next pages, the refunds list."""
    return any(f"/h5/{api}/" in url for api in READ_POSTS)


class Kind(StrEnum):
    """What a `ret` code asks of the caller (the reference's error table)."""

    SUCCESS = "success"
    TOKEN = "token"  # absorb the rotated cookie, re-sign, retry (a few rounds)
    SESSION = "session"  # the login is gone
    TRAFFIC = "traffic"  # rate limited: back off
    CAPTCHA = "captcha"  # anti-bot verdict: stop, cool down, never retry into it
    DENIED = "denied"  # no permission for this API
    OTHER = "other"  # bad parameter or internal error


CODES: dict[str, Kind] = {
    "SUCCESS": Kind.SUCCESS,
    "FAIL_SYS_TOKEN_EMPTY": Kind.TOKEN,
    "FAIL_SYS_TOKEN_EXOIRED": Kind.TOKEN,  # (sic): the site's own spelling
    "FAIL_SYS_TOKEN_EXPIRED": Kind.TOKEN,
    "FAIL_SYS_ILLEGAL_ACCESS": Kind.TOKEN,
    "FAIL_SYS_SESSION_EXPIRED": Kind.SESSION,
    "NEED_LOGIN": Kind.SESSION,
    "FAIL_SYS_SID_INVALID": Kind.SESSION,
    "FAIL_SYS_TRAFFIC_LIMIT": Kind.TRAFFIC,
    "FAIL_SYS_USER_VALIDATE": Kind.CAPTCHA,
    "FAIL_SYS_ACCESS_DENIED": Kind.DENIED,
}


def ret_code(body: dict[str, Any]) -> tuple[str, str]:
    """(code, message) of an envelope's first `ret` entry ("" when there is none)."""
    ret = body.get("ret")
    first = str(ret[0]) if isinstance(ret, list) and ret else ""
    code, _, message = first.partition("::")
    return code.strip(), message.strip()


def classify(code: str) -> Kind:
    return CODES.get(code, Kind.OTHER)


def token_of(cookie_value: str | None) -> str:
    """The signing token: the `_m_h5_tk` cookie's part before the first `_` ("" without a cookie)."""
    return (cookie_value or "").split("_", 1)[0]


def sign(token: str, t: str, app_key: str, data: str) -> str:
    """md5_hex(token&t&appKey&data) over the exact `data` string that is sent."""
    text = f"{token}&{t}&{app_key}&{data}"
    return hashlib.md5(text.encode("utf-8")).hexdigest()  # noqa: S324 - the protocol's own choice


def serialise(payload: dict[str, Any]) -> str:
    """The payload as sent (and signed): serialised once, compact, non-ASCII kept as is."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def transport(api: str, app_key: str, t: str, signature: str, timeout_ms: int) -> dict[str, str]:
    """The query parameters of every call (the payload travels apart: `data=`)."""
    return {
        "jsv": JSV,
        "appKey": app_key,
        "t": t,
        "sign": signature,
        "api": api,
        "v": "1.0",
        "type": "originaljson",
        "dataType": "json",
        "timeout": str(timeout_ms),
        "ecode": "1",
        "needLogin": "true",
    }


def time_zone(offset_minutes: int) -> str:
    """The browser clock's offset as the API writes it: GMT-3, GMT+5:30, GMT+0."""
    sign_ = "-" if offset_minutes < 0 else "+"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return f"GMT{sign_}{hours}" + (f":{minutes:02d}" if minutes else "")


def regional_defaults(region_cookie: str | None) -> dict[str, str]:
    """`shipToCountry` and `_lang` from the `aep_usuc_f` cookie (`region=BR&site=bra&b_locale=pt_BR…`)."""
    fields = dict(part.split("=", 1) for part in unquote(region_cookie or "").split("&") if "=" in part)
    out = {}
    if fields.get("region"):
        out["shipToCountry"] = fields["region"]
    if fields.get("b_locale"):
        out["_lang"] = fields["b_locale"]
    return out


def digits(value: object) -> str | None:
    """An id as a string of digits, whether it came as a string or a number; None when it is neither."""
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).strip()
    if isinstance(value, float):
        return None  # a float lost digits already: never guess an id from it
    return text if text.isdigit() else None
