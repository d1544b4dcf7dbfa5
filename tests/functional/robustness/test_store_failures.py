"""A full disk or an unusable data folder: a clear message, the session goes on, export works.

Tests run as root, where chmod cannot make a folder unwritable, so failures are made
another way: a data folder whose parent is a regular file (ENOTDIR), SQLite's own page
limit (a genuine "database or disk is full"), and a connection that refuses writes the way
a full or read-only disk does.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
from pathlib import Path

import pytest

from mitrainer.cli import main
from mitrainer.coding.rules import RuleBasedCoder
from mitrainer.errors import StoreError
from mitrainer.record.model import SessionRecord
from mitrainer.settings import Settings
from mitrainer.store.db import SessionStore, open_store
from mitrainer.tui.app import TrainerApp
from mitrainer.tui.screens.summary import SummaryScreen
from mitrainer.tui.services import Services
from tests.sessions import REFLECTIONS, SCENARIOS, STANDARD_RESPONSES, load_fixture_scenario, play

TUI_TESTS = Path(__file__).resolve().parents[2] / "trainer"
sys.path.insert(0, str(TUI_TESTS))
from test_flows import REFLECTION, open_practice, play_to_commitment, say  # noqa: E402
from tui_helpers import FIXED_NOW, make_services  # noqa: E402
from tui_helpers import SCENARIOS as TUI_SCENARIOS  # noqa: E402

FULL = "database or disk is full"


class RefusingConnection:
    """A connection that fails every write the way SQLite does on a full or read-only disk."""

    WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")

    def __init__(self, conn: sqlite3.Connection, message: str = FULL):
        self._conn = conn
        self._message = message

    def execute(self, sql: str, *args):
        if sql.lstrip().upper().startswith(self.WRITES):
            raise sqlite3.OperationalError(self._message)
        return self._conn.execute(sql, *args)

    def executemany(self, sql: str, *args):
        raise sqlite3.OperationalError(self._message)

    def __getattr__(self, name):
        return getattr(self._conn, name)


@pytest.fixture
def record() -> SessionRecord:
    return play(load_fixture_scenario(), STANDARD_RESPONSES, reflections=REFLECTIONS)


@pytest.fixture
def unusable_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data folder that cannot be created: its parent is a regular file."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be", encoding="utf-8")
    folder = blocker / "mitrainer"
    monkeypatch.setenv("MITRAINER_DATA_DIR", str(folder))
    monkeypatch.delenv("MITRAINER_DB", raising=False)
    return folder


# -- the store ---------------------------------------------------------------------------------

def test_open_store_falls_back_to_memory_when_the_data_folder_is_unusable(unusable_data_dir, record):
    opened = open_store(Settings.load().db_path)
    assert opened.store.path == ":memory:"
    assert "cannot create the folder" in opened.problem and "Not a directory" in opened.problem
    assert "will not be saved" in opened.problem
    opened.store.save_session(record)  # the session still works, in memory
    assert opened.store.load_record(record.session_id).turns == record.turns


def test_a_genuinely_full_database_is_a_store_error_and_loses_nothing_stored(tmp_path, record):
    store = SessionStore(tmp_path / "sessions.db")
    first = record.model_copy(update={"turns": record.turns[:1]})
    store.save_turn(first)
    pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
    store._conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own SQLITE_FULL from here on
    big = record.model_copy(update={"turns": (record.turns[0], record.turns[1].model_copy(update={"response": "x" * 200_000}))})
    with pytest.raises(StoreError) as caught:
        store.save_turn(big)
    assert FULL in str(caught.value) and str(tmp_path) in str(caught.value)
    assert not isinstance(caught.value.__cause__, StoreError)
    # The failed turn was rolled back; the stored one is intact and the store still works.
    assert store.load_record(record.session_id).turns == first.turns
    store._conn.execute("PRAGMA max_page_count = 1073741823")  # space freed
    store.save_turn(big)
    assert len(store.load_record(record.session_id).turns) == 2
    store.close()


@pytest.mark.parametrize("message", [FULL, "attempt to write a readonly database", "disk I/O error"])
@pytest.mark.parametrize("write", ["save_turn", "save_session", "rewind", "save_preferences", "delete_session",
                                   "import_sessions"])
def test_every_write_that_fails_is_a_store_error_with_the_reason(tmp_path, record, write, message):
    store = SessionStore(tmp_path / "sessions.db")
    if write == "import_sessions":  # an import may replace an earlier import, never a session played here
        store.import_sessions([(record, "Mai", 1.0)])
    else:
        store.save_session(record)
    store._conn = RefusingConnection(store._conn, message)
    call = {
        "save_turn": lambda: store.save_turn(record),
        "save_session": lambda: store.save_session(record),
        "rewind": lambda: store.rewind(record),
        "save_preferences": lambda: store.save_preferences(trainee_name="Mai"),
        "delete_session": lambda: store.delete_session(record.session_id),
        "import_sessions": lambda: store.import_sessions([(record, "Mai", 1.0)]),
    }[write]
    with pytest.raises(StoreError, match=f"cannot write the session database .*{message}"):
        call()
    assert not store._conn.in_transaction  # rolled back, ready for the next try
    assert store.load_record(record.session_id) == record  # reads still work, nothing half-written


class FlakyConnection(RefusingConnection):
    """Writes fail while ``full`` is set (a disk that fills up, then has room again)."""

    def __init__(self, conn: sqlite3.Connection):
        super().__init__(conn)
        self.full = False

    def execute(self, sql: str, *args):
        return super().execute(sql, *args) if self.full else self._conn.execute(sql, *args)

    def executemany(self, sql: str, *args):
        return super().executemany(sql, *args) if self.full else self._conn.executemany(sql, *args)


@pytest.mark.parametrize("then", ["save_turn", "rewind", "save_session"])
def test_turns_that_failed_to_save_are_written_with_the_next_save(tmp_path, then):
    # Turn 1 saved, turns 2 and 3 refused by a full disk, then space returns: the next save
    # writes what was missed. Before, the store held turn 3 without turns 1-2 ("turns out
    # of order" on export, "the scenario changed" on resume).
    scenario = load_fixture_scenario()
    played = [play(scenario, STANDARD_RESPONSES[:n]) for n in range(1, 5)]
    store = SessionStore(tmp_path / "sessions.db")
    flaky = store._conn = FlakyConnection(store._conn)
    sid = played[0].session_id
    store.save_turn(played[0])
    flaky.full = True
    for record in played[1:3]:
        with pytest.raises(StoreError, match=FULL):
            store.save_turn(record)
        stored = store.load_record(sid).turns
        assert stored == record.turns[:len(stored)]  # always a prefix of the played session
    flaky.full = False
    if then == "save_turn":
        store.save_turn(played[3])
        expected = played[3]
    elif then == "rewind":  # the trainee takes back turn 3 once the disk has room
        store.rewind(played[1])
        expected = played[1]
    else:
        store.save_session(played[2])
        expected = played[2]
    assert store.load_record(sid) == expected
    # Written whole once; the next turn is a single-row write again.
    following = play(scenario, STANDARD_RESPONSES[:len(expected.turns) + 1])
    store.save_turn(following)
    assert store.load_record(sid) == following
    store.close()


# -- the trainer ---------------------------------------------------------------------------------

def _messages(app: TrainerApp) -> list[tuple[str, str]]:
    return [(n.severity, n.message) for n in app._notifications]


def _toasts(app: TrainerApp) -> str:
    return " ".join(str(toast.render()) for toast in app.screen.query("Toast"))


def test_full_disk_mid_session_warns_and_the_session_goes_on(tmp_path: Path):
    db = tmp_path / "sessions.db"

    async def flow():
        app = TrainerApp(make_services(db), warm_up_coder=False)
        async with app.run_test(size=(100, 30), notifications=True) as pilot:
            practice = await open_practice(pilot)
            first, *rest = play_to_commitment()
            await say(pilot, first)
            assert not [m for m in _messages(app) if m[0] == "error"]
            app.services.store._conn = RefusingConnection(app.services.store._conn)
            for text in rest:
                await say(pilot, text)
            errors = [m for s, m in _messages(app) if s == "error"]
            assert errors and all("Could not save to the session database" in m and FULL in m for m in errors)
            assert "Could not save" in _toasts(app)  # shown, not only recorded
            assert practice.session.finished and len(practice.session.turns) == 3  # the session went on
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, SummaryScreen)
            # Export writes a file, not the database: it works with the disk "full" for SQLite.
            app.screen.query_one("#reflect-went_well").text = "Kept going."
            await pilot.press("ctrl+o")
            await pilot.pause()
            app.screen.query_one("#path").value = str(tmp_path / "log.md")
            await pilot.click("#save")
            await pilot.pause()
            assert isinstance(app.screen, SummaryScreen)
            return practice.session.session_id

    session_id = asyncio.run(flow())
    assert "Kept going." in (tmp_path / "log.md").read_text(encoding="utf-8")
    store = SessionStore(db)
    assert len(store.load_record(session_id).turns) == 1  # what was saved before the disk filled
    store.close()


def test_unusable_data_folder_starts_in_memory_with_a_visible_warning(unusable_data_dir, tmp_path):
    opened = open_store(Settings.load().db_path)
    services = Services(store=opened.store, scenario_folders=[TUI_SCENARIOS], clock=lambda: FIXED_NOW,
                        seed_source=lambda: 7, coder_factory=RuleBasedCoder, store_problem=opened.problem)

    async def flow():
        app = TrainerApp(services, warm_up_coder=False)
        async with app.run_test(size=(100, 30), notifications=True) as pilot:
            practice = await open_practice(pilot)
            [(severity, message)] = _messages(app)
            assert severity == "error" and "could not be used" in message and "will not be saved" in message
            await say(pilot, REFLECTION)
            assert len(practice.session.turns) == 1 and not [m for m in _messages(app)[1:] if m[0] == "error"]
            assert services.store.load_record(practice.session.session_id).turns[0].response == REFLECTION

    asyncio.run(flow())
    assert not unusable_data_dir.exists()


def test_ending_an_empty_session_on_a_full_disk_does_not_crash(tmp_path: Path):
    async def flow():
        app = TrainerApp(make_services(tmp_path / "sessions.db"), warm_up_coder=False)
        async with app.run_test(size=(100, 30)) as pilot:
            await open_practice(pilot)
            app.services.store._conn = RefusingConnection(app.services.store._conn)
            await pilot.press("ctrl+e")
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            assert any("Could not save" in m for _, m in _messages(app))
            assert app.screen.__class__.__name__ == "HomeScreen"

    asyncio.run(flow())


# -- the command line ------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["md", "html", "json", "csv", "bundle"])
def test_export_of_a_record_file_works_when_the_data_folder_is_unusable(unusable_data_dir, tmp_path, record, fmt,
                                                                        capsys, monkeypatch):
    source = tmp_path / "session.json"
    source.write_text(json.dumps(record.to_json()), encoding="utf-8")
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)  # a person at a terminal would be asked a name …
    monkeypatch.setattr("builtins.input", lambda prompt: pytest.fail("asked for a name it cannot keep"))
    target = tmp_path / f"log.{fmt}"
    assert main(["--scenarios", str(SCENARIOS), "export", str(source), "--format", fmt, "-o", str(target)]) == 0
    err = capsys.readouterr().err
    assert "cannot create the folder" in err and "without a name" in err  # … but the folder is unusable: said so
    assert target.stat().st_size > 0 and (target.stat().st_mode & 0o777) == 0o600
    assert not unusable_data_dir.exists()


def test_export_to_stdout_needs_no_data_folder(unusable_data_dir, tmp_path, record, capsys):
    source = tmp_path / "session.json"
    source.write_text(json.dumps(record.to_json()), encoding="utf-8")
    assert main(["export", str(source), "-o", "-", "--name", "Mai"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Reflection log") and "Mai" in out
