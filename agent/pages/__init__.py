"""Page objects, one class per screen (sync Playwright API).

Every page object is built from one `Site` context:

    site = Site.create(page, load_pack("aliexpress"), base_url, locale="pt-BR",
                       on_hit=record_hit, login_url=None)   # login_url default: base_url + pack path "login"
    LoginPage(site).open(return_url).log_in(email, password, otp=ask_code)
    orders = OrdersPage(site).open().choose_tab("processing")
    orders.load_all(); rows = orders.orders()                       # -> list[Order]
    detail = OrderDetailPage(site).open(order_id).detail()          # -> OrderDetail
    dialog = OrderDetailPage(site).open(order_id).open_cancel_dialog()   # or orders.open_cancel_dialog(id)
    dialog.offered_reasons(); dialog.choose_reason(text); dialog.selected_reason()   # any reason widget
    dialog.has_comment(); dialog.fill_comment(text); dialog.comment()   # a comment box (the page form)
    dialog.confirm(ConfirmPermit(order_id, reason))   # THE irreversible click (cancel flow only)
    MessagePage(site).open_seller(order_id).write(text)   # or .open_support(order_id); .send(MessagePermit)

`Site` holds the Page, the selector pack, base/login URLs, the locale and the `Finder` (agent.locate).
Page objects build every locator through the pack (`self.loc(key)` for reading, `self.find(key)` for the
one visible control), raise SessionExpired when the site sends them to the login page, SiteError on error
pages/API failures, and never decide policy. `KEYS` on each class lists the pack keys it asks for;
`required_keys()` is their union (the pack meta-test checks that every one exists).
"""

from __future__ import annotations

from agent.pages.base import PageObject, Site, is_login_url
from agent.pages.cancel_dialog import CancelDialog, CancelSubmitted, ConfirmPermit
from agent.pages.dispute import DisputePage, DisputePermit, DisputeStatus, DisputeSubmitted
from agent.pages.further_steps import FurtherSteps
from agent.pages.login import LoginPage
from agent.pages.message import MessagePage, MessagePermit, MessageSubmitted
from agent.pages.order_detail import OrderDetailPage
from agent.pages.orders import TAB_KEYS, OrdersPage
from agent.pages.reasons import ReasonWidget

__all__ = [
    "ALL_PAGES",
    "TAB_KEYS",
    "CancelDialog",
    "CancelSubmitted",
    "ConfirmPermit",
    "DisputePage",
    "DisputePermit",
    "DisputeStatus",
    "DisputeSubmitted",
    "FurtherSteps",
    "LoginPage",
    "MessagePage",
    "MessagePermit",
    "MessageSubmitted",
    "OrderDetailPage",
    "OrdersPage",
    "PageObject",
    "ReasonWidget",
    "Site",
    "is_login_url",
    "required_keys",
]

ALL_PAGES: tuple[type[PageObject], ...] = (
    LoginPage, OrdersPage, OrderDetailPage, CancelDialog, FurtherSteps, DisputePage, MessagePage
)  # fmt: skip
BASE_KEYS = ("site.error",)  # PageObject.wait_ready


def required_keys() -> set[str]:
    """Every control key the page objects (and the base class) ask for."""
    keys = set(BASE_KEYS)
    for page in ALL_PAGES:
        keys.update(page.KEYS)
    return keys
