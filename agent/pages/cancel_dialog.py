"""The cancel-order dialog: which order it belongs to, the offered reasons (radios, native select or custom
dropdown), choosing one, and THE irreversible click — `CancelDialog.confirm(permit)`, the only method in
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
        "cancel_dialog.reason_radio",
        "cancel_dialog.reason_radio_label",
        "cancel_dialog.reason_radio_checked",
        "cancel_dialog.reason_select",
        "cancel_dialog.reason_select_option",
        "cancel_dialog.reason_dropdown",
        "cancel_dialog.reason_dropdown_option",
        "cancel_dialog.reason_dropdown_selected",
        "cancel_dialog.reason_dropdown_selection",
        "cancel_dialog.reason_option",
        "cancel_dialog.error",
        "cancel_dialog.confirm",
        "cancel_dialog.keep",
        "cancel_dialog.close",
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

    # -- reasons ------------------------------------------------------------------------------------
    def reason_kind(self) -> str:
        """ "radio", "select" or "custom": how the dialog offers its reasons."""
        for kind, key in (
            ("radio", "cancel_dialog.reason_radio"),
            ("select", "cancel_dialog.reason_select"),
            ("custom", "cancel_dialog.reason_dropdown"),
        ):
            if self.loc(key, self.root).count():
                return kind
        raise ControlNotFound(
            "cancel_dialog.reason_radio|select|dropdown",
            tried=["radio group", "native select", "custom dropdown"],
        )

    def offered_reasons(self) -> list[str]:
        kind = self.reason_kind()
        if kind == "radio":
            return self.texts("cancel_dialog.reason_radio_label", self.root)
        if kind == "select":
            return self.texts(
                "cancel_dialog.reason_select_option", self.loc("cancel_dialog.reason_select", self.root)
            )
        return self.texts("cancel_dialog.reason_dropdown_option")

    def choose_reason(self, text: str) -> None:
        """Select the offered reason whose text is exactly `text` (as read by offered_reasons())."""
        kind = self.reason_kind()
        if kind == "select":
            self.loc("cancel_dialog.reason_select", self.root).select_option(label=text)
        elif kind == "radio":
            self.click(self.find("cancel_dialog.reason_option", self.root, reason=text))
        else:
            self.click(self.find("cancel_dialog.reason_dropdown", self.root))
            self.click(self.find("cancel_dialog.reason_option", reason=text))
        chosen = self.selected_reason()
        if chosen is None or fold(chosen) != fold(text):
            raise DoubleCheckFailed(f"chose reason {text!r} but the dialog shows {chosen!r}")

    def selected_reason(self) -> str | None:
        kind = self.reason_kind()
        if kind == "radio":
            checked = self.loc("cancel_dialog.reason_radio_checked")
            labels = self.loc("cancel_dialog.reason_radio_label", self.root).filter(has=checked)
            return self.texts_of(labels)
        if kind == "select":
            select = self.loc("cancel_dialog.reason_select", self.root)
            value = select.input_value()
            options = self.loc("cancel_dialog.reason_select_option", select)
            for i in range(options.count()):
                if value and options.nth(i).get_attribute("value") == value:
                    return self.texts_of(options.nth(i))
            return None
        selected = self.texts_of(self.loc("cancel_dialog.reason_dropdown_selected"))
        if selected is None:
            shown = self.text("cancel_dialog.reason_dropdown_selection", self.root)
            selected = None if not shown or self.matches_wording(shown, "select_reason") else shown
        return selected

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
            final = self.final_answer("api_order_operation", "POST")  # a rotated token is not the answer
            with self.page.expect_response(final, timeout=self.site.timeout_ms) as answer:
                self.click(button, irreversible=True)
        except PlaywrightTimeoutError:
            return result.model_copy(update={"answered": False, "error": "the site did not answer the click"})
        return self._outcome(result, answer.value)

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
    def texts_of(self, loc: Locator) -> str | None:
        if loc.count() != 1:
            return None
        text = " ".join((loc.text_content() or "").split())
        return text or None

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
