"""The site's internal JSON API (MTOP) as its own pages call it: one client layer for every read.

    reader = ApiReader(make_client(config, context, time_zone="GMT-3"), pack, locale)
    reader.orders(tab="processing", time_option="6m")    # -> list[Order] (every page)
    reader.detail(order_id, now)                          # -> OrderDetail (by tradeOrderId)
    reader.counts()                                        # -> {"all": 44, ...}
    reader.refunds({order_id})                             # -> {order_id: [RefundLine, ...]}

Modules: `protocol` (signature, codes, transport parameters), `client` (one signed call: token rotation,
back-off, cooldown, errors), `pacing` (one call in flight per account, interval, cooldown file),
`ultron` (the component graph), one parser per source (`order_list`, `order_detail`, `reverse`) and
`calls` (the reads). Errors: SessionExpired, CaptchaCooldown (a NeedsHuman), ApiRefused (a SiteError:
read the screen instead).
"""

from __future__ import annotations

from playwright.sync_api import BrowserContext

from agent.api.calls import ApiReader, refund_amount, refund_state
from agent.api.client import MtopClient, PlaywrightTransport, Transport
from agent.api.pacing import AccountGate, Cooldown, check_cooldown
from agent.config import Config

__all__ = [
    "AccountGate",
    "ApiReader",
    "Cooldown",
    "MtopClient",
    "PlaywrightTransport",
    "Transport",
    "check_cooldown",
    "make_client",
    "refund_amount",
    "refund_state",
]


def make_client(
    config: Config, transport: Transport | BrowserContext, time_zone: str = "GMT+0"
) -> MtopClient:
    """A client for the configured account and API base URL, over a browser context (or a transport)."""
    if isinstance(transport, BrowserContext):
        transport = PlaywrightTransport(transport)
    state_dir, account = config.storage.state_dir, config.account.email
    api = config.api
    return MtopClient(
        transport=transport,
        settings=api,
        api_base=config.site.api_base,
        site_origin=config.site.base_url,
        gate=AccountGate(state_dir, account, api.min_interval_ms, api.jitter_ms),
        cooldown=Cooldown(state_dir, account),
        time_zone=time_zone,
    )
