"""The `buyer-agent` command line: parse → config → call → print. Nothing else lives here.

Exit codes: 0 ok, 1 failure, 2 usage or config error, 3 needs a human, 4 not cancellable, 130 stopped by
SIGINT (Ctrl-C), 143 stopped by SIGTERM — at the next safe point, never between the journal's `submitting`
row and the site's answer to the click (agent.stopping); `schedule` lets its running job end, then exits 0.
Every AgentError becomes one line on stderr; any other exception too (its traceback goes to a log
file, or to the screen with --debug / BUYER_AGENT_DEBUG=1).

Adding a command is one small function; `app` gives the lazily loaded config and the store:

    @command(cli)
    @click.argument("order_id")
    def show(app: App, order_id: str) -> None:
        \"\"\"Show what the agent knows about one order.\"\"\"
        with app.store() as store:
            click.echo(store.get_request(order_id))
"""

from __future__ import annotations

import functools
import json
import logging
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from agent import __version__, stopping
from agent.errors import AgentError, UsageError

if TYPE_CHECKING:  # the config (pydantic) and the store (sqlite-utils) load on first use: `--help` stays fast
    from agent.config import Config
    from agent.store import Store

logger = logging.getLogger(__name__)
LOG_FILE = "buyer-agent.log"
LOG_MAX_BYTES = 1_000_000  # the log in the state folder rotates at this size …
LOG_BACKUPS = 3  # … keeping buyer-agent.log.1 … .3
EXIT_CODES_HELP = (
    "Exit codes: 0 ok, 1 failure, 2 usage/config error, 3 needs a human, 4 not cancellable, "
    "130/143 stopped by SIGINT/SIGTERM at a safe point (schedule: 0)."
)


@dataclass
class App:
    """What every command gets: options common to all commands, and the config loaded on first use."""

    config_path: str | None = None
    verbosity: int = 0
    debug: bool = False
    account: str | None = None  # --account NAME (None: default_account, else the only one)
    _config: Config | None = None
    _file_config: Config | None = None

    @property
    def config(self) -> Config:
        """The chosen account's effective settings (agent.config.Config.for_account)."""
        if self._config is None:
            self._config = self.file_config.for_account(self.account)
        return self._config

    @property
    def file_config(self) -> Config:
        """The settings as loaded, for every account."""
        if self._file_config is None:
            from agent.config_file import load_config

            self._file_config = load_config(self.config_path)
        return self._file_config

    def for_each_account(self, every: bool) -> list[App]:
        """`--all-accounts`: one App per configured account; else just this one."""
        if not every:
            return [self]
        if self.account:
            raise UsageError("give --account NAME or --all-accounts, not both")
        base = self.file_config
        return [App(config_path=self.config_path, verbosity=self.verbosity, debug=self.debug, account=name,
                    _config=base.for_account(name), _file_config=base)
                for name in base.account_names()]  # fmt: skip

    def store(self) -> Store:
        """The migrated store of the configured database, scoped to the chosen account; use it as a
        context manager."""
        from agent.store import Store

        return Store.open(self.config.storage.database, account=self.config.account_name)

    def log_file(self) -> Path:
        """Where tracebacks go: the state dir once a config loaded, else the temp dir."""
        folder = self._config.storage.state_dir if self._config else Path(tempfile.gettempdir())
        return folder / LOG_FILE


# ---------------------------------------------------------------- plumbing: options, errors, logging


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    # Options exist on the group and on each command; a value given at either level wins over a default.
    app = ctx.ensure_object(App)
    if param.name == "config_path" and value:
        app.config_path = value
    elif param.name == "verbosity":
        app.verbosity += value
    elif param.name == "debug" and value:
        app.debug = True
    elif param.name == "account" and value:
        app.account = value
    return value


ALL_ACCOUNTS = click.option("--all-accounts", "all_accounts", is_flag=True,
                            help="Do it for every configured account in turn.")  # fmt: skip


def _common_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    opts = [
        click.option("--config", "config_path", metavar="PATH", expose_value=False, callback=_remember,
                     help="Settings file (default: $BUYER_AGENT_CONFIG, else ./buyer-agent.toml)."),
        click.option("-v", "--verbose", "verbosity", count=True, expose_value=False, callback=_remember,
                     help="More log output on stderr (-v info, -vv debug, -vvv libraries too)."),
        click.option("--debug", is_flag=True, envvar="BUYER_AGENT_DEBUG", expose_value=False,
                     callback=_remember, help="Show tracebacks of unexpected errors."),
        click.option("--account", "account", metavar="NAME", envvar="BUYER_AGENT_ACCOUNT", expose_value=False,
                     callback=_remember, help="Which configured account ([accounts.NAME]; default: "
                     "default_account, else the only one)."),
    ]  # fmt: skip
    for opt in reversed(opts):
        fn = opt(fn)
    return fn


class _RichOnFirstRecord(logging.Handler):
    """rich's handler on stderr, built when the first record comes: a command that logs nothing never
    imports rich (it costs a fast command like `db path` a third of its time)."""

    _buyer_agent = True

    def __init__(self) -> None:
        super().__init__()
        self._rich: logging.Handler | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self._rich is None:
            from rich.console import Console
            from rich.logging import RichHandler

            self._rich = RichHandler(console=Console(stderr=True), show_time=False, show_path=False)
        self._rich.handle(record)


