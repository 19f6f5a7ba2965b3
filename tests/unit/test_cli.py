"""agent.cli through click's runner: exit codes, one-line errors, no secrets, the commands that exist."""

from __future__ import annotations

import json
import sys
import types
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from agent.cli import AgentGroup, App, cli, command
from agent.errors import NotCancellable
from agent.store import SCHEMA_VERSION

WriteToml = Callable[..., Path]


def run(*args: str, env: dict[str, str] | None = None, group: click.Group = cli) -> Result:
    return CliRunner(env=env).invoke(group, list(args))


def stderr_lines(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


def test_help_lists_commands_and_exit_codes() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for name in ("shop", "browser", "config", "db"):
        assert name in result.stdout
    assert "Exit codes" in result.stdout
    assert run("config", "show", "--help").exit_code == 0
    assert "--config PATH" in run("db", "migrate", "--help").stdout


def test_usage_error_is_exit_2() -> None:
    assert run("no-such-command").exit_code == 2
    assert run("shop", "--port", "not-a-number").exit_code == 2


def test_bad_config_is_one_line_naming_file_and_key(write_toml: WriteToml) -> None:
    path = write_toml("[browser]\ntimeout_ms = 'fast'\n")
    result = run("config", "show", "--config", str(path))
    assert result.exit_code == 2
    assert stderr_lines(result) == [
        f"error: config error in {path}: browser.timeout_ms: input should be a valid integer, "
        "unable to parse string as an integer, got 'fast'"
    ]
    assert "Traceback" not in result.output


def test_missing_explicit_config_is_exit_2(tmp_path: Path) -> None:
    result = run("--config", str(tmp_path / "nope.toml"), "db", "path")
    assert result.exit_code == 2
    assert len(stderr_lines(result)) == 1 and "nope.toml" in result.stderr


def test_config_option_works_before_or_after_the_command(write_toml: WriteToml, tmp_path: Path) -> None:
    path = write_toml('[storage]\ndatabase = "here.db"\n')
    expected = str((tmp_path / "here.db").resolve())
    assert run("--config", str(path), "db", "path").stdout.strip() == expected
    assert run("db", "path", "--config", str(path)).stdout.strip() == expected


def test_config_show_never_shows_secrets(write_toml: WriteToml) -> None:
    path = write_toml('[account]\nemail = "me@example.com"\notp_command = "oathtool --totp SEED123"\n')
    env = {"BUYER_AGENT_PASSWORD": "hunter2-secret"}
    for fmt in ("toml", "json"):
        result = run("config", "show", "--format", fmt, "--config", str(path), env=env)
        assert result.exit_code == 0, result.output
        assert "me@example.com" in result.stdout
        assert "hunter2" not in result.output and "SEED123" not in result.output
    shown = json.loads(run("config", "show", "--format", "json", "--config", str(path)).stdout)
    assert shown["account"]["otp_command"] == "***"


# (notify URL, the secrets in it, what must still be recognisable) — every URL kind apprise users write
NOTIFY_URLS = [
    ("mailto://me:Pa55word-x9@gmail.com", ["Pa55word-x9"], "me:****@gmail.com"),
    ("tgram://123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/987654321", ["AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"],
     "tgram://"),
    ("json://hookuser:w3bh00k-pw@hooks.example.com/notify", ["w3bh00k-pw"],
     "hookuser:****@hooks.example.com"),
    ("ntfy://ntfyuser:ntfy-Secr3t@ntfy.sh/buyer-agent", ["ntfy-Secr3t"], "ntfyuser:****@ntfy.sh/buyer-agent"),
    ("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#general",
     ["T1JJ3T3L2", "A1BRTD4JD", "TIiajkdnlazkcOXrIdevi7FQ"], "slack://"),
    ("json://hooks.example.com/?+Authorization=Bearer%20hdr-T0ken&:api=pay-L0ad", ["hdr-T0ken", "pay-L0ad"],
     "json://hooks.example.com/"),  # apprise's privacy mode keeps headers: masked on top
    ("xyzzy://robot:un-kn0wn@relay.example.org/s3gment-tok/x?key=qu3ry-val",  # no such scheme: unparsed
     ["un-kn0wn", "robot", "s3gment-tok", "qu3ry-val"], "xyzzy://****@relay.example.org/****/****"),
    ("tgram://bad-b0t-t0ken/", ["bad-b0t-t0ken"], "tgram://****/"),  # apprise refuses it: the fallback masks
]  # fmt: skip


@pytest.mark.parametrize(("url", "secrets", "shown"), NOTIFY_URLS,
                         ids=[f"{n}-{url.split(':')[0]}" for n, (url, *_) in enumerate(NOTIFY_URLS)])
def test_config_show_masks_notify_url_credentials(write_toml: WriteToml, url: str, secrets: list[str],
                                                  shown: str) -> None:  # fmt: skip
    path = write_toml(f"[notify]\nurls = [{json.dumps(url)}, \"json://127.0.0.1:9/plain\"]\n")
    for fmt in ("toml", "json"):
        result = run("config", "show", "--format", fmt, "--config", str(path))
        assert result.exit_code == 0, result.output
        assert not [s for s in secrets if s in result.output], fmt
        assert shown in result.output and "json://127.0.0.1:9/plain" in result.output  # still recognisable
    shown_json = json.loads(run("config", "show", "--format", "json", "--config", str(path)).stdout)
    urls = shown_json["notify"]["urls"]
    assert len(urls) == 2 and urls[1] == "json://127.0.0.1:9/plain"  # nothing secret: shown as written


def test_config_show_masks_every_setting_named_as_a_secret(write_toml: WriteToml) -> None:
    # A generic rule on the key's name, checked on a settings tree as config show gets it.
    from agent.masking import mask_settings

    tree = {"a": {"api_token": "tok-1", "client_secret": "sec-2", "smtp_password": "pw-3",
                  "otp_command": "c-4", "token": "t-5", "password_env": "hunter2 typed here",
                  "email": "me@example.com", "keyring_service": "buyer-agent", "empty_token": ""},
            "b": {"remote_endpoint": "wss://user:ws-pw@browser.example/?token=ws-T0k&stealth=1",
                  "nested": {"access_key": "ak-6"}, "password_env2": "x"}}  # fmt: skip
    masked = json.dumps(mask_settings(tree))
    for secret in ("tok-1", "sec-2", "pw-3", "c-4", "t-5", "hunter2", "ws-pw", "ws-T0k", "ak-6"):
        assert secret not in masked
    assert "me@example.com" in masked and "buyer-agent" in masked and '"empty_token": ""' in masked
    assert "wss://user:****@browser.example/?token=****&stealth=1" in masked
    path = write_toml('[account]\npassword_env = "MY_PW_VAR"\n[browser]\nremote_endpoint = "wss://b.example/?token=abc9"\n')
    result = run("config", "show", "--config", str(path))
    assert 'password_env = "MY_PW_VAR"' in result.stdout  # a variable's name is not a secret: shown
    assert "abc9" not in result.stdout


BAD_IDS = ["²³⁴⁵⁶⁷⁸⁹", "８２１２３４５６７８９０１２３４", "٨٢١٢٣٤٥٦٧٨٩٠١٢٣٤", "8212-3456"]


@pytest.mark.parametrize("bad", BAD_IDS)
@pytest.mark.parametrize("args", [("cancel", "--reason", "changed_mind", "--dry-run"), ("show",)])
def test_an_order_id_not_in_ascii_digits_is_one_line_exit_2(in_tmp: Path, bad: str, args: tuple[str, ...]
                                                            ) -> None:  # fmt: skip
    result = run(args[0], bad, *args[1:])
    assert result.exit_code == 2, result.output
    assert stderr_lines(result) == [f"error: order id must be the digits 0-9, got {bad!r}"]
    assert "Traceback" not in result.output and not (in_tmp / "buyer-agent.db").exists()


def test_password_as_env_setting_is_refused_without_echo(in_tmp: Path) -> None:
    result = run("config", "show", env={"BUYER_AGENT_ACCOUNT__PASSWORD": "hunter2-secret"})
    assert result.exit_code == 2
    assert "account.password" in result.stderr and "hunter2" not in result.output


def test_db_migrate_creates_the_database(write_toml: WriteToml, tmp_path: Path) -> None:
    path = write_toml('[storage]\ndatabase = "sub/agent.db"\n')
    result = run("db", "migrate", "--config", str(path))
    assert result.exit_code == 0, result.output
    assert f"schema v{SCHEMA_VERSION}" in result.stdout
    assert (tmp_path / "sub" / "agent.db").exists()


def test_shop_calls_the_shop_server_lazily(monkeypatch: pytest.MonkeyPatch, in_tmp: Path) -> None:
    calls: list[dict[str, object]] = []
    fake = types.ModuleType("agent.shop.server")
    fake.serve = lambda **kwargs: calls.append(kwargs)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "agent.shop.server", fake)
    assert run("shop", "--port", "9001", "--scenario", "pt_br").exit_code == 0
    assert run("shop").exit_code == 0
    assert calls == [
        {"host": "127.0.0.1", "port": 9001, "scenario": "pt_br"},
        {"host": "127.0.0.1", "port": 8765},
    ]


