"""The deployment files in contrib/: the systemd unit's keys (and `systemd-analyze verify` where it exists),
the Containerfile's essentials, and that every cron line runs a real CLI command with options it takes."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from apscheduler.triggers.cron import CronTrigger

from agent.cli import cli

CONTRIB = Path(__file__).resolve().parents[2] / "contrib"
UNIT = CONTRIB / "buyer-agent.service"


def unit_sections(text: str) -> dict[str, dict[str, list[str]]]:
    """An INI-style parse that keeps repeated keys (systemd allows `Environment=` many times)."""
    out: dict[str, dict[str, list[str]]] = {}
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        header = re.fullmatch(r"\[(\w+)\]", line)
        if header:
            section = header.group(1)
            out[section] = {}
            continue
        key, sep, value = line.partition("=")
        assert sep and section, f"not a key=value line in a section: {raw!r}"
        out[section].setdefault(key.strip(), []).append(value.strip())
    return out


def cli_args_valid(args: list[str]) -> click.Command:
    """The command named by `args` exists and parses `args` (click raises on an unknown one or option)."""
    name, *rest = args
    ctx = click.Context(cli)
    command = cli.get_command(ctx, name)
    assert command is not None, f"buyer-agent has no command {name!r}"
    command.make_context(name, list(rest), parent=ctx)
    return command


def test_the_unit_runs_the_scheduler_restarts_on_failure_and_stops_cleanly() -> None:
    unit = unit_sections(UNIT.read_text(encoding="utf-8"))
    service = {k: v[-1] for k, v in unit["Service"].items()}
    exe, *args = shlex.split(service["ExecStart"])
    assert Path(exe).name == "buyer-agent" and args == ["schedule"]
    cli_args_valid(args)
    assert service["Restart"] == "on-failure" and service["KillSignal"] == "SIGTERM"
    minutes = re.fullmatch(r"(\d+)min", service["TimeoutStopSec"])
    assert minutes and int(minutes.group(1)) >= 5  # a sweep in progress gets time to end
    state = service["StateDirectory"]
    assert service["WorkingDirectory"] == f"/var/lib/{state}"
    environment = dict(e.split("=", 1) for e in unit["Service"]["Environment"])
    assert environment["BUYER_AGENT_CONFIG"].startswith(f"/var/lib/{state}/")
    assert service["EnvironmentFile"].startswith("/etc/")  # the password comes from there …
    assert not [e for e in environment if "PASSWORD" in e]  # … never from the unit itself
    assert service["User"] != "root"
    assert unit["Install"]["WantedBy"] == ["multi-user.target"]
    assert "network-online.target" in unit["Unit"]["After"][0]


def test_systemd_analyze_verify(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here (the unit's keys are checked above)")
    exe = Path(sys.executable).parent / "buyer-agent"  # verify wants ExecStart's binary to exist
    unit = tmp_path / "buyer-agent.service"
    unit.write_text(
        UNIT.read_text(encoding="utf-8").replace("/opt/buyer-agent/.venv/bin/buyer-agent", str(exe))
    )
    done = subprocess.run(
        [analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr


def containerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, argument) pairs, continuation lines joined, comments dropped."""
    text = (CONTRIB / "Containerfile").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    return [(m.group(1).upper(), m.group(2).strip()) for m in re.finditer(r"^(\w+)\s+(.*)$", joined, re.M)]


def test_the_containerfile_has_chromium_a_non_root_user_a_volume_and_runs_the_scheduler() -> None:
    steps = containerfile()
    first = dict(reversed(steps))  # the first FROM …
    last = dict(steps)  # the last USER, ENTRYPOINT, CMD …
    assert first["FROM"].startswith("debian:")
    installs = " ".join(arg for op, arg in steps if op == "RUN" and "apt-get install" in arg)
    assert re.search(r"\bchromium\b", installs)
    assert last["USER"] not in ("root", "0")
    assert "useradd" in " ".join(arg for op, arg in steps if op == "RUN")
    volumes = json.loads(last["VOLUME"])
    assert last["WORKDIR"] in volumes
    command = json.loads(last["ENTRYPOINT"]) + json.loads(last["CMD"])
    assert command[command.index("buyer-agent") :] == ["buyer-agent", "schedule"]
    env = dict(re.findall(r"(\w+)=(\S+)", last["ENV"]))
    assert any(env["BUYER_AGENT_CONFIG"].startswith(v + "/") for v in volumes)
    assert env["BUYER_AGENT_BROWSER__EXECUTABLE_PATH"] == "/usr/bin/chromium"
    repo = CONTRIB.parent
    for op, arg in steps:
        if op == "COPY":
            assert all((repo / src).exists() for src in arg.split()[:-1]), arg


def test_every_cron_line_runs_a_real_command() -> None:
    jobs = 0
    for raw in (CONTRIB / "buyer-agent.cron").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or re.match(r"^\w+=", line):
            continue
        fields = line.split(None, 6)
        CronTrigger.from_crontab(" ".join(fields[:5]))  # raises on a bad schedule
        assert fields[5] != "root"
        for part in re.split(r"&&|>>", fields[6]):
            words = shlex.split(part)
            if words and Path(words[0]).name == "buyer-agent":
                cli_args_valid(words[1:])
                jobs += 1
    assert jobs == 2  # the nightly sweep and the weekly prune
