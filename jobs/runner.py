"""One sweep as the CLI and the scheduler run it: lock, store, browser, sweep, notifications."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Browser

from agent import stopping
from agent.config import Config
from agent.errors import AgentError, Stopped
from agent.flows.runtime import Ask, open_runtime
from agent.store import Clock, Store, utcnow
from jobs.lock import sweep_lock
from jobs.notify import Notifier, notify_transitions, send_summary
from jobs.sweep import SweepResult, sweep
from jobs.watch import WATCHED

__all__ = ["run_sweep", "sweep_accounts"]

logger = logging.getLogger(__name__)


def run_sweep(
    config: Config,
    command: str = "sweep",
    *,
    wait: bool = False,
    summary: bool = False,
    ask: Ask | None = None,
    browser: Browser | None = None,
    clock: Clock = utcnow,
    after: Callable[[Store], None] | None = None,
) -> SweepResult:
    """Hold the sweep lock (LockHeld, or wait), sweep, then notify each new transition (and, for
    scheduled sweeps, a summary). `after(store)` runs under the lock once the sweep is recorded."""
    with (
        sweep_lock(config.storage.database, command, wait=wait, account=config.account_name),
        Store.open(config.storage.database, clock=clock, account=config.account_name) as store,
    ):
        if not any(r.state in WATCHED for r in store.requests()):
            run_id = store.start_run(command)  # nothing to look at: no browser at all
            store.add_event("sweep", run_id=run_id, detail={"checked": 0})
            store.end_run(run_id, "ok")
            result = SweepResult(run_id=run_id)
        else:
            with open_runtime(config, store, command, ask=ask, browser=browser) as rt:
                result = sweep(rt)
        notifier = Notifier(config.notify)
        notify_transitions(store, notifier, result.run_id)
        if summary:
            changes = [(t.order_id, t.state_from.value, t.state_to.value) for t in result.transitions]
            send_summary(notifier, result.checked, changes, len(result.errors), account=store.account)
        if after is not None:
            after(store)
    return result


def sweep_accounts(
    config: Config,
    command: str = "sweep",
    *,
    names: list[str] | None = None,
    clock: Clock = utcnow,
    **kwargs: Any,
) -> dict[str, SweepResult | AgentError]:
    """Sweep every account (or `names`) in turn, each with its own lock, session and cooldown. One
    account's failure (a captcha, a login, a lock held) is recorded as an `account_sweep_failed` event of that
    account, notified, and returned in place of its result; the others are swept all the same."""
    done: dict[str, SweepResult | AgentError] = {}
    for name in names or config.account_names():
        each = config.for_account(name)
        stopping.check()  # between accounts: SIGTERM/SIGINT stops here, the next accounts untouched
        try:
            done[name] = run_sweep(each, command, clock=clock, **kwargs)
        except Stopped:
            raise  # a stop is no failure of the account: nothing to record or notify
        except AgentError as exc:
            logger.info("sweep of account %s failed: %s", name, exc)  # the caller tells the person
            _record_failure(each, command, exc, clock)
            done[name] = exc
    return done


def _record_failure(config: Config, command: str, exc: AgentError, clock: Clock) -> None:
    with Store.open(config.storage.database, clock=clock, account=config.account_name) as store:
        store.add_event("account_sweep_failed", detail={"account": store.account, "command": command,
                                                "error": str(exc), "kind": type(exc).__name__})  # fmt: skip
    Notifier(config.notify).send(f"buyer-agent ({config.account_name}): sweep failed",
                                 f"The sweep of account {config.account_name!r} failed: {exc}")  # fmt: skip