def test_browser_ensure_uses_the_configured_browser(write_toml: WriteToml) -> None:
    path = write_toml(f'[browser]\nexecutable_path = "{sys.executable}"\n')
    result = run("browser", "ensure", "--config", str(path))
    assert result.exit_code == 0 and result.stdout.strip() == f"browser: {sys.executable}"
    path = write_toml('[browser]\nexecutable_path = "/no/such/chromium"\n', "missing.toml")
    result = run("browser", "ensure", "--config", str(path))
    assert result.exit_code == 1 and stderr_lines(result) == [
        "error: browser.executable_path '/no/such/chromium' does not exist"
    ]


# ---------------------------------------------------------------- error handling, on a throwaway group


def make_group(error: Exception) -> click.Group:
    group = AgentGroup("test")

    @command(group, "fail")
    def fail(app: App) -> None:
        raise error

    return group


def test_agent_error_maps_to_its_exit_code() -> None:
    result = run("fail", group=make_group(NotCancellable("123", "already shipped")))
    assert result.exit_code == 4
    assert stderr_lines(result) == ["error: order 123 is not cancellable: already shipped"]


def test_unexpected_error_is_one_line_and_a_log_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    result = run("fail", group=make_group(RuntimeError("kaboom\nsecond line")))
    assert result.exit_code == 1
    [line] = stderr_lines(result)
    assert line.startswith("error: unexpected RuntimeError: kaboom second line (traceback in ")
    assert "Traceback" not in result.output
    assert "Traceback" in (tmp_path / "buyer-agent.log").read_text()


def test_debug_shows_the_traceback() -> None:
    group = make_group(RuntimeError("kaboom"))
    assert "Traceback" in run("fail", "--debug", group=group).stderr
    assert "Traceback" in run("fail", group=group, env={"BUYER_AGENT_DEBUG": "1"}).stderr


def test_verbose_logs_go_to_stderr(write_toml: WriteToml) -> None:
    path = write_toml('[storage]\ndatabase = "v.db"\n')
    quiet = run("db", "migrate", "--config", str(path))
    assert "migrated" not in quiet.stderr
    path = write_toml('[storage]\ndatabase = "w.db"\n', "w.toml")
    loud = run("-v", "db", "migrate", "--config", str(path))
    assert loud.exit_code == 0 and "migrated to v1" in loud.stderr and "migrated" not in loud.stdout
