"""Benchmark: how fast the light commands start, side by side with `python -c pass` and `sqlite-utils --help`.

Each command runs N times as a real process (the median is shown, and its ratio to the baselines);
`report --json` runs against an empty database in a temporary folder. Prints figures; asserts nothing.
Target: `buyer-agent --help` under 0.2 s and no slower than `sqlite-utils --help`.

    .venv/bin/python bench/bench_startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    """A console script of this virtualenv, else one on PATH."""
    local = BIN / name
    return str(local) if local.exists() else (shutil.which(name) or name)


def median_run(argv: list[str], runs: int, cwd: Path, env: dict[str, str]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, cwd=cwd, env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each command (the median is shown)")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUYER_AGENT_")}
    agent = tool("buyer-agent")
    cases = [
        ("python -c pass", [sys.executable, "-c", "pass"]),
        ("sqlite-utils --help", [tool("sqlite-utils"), "--help"]),
        ("buyer-agent --help", [agent, "--help"]),
        ("buyer-agent db path", [agent, "db", "path"]),
        ("buyer-agent report --json", [agent, "report", "--json"]),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)  # no buyer-agent.toml here: the defaults, an empty database created on first use
        subprocess.run([agent, "db", "migrate"], cwd=cwd, env=env, capture_output=True, check=True)
        figures = {label: median_run(argv, args.runs, cwd, env) for label, argv in cases}
    bare, sqlite_utils = figures["python -c pass"], figures["sqlite-utils --help"]
    print(f"{'median of ' + str(args.runs) + ' runs':28}{'time':>9}{'÷ python':>10}{'÷ sqlite-utils':>16}")
    for label, value in figures.items():
        print(f"{label:28}{value:>8.3f}s{value / bare:>10.1f}{value / sqlite_utils:>16.2f}")
    help_s = figures["buyer-agent --help"]
    verdict = "met" if help_s < 0.2 and help_s <= sqlite_utils else "NOT met"
    print(f"target (--help < 0.2 s and ≤ sqlite-utils --help): {verdict}")


if __name__ == "__main__":
    main()
