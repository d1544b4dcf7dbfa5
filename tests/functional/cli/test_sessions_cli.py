"""The headless session commands: ``mitrainer history`` and ``mitrainer serve``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from mitrainer.cli import main
from mitrainer.cli.sessions_cmds import trainer_command
from mitrainer.record.model import SessionRecord
from mitrainer.store.db import SessionStore
from tests.unit.store.test_db import make_turn


def record(session_id: str, ended: bool) -> SessionRecord:
    return SessionRecord(
        session_id=session_id, scenario={"id": "demo", "title": "Demo"}, seed=1,
        started_at="2025-03-14T09:30:00+00:00", ended_at="2025-03-14T09:40:00+00:00" if ended else "",
        turns=(make_turn(0, "hello"),), ending={"outcome": "engaged", "title": "Opens up"} if ended else None)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "sessions.db"
    store = SessionStore(path)
    store.save_session(record("aaa", ended=True), score=3.5)
    store.save_session(record("bbb", ended=False))
    store.close()
    return path


def test_history_json(db: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["--db", str(db), "history", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["id"], r["finished"], r["score"]) for r in rows] == [("bbb", False, None), ("aaa", True, 3.5)]


def test_history_table_and_filters(db: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["--db", str(db), "history", "--unfinished"]) == 0
    out = capsys.readouterr().out
    assert "unfinished" in out and "engaged" not in out
    assert main(["--db", str(db), "history"]) == 0
    assert "engaged" in capsys.readouterr().out


def test_history_says_whose_each_session_is(db: Path, capsys: pytest.CaptureFixture) -> None:
    store = SessionStore(db)
    store.import_sessions([(record("ccc", ended=True), "Lan", 4.0)])
    store.close()
    assert main(["--db", str(db), "history", "--json"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert (rows["ccc"]["trainee"], rows["ccc"]["imported"]) == ("Lan", True)
    assert rows["aaa"]["imported"] is False
    assert main(["--db", str(db), "history"]) == 0
    lines = {line.split()[-1]: line for line in capsys.readouterr().out.splitlines()[1:]}
    assert "Lan (imported)" in lines["ccc"] and "yours" in lines["aaa"] and "imported" not in lines["aaa"]


def test_history_without_a_database_creates_nothing(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    missing = tmp_path / "none.db"
    assert main(["--db", str(missing), "history"]) == 0
    assert "No sessions" in capsys.readouterr().out and not missing.exists()


def test_history_on_a_damaged_database_is_a_message(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    bad = tmp_path / "bad.db"
    bad.write_text("not sqlite")
    assert main(["--db", str(bad), "history"]) == 2
    assert "not a SQLite database" in capsys.readouterr().err


def test_serve_without_textual_serve_says_how_to_install(monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)
    assert main(["serve"]) == 2
    assert "pip install 'mitrainer[serve]'" in capsys.readouterr().err


def test_serve_runs_the_same_trainer_with_the_same_options() -> None:
    from mitrainer.cli import build_parser

    args = build_parser().parse_args(["--db", "/tmp/x y.db", "--scenarios", "mine", "--lang", "vi", "serve"])
    command = trainer_command(args)
    assert command.endswith("-m mitrainer --served --db '/tmp/x y.db' --scenarios mine --lang vi")
    assert args.host == "localhost"
