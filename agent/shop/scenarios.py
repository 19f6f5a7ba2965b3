"""Scenario switches of the fixture shop and the named presets built from them.

A preset is a small dict of switches on top of the defaults; `/__shop/scenario` accepts a name, single
switches, or both (the name first, then the switches on top).
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field, fields
from typing import Any

LAYOUTS = (
    "detail_button",
    "list_row_only",
    "more_menu",
    "icon_menu",
    "reminder_link",
    "late_render",
    "iframe",
)
POPUPS = ("coupon", "chat", "cookie")
REASON_WIDGETS = ("radio", "select", "custom", "portal", "searchable", "virtual")
_CHOICES: dict[str, tuple[Any, ...]] = {
    "login": ("email_first", "classic"),
    "layout": LAYOUTS,
    "reasons": REASON_WIDGETS,
    "locale": ("en", "pt-BR"),
    "tabs": ("new", "old"),
    "confirm_steps": (1, 2),
    "cancel_form": ("dialog", "page_tab"),
    "time_filter": ("select", "none", "custom"),
}


@dataclass
class Switches:
    name: str = "default"
    login: str = "email_first"
    otp: bool = False
    captcha: bool = False
    session_ttl_requests: int = 0  # > 0: a session dies after this many page/API requests
    layout: str = "detail_button"
    reasons: str = "radio"
    locale: str = "en"
    popups: list[str] = field(default_factory=list)
    tabs: str = "new"
    price_chars: bool = False
    strict_seller: bool = False
    load_delay_ms: int = 300  # how long "View orders" shows .comet-loading (server-side delay)
    latency_ms: int = 0  # added to every page and API response
    seller_window_h: float = 48
    refund_days: int | None = None
    faults: list[dict[str, Any]] = field(default_factory=list)  # installed as fault rules on apply
    # The cancel form (agent/shop/README.md, "Cancel form variants"):
    dialog_order_id: bool = False  # True: the dialog prints "Order ID: …" (nothing public shows that)
    confirm_sends_other_order: bool = False  # hostile page: Confirm sends another cancellable order's id
    confirm_steps: int = 1  # 2: Confirm opens "Cancel this order?"; only "Yes, cancel" sends
    cancel_form: str = "dialog"  # page_tab: the form opens on its own page in a new tab
    redesigned: bool = False  # action widgets get hashed CSS-module classes and lose every data-pl
    # "Orders placed in": a native select | no such control | a custom dropdown (role=combobox)
    time_filter: str = "select"
    token_ttl_minutes: int = 30  # life of an `_m_h5_tk` token on the shop clock

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


PRESETS: dict[str, dict[str, Any]] = {
    "default": {},
    "classic_login": {"login": "classic"},
    "otp": {"otp": True},
    "captcha": {"captcha": True},
    "session_expiry": {"session_ttl_requests": 5},
    "list_row_only": {"layout": "list_row_only"},
    "more_menu": {"layout": "more_menu"},
    "icon_menu": {"layout": "icon_menu"},
    "reminder_link": {"layout": "reminder_link"},
    "late_render": {"layout": "late_render"},
    "iframe": {"layout": "iframe"},
    "reasons_select": {"reasons": "select"},
    "reasons_custom": {"reasons": "custom"},
    "reasons_portal": {"reasons": "portal"},
    "reasons_searchable": {"reasons": "searchable"},
    "reasons_virtual": {"reasons": "virtual"},
    "id_less": {"dialog_order_id": False},  # the default since the agent binds by what the page sends
    "dialog_with_id": {"dialog_order_id": True},
    "two_step": {"confirm_steps": 2},
    "cancel_page": {"cancel_form": "page_tab"},
    "other_order": {"confirm_sends_other_order": True},
    "redesigned": {"redesigned": True},
    "pt_BR": {"locale": "pt-BR"},
    "popups": {"popups": ["coupon", "chat", "cookie"]},
    "old_tabs": {"tabs": "old"},
    "strict_seller": {"strict_seller": True},
    "price_chars": {"price_chars": True},
    "slow": {"latency_ms": 600, "load_delay_ms": 1500},
    "flaky": {
        "faults": [
            {"path": "order.list", "kind": "error", "count": 1},
            {"path": "order.detail", "kind": "drop", "count": 1},
        ]
    },
    # Everything hostile at once: the agent's acceptance run.
    "hostile": {
        "locale": "pt-BR",
        "layout": "icon_menu",
        "reasons": "custom",
        "popups": list(POPUPS),
        "price_chars": True,
        "tabs": "old",
    },
}
LAYOUT_PRESETS = [
    "default",
    "list_row_only",
    "more_menu",
    "icon_menu",
    "reminder_link",
    "late_render",
    "iframe",
]


def _check(key: str, value: Any) -> Any:
    names = {f.name for f in fields(Switches)}
    if key not in names:
        raise ValueError(f"unknown switch {key!r}")
    if key in _CHOICES and (value not in _CHOICES[key] or isinstance(value, bool)):
        raise ValueError(f"{key} must be one of {_CHOICES[key]}, got {value!r}")
    if key == "popups" and not set(value) <= set(POPUPS):
        raise ValueError(f"popups must be a subset of {POPUPS}, got {value!r}")
    return copy.deepcopy(value)


def build(name: str | None = None, base: Switches | None = None, **switches: Any) -> Switches:
    """A preset by name (from defaults) or `base`, with `switches` applied on top; validates everything."""
    if name is not None and name not in PRESETS:
        raise ValueError(f"unknown scenario {name!r}; known: {', '.join(PRESETS)}")
    current = Switches() if name is not None or base is None else copy.deepcopy(base)
    if name is not None:
        current.name = name
        for key, value in PRESETS[name].items():
            setattr(current, key, _check(key, value))
    for key, value in switches.items():
        setattr(current, key, _check(key, value))
    if switches and name is None:
        current.name = f"{current.name}+custom" if not current.name.endswith("+custom") else current.name
    return current
