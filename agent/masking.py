"""Masking secrets in settings before they are shown (`config show`) or logged.

- A setting whose name says it holds a secret (`…password…`, `…token…`, `…secret…`, `otp…`, `…api_key…`,
  `…credential…`) is masked whole — a generic rule, not a list of keys. A `*_env` setting names an
  environment variable, so its value is shown when it is a variable name and masked otherwise (a
  password typed there by mistake).
- A notification URL (`notify.urls`, apprise syntax) is shown as apprise renders it in privacy mode
  (`plugin.url(privacy=True)`: passwords `****`, tokens `T...A`) when apprise finds anything secret
  in it, else as written. Header (`+Name=`) and payload (`:name=`) parameters and any parameter whose
  name says secret are masked on top (apprise's privacy mode keeps them). A URL apprise cannot parse
  loses its userinfo, its host unless it is a domain or IP, every path segment and every parameter value.
- Any other string setting that is a URL loses its password (`https://user:****@host`) and the values of
  parameters whose name says secret (`wss://browserless…?token=****`).
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

__all__ = ["MASK", "is_secret_name", "mask_notify_url", "mask_settings", "mask_url", "quiet_apprise"]

logger = logging.getLogger(__name__)

MASK = "***"
URL_MASK = "****"  # apprise's own mask for passwords
SECRET_NAME = re.compile(
    r"(^|[_\-.+:])(secret|token|password|passwd|passphrase|pass|pwd|otp|api_?key|apikey|access_?key|"
    r"private_?key|auth|authorization|credentials?|signature|sig)([_\-.]|$)",
    re.I,
)
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
DOMAIN_OR_IP = re.compile(r"^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+)$")


def is_secret_name(name: str) -> bool:
    """Whether a setting or parameter name says it holds a secret ("otp_command", "api_token", "pass")."""
    return bool(SECRET_NAME.search(name))


def mask_settings(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of a settings tree (sections → keys → values) with every secret masked."""
    return {key: _mask_value(key, value) for key, value in data.items()}


def _mask_value(key: str, value: Any) -> Any:
    if isinstance(value, dict):
        return mask_settings(value)
    if key.endswith("_env"):  # names a variable: shown; anything else there is probably the secret itself
        return value if not value or (isinstance(value, str) and ENV_NAME.match(value)) else MASK
    if is_secret_name(key) and not isinstance(value, bool | int | float):  # `token_rounds = 3` is no secret
        return MASK if value not in (None, "", []) else value
    if key == "urls" and isinstance(value, list):
        return [mask_notify_url(str(url)) for url in value]
    if isinstance(value, list):
        return [_mask_value("", v) for v in value]
    if isinstance(value, str) and "://" in value:
        return mask_url(value)
    return value


def mask_notify_url(url: str) -> str:
    """An apprise URL fit to show: apprise's privacy rendering, or the fallback masking."""
    plugin = _apprise_plugin(url)
    if plugin is None:
        return _mask_unparsed(url)
    private, plain = plugin.url(privacy=True), plugin.url(privacy=False)
    return _mask_query(url if private == plain else private)


def _apprise_plugin(url: str) -> Any:
    """apprise's plugin object for `url`, or None when apprise cannot parse it (or is missing)."""
    try:
        with warnings.catch_warnings(), quiet_apprise():  # its plugins import the deprecated imghdr (3.11)
            warnings.simplefilter("ignore", DeprecationWarning)
            import apprise

            return apprise.Apprise.instantiate(url, suppress_exceptions=True) or None
    except ImportError:
        logger.info("apprise is not installed: notify URLs are masked without it")
        return None


@contextmanager
def quiet_apprise() -> Iterator[None]:
    """apprise's logger off: parsing a URL it cannot read, it logs the URL with the user name and the
    ends of each secret. Use around parsing only (apprise.Apprise.add / instantiate)."""
    apprise_log = logging.getLogger("apprise")
    was_disabled, apprise_log.disabled = apprise_log.disabled, True
    try:
        yield
    finally:
        apprise_log.disabled = was_disabled


def _mask_query(url: str) -> str:
    """Mask the values of header/payload parameters and of parameters whose name says secret."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = _mask_params(parts.query, _secret_param)
    return url if query == parts.query else urlunsplit(parts._replace(query=query))


def _mask_params(query: str, secret: Callable[[str], bool]) -> str:
    """`query` with the value of every parameter `secret(raw name)` says is secret replaced by ****."""
    out = []
    for pair in query.split("&"):
        key, _, value = pair.partition("=")
        out.append(f"{key}={URL_MASK}" if value and secret(key) else pair)
    return "&".join(out)


def _secret_param(raw_key: str) -> bool:
    """A header (`+Name`), payload field (`:name`) or secret-named parameter. Raw, not form-decoded:
    in apprise URLs a leading "+" is the header marker, not a space."""
    key = unquote(raw_key)
    return key[:1] in "+:" or is_secret_name(key)


def _mask_unparsed(url: str) -> str:
    """Mask what may be secret in a URL apprise does not know: userinfo, a host that is not a domain or
    IP (apprise puts tokens there: `tgram://TOKEN/…`), every path segment, every parameter value."""
    match = re.match(r"^([A-Za-z][A-Za-z0-9+.\-]*)://([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$", url.strip())
    if not match:
        return URL_MASK  # not even URL-shaped: nothing of it is shown
    scheme, netloc, path, query, fragment = match.groups()
    userinfo, _, hostport = netloc.rpartition("@")
    host, colon, port = hostport.rpartition(":") if re.search(r":\d+$", hostport) else (hostport, "", "")
    shown_host = host if DOMAIN_OR_IP.match(host) else (URL_MASK if host else "")
    out = f"{scheme}://{URL_MASK + '@' if userinfo else ''}{shown_host}{colon}{port}"
    out += re.sub(r"[^/]+", URL_MASK, path)
    if query:
        out += "?" + _mask_params(query[1:], lambda _key: True)
    return out + (f"#{URL_MASK}" if fragment else "")


def mask_url(text: str) -> str:
    """`scheme://user:password@host…?token=x` → `scheme://user:****@host…?token=****`; else unchanged."""
    text = re.sub(r"^([A-Za-z][A-Za-z0-9+.\-]*://[^/?#:@]*):[^/?#@]*@", rf"\1:{URL_MASK}@", text)
    return _mask_query(text)
