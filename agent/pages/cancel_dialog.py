"""The cancel form — a dialog on the page or the separate page's form (found by role and name first): which
order it belongs to, the offered reasons (any widget: `agent.pages.reasons.ReasonWidget`), choosing one, an
optional free-text comment, and THE irreversible click — `CancelDialog.confirm(permit)`, the only method in
the code base that confirms a cancellation. It needs a `ConfirmPermit`, which only the cancel flow builds
after its double-check (never in a dry run), and which can be spent once.
"""

from __future__ import annotations

import json
import time

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Response, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from pydantic import BaseModel

from agent.errors import ControlNotFound, DoubleCheckFailed, SessionExpired
from agent.pages.base import (
    SESSION_FAILURES,
    SLICE_MS,
    PageObject,
    Permit,
    digits_in,
    first_attribute,
    is_navigation_error,
)
from agent.pages.reasons import ReasonWidget
from agent.parsing import fold

__all__ = ["CancelDialog", "CancelSubmitted", "ConfirmPermit"]


class ConfirmPermit(Permit):
    """Permission to confirm one cancellation: built by the cancel flow after its double-check (order id,
    reason and eligibility re-read right before the click). `confirm()` checks it against the dialog and
    spends it; a spent permit is refused, so one permit = at most one confirm click."""


class CancelSubmitted(BaseModel):
    """What the site showed after the confirm click: the dialog closed (accepted) or an error in it."""

    order_id: str
    reason: str
    accepted: bool
    answered: bool = True  # False: the click went out but no answer came — the outcome is unknown
    error: str = ""


