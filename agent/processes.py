"""Is the process that started a run still running? A pid alone can be reused, so a run records its host
and its process identity (boot id + start time, from /proc on Linux) and liveness checks all three."""

from __future__ import annotations

import os
import socket
from pathlib import Path

__all__ = ["host", "identity", "is_running"]


def host() -> str:
    return socket.gethostname()


def identity(pid: int) -> str | None:
    """"<boot id>:<start ticks>" of a running process, or None where /proc cannot tell (not Linux, gone)."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()  # the command name may hold spaces and parentheses
    return f"{boot}:{fields[19]}" if len(fields) > 19 else None


def is_running(pid: int, recorded: str | None) -> bool:
    """True while `pid` runs and, when an identity was recorded, is still the same process."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, owned by someone else
    if _zombie(pid):
        return False  # dead, only not yet reaped by its parent
    if recorded is None:
        return True
    current = identity(pid)
    return current is None or current == recorded


def _zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[:1] == ["Z"]
