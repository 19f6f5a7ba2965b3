"""`buyer-agent mcp`: serve the agent's tools to an AI assistant over the Model Context Protocol."""

from __future__ import annotations

from agent.cli import App, cli, command


@command(cli)
def mcp(app: App) -> None:
    """Serve list_orders, show_order, report, sweep, cancel_preview and cancel over MCP (stdio)."""
    from agent.mcp_server import build_server  # the `mcp` SDK loads only for this command

    build_server(app.config).run("stdio")
