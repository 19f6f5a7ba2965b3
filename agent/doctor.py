"""`buyer-agent doctor`: every part an unattended install relies on, one check each — ok, warn (it works,
but look) or fail (it will not work), each not-ok with the fix. Read-only: nothing is created, migrated,
logged in, submitted or sent; the database is opened read-only, the lock only tested, the notify URLs
only parsed, the session only used to open My Orders, the API asked one signed read of it.

Checks, in order: config, password (its source, never its value), database (integrity_check, schema
version), sweep lock, anti-bot cooldown, notify URLs; then, unless `quick`, the browser (found and
launches), the saved session (My Orders opens with it), the API (one signed read), and the selector pack
on the shipped recordings (drift). A config that does not load stops there: nothing else can be judged.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel

from agent.config import Config
from agent.config_file import config_file, load_config
from agent.errors import AgentError, ConfigError, CredentialsMissing, NeedsHuman, SessionExpired, UsageError

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext

    from agent.browser import BrowserSession
    from agent.packs import Pack

__all__ = ["Check", "default_fixtures", "run_checks"]

Status = Literal["ok", "warn", "fail"]
LONG_SWEEP_S = 6 * 3600  # a sweep holding the lock longer than this is worth a look


class Check(BaseModel):
    name: str
    status: Status
    detail: str
    fix: str = ""


def ok(name: str, detail: str) -> Check:
    return Check(name=name, status="ok", detail=detail)


def warn(name: str, detail: str, fix: str) -> Check:
    return Check(name=name, status="warn", detail=detail, fix=fix)


def fail(name: str, detail: str, fix: str) -> Check:
    return Check(name=name, status="fail", detail=detail, fix=fix)


def run_checks(
    config_path: str | None,
    *,
    account: str | None = None,
    quick: bool = False,
    fixtures: Path | None = None,
    browser: Browser | None = None,
) -> list[Check]:
    """Every check's result for `account` (`--account`; None: default_account, else the only one), in
    order. `browser`: reuse a running one instead of launching (tests)."""
    try:
        config = load_config(config_path).for_account(account)
    except ConfigError as exc:
        return [fail("config", str(exc), "fix that key (`buyer-agent config show` prints what loads)")]
    except UsageError as exc:
        return [fail("config", str(exc), "give --account NAME, or set default_account")]
    source = config_file(config_path)
    start = "cp config.example.toml buyer-agent.toml, then edit it"
    checks = [ok("config", f"{source} loads") if source else warn("config", "no file: the defaults", start)]
    for check in (check_password, check_database, check_lock, check_cooldown, check_notify):
        checks.append(check(config))
    if not quick:
        checks += browser_checks(config, fixtures or default_fixtures(config), browser)
    return checks


# ---------------------------------------------------------------- without a browser


def check_password(config: Config) -> Check:
    account = config.account
    if not account.email:
        return fail("password", "account.email is empty", "set account.email in the config")
    try:
        config.password()  # the value is never kept, printed or logged
    except CredentialsMissing as exc:
        return fail(
            "password",
            str(exc),
            f"set ${account.password_env} (a service: in its env file) or account.keyring_service",
        )
    if os.environ.get(account.password_env):
        return ok("password", f"${account.password_env} is set")
    return ok("password", f"in the OS keyring ({account.keyring_service})")


def check_database(config: Config) -> Check:
    import sqlite3

    from agent.store import SCHEMA_VERSION
    from agent.store.health import database_health

    path = config.storage.database
    if not path.exists():
        return warn("database", f"no database yet at {path}", "buyer-agent db migrate (any run creates it)")
    try:
        integrity, version = database_health(path)
    except sqlite3.Error as exc:
        return fail("database", f"{path}: {exc}", "check the file and its folder's permissions")
    if integrity != "ok":
        return fail(
            "database", f"integrity_check: {integrity}", f"restore a backup, or sqlite3 {path} .recover"
        )
    if version > SCHEMA_VERSION:
        return fail("database", f"schema v{version}, newer than this buyer-agent (v{SCHEMA_VERSION})",
                    "upgrade buyer-agent")  # fmt: skip
    if version < SCHEMA_VERSION:
        return warn(
            "database", f"schema v{version}, this buyer-agent has v{SCHEMA_VERSION}", "buyer-agent db migrate"
        )
    return ok("database", f"integrity ok, schema v{version} (current)")


def check_lock(config: Config) -> Check:
    from jobs.lock import lock_path, lock_status

    database, account = config.storage.database, config.account_name
    state, holder, age = lock_status(database, account)
    if state == "stale":
        tidy = f"harmless (the next sweep takes it); rm {lock_path(database, account)}"
        return warn("sweep lock", f"stale: {holder} ended without releasing it", tidy)
    if state == "held" and age > LONG_SWEEP_S:
        pid = holder.removeprefix("pid ").split(",")[0]
        return warn("sweep lock", f"held for {age / 3600:.0f} h by {holder}", f"stuck? kill {pid}")
    return ok("sweep lock", f"a sweep is running ({holder})" if state == "held" else "free")


def check_cooldown(config: Config, now: Callable[[], dt.datetime] | None = None) -> Check:
    from agent.api.pacing import Cooldown

    running = Cooldown(config.storage.state_dir, config.account.email, now).until()
    if running is None:
        return ok("cooldown", "no anti-bot cooldown")
    until, code = running
    when = f"{until.astimezone():%Y-%m-%d %H:%M}"
    return warn("cooldown", f"anti-bot verdict {code}: no automated call until {when}",
                "wait for it, or solve the challenge: buyer-agent login --headed")  # fmt: skip


def check_notify(config: Config) -> Check:
    import warnings

    from agent.masking import mask_notify_url, quiet_apprise

    urls = config.notify.urls
    if not urls:
        return ok("notify", "no [notify] urls: nothing is sent")
    with warnings.catch_warnings():  # apprise's plugins import the deprecated imghdr on 3.11
        warnings.simplefilter("ignore", DeprecationWarning)
        import apprise

        with quiet_apprise():
            bad = [mask_notify_url(url) for url in urls if not apprise.Apprise().add(url)]
    if bad:
        return fail("notify", f"apprise cannot parse {', '.join(bad)}",
                    "fix the URL (apprise's URL docs), then buyer-agent notify --test")  # fmt: skip
    return ok("notify", f"{len(urls)} URL(s) parse")


# ---------------------------------------------------------------- with a browser


def default_fixtures(config: Config) -> Path:
    """The shipped recordings of the configured profile: in the wheel, else the source tree."""
    package = Path(__file__).resolve().parent
    shipped = package / "_fixtures" / config.site.profile
    return shipped if shipped.exists() else package.parent / "fixtures" / config.site.profile


def browser_checks(config: Config, fixtures: Path, browser: Browser | None) -> list[Check]:
    from agent.browser import BrowserSession
    from agent.errors import BrowserUnavailable
    from agent.packs import load_pack

    storage = config.storage
    try:
        with BrowserSession(config.browser, storage.state_dir, storage.evidence_dir, browser) as session:
            pack = load_pack(config.site.profile)
            found = ok("browser", f"{session.browser.browser_type.name} {session.browser.version} launches")
            return [found, *site_checks(config, session, pack), check_drift(session.browser, pack, fixtures)]
    except BrowserUnavailable as exc:
        later = [
            warn(n, "not checked: no browser", "fix the browser first")
            for n in ("session", "api", "selectors")
        ]
        return [fail("browser", str(exc), "buyer-agent browser ensure (or: apt install chromium)"), *later]


def site_checks(config: Config, session: BrowserSession, pack: Pack) -> list[Check]:
    """The saved session opens My Orders; then one signed API read in that context."""
    from agent.pages import OrdersPage, Site

    if not session.state_path(config.account.email).exists():
        login = "buyer-agent login (the scheduler's first run logs in too)"
        return [warn("session", "no saved session", login), warn("api", "not checked: no session", login)]
    context = session.new_context(config.account.email, locale=config.site.locale or None)
    try:
        site = Site.create(context.new_page(), pack, config.site.base_url, locale=config.site.locale or None,
                           login_url=config.site.login_url, timeout_ms=config.browser.timeout_ms,
                           api_base_url=config.site.api_base)  # fmt: skip
        try:
            OrdersPage(site).open()
        except SessionExpired:
            relog = "buyer-agent login (the next run logs in again by itself)"
            return [
                warn("session", "the saved session has expired", relog),
                warn("api", "not checked", relog),
            ]
        except AgentError as exc:
            broken = fail("session", f"My Orders did not open: {exc}", "check [site]; buyer-agent -v orders")
            return [broken, warn("api", "not checked", "fix the session first")]
        return [
            ok("session", "valid: My Orders opens with it"),
            check_api(config, context, pack, site.locale),
        ]
    finally:
        context.close()


def check_api(config: Config, context: BrowserContext, pack: Pack, locale: str) -> Check:
    from agent.api import make_client
    from agent.api import protocol as mtop
    from agent.api.order_list import parse_list
    from agent.errors import ApiRefused

    if not config.api.enabled:
        return ok("api", "api.enabled = false: every read uses the screen")
    client = make_client(config, context)
    first = {"statusTab": "all", "renderType": "init", "clientPlatform": "pc", "timeZone": client.time_zone,
             "timeOption": "all"}  # fmt: skip
    try:
        page = parse_list(client.call(mtop.LIST, first, "GET"), pack, locale)
    except NeedsHuman as exc:
        return warn("api", str(exc), "wait for the cooldown, or buyer-agent login --headed")
    except (SessionExpired, ApiRefused) as exc:
        return warn("api", f"refused: {exc}", "reads fall back to the screen (slower); buyer-agent -v orders")
    return ok("api", f"a signed read answers ({len(page.orders)} order(s) on My Orders' first page)")


def check_drift(browser: Browser, pack: Pack, fixtures: Path) -> Check:
    from agent.recording.drift import check_fixtures
    from agent.recording.manifest import recordings

    found = recordings(fixtures)
    if not found:
        return warn("selectors", f"no recordings under {fixtures}", "buyer-agent doctor --fixtures DIR")
    report = check_fixtures(pack, browser, fixtures)
    missing = sorted({r.key for r in report.results if r.status == "missing"})
    late = sorted({r.key for r in report.results if r.status == "late"})
    if missing:
        return fail("selectors", f"resolve nowhere: {', '.join(missing)}",
                    "update selectors/aliexpress.toml (buyer-agent selectors check)")  # fmt: skip
    if late:
        return warn("selectors", f"on a late fallback: {', '.join(late)}", "buyer-agent selectors check")
    return ok("selectors", f"every key resolves on {len(found)} recording(s)")
