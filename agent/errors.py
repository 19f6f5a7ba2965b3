"""The whole exception hierarchy. Each class says who raises it and which exit code the CLI maps it to.

Exit codes (documented in the README): 0 all done, 1 a failure, 2 usage/config error,
3 needs a human, 4 not cancellable, 130/143 stopped by SIGINT/SIGTERM at a safe point (Stopped).
"""

from __future__ import annotations


class AgentError(Exception):
    """Base of every error the CLI turns into one clear line. `exit_code` picks the process exit code."""

    exit_code = 1


class ConfigError(AgentError, ValueError):
    """Raised by agent.config when the file is missing, unreadable, or a key is unknown/invalid."""

    exit_code = 2

    def __init__(self, path: str, key: str, problem: str) -> None:
        self.path, self.key, self.problem = path, key, problem
        where = f"{path}: {key}" if key else path
        super().__init__(f"config error in {where}: {problem}")


class UsageError(AgentError, ValueError):
    """Raised by the CLI and flows for bad user input (an order id that is not digits, a bad date …)."""

    exit_code = 2


class SelectorPackError(AgentError, LookupError):
    """Raised by agent.locate when a pack is missing, malformed, or lacks a key the code asks for."""

    exit_code = 2


class BrowserUnavailable(AgentError, RuntimeError):
    """Raised by agent.browser when no Chromium can be found, installed or connected to."""

    exit_code = 1


class NeedsHuman(AgentError):
    """Raised by pages/flows on a captcha, slider or any challenge the agent must not try to pass."""

    exit_code = 3

    def __init__(self, what: str, screenshot: str | None = None) -> None:
        self.what, self.screenshot = what, screenshot
        hint = f" (screenshot: {screenshot})" if screenshot else ""
        super().__init__(
            f"needs a human: {what}{hint}. Run `buyer-agent login --headed` and solve it by hand."
        )


class LoginFailed(AgentError):
    """Raised by LoginPage when the site rejects the credentials or the one-time code."""

    exit_code = 1


class SessionExpired(AgentError):
    """Raised by page objects when the site sent us to the login page mid-flow; flows re-login once."""

    exit_code = 1


class ControlNotFound(AgentError, LookupError):
    """Raised by agent.locate when no candidate of a pack key matched exactly one visible element."""

    exit_code = 1

    def __init__(self, key: str, tried: list[str], evidence: list[str] | None = None) -> None:
        self.key, self.tried, self.evidence = key, tried, evidence or []
        msg = f"could not find {key!r}; tried: " + "; ".join(tried)
        if self.evidence:
            msg += " — evidence: " + ", ".join(self.evidence)
        super().__init__(msg)


class ControlBlocked(AgentError):
    """Raised by agent.overlays when a control that was found cannot be clicked: an overlay the guard cannot
    close keeps intercepting it, or it stays disabled/hidden. For an irreversible click nothing was sent."""

    exit_code = 1

    def __init__(self, what: str, detail: str) -> None:
        self.what, self.detail = what, detail
        super().__init__(f"could not click {what}: {detail}")


class OrderNotFound(AgentError, LookupError):
    """Raised by flows when an order id is not in the account's order list or detail page."""

    exit_code = 1

    def __init__(self, order_id: str) -> None:
        self.order_id = order_id
        super().__init__(f"order {order_id} not found in this account")


class NotCancellable(AgentError):
    """Raised by the cancel flow when policy refuses the order (status, deposit, amount cap …)."""

    exit_code = 4

    def __init__(self, order_id: str, reason: str) -> None:
        self.order_id, self.reason = order_id, reason
        super().__init__(f"order {order_id} is not cancellable: {reason}")


class ReasonNotOffered(AgentError, LookupError):
    """Raised by reason matching when no offered option matches well enough and no fallback is allowed."""

    exit_code = 1

    def __init__(self, wanted: str, offered: list[str], hint: str = "") -> None:
        self.wanted, self.offered, self.hint = wanted, offered, hint
        super().__init__(
            f"no offered reason matches {wanted!r}; offered: "
            + "; ".join(repr(o) for o in offered)
            + (f"; {hint}" if hint else "")
            + " (use --fallback-other to pick 'Other reasons')"
        )


class DoubleCheckFailed(AgentError):
    """Raised by the cancel flow when the dialog's order id, chosen reason or eligibility does not check out
    right before the irreversible click. Nothing is clicked."""

    exit_code = 1


class SiteError(AgentError):
    """Raised by page objects when the site answers with an error page, a 5xx, or an API failure."""

    exit_code = 1


