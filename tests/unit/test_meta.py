"""Keep data and docs honest: config.example.toml mirrors agent.config; the README names every command."""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal
from pathlib import Path

import click
import pytest
from pydantic import BaseModel

from agent.cli import cli
from agent.config import Config, NamedAccountConfig, PolicyConfig, SiteOverrides
from agent.config_file import load_config

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "config.example.toml"
SECTIONS = [name for name, f in Config.model_fields.items() if isinstance(f.annotation, type)
            and issubclass(f.annotation, BaseModel)]  # fmt: skip  # [site] …; not accounts, default_account


def example_blocks() -> dict[str, list[str]]:
    """Lines of config.example.toml under each [header] (sub-tables get their own block)."""
    blocks: dict[str, list[str]] = {"": []}
    current = ""
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        header = re.match(r"^\[([\w.]+)\]\s*$", line)
        if header:
            current = header.group(1)
            blocks[current] = []
        else:
            blocks[current].append(line)
    return blocks


@pytest.mark.parametrize("section", SECTIONS)
def test_every_field_is_in_the_example_with_a_comment(section: str) -> None:
    blocks = example_blocks()
    model = Config.model_fields[section].annotation
    assert isinstance(model, type)
    for name in model.model_fields:
        if f"{section}.{name}" in blocks:  # a sub-table such as [policy.refund_business_days]
            continue
        lines = blocks[section]
        found = [i for i, line in enumerate(lines) if re.match(rf"^(# )?{name} = ", line)]
        assert found, f"{section}.{name} is missing from config.example.toml"
        before = lines[found[0] - 1]
        assert before.startswith("#") and not before.startswith(f"# {name} ="), (
            f"{section}.{name} has no comment"
        )


def test_every_sub_table_entry_has_a_comment() -> None:
    lines = example_blocks()["policy.refund_business_days"]
    for i, line in enumerate(lines):
        if "=" in line and not line.startswith("#"):
            assert lines[i - 1].startswith("#"), line


def test_every_setting_outside_the_sections_is_in_the_example() -> None:
    others = [name for name in Config.model_fields if name not in SECTIONS]
    assert others == ["default_account", "accounts"]
    top = example_blocks()[""]
    found = [i for i, line in enumerate(top) if line.startswith("default_account = ")]
    assert found and top[found[0] - 1].startswith("#"), "default_account is missing from the example"


def test_every_named_account_key_is_in_the_commented_example() -> None:
    lines = example_blocks()["account"]
    start = lines.index("# [accounts.reseller]")
    site = lines.index("# [accounts.reseller.site]")
    for fields, block in ((NamedAccountConfig.model_fields, lines[start:site]),
                          (SiteOverrides.model_fields, lines[site:])):  # fmt: skip
        for name in fields:
            if name == "site":
                continue
            found = [i for i, line in enumerate(block) if line.startswith(f"# {name} = ")]
            assert found, f"accounts.NAME.{name} is missing from config.example.toml"
            assert block[found[0] - 1].startswith("# # "), f"accounts.NAME.{name} has no comment"


def test_loading_the_example_gives_the_defaults() -> None:
    defaults = Config()
    expected = defaults.model_copy(update={"storage": defaults.storage.resolved(REPO)})
    assert load_config(str(EXAMPLE)) == expected


def test_commented_out_examples_are_valid_values() -> None:
    for line in example_blocks()["policy"]:
        if re.match(r"^# amount_cap = ", line):
            value = tomllib.loads(line[2:], parse_float=Decimal)["amount_cap"]
            assert PolicyConfig(amount_cap=value).amount_cap == Decimal("50.00")
            return
    pytest.fail("amount_cap example missing")


def command_paths(group: click.Group, prefix: str = "buyer-agent") -> list[str]:
    paths = []
    for name, cmd in sorted(group.commands.items()):
        if isinstance(cmd, click.Group):
            paths += command_paths(cmd, f"{prefix} {name}")
        else:
            paths.append(f"{prefix} {name}")
    return paths


@pytest.mark.parametrize("path", command_paths(cli))
def test_every_command_is_in_the_readme(path: str) -> None:
    assert f"`{path}" in (REPO / "README.md").read_text(encoding="utf-8")
