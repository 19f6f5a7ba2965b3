"""Returns/refunds: the dispute start form (reason, message, evidence upload) and the dispute's status.

`DisputePage.submit(permit)` is irreversible like the cancel confirm: it needs a `DisputePermit` that only
the dispute flow builds after its own double-check, and spends it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

from playwright.sync_api import Request, expect
from pydantic import BaseModel

from agent.errors import DoubleCheckFailed
from agent.models import OrderStatus, normalise_order_id
from agent.pages.answer import SubmissionAnswer
from agent.pages.base import PageObject, Permit
from agent.parsing import fold, order_id_from_url
from agent.policy import canonical_status

__all__ = ["DisputePage", "DisputePermit", "DisputeStatus", "DisputeSubmitted"]


class DisputePermit(Permit):
    """Permission to open one dispute for `order_id` with `reason`; spent by DisputePage.submit()."""


class DisputeSubmitted(BaseModel):
    """The site's answer to the submit (see DisputePage.submit)."""

    answer: Literal["accepted", "refused", "unknown"]
    error: str = ""


class DisputeStatus(BaseModel):
    order_id: str
    status_text: str
    status: OrderStatus = OrderStatus.UNKNOWN
    shows_dispute: bool = False  # the page shows a dispute for the order (open, or settled since)


class DisputePage(PageObject):
    KEYS = (
        "dispute.form",
        "dispute.reason",
        "dispute.reason_option",
        "dispute.message",
        "dispute.evidence",
        "dispute.submit",
        "dispute.status",
        "dispute.error",
    )

    def open(self, order_id: str) -> DisputePage:
        self.goto(self.site.url("dispute_start", order_id=order_id))
        self.wait_ready("dispute.form")
        return self

    def order_id(self) -> str | None:
        return order_id_from_url(self.page.url)

    def offered_reasons(self) -> list[str]:
        return self.texts("dispute.reason_option", self.find("dispute.reason"))

    def choose_reason(self, text: str) -> None:
        self.find("dispute.reason").select_option(label=text)

    def selected_reason(self) -> str | None:
        select = self.find("dispute.reason")
        value = select.input_value()
        options = self.loc("dispute.reason_option", select)
        for i in range(options.count()):
            if value and options.nth(i).get_attribute("value") == value:
                return " ".join((options.nth(i).text_content() or "").split())
        return None

    def write_message(self, text: str) -> None:
        self.find("dispute.message").fill(text)

    def attach(self, files: Sequence[str | Path]) -> None:
        self.loc("dispute.evidence").set_input_files([str(f) for f in files])

    def submit(self, permit: DisputePermit, is_submission: Callable[[Request], bool]) -> DisputeSubmitted:
        """Irreversible: open the dispute. Checks the permit (order id, reason), spends it, clicks once, and
        returns the site's answer to the request `is_submission` recognises (the network guard's): a
        redirect (accepted), the form again with an error (refused, with the site's words), or nothing
        (unknown: slow, dropped — never taken as a refusal)."""
        if self.order_id() != permit.order_id:
            raise DoubleCheckFailed(
                f"this form is for order {self.order_id()!r}, the permit for {permit.order_id!r}"
            )
        chosen = self.selected_reason()
        if chosen is None or fold(chosen) != fold(permit.reason):
            raise DoubleCheckFailed(f"the form's reason is {chosen!r}, the permit's {permit.reason!r}")
        button = self.find("dispute.submit")
        permit.spend()
        with SubmissionAnswer(self.page.context, is_submission) as answer:
            self.click(button, irreversible=True)
            response = answer.wait(self.site.timeout_ms)
        if response is None:
            return DisputeSubmitted(answer="unknown", error=answer.silence())
        self.page.wait_for_load_state("domcontentloaded")  # the answer's page (never a second navigation)
        if 300 <= response.status < 400:
            return DisputeSubmitted(answer="accepted")
        if self.finder.is_visible("dispute.error"):
            words = " ".join(self.texts("dispute.error", visible_only=True))
            return DisputeSubmitted(answer="refused", error=words)
        unreadable = f"an answer the agent cannot read (HTTP {response.status})"
        return DisputeSubmitted(answer="unknown", error=unreadable)

    def status(self, order_id: str) -> DisputeStatus:
        """Open the dispute's status page and read it."""
        normalise_order_id(order_id)
        self.goto(self.site.url("dispute_detail", order_id=order_id))
        self.wait_ready("dispute.status")
        expect(self.loc("dispute.status").first).to_be_visible(timeout=self.site.timeout_ms)
        text = self.text("dispute.status")
        status = canonical_status(text, self.pack.statuses, self.site.locale)
        shown = status is OrderStatus.DISPUTE or any(
            self.matches_wording(text, key) for key in ("dispute_opened", "dispute_resolved")
        )
        return DisputeStatus(order_id=order_id, status_text=text, status=status, shows_dispute=shown)
