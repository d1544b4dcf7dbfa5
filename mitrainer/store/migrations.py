"""The session database's schema, version by version: each migration brings a file from version
``i`` to ``i + 1`` inside one transaction (:meth:`mitrainer.store.db.SessionStore._migrate`).

A migration is a function of the connection: SQL statements run one by one (never a script
split on ";", which a statement's text could contain), or Python that rewrites stored data
(a session record brought to the current record schema, settings made typed). Append, never
edit a shipped one.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

Migration = Callable[[sqlite3.Connection], None]


def _statements(*statements: str) -> Migration:
    """A migration made of SQL statements, run one by one inside the migration's transaction."""
    def run(conn: sqlite3.Connection) -> None:
        for statement in statements:
            conn.execute(statement)
    return run


def _records_v1_to_v2(conn: sqlite3.Connection) -> None:
    """Session records of schema 1 become schema 2 (:mod:`mitrainer.record.migrate`), header and turns."""
    from mitrainer.record.migrate import turn_v1_to_v2

    for session_id, header in conn.execute("SELECT id, header FROM sessions").fetchall():
        data = json.loads(header)
        if data.get("schema_version") != 1:
            continue
        data["schema_version"] = 2
        conn.execute("UPDATE sessions SET header = ? WHERE id = ?", (json.dumps(data, ensure_ascii=False), session_id))
        for idx, turn in conn.execute("SELECT idx, data FROM turns WHERE session_id = ?", (session_id,)).fetchall():
            conn.execute("UPDATE turns SET data = ? WHERE session_id = ? AND idx = ?",
                         (json.dumps(turn_v1_to_v2(json.loads(turn)), ensure_ascii=False), session_id, idx))


# The preferences that were kept as "1" / "0" before values were JSON.
_FLAG_KEYS = ("realistic_mode", "guided_default")


def _settings_as_json(conn: sqlite3.Connection) -> None:
    """Settings values become JSON (``true``, ``"Mai"``) instead of bare strings with "1"/"0" flags."""
    for key, value in conn.execute("SELECT key, value FROM settings").fetchall():
        typed: object = value == "1" if key in _FLAG_KEYS else value
        conn.execute("UPDATE settings SET value = ? WHERE key = ?", (json.dumps(typed, ensure_ascii=False), key))


# Each entry brings the schema from version i to i + 1.
MIGRATIONS: list[Migration] = [
    _statements(
        """
        CREATE TABLE sessions (
            id              TEXT PRIMARY KEY,
            scenario_id     TEXT NOT NULL,
            scenario_title  TEXT NOT NULL DEFAULT '',
            language        TEXT NOT NULL DEFAULT '',
            seed            INTEGER NOT NULL DEFAULT 0,
            started_at      TEXT NOT NULL DEFAULT '',
            ended_at        TEXT NOT NULL DEFAULT '',
            updated_at      TEXT NOT NULL,
            turn_count      INTEGER NOT NULL DEFAULT 0,
            outcome         TEXT NOT NULL DEFAULT '',
            ending_title    TEXT NOT NULL DEFAULT '',
            score           REAL,
            trainee         TEXT NOT NULL DEFAULT '',
            header          TEXT NOT NULL
        )
        """,
        "CREATE INDEX sessions_by_update ON sessions (updated_at DESC)",
        "CREATE INDEX sessions_by_scenario ON sessions (scenario_id, score)",
        """
        CREATE TABLE turns (
            session_id  TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            idx         INTEGER NOT NULL,
            data        TEXT NOT NULL,
            PRIMARY KEY (session_id, idx)
        ) WITHOUT ROWID
        """,
        """
        CREATE TABLE settings (
            key    TEXT PRIMARY KEY,
            value  TEXT NOT NULL
        )
        """,
    ),
    # 2: sessions imported from a bundle are marked, so that an import can never replace a
    # session played on this machine (sessions stored before count as played here).
    _statements("ALTER TABLE sessions ADD COLUMN imported INTEGER NOT NULL DEFAULT 0"),
    _records_v1_to_v2,
    _settings_as_json,
]
