"""The cancel form — a dialog on the page or the separate page's form (found by role and name first): which
order it belongs to, the offered reasons (any widget: `agent.pages.reasons.ReasonWidget`), choosing one, an
optional free-text comment, and THE irreversible click — `CancelDialog.confirm(permit)`, the only method in
the code base that confirms a cancellation. It needs a `ConfirmPermit`, which only the cancel flow builds
after its double-check (never in a dry run), and which can be spent once.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Literal

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Request, Response, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from pydantic import BaseModel

from agent.errors import ControlNotFound, DoubleCheckFailed
from agent.pages.answer import SubmissionAnswer
from agent.pages.base import (
    SESSION_FAILURES,
    SLICE_MS,
    PageObject,
    Permit,
    digits_in,
    first_attribute,
    is_login_url,
    is_navigation_error,
)
from agent.pages.further_steps import FurtherSteps
from agent.pages.reasons import ReasonWidget
from agent.parsing import fold, order_id_from_url

__all__ = ["CancelDialog", "CancelSubmitted", "ConfirmPermit"]


class ConfirmPermit(Permit):
    """Permission to confirm one cancellation: built by the cancel flow after its double-check (order id,
    reason and eligibility re-read right before the click). `confirm()` checks it against the dialog and
    spends it; a spent permit is refused, so one permit = at most one confirm click."""


class CancelSubmitted(BaseModel):
    """The site's answer to the confirm click, judged from the response to the submission request:
    accepted (SUCCESS), refused (a business refusal: `error` holds the site's words), session_expired
    (the site did not act: log in again), or unknown (no answer came, or one that cannot be read —
    never taken as a refusal: the order itself must show what happened)."""

    order_id: str
    reason: str
    answer: Literal["accepted", "refused", "session_expired", "unknown"]
    error: str = ""

    @property
    def accepted(self) -> bool:
        return self.answer == "accepted"


class CancelDialog(PageObject):
    KEYS = (
        "cancel_dialog.root",
        "cancel_dialog.order_id_text",
        "cancel_dialog.comment",
        "cancel_dialog.error",
        "cancel_dialog.confirm",
        "cancel_dialog.submit",
        "cancel_dialog.result",
        "cancel_dialog.keep",
        "cancel_dialog.close",
        *ReasonWidget.KEYS,
    )
    _root: Locator | None = None
    _reasons: ReasonWidget | None = None

    def wait_open(self, timeout_ms: int | None = None) -> CancelDialog:
        self.check_session()
        self._root = self.find("cancel_dialog.root", timeout_ms=timeout_ms)
        self._reasons = None
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
        """The order id the form shows, when it shows one (never required: the real dialog may print
        none): its data-order-id, else an "Order ID: …" text, else the `orderId=` of a form page's URL."""
        attr = first_attribute(self.root, self.pack.attribute("order_id"))
        if attr and attr.strip().isdigit():
            return attr.strip()
        shown = digits_in(self.text("cancel_dialog.order_id_text", self.root))
        return shown or order_id_from_url(self.page.url)

    # -- reasons (any widget, read and chosen as a person does) -------------------------------------
    @property
    def reasons(self) -> ReasonWidget:
        if self._reasons is None:  # one widget for the form: it learns its kind once
            self._reasons = ReasonWidget(self.site, self.root)
        return self._reasons

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
    def confirm(
        self,
        permit: ConfirmPermit,
        is_submission: Callable[[Request], bool],
        sent: Callable[[], bool] = lambda: False,
    ) -> CancelSubmitted:
        """THE irreversible click. Checks the permit against the dialog (an order id it shows, the
        selected reason), spends it, clicks Confirm exactly once — and, while `sent()` says nothing has left
        yet, a further "are you sure?" step's affirmative control (agent.pages.further_steps) — and returns
        the site's answer to the request `is_submission` recognises (the network guard's)."""
        shown_id = self.order_id()
        if shown_id is not None and shown_id != permit.order_id:
            raise DoubleCheckFailed(f"the dialog is for order {shown_id}, the permit for {permit.order_id}")
        chosen = self.selected_reason()
        if chosen is None or fold(chosen) != fold(permit.reason):
            raise DoubleCheckFailed(f"the dialog's reason is {chosen!r}, the permit's {permit.reason!r}")
        button = self._first_control()
        if not button.is_enabled():
            raise DoubleCheckFailed("the Confirm button is disabled: nothing clicked")
        permit.spend()
        steps = FurtherSteps(self, button, sent)
        with SubmissionAnswer(self.page.context, is_submission) as answer:
            self.click(button, irreversible=True)
            response = answer.wait(self.site.timeout_ms, between=steps)
        result = CancelSubmitted(order_id=permit.order_id, reason=permit.reason, answer="unknown")
        if response is None:
            return result.model_copy(update={"error": answer.silence()})
        return self._outcome(result, response, answer.text)

    def _first_control(self) -> Locator:
        """The form's confirming control: "Confirm" in a dialog, "Submit" on a separate form page (whose
        pop-up then confirms: agent.pages.further_steps)."""
        try:
            return self.find("cancel_dialog.confirm", self.root, timeout_ms=0)
        except ControlNotFound as no_confirm:
            try:
                return self.find("cancel_dialog.submit", self.root, timeout_ms=0)
            except ControlNotFound as no_submit:
                raise ControlNotFound("cancel_dialog.confirm", no_confirm.tried + no_submit.tried) from None

    def _outcome(self, result: CancelSubmitted, response: Response, text: str | None) -> CancelSubmitted:
        """Judge the click by the site's answer to it (not by the dialog vanishing, which a redirect to
        the login page also does): its body as kept or read when it arrived (agent.pages.answer); None
        when neither worked (the page moved on and took it: asking again only fails again)."""
        if text is None:
            # The page navigated before the answer could be read: to the login page (the site refused
            # for the session) or elsewhere (a reload): then only the order itself can tell.
            self.page.wait_for_load_state("domcontentloaded")
            if is_login_url(self.page.url, self.site.login_url):
                return result.model_copy(update={"answer": "session_expired", "error": "logged out"})
            return result.model_copy(update={"error": "the answer could not be read (the page moved on)"})
        ret = _first_ret(text)
        if ret is None:
            unreadable = f"an answer that is not the site's API (HTTP {response.status})"
            return result.model_copy(update={"error": unreadable})
        if any(code in ret for code in SESSION_FAILURES):
            return result.model_copy(update={"answer": "session_expired", "error": ret})
        if not ret.startswith("SUCCESS"):
            words = ret.split("::", 1)[-1].strip() or ret
            return result.model_copy(update={"answer": "refused", "error": words})
        return result.model_copy(update={"answer": "accepted"})  # the page reloads on its own

    def wait_reloaded(self) -> None:
        """After an accepted cancel the page reloads: wait for the dialog to go (tolerating the reload), or
        for a form page's own answer to show. Only a reader of the page that follows needs to wait."""
        deadline = time.monotonic() + self.site.timeout_ms / 1000
        while time.monotonic() < deadline:
            try:
                if self.finder.is_visible("cancel_dialog.result") or self._wait_hidden(SLICE_MS):
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


def _first_ret(text: str) -> str | None:
    """The first `ret` entry of an API envelope ("SUCCESS::…", "FAIL_BIZ_…::Your order has …"); None for
    anything else (a gateway's HTML 502, an empty body): an answer nobody can read is not a refusal."""
    try:
        body = json.loads(text)
    except ValueError:
        return None
    ret = body.get("ret") if isinstance(body, dict) else None
    return str(ret[0]) if isinstance(ret, list) and ret else None
