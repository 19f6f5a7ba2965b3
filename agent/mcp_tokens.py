"""One-time cancel tokens for the MCP server: `cancel_preview` issues one, `cancel` spends it.

A token is bound to the order, the reason (as given) and the account, valid `TOKEN_TTL` (10 minutes),
good for one use. The book is a file in the state folder (`mcp-tokens.json`, mode 0600) read and
written under an exclusive `flock`, so a token spent stays spent across a restart of the server and
between two servers; only a SHA-256 of each token is kept (the file alone cannot be replayed). The
clock is injectable (tests drive time). A token is spent *before* the cancel runs: a cancel that then
fails needs a new preview, never a second use.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from agent.errors import UsageError

__all__ = ["TOKEN_TTL", "TokenBook", "TokenRefused"]

TOKEN_TTL = dt.timedelta(minutes=10)
FORGET_AFTER = dt.timedelta(days=1)  # spent or expired entries are dropped this long after expiry
Clock = Callable[[], dt.datetime]


class TokenRefused(UsageError):
    """A cancel whose token is missing, unknown, spent, expired or bound to something else."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TokenBook:
    def __init__(self, state_dir: Path, clock: Clock = _now) -> None:
        self.path = Path(state_dir) / "mcp-tokens.json"
        self.clock = clock

    def issue(self, order_id: str, reason: str, account: str, **extra: Any) -> tuple[str, dt.datetime]:
        """A new token for this order, reason and account, and when it expires."""
        token = secrets.token_urlsafe(24)
        now = self.clock()
        expires = now + TOKEN_TTL
        with self._book() as book:
            book[_digest(token)] = {"order_id": order_id, "reason": reason, "account": account,
                                    "issued_at": now.isoformat(), "expires_at": expires.isoformat(),
                                    "used_at": None, **extra}  # fmt: skip
        return token, expires

    def spend(self, token: str, order_id: str, reason: str, account: str) -> dict[str, Any]:
        """Check the token against what the cancel names and mark it used (one use); its entry.
        Raises TokenRefused saying why."""
        if not token:
            raise TokenRefused("cancel needs the token of a cancel_preview of this order: run cancel_preview")
        now = self.clock()
        with self._book() as book:
            entry = book.get(_digest(token))
            if entry is None:
                raise TokenRefused("unknown token: run cancel_preview for this order")
            if entry["used_at"]:
                raise TokenRefused("this token was already used: run cancel_preview again")
            if now >= dt.datetime.fromisoformat(entry["expires_at"]):
                raise TokenRefused("this token has expired (valid 10 minutes): run cancel_preview again")
            for what, given in (("order", order_id), ("reason", reason), ("account", account)):
                key = "order_id" if what == "order" else what
                if entry[key] != given:
                    raise TokenRefused(f"this token was issued for another {what}: run cancel_preview again")
            entry["used_at"] = now.isoformat()
        return dict(entry)

    @contextlib.contextmanager
    def _book(self) -> Iterator[dict[str, dict[str, Any]]]:
        """The whole book, locked; written back (atomically, 0600) when the block ends without error."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = os.open(self.path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            book = self._read()
            yield book
            self._write(book)
        finally:
            os.close(lock)  # releases the flock

    def _read(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise UsageError(f"cannot read {self.path}: {exc}") from None
        return data if isinstance(data, dict) else {}

    def _write(self, book: dict[str, dict[str, Any]]) -> None:
        cutoff = self.clock() - FORGET_AFTER
        kept = {k: v for k, v in book.items() if dt.datetime.fromisoformat(v["expires_at"]) > cutoff}
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(kept, out, indent=1)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)
