"""A cross-process lock so two sweeps (a CLI one and a scheduled one, or two CLIs) never run at once.

`fcntl.flock` on a file next to the database: the kernel releases it when the holder exits or crashes,
so a stale lock cannot outlive its process. The file also records who holds it (pid, command), for the
message the second process prints.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path

from agent.errors import LockHeld
from agent.statuses import DEFAULT_ACCOUNT

__all__ = ["lock_path", "lock_status", "sweep_lock"]

logger = logging.getLogger(__name__)


def lock_path(database: Path, account: str = DEFAULT_ACCOUNT) -> Path:
    """One lock per account: two accounts' sweeps may run at once, two of the same account never."""
    name = Path(database).name + ("" if account == DEFAULT_ACCOUNT else f".{account}")
    return Path(database).with_name(name + ".sweep.lock")


@contextlib.contextmanager
def sweep_lock(
    database: Path, command: str, wait: bool = False, account: str = DEFAULT_ACCOUNT
) -> Iterator[None]:
    """Hold the sweep lock of `database` for `account`. Raises LockHeld at once when another process
    holds it, unless `wait` (then blocks until the holder finishes)."""
    path = lock_path(database, account)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        _acquire(fd, path, wait)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()} {command}\n".encode())
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _acquire(fd: int, path: Path, wait: bool) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        holder = _holder(path)
    if not wait:
        raise LockHeld(f"another sweep is running ({holder}; lock {path}): try again later, or pass --wait")
    logger.warning("another sweep is running (%s); waiting for it to finish", holder)
    fcntl.flock(fd, fcntl.LOCK_EX)


def _holder(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError:
        text = ""
    pid, _, command = text.partition(" ")
    return f"pid {pid}, {command}" if pid else "holder unknown"


def lock_status(database: Path, account: str = DEFAULT_ACCOUNT) -> tuple[str, str, float]:
    """(state, holder, age in seconds) of the sweep lock, without taking it for longer than a test:
    "free" (no file, or empty), "held" (a live process holds it), or "stale" (the file still names a
    holder that ended without releasing it — a crash; harmless, the kernel freed the lock)."""
    path = lock_path(database, account)
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return "free", "", 0.0
    try:
        age = max(0.0, time.time() - os.fstat(fd).st_mtime)
        holder = _holder(path)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return "held", holder, age
        fcntl.flock(fd, fcntl.LOCK_UN)
        return ("stale" if os.fstat(fd).st_size else "free"), holder, age
    finally:
        os.close(fd)
