"""Writing to the seller (the order's "Contact seller" page) or to customer service (the support form),
and reading back what was sent. The real pages were never seen publicly: nothing is required beyond a text
box and a send button (by label/role); an order id shown on the page is checked when there, never needed.

`MessagePage.send(permit)` is irreversible: it needs a `MessagePermit` that only the escalation flow builds
after its own checks, and spends it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal
from urllib.parse import urljoin

from playwright.sync_api import Request
from pydantic import BaseModel

from agent.errors import DoubleCheckFailed
from agent.pages.answer import SubmissionAnswer
from agent.pages.base import PageObject, Permit, digits_in
from agent.pages.order_detail import OrderDetailPage

__all__ = ["MessagePage", "MessagePermit", "MessageSubmitted"]


class MessagePermit(Permit):
    """Permission to send one message about `order_id` (`reason`: to whom); spent by MessagePage.send()."""


class MessageSubmitted(BaseModel):
    """The site's answer to the send (see MessagePage.send)."""

    answer: Literal["accepted", "refused", "unknown"]
    error: str = ""


class MessagePage(PageObject):
    KEYS = (
        "message.contact_seller",
        "message.box",
        "message.send",
        "message.history",
        "message.sent",
        "message.order_ref",
        "message.error",
    )

    def open_seller(self, order_id: str) -> MessagePage:
        """From the order detail, the way a person goes: its "Contact seller" control (a link is followed
        in this tab; a button is clicked). ControlNotFound when the order offers none."""
        OrderDetailPage(self.site).open(order_id)
        control = self.find("message.contact_seller")
        href = control.get_attribute(self.pack.attribute("href"))
        if href and not href.startswith(("#", "javascript:")):
            self.goto(urljoin(self.page.url, href))
        else:
            self.click(control)
        self.wait_ready("message.box")
        return self

    def open_support(self, order_id: str) -> MessagePage:
        self.goto(self.site.url("support_contact", order_id=order_id))
        self.wait_ready("message.box")
        return self

    def order_id(self) -> str | None:
        """The order id the page shows ("Order ID: …"), or None: many chat pages show none."""
        for text in self.texts("message.order_ref"):
            found = digits_in(text, minimum=16)
            if found:
                return found
        return None

    def write(self, text: str) -> None:
        self.find("message.box").fill(text)

    def written(self) -> str:
        return self.find("message.box").input_value()

    def sent_texts(self) -> list[str]:
        """Every message the page lists as sent (whitespace-normalised; author and time included)."""
        history = self.loc("message.history")
        if history.count() == 0:
            return []
        return self.texts("message.sent", history.first)

    def shows(self, text: str) -> bool:
        """Whether the conversation holds `text` (compared without regard to whitespace)."""
        wanted = " ".join(text.split())
        return bool(wanted) and any(wanted in shown for shown in self.sent_texts())

    def send(self, permit: MessagePermit, is_submission: Callable[[Request], bool]) -> MessageSubmitted:
        """Irreversible: send the message in the box. Checks the permit (an order id the page shows must be
        the permit's; the box is not empty), spends it, clicks once, and returns the site's answer to the
        request `is_submission` recognises: an answer without an error (accepted), an error shown
        (refused, with the site's words), or nothing (unknown: slow, dropped — never taken as a refusal)."""
        shown = self.order_id()
        if shown is not None and shown != permit.order_id:
            raise DoubleCheckFailed(f"this page is about order {shown!r}, the permit for {permit.order_id!r}")
        if not self.written().strip():
            raise DoubleCheckFailed("the message box is empty: nothing sent")
        button = self.find("message.send")
        permit.spend()
        with SubmissionAnswer(self.page.context, is_submission) as answer:
            self.click(button, irreversible=True)
            response = answer.wait(self.site.timeout_ms)
        if response is None:
            return MessageSubmitted(answer="unknown", error=answer.silence())
        self.page.wait_for_load_state("domcontentloaded")
        if self.finder.is_visible("message.error"):
            words = " ".join(self.texts("message.error", visible_only=True))
            return MessageSubmitted(answer="refused", error=words)
        if response.status < 400:
            return MessageSubmitted(answer="accepted")
        unreadable = f"an answer the agent cannot read (HTTP {response.status})"
        return MessageSubmitted(answer="unknown", error=unreadable)
