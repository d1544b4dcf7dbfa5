"""The session database: round trips, rewinds, listing, settings, damaged files, concurrency."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from mitrainer.codes import SkillCode
from mitrainer.errors import StoreError
from mitrainer.record.model import ResponseCoding, SessionRecord, Turn
from mitrainer.settings import Preferences, Settings
from mitrainer.store.db import SCHEMA_VERSION, SessionStore, open_store

GOLDEN_V1_DB = Path(__file__).resolve().parents[2] / "golden" / "sessions-v1.db"


def make_turn(index: int, response: str) -> Turn:
    return Turn(index=index, client={"node": f"n{index}", "text": f"line {index}"}, response=response,
                coding=ResponseCoding.manual(SkillCode.OPEN_QUESTION), branch=0, next_node=f"n{index + 1}")


def make_record(session_id: str = "s1", turns: int = 2, ended: bool = False, scenario: str = "demo") -> SessionRecord:
    return SessionRecord(
        session_id=session_id,
        scenario={"id": scenario, "title": f"Title {scenario}", "version": "1", "language": "en",
                  "content_hash": "sha256:x"},
        seed=7,
        coder="rules",
        started_at="2024-01-01T10:00:00+00:00",
        ended_at="2024-01-01T10:05:00+00:00" if ended else "",
        turns=tuple(make_turn(i, f"response {i}") for i in range(turns)),
        current={"node": "n9", "text": "last line"},
        variables={"rapport": 2},
        ending={"node": "end", "outcome": "engaged", "title": "Opens up", "debrief": "d"} if ended else None,
        reflections={"went_well": "Tôi đã lắng nghe — 我听了"},
    )


def with_turns(record: SessionRecord, *turns: Turn) -> SessionRecord:
    return record.model_copy(update={"turns": turns})


@pytest.fixture
def store(tmp_path: Path) -> SessionStore:
    s = SessionStore(tmp_path / "data" / "sessions.db")
    yield s
    s.close()


def test_round_trip_keeps_the_whole_record(store: SessionStore) -> None:
    record = make_record(turns=3)
    store.save_session(record, score=55.0)
    assert store.load_record("s1") == record
    assert store.load_record("missing") is None
    [row] = store.list_sessions()
    assert (row.turns, row.score, row.finished, row.scenario_title) == (3, 55.0, False, "Title demo")


def test_save_turn_appends_and_replaces_a_rewound_turn(store: SessionStore) -> None:
    record = make_record(turns=1)
    first = record.turns[0]
    store.save_turn(record)
    store.save_turn(with_turns(record, first, make_turn(1, "second")))
    assert [t.response for t in store.load_record("s1").turns] == ["response 0", "second"]
    store.rewind(with_turns(record, first))
    assert [t.response for t in store.load_record("s1").turns] == ["response 0"]
    store.save_turn(with_turns(record, first, make_turn(1, "another try")))
    assert [t.response for t in store.load_record("s1").turns] == ["response 0", "another try"]


def test_listing_orders_by_activity_and_filters(store: SessionStore) -> None:
    store.save_session(make_record("a", ended=True), score=40)
    store.save_session(make_record("b", scenario="other"))
    store.save_session(make_record("c", ended=True), score=70)
    assert [s.id for s in store.list_sessions()] == ["c", "b", "a"]
    assert [s.id for s in store.list_sessions(unfinished=True)] == ["b"]
    assert [s.id for s in store.list_sessions(scenario_id="demo")] == ["c", "a"]
    assert store.latest().id == "c"
    assert store.best_scores() == {"demo": 70}
    assert store.count_sessions() == 3
    assert store.delete_session("a") and not store.delete_session("a")
    assert store.count_sessions() == 2


def test_preferences_are_typed(store: SessionStore) -> None:
    assert store.preferences() == Preferences()
    store.save_preferences(language="vi")
    store.save_preferences(language="zh", trainee_name="Lan", realistic_mode=True)
    assert store.preferences() == Preferences(trainee_name="Lan", language="zh", realistic_mode=True)
    # A switch is stored as a JSON boolean, a name as a JSON string: no "1"/"0".
    assert dict(store._conn.execute("SELECT key, value FROM settings")) == {
        "language": '"zh"', "trainee_name": '"Lan"', "realistic_mode": "true"}
    store.save_session(make_record())
    assert store.list_sessions()[0].trainee == "Lan"


@pytest.mark.parametrize(("changes", "message"), [({"realistic_mode": "1"}, "cannot be '1'"),
                                                  ({"colour": "red"}, "no preference 'colour'")])
def test_a_wrong_preference_is_refused(store: SessionStore, changes, message) -> None:
    with pytest.raises(ValueError, match=message):
        store.save_preferences(**changes)


def test_a_damaged_preference_counts_as_never_chosen(store: SessionStore) -> None:
    with store._writing() as conn:
        conn.executemany("INSERT INTO settings (key, value) VALUES (?, ?)",
                         [("guided_default", '"yes"'), ("theme", "not json"), ("language", '"vi"')])
    assert store.preferences() == Preferences(language="vi")


def test_a_store_of_schema_1_keeps_its_settings_as_typed_preferences(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    shutil.copy(GOLDEN_V1_DB, db)
    store = SessionStore(db)
    try:
        assert store.preferences() == Preferences(trainee_name="Mai", language="vi", realistic_mode=True,
                                                  guided_default=False, theme="nord")
    finally:
        store.close()


def test_files_are_private(tmp_path: Path) -> None:
    path = tmp_path / "new" / "sessions.db"
    SessionStore(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_schema_is_versioned(store: SessionStore) -> None:
    assert store.schema_version == SCHEMA_VERSION >= 1


@pytest.mark.parametrize("content", [b"this is not a database at all\n" * 10, b"\x00" * 4096])
def test_a_damaged_file_is_refused_and_kept(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "sessions.db"
    path.write_bytes(content)
    with pytest.raises(StoreError, match="not"):
        SessionStore(path)
    assert path.read_bytes() == content


def test_another_programs_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="another program"):
        SessionStore(path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("invoices",)]
    conn.close()


def test_open_store_falls_back_to_a_fresh_file_beside_the_damaged_one(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    path.write_bytes(b"garbage" * 100)
    opened = open_store(path)
    assert "not a SQLite database" in opened.problem
    assert opened.store.path == tmp_path / "sessions.fresh.db"
    opened.store.save_session(make_record())
    assert path.read_bytes() == b"garbage" * 100
    opened.store.close()


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    SessionStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        SessionStore(path)


def test_default_path_honours_overrides(tmp_path: Path) -> None:
    environ = {"MITRAINER_DATA_DIR": str(tmp_path / "d")}
    assert Settings.load(environ=environ).db_path == tmp_path / "d" / "sessions.db"
    environ["MITRAINER_DB"] = str(tmp_path / "env.db")
    assert Settings.load(environ=environ).db_path == tmp_path / "env.db"
    assert Settings.load(db=tmp_path / "arg.db", environ=environ).db_path == tmp_path / "arg.db"


WRITER = """
import sys
from tests.unit.store.test_db import make_record, make_turn, with_turns
from mitrainer.store.db import SessionStore
store = SessionStore(sys.argv[1])
record = make_record(sys.argv[2], turns=0)
for i in range(40):
    store.save_turn(with_turns(record, *(make_turn(j, f"response {j}") for j in range(i + 1))))
