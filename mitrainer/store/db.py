"""The session database: every turn of every practice session, kept in SQLite.

One file, where :class:`mitrainer.settings.Settings` says (``--db``, ``$MITRAINER_DB``, else
the user's data folder). The trainer writes each turn before the client's next line
is shown, so killing the app loses no completed turn, and an unfinished session can be
resumed from its record (``Session.resume``).

Design notes:

- A session row holds the record *header* (everything in the
  :class:`~mitrainer.record.model.SessionRecord` except the turns) as JSON plus the columns
  the history listing needs; turns are rows of their own. Stored records are always of the
  current record schema: a migration rewrites older ones (``_records_v1_to_v2``).
  Listing 10 000 sessions reads only the indexed columns, never a record.
- WAL journal and a busy timeout let two trainers share one database; writes take the
  write lock up front (``BEGIN IMMEDIATE``) so they queue instead of failing half-way.
- The file is created 0600 in a 0700 folder (SQLite gives its -wal/-shm files the same mode).
- ``application_id`` marks the file as ours: a file that is not SQLite, or is someone else's
  database, raises :class:`StoreError` and is never written to.
- The schema is versioned with ``PRAGMA user_version``; :data:`mitrainer.store.migrations.MIGRATIONS`
  is the one place that knows how to bring an old file up to date, each step one transaction.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from mitrainer.errors import StoreError
from mitrainer.paths import ensure_private_dir
from mitrainer.settings import Preferences
from mitrainer.store.migrations import MIGRATIONS

if TYPE_CHECKING:
    # The record's models (pydantic) load when a record is first read or written: the
    # trainer opens the store before its first paint and needs none of them for that.
    from mitrainer.record.model import SessionRecord, Turn

APPLICATION_ID = 0x4D495452  # "MITR"
SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000

SCHEMA_VERSION = len(MIGRATIONS)

_LIST_COLUMNS = ("id, scenario_id, scenario_title, language, seed, started_at, ended_at, updated_at, "
                 "turn_count, outcome, ending_title, score, trainee, imported")


@dataclass(frozen=True)
class SessionSummary:
    """One row of the history listing (no turns, no record: cheap to list thousands)."""

    id: str
    scenario_id: str
    scenario_title: str
    language: str
    seed: int
    started_at: str
    ended_at: str
    updated_at: str
    turns: int
    outcome: str
    ending_title: str
    score: float | None
    trainee: str
    imported: bool  # another member's session, from a bundle: shown as theirs, never resumed or counted as yours

    @property
    def finished(self) -> bool:
        """Reached an ending or was ended by the trainee (not resumable)."""
        return bool(self.ended_at)

    @property
    def ended_early(self) -> bool:
        return bool(self.ended_at) and not self.outcome

    def to_json(self) -> dict:
        return {
            "id": self.id, "scenario_id": self.scenario_id, "scenario_title": self.scenario_title,
            "language": self.language, "seed": self.seed, "started_at": self.started_at,
            "ended_at": self.ended_at, "updated_at": self.updated_at, "turns": self.turns,
            "outcome": self.outcome, "ending_title": self.ending_title, "score": self.score,
            "trainee": self.trainee, "imported": self.imported, "finished": self.finished,
        }


_SUMMARY_FIELDS = [f.name for f in fields(SessionSummary)]


def _summary(row: tuple) -> SessionSummary:
    """A listing row (the columns of ``_LIST_COLUMNS``, in order) as a summary."""
    *listed, imported = row
    return SessionSummary(**dict(zip(_SUMMARY_FIELDS, (*listed, bool(imported)), strict=True)))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _header(record: SessionRecord) -> str:
    """The record without its turns, as the JSON a session row keeps."""
    # A trainee's session has no 'start': its header is written as it always was.
    return json.dumps(record.model_dump(mode="json", exclude={"turns", "start"} if record.start is None else {"turns"}),
                      ensure_ascii=False)


def _turn(turn: Turn) -> str:
    return json.dumps(turn.model_dump(mode="json"), ensure_ascii=False)


def _refused_writing(exc: sqlite3.DatabaseError) -> bool:
    """Whether SQLite failed because it may not write (a read-only file or folder), not because of damage."""
    message = str(exc).lower()
    return "readonly" in message or "read-only" in message or "unable to open" in message


class SessionStore:
    """The session database. Every method raises :class:`StoreError` (never sqlite3 errors).

    ``path`` may be ``":memory:"`` (tests, or the last resort when no file can be used).
    """

    def __init__(self, path: str | os.PathLike, *, trainee: str | None = None):
        # Given as a string or a Path, ":memory:" is SQLite's in-memory database, never a file named so.
        self.path: str | Path = ":memory:" if str(path) == ":memory:" else Path(path)
        self._lock = threading.RLock()
        self.read_only = False  # set when the file or its folder refuses writes (see _open_read_only)
        # Sessions whose last write failed (a full disk, an I/O error): their next save writes
        # the whole record, so turns that were not saved are never left out.
        self._unsaved: set[str] = set()
        self._conn = self._open()
        self._trainee = trainee

    # -- opening -------------------------------------------------------------------------
    def _open(self) -> sqlite3.Connection:
        if isinstance(self.path, Path):
            self._prepare_file(self.path)
        try:
            conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                   check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the session database {self.path}: {exc}") from exc
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._check_ours(conn)
            conn.execute("PRAGMA journal_mode = WAL")
            # FULL: a committed turn survives a crash of the app and of the machine.
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            self._migrate(conn)
        except sqlite3.DatabaseError as exc:
            conn.close()
            if isinstance(self.path, Path) and _refused_writing(exc):
                return self._open_read_only(exc)
            raise StoreError(f"{self.path} is not a usable mitrainer session database ({exc})") from exc
        except StoreError:
            conn.close()
            raise
        return conn

    def _open_read_only(self, why: sqlite3.DatabaseError) -> sqlite3.Connection:
        """The database opened for reading only, when the file or its folder refuses writes.

        Reading commands (history, export, portfolio) then work; a write is a StoreError
        saying the database is read-only, not that it is damaged.
        """
        assert isinstance(self.path, Path)
        # 'immutable' as a last resort: a WAL database in a folder where SQLite cannot create
        # its shared-memory file can still be read (nothing can be writing it there either).
        for options in ("mode=ro", "mode=ro&immutable=1"):
            try:
                conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?{options}", uri=True,
                                       timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
                self._check_ours(conn)
                version = conn.execute("PRAGMA user_version").fetchone()[0]
            except sqlite3.DatabaseError:
                continue
            if version > SCHEMA_VERSION:
                conn.close()
                raise StoreError(f"{self.path} was written by a newer mitrainer (schema {version}; "
                                 f"this version reads up to {SCHEMA_VERSION})")
            self.read_only = True
            return conn
        raise StoreError(f"{self.path} is not a usable mitrainer session database ({why})") from why

    @staticmethod
    def _prepare_file(path: Path) -> None:
        if path.is_dir():
            raise StoreError(f"{path} is a folder, not a session database")
        try:
            ensure_private_dir(path.parent)
        except OSError as exc:
            raise StoreError(f"cannot create the folder {path.parent} for the session database: "
                             f"{exc.strerror or exc}") from exc
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            try:
                with path.open("rb") as handle:
                    head = handle.read(len(SQLITE_MAGIC))
            except OSError as exc:
                raise StoreError(f"cannot read the session database {path}: {exc.strerror}") from exc
            if head and head != SQLITE_MAGIC:
                raise StoreError(f"{path} is not a SQLite database (damaged, or another program's file)") from None
        except OSError as exc:
            raise StoreError(f"cannot create the session database {path}: {exc.strerror}") from exc
        else:
            os.close(fd)

    def _check_ours(self, conn: sqlite3.Connection) -> None:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        if app_id == APPLICATION_ID:
            return
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if app_id != 0 or tables:
            raise StoreError(f"{self.path} is another program's database, not a mitrainer session database")

    def _migrate(self, conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path} was written by a newer mitrainer (schema {version}; "
                             f"this version reads up to {SCHEMA_VERSION})")
        while version < SCHEMA_VERSION:
            conn.execute("BEGIN IMMEDIATE")
            try:
                # Another instance may have migrated while this one waited for the lock.
                current = conn.execute("PRAGMA user_version").fetchone()[0]
                if current == version:
                    MIGRATIONS[version](conn)
                    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                    conn.execute(f"PRAGMA user_version = {version + 1}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            version = conn.execute("PRAGMA user_version").fetchone()[0]

    @property
    def schema_version(self) -> int:
        with self._reading() as conn:
            return conn.execute("PRAGMA user_version").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> SessionStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions --------------------------------------------------------------------
    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StoreError(f"cannot write the session database {self.path}: {exc}") from exc
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback()
                raise StoreError(f"cannot write the session database {self.path}: {exc}") from exc
            except BaseException:
                self._rollback()
                raise

    def _rollback(self) -> None:
        # After some errors (a full disk, an I/O error) SQLite has already rolled the
        # transaction back; a second ROLLBACK would fail and hide the real problem.
        if self._conn.in_transaction:
            try:
                self._conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._conn
            except sqlite3.Error as exc:
                raise StoreError(f"cannot read the session database {self.path}: {exc}") from exc

    # -- writing sessions ----------------------------------------------------------------
    def _upsert_header(self, conn: sqlite3.Connection, record: SessionRecord, score: float | None,
                       trainee: str | None = None) -> None:
        ending = record.ending
        if trainee is None:
            trainee = self._trainee if self._trainee is not None else (self.preferences().trainee_name or "")
        conn.execute(
            """
            INSERT INTO sessions (id, scenario_id, scenario_title, language, seed, started_at, ended_at,
                                  updated_at, turn_count, outcome, ending_title, score, trainee, header)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET
                scenario_id = excluded.scenario_id, scenario_title = excluded.scenario_title,
                language = excluded.language, seed = excluded.seed, started_at = excluded.started_at,
                ended_at = excluded.ended_at, updated_at = excluded.updated_at,
                turn_count = excluded.turn_count, outcome = excluded.outcome,
                ending_title = excluded.ending_title, score = COALESCE(excluded.score, sessions.score),
                header = excluded.header
            """,
            (record.session_id, record.scenario.id, record.scenario.title, record.scenario.language, record.seed,
             record.started_at, record.ended_at, _now(), len(record.turns), ending.outcome if ending else "",
             ending.title if ending else "", score, trainee, _header(record)),
        )

    def _replace_turns(self, conn: sqlite3.Connection, record: SessionRecord) -> None:
        conn.execute("DELETE FROM turns WHERE session_id = ?", (record.session_id,))
        conn.executemany("INSERT INTO turns (session_id, idx, data) VALUES (?, ?, ?)",
                         [(record.session_id, turn.index, _turn(turn)) for turn in record.turns])

    @contextmanager
    def _saving(self, session_id: str) -> Iterator[None]:
        """Remember whether this write of the session failed (see ``_unsaved``)."""
        try:
            yield
        except StoreError:
            self._unsaved.add(session_id)
            raise
        self._unsaved.discard(session_id)

    def save_session(self, record: SessionRecord, *, score: float | None = None) -> None:
        """Write a whole session record (header and every turn), replacing what was stored."""
        with self._saving(record.session_id), self._writing() as conn:
            self._upsert_header(conn, record, score)
            self._replace_turns(conn, record)

    def import_sessions(self, sessions: list[tuple[SessionRecord, str, float | None]]) -> None:
        """Write whole records, each as (record, trainee name, score), in one transaction: all or none.

        For sessions that come from elsewhere (study-group bundles): each keeps its own
        trainee's name rather than this database's.
        """
        with self._writing() as conn:
            ids = [record.session_id for record, _, _ in sessions]
            played = [row[0] for row in conn.execute(
                f"SELECT id FROM sessions WHERE imported = 0 AND id IN ({', '.join('?' * len(ids))})", ids)]
            if played:
                raise StoreError(f"session {played[0][:8]} was played on this machine: an import never replaces it")
            for record, trainee, score in sessions:
                self._upsert_header(conn, record, score, trainee)
                # A replaced import takes the new bundle's trainee name, and stays marked as imported.
                conn.execute("UPDATE sessions SET imported = 1, trainee = ? WHERE id = ?", (trainee, record.session_id))
                self._replace_turns(conn, record)

    def save_turn(self, record: SessionRecord, *, score: float | None = None) -> None:
        """Write the record's last turn and its header (what the trainer calls after each response).

        Cheaper than :meth:`save_session`: one turn row, one header row, one transaction.
        Turns after the last one (left by a rewind that was not saved) are dropped. After a
        write of this session failed, the whole record is written instead: the stored
        session stays a prefix of the played one.
        """
        if record.session_id in self._unsaved:
            self.save_session(record, score=score)
            return
        turns = record.turns
        with self._saving(record.session_id), self._writing() as conn:
            self._upsert_header(conn, record, score)
            conn.execute("DELETE FROM turns WHERE session_id = ? AND idx >= ?",
                         (record.session_id, max(len(turns) - 1, 0)))
            if turns:
                conn.execute("INSERT INTO turns (session_id, idx, data) VALUES (?, ?, ?)",
                             (record.session_id, turns[-1].index, _turn(turns[-1])))

    def rewind(self, record: SessionRecord, *, score: float | None = None) -> None:
        """Delete every stored turn past the record's turns (after ``Session.rewind``)."""
        if record.session_id in self._unsaved:
            self.save_session(record, score=score)
            return
        with self._saving(record.session_id), self._writing() as conn:
            self._upsert_header(conn, record, score)
            conn.execute("DELETE FROM turns WHERE session_id = ? AND idx >= ?", (record.session_id, len(record.turns)))

    def was_imported(self, session_id: str) -> bool:
        """Whether the stored session came from a bundle (False when played here, or not stored)."""
        with self._reading() as conn:
            row = conn.execute("SELECT imported FROM sessions WHERE id = ?", (session_id,)).fetchone()
        return bool(row and row[0])

    def delete_session(self, session_id: str) -> bool:
        with self._writing() as conn:
            return conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,)).rowcount > 0

    # -- reading sessions ----------------------------------------------------------------
    def load_record(self, session_id: str) -> SessionRecord | None:
        """The session's record as it was last saved; None if absent.

        Raises :class:`~mitrainer.record.read.RecordError` when the stored record is damaged.
        """
        with self._reading() as conn:
            row = conn.execute("SELECT header FROM sessions WHERE id = ?", (session_id,)).fetchone()
            if row is None:
                return None
            turns = [json.loads(data) for (data,) in conn.execute(
                "SELECT data FROM turns WHERE session_id = ? ORDER BY idx", (session_id,))]
        from mitrainer.record.read import parse_record

        record = json.loads(row[0])
        record["turns"] = turns
        return parse_record(record, f"session {session_id[:8]}")

    def list_sessions(self, limit: int | None = 50, offset: int = 0, *, scenario_id: str | None = None,
                      unfinished: bool | None = None, imported: bool | None = None) -> list[SessionSummary]:
        """Sessions, most recently active first (reads indexed columns only); ``imported=False``
        keeps the sessions played here, ``True`` those imported from bundles."""
        where: list[str] = []
        params: list[str | int] = []
        if scenario_id is not None:
            where.append("scenario_id = ?")
            params.append(scenario_id)
        if unfinished is not None:
            where.append("ended_at = ''" if unfinished else "ended_at != ''")
        if imported is not None:
            where.append("imported = ?")
            params.append(int(imported))
        sql = f"SELECT {_LIST_COLUMNS} FROM sessions"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY updated_at DESC LIMIT ? OFFSET ?"
        params += [-1 if limit is None else int(limit), int(offset)]
        with self._reading() as conn:
            return [_summary(row) for row in conn.execute(sql, params)]

    def find_sessions(self, prefix: str, limit: int = 2) -> list[SessionSummary]:
        """The session whose id is ``prefix``, else at most ``limit`` whose id starts with it.

        Reads the listing columns of the matching rows only, never a record: resolving a
        short id stays cheap with thousands of sessions.
        """
        with self._reading() as conn:
            exact = conn.execute(f"SELECT {_LIST_COLUMNS} FROM sessions WHERE id = ?", (prefix,)).fetchall()
            rows = exact or conn.execute(f"SELECT {_LIST_COLUMNS} FROM sessions WHERE substr(id, 1, ?) = ? "
                                         f"ORDER BY id LIMIT ?", (len(prefix), prefix, limit)).fetchall()
        return [_summary(row) for row in rows]

    def count_sessions(self) -> int:
        with self._reading() as conn:
            return conn.execute("SELECT count(*) FROM sessions").fetchone()[0]

    def latest(self) -> SessionSummary | None:
        """The most recently active session, or None."""
        found = self.list_sessions(limit=1)
        return found[0] if found else None

    def best_scores(self) -> dict[str, float]:
        """Your best score on each scenario (finished sessions played here: not imported ones)."""
        with self._reading() as conn:
            return {sid: score for sid, score in conn.execute(
                "SELECT scenario_id, max(score) FROM sessions WHERE ended_at != '' AND score IS NOT NULL "
                "AND imported = 0 GROUP BY scenario_id")}

    # -- settings ------------------------------------------------------------------------
    def preferences(self) -> Preferences:
        """The trainee's preferences (defaults for what was never chosen or cannot be read)."""
        with self._reading() as conn:
            rows = conn.execute("SELECT key, value FROM settings").fetchall()
        values = {}
        for key, value in rows:
            try:
                values[key] = json.loads(value)
            except ValueError:  # not written by mitrainer: taken as never chosen
                continue
        return Preferences.from_values(values)

    def save_preferences(self, **changes: object) -> Preferences:
        """Change some preferences (a wrong name or type is a ``ValueError``); returns them all."""
        updated = self.preferences().changed(**changes)
        values = updated.to_values()
        with self._writing() as conn:
            conn.executemany("INSERT INTO settings (key, value) VALUES (?, ?) "
                             "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                             [(key, json.dumps(values[key], ensure_ascii=False)) for key in changes])
        return updated


@dataclass(frozen=True)
class OpenedStore:
    """A store and, when the wanted file could not be used, why another one was opened."""

    store: SessionStore
    problem: str = ""


def open_store(wanted: Path) -> OpenedStore:
    """Open the session database, falling back to a fresh file beside it if it is unusable.

    A damaged or foreign file is never written to: the problem is returned for the UI to
    show, and a fresh database is opened next to it (or, failing that, in memory, so the
    trainer still starts).
    """
    try:
        return OpenedStore(SessionStore(wanted))
    except StoreError as exc:
        problem = str(exc)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for candidate in (wanted.with_name(f"{wanted.stem}.fresh{wanted.suffix or '.db'}"),
                      wanted.with_name(f"{wanted.stem}.fresh-{stamp}{wanted.suffix or '.db'}")):
        try:
            return OpenedStore(SessionStore(candidate), f"{problem}. Using {candidate} instead.")
        except StoreError:
            continue
    return OpenedStore(SessionStore(":memory:"), f"{problem}. Sessions will not be saved this time.")
