"""Settings: the pydantic models of the TOML file, one per section; reading the file and the
BUYER_AGENT_<SECTION>__<KEY> environment overrides is agent.config_file.

A plain loader (tomllib + pydantic) rather than pydantic-settings: it lets unknown env keys be errors
and lets every message name its source, which pydantic-settings does not.
"""

from __future__ import annotations

import os
import re
import zoneinfo
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    PrivateAttr,
    TypeAdapter,
    field_validator,
)

from agent.errors import CredentialsMissing
from agent.masking import mask_settings
from agent.models import OrderStatus
from agent.statuses import DEFAULT_ACCOUNT

ENV_PREFIX = "BUYER_AGENT_"
ENV_CONFIG = "BUYER_AGENT_CONFIG"
DEFAULT_FILE = "buyer-agent.toml"
ENV_DEFAULT_ACCOUNT = "BUYER_AGENT_DEFAULT_ACCOUNT"
NOTIFY_EVENTS = (
    "cancelled",
    "accepted",
    "rejected",
    "stalled",
    "dispute_flagged",
    "dispute_opened",
    "refund_overdue",
    "needs_human",
)
_HTTP_URL = TypeAdapter(HttpUrl)


def _http_url(value: str) -> str:
    _HTTP_URL.validate_python(value)  # raises with pydantic's wording; kept as the user wrote it
    return value


def _base_url(value: str) -> str:
    return _http_url(value).rstrip("/")


def _optional_base_url(value: str) -> str:
    return _base_url(value) if value else ""


HttpStr = Annotated[str, AfterValidator(_http_url)]
BaseUrl = Annotated[str, AfterValidator(_base_url)]
OptionalBaseUrl = Annotated[str, AfterValidator(_optional_base_url)]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


class SiteConfig(Section):
    profile: str = "aliexpress"
    base_url: BaseUrl = "https://www.aliexpress.com"
    login_url: HttpStr = "https://login.aliexpress.com/"
    api_base_url: OptionalBaseUrl = ""
    locale: str = ""

    @property
    def api_base(self) -> str:
        """Where the JSON API lives: api_base_url, or base_url when that is empty."""
        return self.api_base_url or self.base_url


class AccountConfig(Section):
    email: str = ""
    password_env: str = "BUYER_AGENT_PASSWORD"
    keyring_service: str = ""
    otp_command: str = ""




class SiteOverrides(Section):
    """[accounts.<name>.site]: what differs from [site] for this account (unset keys: [site]'s)."""

    profile: str | None = None
    base_url: BaseUrl | None = None
    login_url: HttpStr | None = None
    api_base_url: OptionalBaseUrl | None = None
    locale: str | None = None


class NamedAccountConfig(AccountConfig):
    """One of several accounts: [accounts.<name>] (the [account] keys, a locale, site overrides)."""

    locale: str = ""
    site: SiteOverrides = Field(default_factory=SiteOverrides)

    def login(self) -> AccountConfig:
        return AccountConfig(**self.model_dump(include=set(AccountConfig.model_fields)))

    def site_for(self, site: SiteConfig) -> SiteConfig:
        update = {k: v for k, v in self.site.model_dump().items() if v is not None}
        if self.locale:
            update["locale"] = self.locale
        return site.model_copy(update=update)


class BrowserConfig(Section):
    headless: bool = True
    executable_path: str = ""
    remote_endpoint: str = ""
    remote_protocol: Literal["cdp", "playwright"] = "cdp"
    slow_mo_ms: int = Field(0, ge=0)
    timeout_ms: int = Field(15000, gt=0)
    navigation_timeout_ms: int = Field(30000, gt=0)
    block_resources: bool = True
    trace: Literal["off", "on_failure", "always"] = "on_failure"

    @field_validator("remote_endpoint")
    @classmethod
    def _endpoint_scheme(cls, value: str) -> str:
        if value and not re.match(r"^(wss?|https?)://\S+$", value):
            raise ValueError("must start with ws://, wss://, http:// or https://")
        return value


class ApiConfig(Section):
    """The site's signed JSON API (MTOP), read through the browser context's cookies (agent.api)."""

    enabled: bool = True
    app_key: str = "12574478"
    min_interval_ms: int = Field(400, ge=0)
    jitter_ms: int = Field(200, ge=0)
    captcha_cooldown_minutes: int = Field(30, ge=0)
    traffic_backoff_ms: int = Field(2000, ge=0)
    traffic_backoff_max_ms: int = Field(60000, ge=0)
    traffic_tries: int = Field(3, ge=1)
    token_rounds: int = Field(3, ge=1)
    timeout_ms: int = Field(15000, gt=0)


class StorageConfig(Section):
    database: Path = Path("buyer-agent.db")
    evidence_dir: Path = Path("evidence")
    state_dir: Path = Path(".buyer-agent")
    keep_days: int = Field(180, ge=1)
    evidence_max_mb: int = Field(0, ge=0)

    def resolved(self, base: Path) -> StorageConfig:
        """Relative paths anchored at `base` (the config file's folder, or the cwd without a file)."""
        paths = {k: v for k, v in self.model_dump().items() if isinstance(v, Path)}
        fix = {k: (base / v.expanduser()).resolve() for k, v in paths.items()}
        return self.model_copy(update=fix)


REFUND_BUSINESS_DAYS = {"card": 20, "paypal": 5, "wallet": 3, "other": 20}


def _with_default_refund_days(value: Any) -> Any:
    # A partial table (only `card = 10`) keeps the other kinds' defaults.
    return {**REFUND_BUSINESS_DAYS, **value} if isinstance(value, dict) else value