class ApiRefused(SiteError):
    """Raised by agent.api when the site's API refuses a call or answers something unusable: access
    denied, an unknown code, the token rounds used up, still rate limited after the back-off, an HTTP
    error, a dropped connection, a malformed or empty answer (`kind` says which, `code` is the site's).
    Readers (agent.flows.orders, jobs.sweep) then read the screen instead."""

    exit_code = 1

    def __init__(self, what: str, kind: str = "other", code: str = "") -> None:
        self.what, self.kind, self.code = what, kind, code
        super().__init__(f"the site's API refused: {what}" + (f" ({code})" if code else ""))


class CaptchaCooldown(NeedsHuman):
    """Raised by agent.api when the site answers an anti-bot verdict (FAIL_SYS_USER_VALIDATE), and by
    agent.api.cooldown.check_cooldown in every process until the cooldown it started has passed: no
    automated call is made meanwhile. Exit code 3, like every needs-a-human."""

    def __init__(self, until_local: str, code: str = "FAIL_SYS_USER_VALIDATE") -> None:
        self.until_local, self.code = until_local, code
        super().__init__(f"the site's anti-bot check ({code}); no automated call until {until_local}")


class FilterUnavailable(AgentError):
    """Raised by OrdersPage when a filter control (time range, status tab, search) is missing, renamed or
    cannot be set; the flows then read every order, filter locally and record `filter_unavailable`."""

    exit_code = 1

    def __init__(self, control: str, detail: str) -> None:
        self.control, self.detail = control, detail
        super().__init__(f"the {control} filter is unavailable: {detail}")


class LockHeld(AgentError):
    """Raised by jobs when another process holds the sweep lock."""

    exit_code = 1


class CredentialsMissing(AgentError):
    """Raised by Config.password() when neither the password env var nor the OS keyring has a password."""

    exit_code = 2


class StoreError(AgentError):
    """Raised by agent.store when the database cannot be opened, is newer than this code, or stays locked."""

    exit_code = 1


class AlreadyRequested(AgentError):
    """Raised by Store.begin_submission when the order already has a request in a non-failed state;
    the cancel flow reports it as `already_requested` and clicks nothing."""

    exit_code = 1

    def __init__(self, order_id: str, state: str) -> None:
        self.order_id, self.state = order_id, state
        super().__init__(f"order {order_id} already has a cancellation request (state {state})")


class WriteBlocked(AgentError):
    """Raised by agent.recording when a recorded or read-only run tried to send a write (POST …)."""

    def __init__(self, requests: list[str]) -> None:
        self.requests = requests
        super().__init__(f"a read-only run tried to write to the site (blocked): {'; '.join(requests[:3])}")


class RecordingLeak(AgentError):
    """Raised by agent.recording when a scrubbed recording still holds a secret: nothing is written."""


class StateConflict(AgentError):
    """Raised by Store.transition/amend when a request is no longer in the state the caller saw (another
    run moved it first). Nothing was overwritten; the lost race is recorded as a `transition_lost` event."""

    exit_code = 1

    def __init__(self, order_id: str, expected: object, found: object, wanted: object) -> None:
        self.order_id, self.expected, self.found, self.wanted = order_id, expected, found, wanted
        super().__init__(
            f"order {order_id}: expected its request in {_name(expected)} to move it to {_name(wanted)}, "
            f"but another run left it {_name(found)}"
        )


class IllegalTransition(AgentError, ValueError):
    """Raised by Store.transition for a move agent.transitions forbids (a bug in the caller, never a site
    condition). Nothing is written."""

    exit_code = 1

    def __init__(self, order_id: str, state_from: object, state_to: object) -> None:
        self.order_id, self.state_from, self.state_to = order_id, state_from, state_to
        moves = f"from {_name(state_from)} to {_name(state_to)}"
        super().__init__(f"order {order_id}: a request cannot move {moves}")


def _name(state: object) -> str:
    return "no request" if state is None else str(getattr(state, "value", state))


class WrongAccount(AgentError):
    """An order recorded under another configured account: refused before anything is done."""

    exit_code = 2

    def __init__(self, order_id: str, owner: str, current: str) -> None:
        self.order_id, self.owner, self.current = order_id, owner, current
        super().__init__(
            f"order {order_id} belongs to account {owner!r}, not {current!r}: run it with --account {owner}"
        )


class Stopped(AgentError):
    """Raised by agent.stopping.check() at a safe point after SIGTERM or SIGINT: the command stops there,
    its run closed as `interrupted`. Exit 143 (SIGTERM) or 130 (SIGINT), as a shell reports those signals."""

    exit_code = 143

    def __init__(self, signal_name: str, exit_code: int) -> None:
        self.signal_name, self.exit_code = signal_name, exit_code
        super().__init__(f"stopped by {signal_name} at a safe point (nothing left half-done)")
