"""Waiting for the site's answer to a submission: the response to the request the caller recognises as
the submission (the network guard's `is_submission`), or the news that it failed without one. Listens on
the whole browser context, so a form in another tab is covered. Waits on events, never on a timer. The
answer's body is the one Chromium kept (agent.devtools), else read through the page as it arrives."""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Callable
from types import TracebackType

from playwright.sync_api import BrowserContext, Request, Response
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from agent.api.protocol import Kind, classify, ret_code
from agent.devtools import answer_body
from agent.pages.base import PAGE_TOKEN_ROUNDS

__all__ = ["SubmissionAnswer"]

logger = logging.getLogger(__name__)

SLICE_MS = 250  # one event wait; between two, `between()` may act (a further confirmation step)


def _kept_body(response: Response) -> str | None:
    """The answer's body as Chromium kept it for the tab (agent.devtools): there even when the page has
    reloaded since. None: not kept."""
    try:
        response.finished()
        page = response.request.frame.page
    except PlaywrightError:  # not a tab's request (a worker's), or the tab is gone
        return None
    return answer_body(page, response.request)


class SubmissionAnswer:
    """`with SubmissionAnswer(context, is_submission) as answer: click(); response = answer.wait(ms)`."""

    def __init__(self, context: BrowserContext, is_submission: Callable[[Request], bool]) -> None:
        self.context, self.is_submission = context, is_submission
        self.response: Response | None = None
        self.failure: str | None = None  # the submission request failed without an answer (dropped, aborted)
        self.text: str | None = None  # the answer's body, read as it arrived (None: it could not be)
        self._token_answers = 0

    def __enter__(self) -> SubmissionAnswer:
        self.context.on("response", self._on_response)
        self.context.on("requestfailed", self._on_failed)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.context.remove_listener("response", self._on_response)
        self.context.remove_listener("requestfailed", self._on_failed)

    def _on_response(self, response: Response) -> None:
        if self.response is not None or not self.is_submission(response.request):
            return
        text = _kept_body(response)
        if text is None:
            try:  # read at once: a page that reloads after its answer takes the body with it
                text = response.text()
            except PlaywrightError as exc:
                logger.info("the answer could not be read: %s", exc.message.splitlines()[0])
        if self._final(text):
            self.response, self.text = response, text

    def _final(self, text: str | None) -> bool:
        """False for a rotated-token answer (the page re-signs and sends again: that next answer is the
        site's), up to the pages' own rounds; anything else — readable or not — is the answer."""
        if self._token_answers >= PAGE_TOKEN_ROUNDS - 1 or text is None:
            return True
        try:
            code, _ = ret_code(json.loads(text))
        except (ValueError, AttributeError, TypeError):
            return True
        if classify(code) is Kind.TOKEN:
            self._token_answers += 1
            return False
        return True

    def _on_failed(self, request: Request) -> None:
        if self.failure is None and self.is_submission(request):
            self.failure = request.failure or "the request failed"

    def silence(self) -> str:
        """Why there is no answer, in words: how the request failed, or that the site said nothing."""
        return f"the request failed: {self.failure}" if self.failure else "the site did not answer"

    @property
    def settled(self) -> bool:
        return self.response is not None or self.failure is not None

    def wait(self, timeout_ms: int, between: Callable[[], object] | None = None) -> Response | None:
        """The submission's response, or None when it failed or `timeout_ms` passed without one.
        `between()` runs after each event wait while there is no answer yet."""
        deadline = time.monotonic() + timeout_ms / 1000
        while not self.settled and (left := deadline - time.monotonic()) > 0:
            with contextlib.suppress(PlaywrightTimeoutError):  # no response in this slice: look again
                self.context.wait_for_event("response", timeout=min(SLICE_MS, left * 1000))
            if not self.settled and between is not None:
                between()
        return self.response
