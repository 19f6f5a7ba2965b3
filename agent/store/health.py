"""A read-only look at a database file for `buyer-agent doctor`: integrity and schema version, opened
read-only (nothing is created or migrated)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

__all__ = ["database_health"]


def database_health(path: Path) -> tuple[str, int]:
    """(PRAGMA integrity_check's first line — "ok" when sound, schema version). Raises sqlite3.Error."""
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=5)
    try:
        integrity = str(conn.execute("PRAGMA integrity_check").fetchone()[0])
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        version = 0
        if "migrations" in tables:
            version = int(conn.execute("SELECT COALESCE(MAX(version), 0) FROM migrations").fetchone()[0])
    finally:
        conn.close()
    return integrity, version
