"""Export paths: private files, no surprise overwrites, missing folders, unsafe names, stdout."""

from __future__ import annotations

import stat

import pytest

from mitrainer.cli import main
from mitrainer.export import export_session
from mitrainer.export.output import OutputError, safe_name_part
from mitrainer.store.files import write_private_json
from tests.sessions import SCENARIOS


def test_export_writes_a_private_file_with_a_dated_name(record, scenario, tmp_path, data_dir):
    path = export_session(record, "html", tmp_path, trainee="", scenario=scenario)
    assert path.parent == tmp_path
    assert path.name == "2026-03-02-evening-drinks-5e55101d.html"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "<!DOCTYPE html>" in path.read_text(encoding="utf-8")


def test_default_folder_is_the_data_folder(record, scenario, data_dir):
    path = export_session(record, "md", trainee="", scenario=scenario)
    assert path.parent == data_dir / "exports"
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_existing_file_is_kept_unless_forced(record, scenario, tmp_path, data_dir):
    target = tmp_path / "log.md"
    target.write_text("my notes", encoding="utf-8")
    with pytest.raises(OutputError, match="already exists"):
        export_session(record, "md", target, trainee="", scenario=scenario)
    assert target.read_text(encoding="utf-8") == "my notes"
    export_session(record, "md", target, trainee="", scenario=scenario, force=True)
    assert target.read_text(encoding="utf-8").startswith("# Reflection log")


def test_missing_folder_is_reported_not_created(record, scenario, tmp_path, data_dir):
    with pytest.raises(OutputError, match="does not exist"):
        export_session(record, "md", tmp_path / "nope" / "log.md", trainee="", scenario=scenario)
    assert not (tmp_path / "nope").exists()


def test_names_from_records_cannot_leave_the_folder(record, scenario, tmp_path, data_dir):
    record = record.model_copy(update={"session_id": "/../../x",
                                       "scenario": record.scenario.model_copy(update={"id": "../../etc/passwd"})})
    path = export_session(record, "json", tmp_path, trainee="")
    assert path.parent == tmp_path
    assert "/" not in path.name and not path.name.startswith(".")


@pytest.mark.parametrize(("text", "expected"), [
    ("../../etc", "etc"), ("..", "session"), ("a b/c", "a-b-c"), ("Tuấn", "Tu-n"), ("", "session"),
])
def test_safe_name_part(text, expected):
    assert safe_name_part(text) == expected


def test_cli_export_to_stdout_and_into_a_folder(record, tmp_path, data_dir, capsys):
    source = tmp_path / "session.json"
    write_private_json(source, record.to_json())
    assert main(["--scenarios", str(SCENARIOS), "export", str(source), "--format", "md", "-o", "-",
                 "--name", "Mai"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Reflection log") and "| Trainee | Mai |" in out and "| Client | Lan, 41" in out
    folder = tmp_path / "out"
    folder.mkdir()
    assert main(["export", str(source), "--format", "csv", "-o", str(folder), "--name", ""]) == 0
    assert [p.name for p in folder.iterdir()] == ["2026-03-02-evening-drinks-5e55101d.csv"]
    assert main(["export", str(source), "--format", "csv", "-o", str(folder), "--name", ""]) == 2
    assert "already exists" in capsys.readouterr().err


def test_cli_export_errors_are_messages(tmp_path, data_dir, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    assert main(["export", str(bad)]) == 2
    assert "malformed JSON at line 1" in capsys.readouterr().err
    assert main(["export", "latest"]) == 2
    assert "no session database yet" in capsys.readouterr().err
    assert main(["export", str(tmp_path / "missing.json")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_trainee_name_is_asked_once_and_kept(record, tmp_path, data_dir, capsys, monkeypatch):
    import io

    from mitrainer.store.db import SessionStore

    source = tmp_path / "session.json"
    write_private_json(source, record.to_json())
    answers = iter(["Mai"])
    asked = []

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or next(answers))
    for _ in range(2):
        assert main(["export", str(source), "-o", "-"]) == 0
        assert "| Trainee | Mai |" in capsys.readouterr().out
    assert len(asked) == 1
    store = SessionStore(data_dir / "sessions.db")
    assert store.preferences().trainee_name == "Mai"
    store.close()


def test_no_database_is_created_when_nobody_can_be_asked(record, tmp_path, data_dir, capsys):
    source = tmp_path / "session.json"
    write_private_json(source, record.to_json())
    assert main(["export", str(source), "-o", "-"]) == 0
    assert "| Trainee | — |" in capsys.readouterr().out
    assert not (data_dir / "sessions.db").exists()
