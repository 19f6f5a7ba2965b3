"""The agent as a user runs it: `buyer-agent …` in its own process (and process group), its output read
without sleeping, a SIGKILL like a power cut."""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from agent.models import RequestState
from agent.store import Store
from tests.e2e.agent_support import SHOP_PASSWORD

__all__ = ["agent", "descendants", "finish", "kill", "outcome", "request_state", "running", "wait_for_line"]


def agent(cfg_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """`buyer-agent ARGS --config CFG` (a 200-column terminal unless `env` says otherwise)."""
    env = {**os.environ, "BUYER_AGENT_PASSWORD": SHOP_PASSWORD, "COLUMNS": "200", **(env or {})}
    return subprocess.Popen(
        [sys.executable, "-m", "agent", *args, "--config", str(cfg_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True,
    )  # fmt: skip


def finish(proc: subprocess.Popen[str], timeout: float = 120) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, _unread.pop(proc.pid, b"").decode() + err


_unread: dict[int, bytes] = {}  # stderr read by wait_for_line past the line it waited for, per pid


def wait_for_line(proc: subprocess.Popen[str], needle: str, timeout: float = 60) -> str:
    """Block on a process's stderr (select: no sleeping) until a line contains `needle`; that line.
    Raw reads into our own buffer: a buffered `readline()` would hide lines already read from `select`."""
    assert proc.stderr is not None
    fd, deadline = proc.stderr.fileno(), time.monotonic() + timeout
    while True:
        pending = _unread.get(proc.pid, b"")
        line, newline, rest = pending.partition(b"\n")
        if newline:
            _unread[proc.pid] = rest
            if needle in line.decode(errors="replace"):
                return line.decode(errors="replace")
            continue
        left = deadline - time.monotonic()
        ready, _, _ = select.select([fd], [], [], max(0.0, left))
        if not ready:
            raise AssertionError(f"no {needle!r} within {timeout} s")
        chunk = os.read(fd, 65536)
        if not chunk:
            raise AssertionError(f"the process exited before printing {needle!r}")
        _unread[proc.pid] = pending + chunk


def kill(proc: subprocess.Popen[str]) -> None:
    """SIGKILL the agent's process group (agent, Playwright's driver) and the groups of every process
    under it (Chromium leads a group of its own), all at once, like a power cut."""
    tree = descendants(proc.pid)
    exits = [fd for pid in tree if (fd := _pidfd(pid)) is not None]  # readable once that process is gone
    groups = {g for pid in [proc.pid, *tree] if (g := _group(pid)) is not None}
    for group in groups - {os.getpgid(0)}:  # never the test's own group
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
    proc.wait()
    for fd in exits:
        select.select([fd], [], [], 30)
        os.close(fd)


def descendants(pid: int) -> list[int]:
    """Every process under `pid` (from /proc), children before grandchildren."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        kids = children.get(todo.pop(0), [])
        found += kids
        todo += kids
    return found


def running(pid: int) -> bool:
    """Alive and not a zombie (an exited process nobody reaped yet: pid 1 of a container may not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _pidfd(pid: int) -> int | None:
    try:
        return os.pidfd_open(pid)
    except ProcessLookupError:
        return None


def _group(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None  # gone already


def request_state(cfg_path: Path, order_id: str) -> RequestState | None:
    with Store.open(cfg_path.parent / "agent.db") as store:
        request = store.get_request(order_id)
    return request.state if request else None




def outcome(out: str) -> dict[str, Any]:
    """The one result a `--json` cancel/dispute of one order printed."""
    data = json.loads(out)
    return data[0] if isinstance(data, list) else data
