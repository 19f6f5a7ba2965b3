"""The SQLite store (agent.store.core) and its schema (agent.store.schema)."""

from agent.store.core import BUSY_TIMEOUT_S, FINAL_STATES, REQUEST_FIELDS, Clock, Store, to_iso, utcnow
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
