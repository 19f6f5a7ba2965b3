"""Reading and writing the settings file: `--config PATH`, else $BUYER_AGENT_CONFIG, else
./buyer-agent.toml, else built-in defaults; BUYER_AGENT_<SECTION>__<KEY> environment overrides; every
problem one ConfigError naming the file, the dotted key and what is wrong; and the effective settings
written back as TOML (`config show`). The models themselves are agent.config.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from agent.config import DEFAULT_ACCOUNT, DEFAULT_FILE, ENV_CONFIG, ENV_DEFAULT_ACCOUNT, ENV_PREFIX, Config
from agent.errors import ConfigError

__all__ = ["config_file", "load_config", "to_toml"]

def config_file(path: str | None) -> Path | None:
    """The file to read (which must then exist), or None for built-in defaults."""
    if path:
        return Path(path)
    env = os.environ.get(ENV_CONFIG, "")
    if env:
        return Path(env)  # a configured path with a typo must not silently fall back to defaults
    local = Path(DEFAULT_FILE)
    return local if local.is_file() else None


def load_config(path: str | None = None) -> Config:
    """Read, override from the environment, validate. Raises ConfigError (exit code 2) on any problem."""
    file = config_file(path)
    where = str(file) if file else "(no config file)"
    data = _read_toml(file) if file else {}
    env_keys = _apply_env(data, os.environ, where)
    try:
        cfg = Config.model_validate(data)
    except PydanticValidationError as exc:
        raise _config_error(exc, where, env_keys) from None
    from agent.accounts import check

    check(cfg, where)
    base = file.resolve().parent if file else Path.cwd()
    return cfg.model_copy(update={"storage": cfg.storage.resolved(base)})


def _read_toml(file: Path) -> dict[str, Any]:
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(file), "", "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(file), "", f"cannot read: {exc}") from None
    try:
        return tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(file), _key_at_error(text, str(exc)), f"TOML syntax: {exc}") from None


def _key_at_error(text: str, message: str) -> str:
    """Best-effort dotted key of the line a TOML syntax error points at ('' when unknown)."""
    found = re.search(r"at line (\d+)", message)
    if not found:
        return ""
    lines = text.splitlines()[: int(found.group(1))]
    key = re.match(r"\s*([\w.-]+)\s*=", lines[-1]) if lines else None
    table = next((m.group(1) for line in reversed(lines) if (m := re.match(r"\s*\[+([\w.-]+)\]", line))), "")
    if not key:
        return table
    return f"{table}.{key.group(1)}" if table else key.group(1)


def _apply_env(data: dict[str, Any], environ: Any, where: str) -> dict[str, str]:
    """Merge BUYER_AGENT_A__B[__C]=value into data; returns {dotted key: env var name}."""
    applied: dict[str, str] = {}
    if environ.get(ENV_DEFAULT_ACCOUNT):  # the one top-level setting: no section, no "__"
        data["default_account"] = environ[ENV_DEFAULT_ACCOUNT]
        applied["default_account"] = ENV_DEFAULT_ACCOUNT
    for name in sorted(environ):
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue  # BUYER_AGENT_CONFIG, _PASSWORD, _DEBUG are not settings
        parts = [p.lower() for p in name[len(ENV_PREFIX) :].split("__")]
        dotted = ".".join(parts)
        if not all(parts):
            raise ConfigError(where, dotted, f"malformed override ${name}")
        node = data
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(where, dotted, f"${name} overrides inside a non-table value")
        node[parts[-1]] = _env_value(environ[name], name, where, dotted)
        applied[dotted] = name
    return applied


def _env_value(raw: str, name: str, where: str, dotted: str) -> Any:
    """Lists and tables come as JSON (`["a","b"]`, `{"card": 10}`); everything else as text for pydantic."""
    if not raw.strip().startswith(("[", "{")):
        return raw
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ConfigError(where, dotted, f"${name} is not valid JSON: {exc}") from None


def _config_error(exc: PydanticValidationError, where: str, env_keys: dict[str, str]) -> ConfigError:
    """The first validation problem, in one line; values under [account] are never echoed."""
    err = exc.errors()[0]
    dotted = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        problem = "unknown key"
        if dotted.endswith("password"):
            problem += " (never put a password in config: use account.password_env or keyring_service)"
    elif err["type"] in ("model_type", "dict_type"):
        problem = f"must be a table ([{dotted}] or {{...}})"
    else:
        msg = str(err["msg"]).removeprefix("Value error, ")
        problem = msg[:1].lower() + msg[1:] if msg[1:2].islower() else msg  # "Input …" but not "URL …"
        if not dotted.startswith(("account.", "accounts.")) and not isinstance(err.get("input"), dict | list):
            problem += f", got {str(err.get('input'))[:60]!r}"
    source = next((v for k, v in env_keys.items() if _overlaps(k, dotted)), None)
    if source:
        problem += f" (from ${source})"
    more = len(exc.errors()) - 1
    if more:
        problem += f" (+{more} more problem{'s' if more > 1 else ''})"
    return ConfigError(where, dotted, problem)


def _overlaps(a: str, b: str) -> bool:
    """Whether one dotted key is the other or inside it."""
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


# ---------------------------------------------------------------- TOML output


def to_toml(cfg: Config) -> str:
    """The effective settings as TOML (sensitive values masked); loading it back gives the same config."""
    out: list[str] = []
    dump = cfg.public_dump(mode="python")
    out.extend([f"default_account = {_toml_value(dump.pop('default_account'))}", ""])
    for name, account in dump.pop("accounts").items():  # [accounts.<name>] and its [accounts.<name>.site]
        site = {k: v for k, v in account["site"].items() if v is not None}
        dump[f"accounts.{name}"] = {**account, "site": site}
    if DEFAULT_ACCOUNT not in cfg.account_names() or DEFAULT_ACCOUNT in cfg.accounts:
        dump.pop("account")  # no [account] table was given: writing one would add the account "default"
    for section, values in dump.items():
        out.append(f"[{section}]")
        tables = {k: v for k, v in values.items() if isinstance(v, dict)}
        for key, value in values.items():
            if value is None:
                out.append(f"# {key} = (not set)")
            elif key not in tables:
                out.append(f"{key} = {_toml_value(value)}")
        for key, table in tables.items():
            out.append(f"\n[{section}.{key}]")
            out.extend(f"{k} = {_toml_value(v)}" for k, v in table.items())
        out.append("")
    return "\n".join(out)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")  # never exponent notation, which TOML lacks
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)  # JSON string escapes are valid TOML
