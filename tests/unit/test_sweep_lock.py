"""The sweep lock across real processes: a second sweep exits with a clear message, or waits (--wait)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.errors import LockHeld
from jobs.lock import sweep_lock

HOLD = (
    "import sys; from pathlib import Path; from jobs.lock import sweep_lock\n"
    "with sweep_lock(Path(sys.argv[1]), 'scheduled sweep'):\n"
    "    print('held', flush=True); sys.stdin.readline()\n"
)


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the lock of tmp_path/agent.db until a line is written to its stdin."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path / "agent.db")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    yield proc
    if proc.poll() is None:
        proc.communicate("\n", timeout=30)


def _cli(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUYER_AGENT_")}
    env["BUYER_AGENT_STORAGE__DATABASE"] = str(tmp_path / "agent.db")
    env["BUYER_AGENT_STORAGE__STATE_DIR"] = str(tmp_path / "state")
    exe = Path(sys.executable).with_name("buyer-agent")
    return subprocess.Popen(
        [str(exe), "sweep", *args],
        cwd=tmp_path,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_in_process_attempt_is_refused_naming_the_holder(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    with (
        pytest.raises(LockHeld, match=rf"pid {holder.pid}, scheduled sweep"),
        sweep_lock(tmp_path / "agent.db", "x"),
    ):
        pass


def test_cli_sweep_exits_1_with_a_clear_message(tmp_path: Path, holder: subprocess.Popen[str]) -> None:
    proc = _cli(tmp_path)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert "another sweep is running" in " ".join(err.split()) and "--wait" in err
    assert "Traceback" not in err


def test_cli_sweep_with_wait_runs_after_the_holder_finishes(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    waiter = _cli(tmp_path, "--wait")
    assert waiter.stderr is not None
    seen = ""
    while "waiting" not in seen:  # blocks on the pipe, not on a timer
        line = waiter.stderr.readline()
        assert line, "the waiting sweep ended without saying it waits"
        seen += line
    assert waiter.poll() is None  # still waiting for the lock
    holder.communicate("\n", timeout=30)
    out, _ = waiter.communicate(timeout=60)
    assert waiter.returncode == 0 and "0 request(s) checked" in out


def test_lock_is_released_after_use(tmp_path: Path) -> None:
    with sweep_lock(tmp_path / "agent.db", "first"):
        pass
    with sweep_lock(tmp_path / "agent.db", "second"):
        pass
