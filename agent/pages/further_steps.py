"""A confirmation that takes more than one click: after the first confirming click the site may ask again
("Cancel this order?" — Yes, cancel / Keep order), or a separate form's "Submit" may open a pop-up whose
"Confirm" sends the request. The permit of the first click covers these steps, but only while nothing
has been sent yet (the network guard knows), and only through an affirmative control the pack knows.
A step that offers only a way back, or anything the pack does not know, stops the run with nothing sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from playwright.sync_api import ElementHandle, Locator
from playwright.sync_api import Error as PlaywrightError

from agent.errors import DoubleCheckFailed
from agent.overlays import dismiss_overlays
from agent.pages.base import PageObject, is_navigation_error

__all__ = ["FurtherSteps"]

logger = logging.getLogger(__name__)

MAX_STEPS = 2  # confirmations after the first click; more than that is not a confirmation any more
_SAME = "(a, b) => a === b || a.contains(b)"


class FurtherSteps(PageObject):
    """Call it between waits for the submission's answer (agent.pages.answer.SubmissionAnswer.wait)."""

    KEYS = ("confirm_step.root", "confirm_step.yes", "confirm_step.back")

    def __init__(self, form: PageObject, clicked: Locator, sent: Callable[[], bool]) -> None:
        super().__init__(form.site)
        self.sent = sent
        self.clicked = [clicked.element_handle()]  # controls already clicked: never clicked again
        self.known = self._dialogs()  # dialogs on screen before the first click (the form itself …)
        self.steps = 0

    def __call__(self) -> None:
        if self.sent() or self.steps >= MAX_STEPS:
            return  # a request left: from now on only its answer counts
        try:
            self._step()
        except PlaywrightError as exc:
            if not is_navigation_error(exc):  # the page moving on (a reload after success) is no step
                raise

    def _step(self) -> None:
        new = [d for d in self._dialogs() if not any(_same(k, d) for k in self.known)]
        if new and dismiss_overlays(self.page, self.pack, self.site.locale):  # a coupon is no step
            new = [d for d in self._dialogs() if not any(_same(k, d) for k in self.known)]
        yes = [b for b in self._affirmatives() if not any(_same(c, b) for c in self.clicked)]
        if len(yes) == 1:
            logger.info("a further confirmation step: its affirmative control is next")
            self.steps += 1
            self.clicked.append(yes[0])
            self.known += new
            self.click(self._locator(yes[0]), irreversible=True)
            return
        if new or len(yes) > 1:
            self._back_out(new)
            raise DoubleCheckFailed(
                "a further confirmation step the agent does not know (no single affirmative control it "
                "recognises): backed out, nothing sent"
            )

    def _dialogs(self) -> list[ElementHandle]:
        """Every visible dialog, by any candidate of the pack (a step may be a role=alertdialog on top of
        a role=dialog: all of them count, each once)."""
        return self.finder.visible_elements("confirm_step.root")

    def _affirmatives(self) -> list[ElementHandle]:
        dialogs = self._dialogs()
        buttons = self.finder.visible_elements("confirm_step.yes")
        return [b for b in buttons if any(_inside(d, b) for d in dialogs)]

    def _back_out(self, dialogs: list[ElementHandle]) -> None:
        for attempt in self.finder.attempts("confirm_step.back"):
            for button in attempt.locator.filter(visible=True).element_handles():
                if any(_inside(d, button) for d in dialogs):
                    button.click()
                    return

    def _locator(self, handle: ElementHandle) -> Locator:
        """A locator for an element we hold (clicks go through the overlay guard, which needs one): the
        element is marked with a data attribute of ours — the page's own code never reads it."""
        marker = "data-buyer-agent-step"
        handle.evaluate(f"el => el.setAttribute('{marker}', '{self.steps}')")
        return self.page.locator(f"[{marker}='{self.steps}']")


def _same(a: ElementHandle, b: ElementHandle) -> bool:
    return bool(a.evaluate("(a, b) => a === b", b))


def _inside(container: ElementHandle, element: ElementHandle) -> bool:
    return bool(container.evaluate(_SAME, element))
