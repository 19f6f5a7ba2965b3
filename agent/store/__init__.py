"""The SQLite store: core (runs, orders, the audit log), requests (every state change, the submission
journal) and schema (migrations)."""

from agent.store.core import BUSY_TIMEOUT_S, Clock, Store, utcnow
from agent.store.requests import FINAL_STATES, REQUEST_FIELDS, to_iso
from agent.store.schema import MIGRATIONS, SCHEMA_VERSION

__all__ = [
    "BUSY_TIMEOUT_S",
    "FINAL_STATES",
    "MIGRATIONS",
    "REQUEST_FIELDS",
    "SCHEMA_VERSION",
    "Clock",
    "Store",
    "to_iso",
    "utcnow",
]