def _configure_logging(verbosity: int) -> None:
    level = logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_buyer_agent", False)]:
        root.removeHandler(old)  # invoked again in the same process (tests): replace, don't stack
    root.addHandler(_RichOnFirstRecord())
    root.setLevel(logging.DEBUG if verbosity >= 3 else logging.WARNING)  # other libraries: -vvv
    for ours in ("agent", "jobs"):
        logging.getLogger(ours).setLevel(level)


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def _unexpected(app: App, exc: Exception) -> None:
    """A bug, not a user error: one line, the traceback to the log file (or the screen with --debug)."""
    if app.debug:
        traceback.print_exception(exc)
        return
    where = app.log_file()
    try:
        where.parent.mkdir(parents=True, exist_ok=True)
        append_log(where, "".join(traceback.format_exception(exc)))
        hint = f"traceback in {where}"
    except OSError:
        hint = "could not write the log"
    click.echo(
        f"error: unexpected {type(exc).__name__}: {_one_line(exc)} ({hint}; --debug shows it)", err=True
    )


def append_log(where: Path, text: str) -> None:
    """Append to the log file, rotating it first (RotatingFileHandler's rule) when `text` would take it
    over LOG_MAX_BYTES: an unattended install never fills its disk with tracebacks."""
    from logging.handlers import RotatingFileHandler

    rotating = RotatingFileHandler(where, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8")
    try:
        if rotating.shouldRollover(logging.makeLogRecord({"msg": text.rstrip("\n")})):
            rotating.doRollover()
    finally:
        rotating.close()
    with where.open("a", encoding="utf-8") as log:
        log.write(text)


class AgentGroup(click.Group):
    """A group that turns exceptions into one line and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        app = ctx.ensure_object(App)  # before subcommands' contexts exist, so they share it
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except AgentError as exc:
            click.echo(f"error: {_one_line(exc)}", err=True)
            ctx.exit(exc.exit_code)
        except Exception as exc:
            _unexpected(app, exc)
            ctx.exit(1)


def command(parent: click.Group, name: str | None = None, **kwargs: Any) -> Callable[..., click.Command]:
    """Register `fn(app, **options)` as a command of `parent`, with --config/-v/--debug added."""

    def decorate(fn: Callable[..., Any]) -> click.Command:
        @functools.wraps(fn)
        def run(*args: Any, **options: Any) -> Any:
            app = click.get_current_context().ensure_object(App)
            _configure_logging(app.verbosity)
            with stopping.handling():  # SIGTERM/SIGINT: stop at a safe point, exit 143/130
                try:
                    result = fn(app, *args, **options)
                except SystemExit:
                    stopping.check()  # a stop asked for while it finished: its code, not the command's
                    raise
                stopping.check()
                return result

        return parent.command(name, **kwargs)(_common_options(run))

    return decorate


def group(parent: click.Group, name: str, help: str) -> click.Group:
    return parent.group(name, cls=AgentGroup, help=help)(lambda: None)


@click.group(cls=AgentGroup, epilog=EXIT_CODES_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="buyer-agent")
@_common_options
def cli() -> None:
    """Cancel your own AliExpress orders safely, watch the outcome, flag disputes."""


def main() -> None:
    """Console-script entry point (`buyer-agent`)."""
    cli.main(prog_name="buyer-agent")


# ---------------------------------------------------------------- commands


@command(cli)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535), help="TCP port.")
@click.option("--scenario", metavar="NAME", help="Shop scenario (layout/locale switches) to start with.")
def shop(app: App, host: str, port: int, scenario: str | None) -> None:
    """Run the fixture shop: an AliExpress-like site for demos and tests."""
    from agent.shop.server import serve  # heavy (uvicorn, starlette): only for this command

    extra = {"scenario": scenario} if scenario else {}
    serve(host=host, port=port, **extra)


browser = group(cli, "browser", help="The Chromium the agent drives.")


@command(browser, "ensure")
def browser_ensure(app: App) -> None:
    """Find (or install) a Chromium and print which one will be used."""
    from agent.browser_setup import resolve_chromium

    path = resolve_chromium(configured=app.file_config.browser.executable_path or None, install=True)
    click.echo(f"browser: {path}" if path else "browser: Playwright's own Chromium")


config_group = group(cli, "config", help="Inspect settings.")


@command(config_group, "show")
@click.option("--format", "fmt", type=click.Choice(["toml", "json"]), default="toml", show_default=True)
def config_show(app: App, fmt: str) -> None:
    """Print the effective settings (file + environment + defaults). Secrets are never shown."""
    from agent.config_file import config_file, to_toml

    cfg = app.config if app.account else app.file_config  # with --account: that account's own settings
    if fmt == "json":
        click.echo(json.dumps(cfg.public_dump(), indent=2))
        return
    source = config_file(app.config_path)
    click.echo(f"# effective settings from {source or 'built-in defaults'} and BUYER_AGENT_* overrides")
    click.echo(to_toml(cfg))


db = group(cli, "db", help="The SQLite database.")


@command(db, "migrate")
def db_migrate(app: App) -> None:
    """Create the database or bring its schema up to date."""
    from agent.store import Store

    with Store.open(app.file_config.storage.database) as store:  # one database for every account
        click.echo(f"{store.path}: schema v{store.version}")


@command(db, "path")
def db_path(app: App) -> None:
    """Print where the database is."""
    click.echo(str(app.file_config.storage.database))


# ---------------------------------------------------------------- commands to add next
# Each is one small function above this line's pattern: parse options, call the flow, print.
#   login [--headed]          agent.flows.login
#   orders [--status S]       agent.flows.orders (list + upsert into the store)
#   show ORDER_ID             store.get_request / events_for
#   cancel ORDER_ID... [--reason K] [--dry-run] [--fallback-other]   agent.flows.cancel
#   sweep / schedule          jobs
#   dispute ORDER_ID          agent.flows.dispute
#   report / notify           jobs.notify
#   record / selectors / demo


from agent import commands  # noqa: E402,F401  (registers the commands of agent/commands/ on `cli`)
