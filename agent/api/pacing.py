"""Keeping the account out of trouble, across processes: one API call in flight per account, a minimum
interval (plus jitter) between the starts of two calls, and the cooldown after an anti-bot verdict.

All three live in `storage.state_dir`, next to the saved session:
- `api-<account>.lock`: an exclusive `flock` held for the whole call; the file holds the start time of
  the last call (epoch seconds), so the interval holds between processes too;
- `api-<account>.cooldown`: JSON `{"until", "code", "since"}` written on FAIL_SYS_USER_VALIDATE; while
  `until` is ahead, `check_cooldown` raises CaptchaCooldown (exit 3) before anything is sent.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from agent.config import Config
from agent.errors import CaptchaCooldown

__all__ = ["AccountGate", "Cooldown", "check_cooldown"]

logger = logging.getLogger(__name__)


def _slug(account: str) -> str:
    from agent.browser import account_slug  # the agent's naming of per-account files

    return account_slug(account)


class AccountGate:
    """`with gate.slot(): send()` — waits for the lock and for the interval, then records this start."""

    def __init__(
        self,
        state_dir: Path,
        account: str,
        min_interval_ms: int,
        jitter_ms: int,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(state_dir) / f"api-{_slug(account)}.lock"
        self.min_interval_s, self.jitter_s = min_interval_ms / 1000, jitter_ms / 1000
        self.sleep, self.clock = sleep, clock
        self.waited_s = 0.0  # total paced wait of this gate (benchmarks print it)

    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a+", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # one call in flight per account, whatever the process
            try:
                handle.seek(0)
                last = _float(handle.read())
                gap = self.min_interval_s + random.uniform(0, self.jitter_s)  # noqa: S311 - pacing only
                wait = last + gap - self.clock() if last else 0.0
                if wait > 0:
                    self.waited_s += wait
                    self.sleep(min(wait, gap))
                handle.seek(0)
                handle.truncate()
                handle.write(f"{self.clock():.3f}")
                handle.flush()
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _float(text: str) -> float:
    try:
        return float(text.strip() or 0)
    except ValueError:
        return 0.0


class Cooldown:
    """The anti-bot cooldown of one account (real time: it must hold for every process)."""

    def __init__(self, state_dir: Path, account: str, now: Callable[[], dt.datetime] | None = None) -> None:
        self.path = Path(state_dir) / f"api-{_slug(account)}.cooldown"
        self.now = now or (lambda: dt.datetime.now(dt.UTC))

    def start(self, minutes: int, code: str) -> dt.datetime:
        until = self.now() + dt.timedelta(minutes=minutes)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        record = {"until": until.isoformat(), "code": code, "since": self.now().isoformat()}
        self.path.write_text(json.dumps(record), encoding="utf-8")
        logger.warning("anti-bot verdict %s: no automated call until %s", code, until.isoformat())
        return until

    def until(self) -> tuple[dt.datetime, str] | None:
        """(end, code) of a cooldown still running, else None."""
        try:
            record = json.loads(self.path.read_text(encoding="utf-8"))
            until = dt.datetime.fromisoformat(str(record["until"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return (until, str(record.get("code", ""))) if until > self.now() else None

    def check(self) -> None:
        """Raise CaptchaCooldown while a cooldown runs (before any automated call)."""
        running = self.until()
        if running is not None:
            until, code = running
            raise CaptchaCooldown(f"{until.astimezone():%H:%M}", code or "FAIL_SYS_USER_VALIDATE")


def check_cooldown(config: Config, now: Callable[[], dt.datetime] | None = None) -> None:
    """The one check every entry point can make before touching the site: raises CaptchaCooldown
    (NeedsHuman, exit 3, "needs a human: … until HH:MM") while the account's anti-bot cooldown runs."""
    Cooldown(config.storage.state_dir, config.account.email, now).check()
