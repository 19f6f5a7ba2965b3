"""Notifications through apprise (e-mail, Telegram, Slack, ntfy, webhooks … by URL in `[notify]`).

One message per meaningful transition and URL, never twice: before a message is sent to some URLs a
`notified` event is journalled (naming the `request_state` event it is about and the URLs, by a short
hash, it goes to) — at most once, even across a crash. Each URL is tried `notify.attempts` times with
exponential backoff (stamina); the URLs that still failed are recorded in a `notify_failed` event and stay
**pending**: the next pass (the next sweep) sends to those, and only those, again. A `notified` claim
with no outcome after it (a crash mid-send) is never resent: it may have been delivered. A failure is
logged, never fatal.

Pending lives in the events table rather than in a table of its own: the journal is append-only and
already holds the claim, so "pending" is simply "the last word about this (transition, URL) is a
failure", and the audit trail shows every attempt.
"""

from __future__ import annotations

import hashlib
import logging
import warnings
from collections.abc import Callable, Iterable

from agent.config import NotifyConfig
from agent.masking import mask_notify_url, quiet_apprise
from agent.models import Event
from agent.statuses import DEFAULT_ACCOUNT
from agent.store import Store

__all__ = ["Notifier", "event_name", "notify_transitions", "pending_targets", "send_summary", "target_id"]

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
WAIT_INITIAL_S = 1.0  # first backoff; doubles per try, with jitter, up to WAIT_MAX_S
WAIT_MAX_S = 30.0


class DeliveryFailed(Exception):
    """apprise reported that one URL did not take the message (retried)."""


def target_id(url: str) -> str:
    """A short, stable name for a URL in the journal (the URL itself may hold a token)."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:12]


class Notifier:
    """Sends to every configured apprise URL, each with retries; `send`/`deliver` never raise."""

    def __init__(self, config: NotifyConfig) -> None:
        self.config = config

    @property
    def enabled(self) -> bool:
        return bool(self.config.urls)

    @property
    def targets(self) -> dict[str, str]:
        """{target id: URL} of every configured URL."""
        return {target_id(url): url for url in self.config.urls}

    def send(self, title: str, body: str) -> bool:
        """Send to every URL; True when every one took it."""
        return self.enabled and not self.deliver(title, body, list(self.targets))

    def deliver(self, title: str, body: str, targets: Iterable[str]) -> list[str]:
        """Send to the URLs named (by target id); returns the ids of those that still failed."""
        urls = self.targets
        return [t for t in targets if t in urls and not self._send_one(urls[t], title, body)]

    def _send_one(self, url: str, title: str, body: str) -> bool:
        from agent.retry import retry_context

        try:
            for attempt in retry_context(DeliveryFailed, self.config.attempts, WAIT_INITIAL_S, WAIT_MAX_S):
                with attempt:
                    _post(url, title, body)
        except DeliveryFailed:
            logger.warning("notify: %s did not take the message after %d tries",
                           mask_notify_url(url), self.config.attempts)  # fmt: skip
            return False
        except Exception as exc:  # noqa: BLE001 - a notification must never stop the agent
            logger.warning("notify: sending failed: %s", exc)
            return False
        return True


def _post(url: str, title: str, body: str) -> None:
    """One try through apprise; DeliveryFailed when it reports a failure (ValueError: an unusable URL)."""
    with warnings.catch_warnings():  # apprise's plugins import the deprecated imghdr on 3.11
        warnings.simplefilter("ignore", DeprecationWarning)
        import apprise  # heavy: loaded only when something is sent

        hub = apprise.Apprise()
        with quiet_apprise():  # it would log a URL it cannot parse, secrets half-masked
            added = hub.add(url)
        if not added:
            raise ValueError(f"apprise does not understand a configured URL ({mask_notify_url(url)})")
        if not hub.notify(title=title, body=body):
            raise DeliveryFailed(mask_notify_url(url))


def event_name(event: Event) -> str | None:
    """The [notify] event a `request_state` event stands for, or None when it is not worth a message."""
    if event.kind != "request_state" or event.state_to is None:
        return None
    if event.state_to == "dispute_flagged" and event.detail.get("code") == "refund_overdue":
        return "refund_overdue"
    return EVENT_FOR_STATE.get(event.state_to)


def notify_transitions(store: Store, notifier: Notifier, run_id: int | None = None) -> int:
    """Send every meaningful transition not yet notified, and every pending one to the URLs that failed
    before; returns how many transitions reached at least one URL in this pass. A URL that failed all its
    tries is not tried again in the same pass: its other messages wait, pending, for the next one (a dead
    webhook costs one round of backoff per sweep, not one per message)."""
    if not notifier.enabled:
        return 0
    state = pending_targets(store)
    wanted = set(notifier.config.events)
    targets = notifier.targets  # hashed once per pass, not once per event and target
    down: set[str] = set()
    sent = 0
    for event in store.events(kind="request_state"):
        name = event_name(event)
        if name is None or name not in wanted:
            continue
        due = [t for t in state.get(event.id, list(targets)) if t in targets]
        if due:
            sent += _notify(store, notifier, event, name, due, down, run_id, known=event.id in state)
    return sent


def _notify(
    store: Store, notifier: Notifier, event: Event, name: str, due: list[str], down: set[str],
    run_id: int | None, known: bool,
) -> int:  # fmt: skip
    """One transition to the URLs `due` (those not `down`); journals the claim and what is left pending."""
    now = [t for t in due if t not in down]
    skipped = [t for t in due if t in down]
    about = {"event_id": event.id, "event": name}
    failed: list[str] = []
    if now:
        store.add_event("notified", order_id=event.order_id, run_id=run_id, detail={**about, "targets": now})
        title, body = _message(store, event, name)
        failed = notifier.deliver(title, body, now)
        down.update(failed)
    waiting = failed + skipped
    if waiting and (now or not known):  # already pending and untouched: nothing new to record
        store.add_event("notify_failed", order_id=event.order_id, run_id=run_id,
                        detail={**about, "targets": waiting})  # fmt: skip
    return int(len(failed) < len(now))


def pending_targets(store: Store) -> dict[int, list[str]]:
    """{request_state event id: target ids still to send to} for every transition already claimed:
    empty after a claim (sent, or possibly sent), the failed ones after a `notify_failed`."""
    journal = sorted(store.events(kind="notified") + store.events(kind="notify_failed"), key=lambda e: e.id)
    out: dict[int, list[str]] = {}
    for e in journal:
        event_id = int(e.detail.get("event_id") or 0)
        # a failure recorded before per-URL retries (no targets) counts as given up, as it was then
        out[event_id] = [str(t) for t in e.detail.get("targets", [])] if e.kind == "notify_failed" else []
    return out


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
    return f" ({account})" if account and account != DEFAULT_ACCOUNT else ""
