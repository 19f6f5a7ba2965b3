"""agent.config: resolution, every kind of error (each naming file and key), env overrides, secrets."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from agent.config import Config
from agent.config_file import load_config, to_toml
from agent.errors import ConfigError, CredentialsMissing
from agent.models import OrderStatus

WriteToml = Callable[..., Path]


def config_error(path: str | None) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.exit_code == 2
    assert "\n" not in str(caught.value)
    return caught.value


# ---------------------------------------------------------------- resolution


def test_no_file_anywhere_gives_defaults_anchored_at_cwd(in_tmp: Path) -> None:
    cfg = load_config(None)
    assert cfg.site.base_url == "https://www.aliexpress.com"
    assert cfg.policy.allowed_statuses == [
        OrderStatus.AWAITING_PAYMENT,
        OrderStatus.PAYMENT_VERIFYING,
        OrderStatus.AWAITING_SHIPMENT,
    ]
    assert cfg.policy.amount_cap is None
    assert cfg.storage.database == in_tmp.resolve() / "buyer-agent.db"


def test_local_file_is_found(in_tmp: Path, write_toml: WriteToml) -> None:
    write_toml("[browser]\nheadless = false\n")
    assert load_config(None).browser.headless is False


def test_env_var_file_beats_local_file_and_option_beats_both(
    in_tmp: Path, write_toml: WriteToml, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_toml("[browser]\nslow_mo_ms = 1\n")
    monkeypatch.setenv("BUYER_AGENT_CONFIG", str(write_toml("[browser]\nslow_mo_ms = 2\n", "env.toml")))
    assert load_config(None).browser.slow_mo_ms == 2
    assert load_config(str(write_toml("[browser]\nslow_mo_ms = 3\n", "opt.toml"))).browser.slow_mo_ms == 3


def test_storage_paths_resolve_against_the_files_folder(tmp_path: Path, write_toml: WriteToml) -> None:
    path = write_toml('[storage]\ndatabase = "data/a.db"\nevidence_dir = "/abs/ev"\n', "sub.toml")
    cfg = load_config(str(path))
    assert cfg.storage.database == tmp_path.resolve() / "data" / "a.db"
    assert cfg.storage.evidence_dir == Path("/abs/ev")
    assert cfg.storage.state_dir == tmp_path.resolve() / ".buyer-agent"


def test_urls_are_validated_and_kept_without_trailing_slash(write_toml: WriteToml) -> None:
    cfg = load_config(str(write_toml('[site]\nbase_url = "http://127.0.0.1:8765/"\n')))
    assert cfg.site.base_url == "http://127.0.0.1:8765"
    assert cfg.site.api_base == "http://127.0.0.1:8765"
    cfg = load_config(str(write_toml('[site]\napi_base_url = "https://acs.aliexpress.com/"\n')))
    assert cfg.site.api_base == "https://acs.aliexpress.com"


def test_partial_refund_table_keeps_other_defaults(write_toml: WriteToml) -> None:
    cfg = load_config(str(write_toml("[policy.refund_business_days]\ncard = 10\ncrypto = 1\n")))
    assert cfg.policy.refund_business_days == {"card": 10, "paypal": 5, "wallet": 3, "other": 20, "crypto": 1}


def test_amount_cap_is_an_exact_decimal(write_toml: WriteToml) -> None:
    assert load_config(str(write_toml("[policy]\namount_cap = 49.99\n"))).policy.amount_cap == Decimal(
        "49.99"
    )


# ---------------------------------------------------------------- errors: each names the file and the key


def test_explicit_missing_file(tmp_path: Path) -> None:
    err = config_error(str(tmp_path / "nope.toml"))
    assert "nope.toml" in str(err) and "file not found" in str(err)


def test_missing_file_from_env_var_is_an_error_too(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUYER_AGENT_CONFIG", "typo.toml")
    assert "typo.toml" in str(config_error(None))


def test_unknown_key(write_toml: WriteToml) -> None:
    path = write_toml("[site]\nbase_urll = 'https://x.example'\n")
    err = config_error(str(path))
    assert (err.path, err.key) == (str(path), "site.base_urll")
    assert str(err) == f"config error in {path}: site.base_urll: unknown key"


def test_unknown_section(write_toml: WriteToml) -> None:
    err = config_error(str(write_toml("[sites]\nx = 1\n")))
    assert err.key == "sites" and "unknown key" in str(err)


def test_password_in_file_is_refused_without_echoing_it(write_toml: WriteToml) -> None:
    err = config_error(str(write_toml('[account]\npassword = "hunter2-secret"\n')))
    assert err.key == "account.password" and "password_env" in str(err)
    assert "hunter2" not in str(err)


@pytest.mark.parametrize(
    ("toml", "key", "words"),
    [
        ("[browser]\ntimeout_ms = 'fast'\n", "browser.timeout_ms", "valid integer"),
        ("[browser]\nheadless = 3\n", "browser.headless", "valid boolean"),
        ("[browser]\ntrace = 'sometimes'\n", "browser.trace", "'off', 'on_failure' or 'always'"),
        ("[browser]\nremote_endpoint = 'ftp://x'\n", "browser.remote_endpoint", "ws://"),
        ("[policy]\nallowed_statuses = ['shipped_maybe']\n", "policy.allowed_statuses.0", "awaiting_payment"),
        ("[policy]\nreason_match_threshold = 101\n", "policy.reason_match_threshold", "less than or equal"),
        ("[policy]\namount_cap = -1\n", "policy.amount_cap", "greater than or equal"),
        ("[policy.refund_business_days]\ncard = 'soon'\n", "policy.refund_business_days.card", "integer"),
        ("[schedule]\nsweep_cron = 'every day'\n", "schedule.sweep_cron", "crontab"),
        ("[schedule]\ntimezone = 'Mars/Olympus'\n", "schedule.timezone", "time zone"),
        ("[notify]\nevents = ['cancelled', 'exploded']\n", "notify.events", "exploded"),
        ("site = 1\n", "site", "must be a table"),
    ],
)
def test_wrong_type_or_value(write_toml: WriteToml, toml: str, key: str, words: str) -> None:
    path = write_toml(toml)
    err = config_error(str(path))
    assert (err.path, err.key) == (str(path), key)
    assert words in err.problem
    assert "pydantic" not in str(err) and "validation error" not in str(err)


@pytest.mark.parametrize("url", ["not a url", "ftp://x.example", "https://"])
def test_bad_url(write_toml: WriteToml, url: str) -> None:
    path = write_toml(f'[site]\nbase_url = "{url}"\n')
    err = config_error(str(path))
    assert (err.path, err.key) == (str(path), "site.base_url")
    assert "URL" in err.problem


def test_toml_syntax_error_names_the_line_key(write_toml: WriteToml) -> None:
    path = write_toml("[site]\nprofile = 'aliexpress'\nbase_url = https://unquoted\n")
    err = config_error(str(path))
    assert (err.path, err.key) == (str(path), "site.base_url")
    assert "TOML syntax" in err.problem and "line 3" in err.problem


def test_toml_syntax_error_outside_a_key(write_toml: WriteToml) -> None:
    err = config_error(str(write_toml("[site\n")))
    assert "TOML syntax" in str(err)


def test_only_the_first_problem_is_reported_with_a_count(write_toml: WriteToml) -> None:
    err = config_error(str(write_toml("[browser]\ntimeout_ms = 'a'\nslow_mo_ms = 'b'\n")))
    assert err.key == "browser.slow_mo_ms" or err.key == "browser.timeout_ms"
    assert "(+1 more problem)" in str(err)


# ---------------------------------------------------------------- environment overrides


def test_env_overrides_file_including_nested_tables_and_json_lists(
    write_toml: WriteToml, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_toml('[site]\nbase_url = "https://www.aliexpress.com"\n')
    monkeypatch.setenv("BUYER_AGENT_SITE__BASE_URL", "http://127.0.0.1:9000/")
    monkeypatch.setenv("BUYER_AGENT_BROWSER__HEADLESS", "false")
    monkeypatch.setenv("BUYER_AGENT_POLICY__REFUND_BUSINESS_DAYS__CARD", "7")
    monkeypatch.setenv("BUYER_AGENT_NOTIFY__URLS", '["json://localhost/hook"]')
    monkeypatch.setenv("BUYER_AGENT_POLICY__AMOUNT_CAP", "12.50")
    cfg = load_config(str(path))
    assert cfg.site.base_url == "http://127.0.0.1:9000"
    assert cfg.browser.headless is False
    assert cfg.policy.refund_business_days["card"] == 7
    assert cfg.policy.refund_business_days["paypal"] == 5
    assert cfg.notify.urls == ["json://localhost/hook"]
    assert cfg.policy.amount_cap == Decimal("12.50")


def test_env_override_with_a_bad_type_names_file_key_and_variable(
    write_toml: WriteToml, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_toml("[policy]\nmax_retries = 3\n")
    monkeypatch.setenv("BUYER_AGENT_POLICY__MAX_RETRIES", "lots")
    err = config_error(str(path))
    assert (err.path, err.key) == (str(path), "policy.max_retries")
    assert "$BUYER_AGENT_POLICY__MAX_RETRIES" in str(err) and "'lots'" in str(err)


def test_env_override_without_a_file_still_names_the_key(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BUYER_AGENT_SITE__BASE_URL", "nope")
    err = config_error(None)
    assert err.key == "site.base_url" and "no config file" in err.path
    assert "$BUYER_AGENT_SITE__BASE_URL" in str(err)


def test_unknown_env_key_is_an_error(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUYER_AGENT_BROWSER__HEDLESS", "false")
    err = config_error(None)
    assert err.key == "browser.hedless" and "unknown key" in str(err)


def test_bad_json_in_env_override(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUYER_AGENT_NOTIFY__URLS", "[oops")
    err = config_error(None)
    assert err.key == "notify.urls" and "not valid JSON" in str(err)


def test_env_override_into_a_scalar_is_an_error(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUYER_AGENT_BROWSER__HEADLESS__X", "1")
    err = config_error(None)
    assert err.key == "browser.headless" and "$BUYER_AGENT_BROWSER__HEADLESS__X" in str(err)
    monkeypatch.setenv("BUYER_AGENT_BROWSER__HEADLESS", "true")
    err = config_error(None)
    assert err.key == "browser.headless.x" and "non-table" in str(err)


def test_non_setting_env_vars_are_ignored(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUYER_AGENT_PASSWORD", "hunter2-secret")
    monkeypatch.setenv("BUYER_AGENT_DEBUG", "1")
    assert load_config(None) == load_config(None)


def test_password_via_env_override_is_refused_without_echo(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BUYER_AGENT_ACCOUNT__PASSWORD", "hunter2-secret")
    err = config_error(None)
    assert err.key == "account.password" and "hunter2" not in str(err)


# ---------------------------------------------------------------- password and dumps


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> object:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_password_from_env(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUYER_AGENT_PASSWORD", "hunter2-secret")
    cfg = load_config(None)
    assert cfg.password() == "hunter2-secret"
    assert "hunter2" not in cfg.model_dump_json() and "hunter2" not in to_toml(cfg)


def test_password_from_keyring(write_toml: WriteToml, memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password("buyer-agent", "me@example.com", "from-keyring")
    cfg = load_config(
        str(write_toml('[account]\nemail = "me@example.com"\nkeyring_service = "buyer-agent"\n'))
    )
    assert cfg.password() == "from-keyring"


def test_no_password_anywhere(write_toml: WriteToml, memory_keyring: MemoryKeyring) -> None:
    with pytest.raises(CredentialsMissing, match=r"\$BUYER_AGENT_PASSWORD"):
        Config().password()
    cfg = load_config(str(write_toml('[account]\nemail = "me@example.com"\nkeyring_service = "ba"\n')))
    with pytest.raises(CredentialsMissing, match="no password in keyring"):
        cfg.password()


def test_otp_command_is_masked_in_public_dump(write_toml: WriteToml) -> None:
    cfg = load_config(str(write_toml('[account]\notp_command = "oathtool --totp SEED123"\n')))
    assert "SEED123" not in str(cfg.public_dump()) and "SEED123" not in to_toml(cfg)


def test_to_toml_round_trips(write_toml: WriteToml) -> None:
    text = (
        '[site]\nlocale = "pt_BR"\n[policy]\namount_cap = 50.00\nallowed_statuses = ["awaiting_payment"]\n'
        '[notify]\nurls = ["json://x/\\"q\\""]\n[policy.refund_business_days]\ncard = 9\n'
    )
    cfg = load_config(str(write_toml(text)))
    assert cfg.notify.urls == ['json://x/"q"'] and cfg.policy.amount_cap == Decimal("50.00")
    assert load_config(str(write_toml(to_toml(cfg), "round.toml"))) == cfg
