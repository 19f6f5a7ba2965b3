"""Several accounts in one configuration: which accounts exist, which one a command uses, and the
effective settings of each (agent.config.Config.for_account / account_names delegate here).

The single [account] table is the account "default"; [accounts.NAME] tables add more. Each named account
gets its own state folder (saved session, API pacing, captcha cooldown) and evidence folder, so nothing of
one account's login or anti-bot state can leak into another's; "default" keeps the plain folders of a
one-account setup (an upgrade moves nothing)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from agent.errors import ConfigError, UsageError
from agent.statuses import DEFAULT_ACCOUNT

if TYPE_CHECKING:
    from agent.config import Config

__all__ = ["ACCOUNT_NAME", "check", "effective", "names", "pick"]

ACCOUNT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")  # it names folders and lock files


def names(cfg: Config) -> list[str]:
    """The [accounts.*] tables, plus "default" for a given [account] (or when there is no table at all)."""
    found = list(cfg.accounts)
    if "account" in cfg.model_fields_set or not found:
        found.insert(0, DEFAULT_ACCOUNT)
    return found


def pick(cfg: Config, name: str | None) -> str:
    """`name` (which must exist), else default_account, else the only account."""
    known = names(cfg)
    if name:
        if name not in known:
            raise UsageError(f"unknown account {name!r} (configured: {', '.join(known)})")
        return name
    if cfg.default_account:
        return cfg.default_account
    if len(known) > 1:
        raise UsageError(f"several accounts are configured ({', '.join(known)}): "
                         "pass --account NAME (or --all-accounts) or set default_account")  # fmt: skip
    return known[0]


def effective(cfg: Config, chosen: str) -> Config:
    """The settings of account `chosen`: its login, its site overrides, its own folders."""
    update: dict[str, Any] = {}
    named = cfg.accounts.get(chosen)
    if named is not None:
        update = {"account": named.login(), "site": named.site_for(cfg.site)}
    if chosen != DEFAULT_ACCOUNT:
        st = cfg.storage
        update["storage"] = st.model_copy(update={"state_dir": st.state_dir / "accounts" / chosen,
                                                   "evidence_dir": st.evidence_dir / chosen})  # fmt: skip
    out = cfg.model_copy(update=update)
    out.__pydantic_fields_set__ = set(cfg.model_fields_set)  # which tables the file gave, not ours
    return out


def check(cfg: Config, where: str) -> None:
    """What pydantic cannot see: account names usable as folder names, [account] and [accounts.default]
    not both, default_account naming a configured account. ConfigError (exit 2) naming the key."""
    for name in cfg.accounts:
        if not ACCOUNT_NAME.match(name):
            raise ConfigError(where, f"accounts.{name}", "an account name is letters, digits, '-' or '_' "
                              "(at most 40, starting with a letter or digit)")  # fmt: skip
    if DEFAULT_ACCOUNT in cfg.accounts and "account" in cfg.model_fields_set:
        raise ConfigError(where, "accounts.default", "both [account] and [accounts.default] are given: "
                          "[account] is the account 'default'; keep one of them")  # fmt: skip
    known = names(cfg)
    if cfg.default_account and cfg.default_account not in known:
        problem = f"unknown account {cfg.default_account!r} (configured: {', '.join(known)})"
        raise ConfigError(where, "default_account", problem)
