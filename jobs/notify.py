"""Notifications through apprise (e-mail, Telegram, Slack, ntfy, webhooks … by URL in `[notify]`).

One message per meaningful transition, never twice: each message is journalled as a `notified` event
(naming the `request_state` event it is about) BEFORE it is sent — at most once, even across a crash —
and only transitions without such an event are sent. A failure to notify is logged and recorded as a
`notify_failed` event; it never fails the sweep.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable

from agent.config import NotifyConfig
from agent.masking import mask_notify_url, quiet_apprise
from agent.models import Event
from agent.store import Store

__all__ = ["Notifier", "event_name", "notify_transitions", "send_summary"]

logger = logging.getLogger(__name__)

# request_state.state_to → the [notify] event name (refund_overdue is a dispute_flagged with that code)
EVENT_FOR_STATE = {
    "cancelled": "cancelled",
    "accepted": "accepted",
    "rejected": "rejected",
    "stalled": "stalled",
    "dispute_flagged": "dispute_flagged",
    "dispute_opened": "dispute_opened",
    "needs_human": "needs_human",
}
Send = Callable[[str, str], bool]  # (title, body) → delivered everywhere


class Notifier:
    """Sends to every configured apprise URL; `send` never raises."""

    def __init__(self, config: NotifyConfig) -> None:
        self.config = config

    @property
    def enabled(self) -> bool:
        return bool(self.config.urls)

    def send(self, title: str, body: str) -> bool:
        if not self.enabled:
            return False
        try:
            with warnings.catch_warnings():  # apprise's plugins import the deprecated imghdr on 3.11
                warnings.simplefilter("ignore", DeprecationWarning)
                import apprise  # heavy: loaded only when something is sent

                hub = apprise.Apprise()
                for url in self.config.urls:
                    with quiet_apprise():  # it would log a URL it cannot parse, secrets half-masked
                        added = hub.add(url)
                    if not added:
                        logger.warning("notify: apprise does not understand a configured URL (%s)",
                                       mask_notify_url(url))  # fmt: skip
                return bool(hub.notify(title=title, body=body))
        except Exception as exc:  # noqa: BLE001 - a notification must never stop the agent
            logger.warning("notify: sending failed: %s", exc)
            return False


def event_name(event: Event) -> str | None:
    """The [notify] event a `request_state` event stands for, or None when it is not worth a message."""
    if event.kind != "request_state" or event.state_to is None:
        return None
    if event.state_to == "dispute_flagged" and event.detail.get("code") == "refund_overdue":
        return "refund_overdue"
    return EVENT_FOR_STATE.get(event.state_to)


def notify_transitions(store: Store, notifier: Notifier, run_id: int | None = None) -> int:
    """Send one message for every meaningful transition not yet notified; returns how many were sent."""
    if not notifier.enabled:
        return 0
    done = {e.detail.get("event_id") for e in store.events(kind="notified")}
    wanted = set(notifier.config.events)
    sent = 0
    for event in store.events(kind="request_state"):
        name = event_name(event)
        if name is None or name not in wanted or event.id in done:
            continue
        store.add_event(
            "notified", order_id=event.order_id, run_id=run_id, detail={"event_id": event.id, "event": name}
        )
        title, body = _message(store, event, name)
        if notifier.send(title, body):
            sent += 1
        else:
            store.add_event(
                "notify_failed",
                order_id=event.order_id,
                run_id=run_id,
                detail={"event_id": event.id, "event": name},
            )
    return sent


def _message(store: Store, event: Event, name: str) -> tuple[str, str]:
    order = store.get_order(event.order_id or "") or {}
    store_name = str(order.get("store_name") or "")
    title = f"buyer-agent{_named(store.account)}: order {event.order_id} {name.replace('_', ' ')}"
    lines = [
        f"Order {event.order_id}" + (f" ({store_name})" if store_name else "") + f", account {store.account}",
        f"{event.state_from or '-'} → {event.state_to}",
    ]
    reason = event.detail.get("reason")
    if reason:
        lines.append(str(reason))
    request = store.get_request(event.order_id or "")
    if request and request.flagged_reason and name in ("dispute_flagged", "refund_overdue", "stalled"):
        deadline = request.dispute_deadline
        lines.append(f"Next: open a dispute (buyer-agent dispute {event.order_id}) before {deadline}")
    return title, "\n".join(lines)


def send_summary(
    notifier: Notifier, checked: int, transitions: list[tuple[str, str, str]], errors: int, account: str = ""
) -> bool:
    """One message after a scheduled sweep: what changed (order, from, to) and how many failed."""
    if not notifier.enabled or not notifier.config.summary:
        return False
    lines = [f"Checked {checked} request(s); {len(transitions)} change(s); {errors} error(s)."]
    lines += [f"- {order}: {a} → {b}" for order, a, b in transitions[:50]]
    return notifier.send(f"buyer-agent{_named(account)}: sweep summary", "\n".join(lines))


def _named(account: str) -> str:
    """The account in a title: " (reseller)"; nothing for the one account of a one-account setup."""
    return f" ({account})" if account and account != "default" else ""