store.close()
"""


def test_concurrent_writers_do_not_corrupt_the_database(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    SessionStore(path).close()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), f"w{n}"], env=env) for n in range(3)]
    assert [p.wait(timeout=60) for p in procs] == [0, 0, 0]
    store = SessionStore(path)
    assert sorted(s.id for s in store.list_sessions()) == ["w0", "w1", "w2"]
    assert all(len(store.load_record(f"w{n}").turns) == 40 for n in range(3))
    assert store._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store.close()


def test_listing_ten_thousand_sessions_reads_no_records(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "big.db")
    with store._writing() as conn:
        conn.executemany(
            "INSERT INTO sessions (id, scenario_id, updated_at, header) VALUES (?, ?, ?, ?)",
            [(f"s{i:05d}", f"sc{i % 20}", f"2024-01-01T00:00:{i:05d}", "{}") for i in range(10_000)])
    plan = " ".join(str(r) for r in store._conn.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM sessions ORDER BY updated_at DESC LIMIT 50"))
    assert "sessions_by_update" in plan
    assert [s.id for s in store.list_sessions(limit=3)] == ["s09999", "s09998", "s09997"]
    store.close()


class _RefusesWrites:
    """A read-write connection on a file or folder that refuses writes, as SQLite reports it
    (run as root, the tests cannot make the file system refuse: chmod does not bind root)."""

    def __init__(self, conn: sqlite3.Connection):
        self._conn = conn

    def execute(self, sql: str, *args):
        if sql.startswith("PRAGMA journal_mode"):
            raise sqlite3.OperationalError("attempt to write a readonly database")
        return self._conn.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self._conn, name)


def test_a_read_only_database_is_read_not_called_damaged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture) -> None:
    from mitrainer.cli import main
    from mitrainer.store import db as db_module

    path = tmp_path / "sessions.db"
    store = SessionStore(path)
    store.save_session(make_record("0" * 32, turns=2))
    store.close()
    connect = sqlite3.connect
    monkeypatch.setattr(db_module.sqlite3, "connect",
                        lambda target, *a, **k: connect(target, *a, **k) if k.get("uri")
                        else _RefusesWrites(connect(target, *a, **k)))
    read_only = SessionStore(path)
    assert read_only.read_only and read_only.load_record("0" * 32).turns
    with pytest.raises(StoreError, match="readonly"):
        read_only.save_session(make_record("1" * 32, turns=1))
    read_only.close()
    assert main(["--db", str(path), "history"]) == 0
    out = capsys.readouterr()
    assert "0000000000" in out.out and "damaged" not in out.err and "not a usable" not in out.err


def test_a_session_is_found_by_its_id_or_a_prefix(store: SessionStore) -> None:
    for sid in ("abcd1111", "abcd2222", "abce3333", "abcd"):
        store.save_session(make_record(sid))
    assert [s.id for s in store.find_sessions("abcd")] == ["abcd"]  # an exact id wins over the prefix
    assert [s.id for s in store.find_sessions("abcd1")] == ["abcd1111"]
    assert [s.id for s in store.find_sessions("abc")] == ["abcd", "abcd1111"]  # at most two: enough to refuse
    assert store.find_sessions("zz") == [] and store.find_sessions("abcd%") == []  # no LIKE wildcards


def test_the_store_closes_when_its_block_ends(tmp_path: Path) -> None:
    with SessionStore(tmp_path / "s.db") as store:
        store.save_session(make_record())
    with pytest.raises(StoreError):
        store.count_sessions()


def test_memory_given_as_a_path_is_still_in_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with SessionStore(Path(":memory:")) as store:
        store.save_session(make_record())
        assert store.path == ":memory:" and store.count_sessions() == 1
    assert list(tmp_path.iterdir()) == []  # no file called ':memory:' left behind


def test_imported_sessions_are_marked_and_never_your_best(record, tmp_path):
    """A colleague's imported session is listed as theirs, filtered out of yours, and its score
    is not your "Best"."""
    store = SessionStore(tmp_path / "s.db", trainee="Mai")
    try:
        store.save_session(record, score=2.0)
        theirs = record.model_copy(update={"session_id": "1" * 32})
        store.import_sessions([(theirs, "Lan", 3.5)])
        listed = {s.id: s for s in store.list_sessions()}
        assert listed[record.session_id].imported is False and listed[record.session_id].trainee == "Mai"
        assert listed[theirs.session_id].imported is True and listed[theirs.session_id].trainee == "Lan"
        assert listed[theirs.session_id].to_json()["imported"] is True
        assert [s.id for s in store.list_sessions(imported=False)] == [record.session_id]
        assert [s.id for s in store.list_sessions(imported=True)] == [theirs.session_id]
        assert store.best_scores() == {record.scenario.id: 2.0}
    finally:
        store.close()
