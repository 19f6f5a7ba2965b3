"""CLI commands, one module per area; importing a module registers its commands on `agent.cli.cli`.

demo: the demo story · orders: login, orders, show, cancel · jobs: sweep, schedule, dispute, report,
notify · fixtures: record, selectors check · escalate: message · maintenance: prune · doctor · mcp: the
MCP server.
"""

from agent.commands import demo, doctor, escalate, fixtures, jobs, maintenance, mcp, orders  # noqa: F401
