"""The log file in the state folder rotates: a size cap and a few backups (real files)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent import cli as cli_module


def test_the_log_rotates_at_its_cap_and_keeps_a_few_backups(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_module, "LOG_MAX_BYTES", 1000)
    log = tmp_path / cli_module.LOG_FILE
    for n in range(20):
        cli_module.append_log(log, f"traceback {n:02d} " + "x" * 280 + "\n")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [f"{cli_module.LOG_FILE}{s}" for s in ("", ".1", ".2", ".3")]
    assert all(p.stat().st_size <= 1000 for p in tmp_path.iterdir())
    assert log.read_text(encoding="utf-8").splitlines()[-1].startswith("traceback 19 ")
    assert (tmp_path / f"{cli_module.LOG_FILE}.1").read_text(encoding="utf-8").startswith("traceback 15 ")
