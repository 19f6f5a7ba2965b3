"""CLI commands, one module per area; importing a module registers its commands on `agent.cli.cli`."""

from agent.commands import demo, orders  # noqa: F401  (demo; login, orders, show, cancel)
from agent.commands import jobs  # noqa: F401  (sweep, schedule, dispute, report, notify)
from agent.commands import fixtures  # noqa: F401  (record, selectors check)