class PolicyConfig(Section):
    seller_response_hours: int = Field(48, ge=1)
    dispute_window_days: int = Field(90, ge=1)
    dispute_warning_days: int = Field(5, ge=0)
    allowed_statuses: list[OrderStatus] = Field(
        default_factory=lambda: [
            OrderStatus.AWAITING_PAYMENT,
            OrderStatus.PAYMENT_VERIFYING,
            OrderStatus.AWAITING_SHIPMENT,
        ]
    )
    amount_cap: Decimal | None = Field(None, ge=0)
    reason_match_threshold: int = Field(80, ge=0, le=100)
    fallback_other: bool = False
    auto_dispute: bool = False
    refund_business_days: dict[str, Annotated[int, Field(ge=0)]] = Field(
        default_factory=lambda: dict(REFUND_BUSINESS_DAYS)
    )
    max_retries: int = Field(3, ge=0)
    unanswered_click_hours: float = Field(24, gt=0)
    auto_escalate: bool = False
    escalate_seller_after_hours: float = Field(24, ge=0)
    escalate_support_after_hours: float = Field(72, gt=0)

    _merge_refund_days = field_validator("refund_business_days", mode="before")(_with_default_refund_days)

    @field_validator("amount_cap", mode="before")
    @classmethod
    def _empty_cap_is_none(cls, value: Any) -> Any:
        return None if value in ("", "none", "None") else value

    @field_validator("escalate_support_after_hours")
    @classmethod
    def _support_after_seller(cls, value: float, info: Any) -> float:
        seller = info.data.get("escalate_seller_after_hours")  # validated first (declared first)
        if seller is not None and value <= seller:
            raise ValueError(
                f"must be more than escalate_seller_after_hours ({seller:g}): the seller gets the hours "
                "between them to answer"
            )
        return value


class ScheduleConfig(Section):
    sweep_cron: str = "0 3 * * *"
    timezone: str = "UTC"
    misfire_grace_seconds: int = Field(3600, ge=0)
    recheck_after_deadline_minutes: int = Field(30, ge=0)
    dispute_recheck_days_before: int = Field(3, ge=0)
    drift_check: bool = True
    # > 0: sweep every that many seconds instead of on sweep_cron (tests, advanced users); 0: sweep_cron.
    sweep_every_seconds: int = Field(0, ge=0)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name like 'Europe/Berlin')") from None
        return value

    @field_validator("sweep_cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(value)
        except ValueError as exc:
            raise ValueError(f"not a 5-field crontab expression: {exc}") from None
        return value


class NotifyConfig(Section):
    urls: list[str] = Field(default_factory=list)
    events: list[str] = Field(default_factory=lambda: list(NOTIFY_EVENTS))
    summary: bool = True
    attempts: int = Field(3, ge=1)

    @field_validator("events")
    @classmethod
    def _known_events(cls, value: list[str]) -> list[str]:
        unknown = [e for e in value if e not in NOTIFY_EVENTS]
        if unknown:
            raise ValueError(f"unknown event(s) {', '.join(unknown)}; known: {', '.join(NOTIFY_EVENTS)}")
        return value


class Config(Section):
    default_account: str = ""
    site: SiteConfig = Field(default_factory=SiteConfig)
    account: AccountConfig = Field(default_factory=AccountConfig)
    accounts: dict[str, NamedAccountConfig] = Field(default_factory=dict)
    browser: BrowserConfig = Field(default_factory=BrowserConfig)
    api: ApiConfig = Field(default_factory=ApiConfig)
    storage: StorageConfig = Field(default_factory=StorageConfig)
    policy: PolicyConfig = Field(default_factory=PolicyConfig)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    notify: NotifyConfig = Field(default_factory=NotifyConfig)
    _account_name: str = PrivateAttr(DEFAULT_ACCOUNT)

    @property
    def account_name(self) -> str:
        """The account these settings are for ("default" unless `for_account` chose another)."""
        return self._account_name

    def account_names(self) -> list[str]:
        """Every configured account: the [accounts.*] tables, plus "default" for a given [account]
        (or for a file with neither)."""
        from agent import accounts

        return accounts.names(self)

    def for_account(self, name: str | None) -> Config:
        """The effective settings of one account (agent.accounts.effective); UsageError (exit 2) for an
        unknown name, or for none when several accounts exist and default_account is empty."""
        from agent import accounts

        chosen = accounts.pick(self, name)
        out = accounts.effective(self, chosen)
        out._account_name = chosen
        return out

    def password(self) -> str:
        """The account password: $<account.password_env>, else the OS keyring. Never stored on self."""
        value = os.environ.get(self.account.password_env, "")
        if value:
            return value
        if self.account.keyring_service:
            return _keyring_password(self.account.keyring_service, self.account.email)
        raise CredentialsMissing(
            f"no password: set ${self.account.password_env} or account.keyring_service (with account.email)"
        )

    def public_dump(self, mode: Literal["json", "python"] = "json") -> dict[str, Any]:
        """Settings with every secret masked (agent.masking: secret-named keys such as otp_command,
        notify URLs through apprise's privacy mode, URL passwords), for `config show`."""
        return mask_settings(self.model_dump(mode=mode))


def _keyring_password(service: str, email: str) -> str:
    if not email:
        raise CredentialsMissing("account.keyring_service is set but account.email is empty")
    import keyring
    from keyring.errors import KeyringError

    try:
        value = keyring.get_password(service, email)
    except KeyringError as exc:
        raise CredentialsMissing(f"keyring {service!r} unavailable: {exc}") from None
    if not value:
        raise CredentialsMissing(f"no password in keyring {service!r} for {email}")
    return value
