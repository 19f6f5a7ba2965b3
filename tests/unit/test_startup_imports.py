"""Fast start: the light commands never import the browser, the shop, HTTP or notification libraries.

Each case runs the real CLI in a fresh interpreter (no module cached by the test process) and reads
`sys.modules` after the command has finished. A guard against regressions without timing anything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("playwright", "httpx", "starlette", "uvicorn", "apprise")
ALSO_UNUSED = {"--help": ("rich", "pydantic", "sqlite_utils", "jinja2"), "report --json": ("jinja2",)}

RUNNER = """
import json, sys
for name in sys.argv[2:]:
    __import__(name)  # the control case: prove that a heavy import is seen
from agent.cli import cli
code = 0
try:
    cli.main(args=sys.argv[1].split(), prog_name="buyer-agent", standalone_mode=True)
except SystemExit as exc:
    code = exc.code or 0
roots = sorted({m.split(".")[0] for m in sys.modules})
print("\\n" + json.dumps({"exit": code, "loaded": roots}), file=sys.stderr)
"""


def run_cli(args: str, cwd: Path, *preload: str) -> tuple[str, int, set[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUYER_AGENT_")}
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, args, *preload],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    last = json.loads(done.stderr.strip().splitlines()[-1])
    return done.stdout, last["exit"], set(last["loaded"])


@pytest.mark.parametrize("args", ["--help", "config show", "db path", "report --json"])
def test_light_commands_import_nothing_heavy(args: str, tmp_path: Path) -> None:
    stdout, code, loaded = run_cli(args, tmp_path)
    assert code == 0, stdout
    assert loaded.isdisjoint(HEAVY), f"`buyer-agent {args}` imported {sorted(loaded & set(HEAVY))}"
    unused = set(ALSO_UNUSED.get(args, ()))
    assert loaded.isdisjoint(unused), f"`buyer-agent {args}` imported {sorted(loaded & unused)}"
    if args == "report --json":  # it did its work: an empty database, no request, no totals
        assert json.loads(stdout) == {"requests": [], "totals": {}} and (tmp_path / "buyer-agent.db").exists()
    if args == "--help":
        assert "cancel" in stdout and "report" in stdout


def test_the_check_sees_a_heavy_import(tmp_path: Path) -> None:
    _, code, loaded = run_cli("db path", tmp_path, "agent.flows.runtime")
    assert code == 0 and "playwright" in loaded