class CancelDialog(PageObject):
    KEYS = (
        "cancel_dialog.root",
        "cancel_dialog.order_id_text",
        "cancel_dialog.comment",
        "cancel_dialog.error",
        "cancel_dialog.confirm",
        "cancel_dialog.keep",
        "cancel_dialog.close",
        *ReasonWidget.KEYS,
    )
    _root: Locator | None = None

    def wait_open(self, timeout_ms: int | None = None) -> CancelDialog:
        self.check_session()
        self._root = self.find("cancel_dialog.root", timeout_ms=timeout_ms)
        return self

    @property
    def root(self) -> Locator:
        if self._root is None:
            self.wait_open()
        assert self._root is not None
        return self._root

    def is_open(self) -> bool:
        return self.root.is_visible()

    def order_id(self) -> str | None:
        """The order the dialog belongs to: its data-order-id, else the "Order ID: …" text."""
        attr = first_attribute(self.root, self.pack.attribute("order_id"))
        if attr and attr.strip().isdigit():
            return attr.strip()
        return digits_in(self.text("cancel_dialog.order_id_text", self.root))

    # -- reasons (any widget, read and chosen as a person does) -------------------------------------
    @property
    def reasons(self) -> ReasonWidget:
        return ReasonWidget(self.site, self.root)

    def reason_kind(self) -> str:
        """ "radio", "select", "searchable" or "custom": how the form offers its reasons."""
        return self.reasons.kind()

    def offered_reasons(self) -> list[str]:
        """Every offered reason as shown (a custom dropdown is opened, read to its end, closed again)."""
        return self.reasons.offered()

    def choose_reason(self, text: str) -> None:
        """Select the offered reason whose text is exactly `text` (as read by offered_reasons()), then read
        the widget back: DoubleCheckFailed when it shows anything else."""
        self.reasons.choose(text)
        chosen = self.selected_reason()
        if chosen is None or fold(chosen) != fold(text):
            raise DoubleCheckFailed(f"chose reason {text!r} but the form shows {chosen!r}")

    def selected_reason(self) -> str | None:
        """The reason the form shows as chosen (None: nothing chosen)."""
        return self.reasons.selected()

    # -- a free-text comment (the separate page requires one) ---------------------------------------
    def has_comment(self) -> bool:
        return self.finder.is_visible("cancel_dialog.comment", self.root)

    def fill_comment(self, text: str) -> None:
        """Write `text` into the comment box, then read it back (DoubleCheckFailed when it differs)."""
        self.find("cancel_dialog.comment", self.root, timeout_ms=0).fill(text)
        if self.comment() != text:
            raise DoubleCheckFailed(f"wrote a comment but the box holds {self.comment()!r}")

    def comment(self) -> str:
        """What the comment box holds now ("" when the form has none)."""
        if not self.has_comment():
            return ""
        return self.find("cancel_dialog.comment", self.root, timeout_ms=0).input_value()

    def error_text(self) -> str:
        return " ".join(self.texts("cancel_dialog.error", self.root, visible_only=True))

    # -- the irreversible click ---------------------------------------------------------------------
    def confirm(self, permit: ConfirmPermit) -> CancelSubmitted:
        """THE irreversible click. Checks the permit against the dialog (order id, selected reason),
        spends it, clicks Confirm exactly once, and reports what the site showed."""
        shown_id = self.order_id()
        if shown_id != permit.order_id:
            raise DoubleCheckFailed(
                f"the dialog is for order {shown_id!r}, the permit for {permit.order_id!r}"
            )
        chosen = self.selected_reason()
        if chosen is None or fold(chosen) != fold(permit.reason):
            raise DoubleCheckFailed(f"the dialog's reason is {chosen!r}, the permit's {permit.reason!r}")
        button = self.find("cancel_dialog.confirm", self.root)
        if not button.is_enabled():
            raise DoubleCheckFailed("the Confirm button is disabled: nothing clicked")
        permit.spend()
        result = CancelSubmitted(order_id=permit.order_id, reason=permit.reason, accepted=False)
        try:
            with self.page.expect_response(self._is_operation, timeout=self.site.timeout_ms) as answer:
                self.click(button, irreversible=True)
        except PlaywrightTimeoutError:
            return result.model_copy(update={"answered": False, "error": "the site did not answer the click"})
        return self._outcome(result, answer.value)

    def _is_operation(self, response: Response) -> bool:
        return response.request.method == "POST" and self.is_api("api_order_operation", response)

    def _outcome(self, result: CancelSubmitted, response: Response) -> CancelSubmitted:
        """Judge the click by the site's answer to it (not by the dialog vanishing, which a redirect to
        the login page also does): SessionExpired, the site's refusal text, or accepted."""
        try:
            ret = _first_ret(response.text())
        except PlaywrightError:
            # The page navigated before its answer could be read. A refusal stays in the dialog, so
            # a navigation is either the reload after success or the way to the login page.
            self.page.wait_for_load_state("domcontentloaded")
            self.check_session()
            ret = "SUCCESS"
        if any(code in ret for code in SESSION_FAILURES):
            raise SessionExpired(f"the site API says: {ret}")
        if not ret.startswith("SUCCESS"):
            return result.model_copy(update={"error": ret.split("::", 1)[-1].strip() or ret})
        self._wait_reloaded()
        return result.model_copy(update={"accepted": True})

    def _wait_reloaded(self) -> None:
        """After an accepted cancel the page reloads: wait for the dialog to go (tolerating the reload)."""
        deadline = time.monotonic() + self.site.timeout_ms / 1000
        while time.monotonic() < deadline:
            try:
                if self._wait_hidden(SLICE_MS):
                    self.page.wait_for_load_state("domcontentloaded")
                    return
            except PlaywrightError as exc:
                if not is_navigation_error(exc):
                    raise

    def close(self) -> None:
        """Leave without cancelling ("Keep order", else the × button)."""
        try:
            control = self.find("cancel_dialog.keep", self.root, timeout_ms=0)
        except ControlNotFound:
            control = self.find("cancel_dialog.close", self.root, timeout_ms=0)
        self.click(control)
        expect(self.root).to_be_hidden(timeout=self.site.timeout_ms)

    # -- helpers ------------------------------------------------------------------------------------
    def _wait_hidden(self, timeout_ms: int) -> bool:
        try:
            self.root.wait_for(state="hidden", timeout=timeout_ms)
        except PlaywrightTimeoutError:
            return False
        return True


def _first_ret(text: str) -> str:
    """The first `ret` entry of an API envelope ("SUCCESS::…", "FAIL_BIZ_…::Your order has …")."""
    try:
        ret = json.loads(text).get("ret", [])
    except (ValueError, AttributeError):
        return "FAIL_UNREADABLE::the site answered something that is not an API envelope"
    return str(ret[0]) if ret else ""
