"""CLI commands, one module per area; importing a module registers its commands on `agent.cli.cli`."""

from agent.commands import orders  # noqa: F401  (login, orders, show, cancel)
