"""The ``mitrainer score`` command on session records."""

from __future__ import annotations

import json

from mitrainer.cli import main
from tests.sessions import codes


def record_file(tmp_path, session_at):
    session = session_at("change")
    for names in (["complex_reflection"], ["persuade"], ["simple_reflection"], ["open_question"]):
        session.respond("text", codes(*names))
    path = tmp_path / "session.json"
    path.write_text(json.dumps(session.record().to_json()), encoding="utf-8")
    return path


def test_score_prints_the_table(tmp_path, session_at, capsys):
    assert main(["score", str(record_file(tmp_path, session_at))]) == 0
    out = capsys.readouterr().out
    assert "Reflection-to-question ratio" in out and "2.00:1" in out
    assert "Relational global" in out and "Complex reflection" in out


def test_score_json(tmp_path, session_at, capsys):
    assert main(["score", str(record_file(tmp_path, session_at)), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["counts"]["persuade"] == 1 and data["reflections"] == 2 and data["rq_ratio"] == 2.0
    assert next(m for m in data["metrics"] if m["key"] == "rq_ratio")["band"] == "good"


def test_score_with_a_rubric_file(tmp_path, session_at, capsys):
    rubric = tmp_path / "strict.yaml"
    rubric.write_text("rubric_version: 1\nid: strict\ninclude: [standard]\nmetrics:\n  rq_ratio: {good: 3}\n")
    assert main(["score", str(record_file(tmp_path, session_at)), "--rubric", str(rubric), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["rubric"] == "strict"
    assert next(m for m in data["metrics"] if m["key"] == "rq_ratio")["band"] == "fair"


def test_score_refuses_bad_input_with_a_message(tmp_path, capsys):
    missing = tmp_path / "nope.json"
    assert main(["score", str(missing)]) == 2
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["score", str(bad)]) == 2
    damaged = tmp_path / "damaged.json"
    damaged.write_text(json.dumps({"schema_version": 2, "session_id": "x", "scenario": {"id": "s"},
                                   "turns": [{"client": {"talk": "angry"}, "coding": {}}]}))
    assert main(["score", str(damaged)]) == 2
    err = capsys.readouterr().err
    assert "no such file" in err and "malformed JSON" in err and "turn 1 is damaged" in err
    assert "Traceback" not in err


def test_score_and_export_accept_and_refuse_the_same_records(tmp_path, capsys):
    """One reader for every command: a record without schema_version is refused by both."""
    unversioned = tmp_path / "unversioned.json"
    unversioned.write_text(json.dumps({"session_id": "x", "scenario": {"id": "s"}, "turns": []}))
    assert main(["score", str(unversioned)]) == 2
    assert main(["export", str(unversioned), "-o", "-", "--name", ""]) == 2
    err = capsys.readouterr().err
    assert err.count("not a session record (no schema_version)") == 2


TRANSCRIPT_CSV = """speaker,text,codes
client,I drink too much lately.,change
counsellor,You're worried about where it is going.,complex_reflection
client,But it helps me relax.,sustain
counsellor,You should cut down.,persuade
counsellor,What else is going on for you?,
"""


def test_score_transcript_csv_with_human_codes(tmp_path, capsys):
    path = tmp_path / "t.csv"
    path.write_text(TRANSCRIPT_CSV, encoding="utf-8")
    assert main(["score", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["source"] == "mixed" and data["turns"] == 3
    assert data["counts"]["complex_reflection"] == 1 and data["counts"]["persuade"] == 1
    assert (data["change_talk"], data["sustain_talk"]) == (1, 1)
    assert data["agreement"]["utterances"] == 2
    assert main(["score", str(path)]) == 0
    assert "Human–machine agreement" in capsys.readouterr().out


def test_score_transcript_jsonl_machine_coded(tmp_path, capsys):
    path = tmp_path / "t.jsonl"
    path.write_text('{"speaker": "client", "text": "I want to stop."}\n'
                    '{"speaker": "counsellor", "text": "You want to stop."}\n', encoding="utf-8")
    assert main(["score", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["source"] == "machine" and data["turns"] == 1 and data["agreement"] is None


def test_score_transcript_with_a_bad_header(tmp_path, capsys):
    path = tmp_path / "t.csv"
    path.write_text("speaker,words\nclient,hi\n", encoding="utf-8")
    assert main(["score", str(path)]) == 2
    assert "T003" in capsys.readouterr().err


def test_score_of_a_transcript_with_one_counsellor_line_has_no_overall(tmp_path, capsys):
    transcript = tmp_path / "one.csv"
    transcript.write_text("speaker,text\nclient,I drink too much lately.\n"
                          "counsellor,You're worried about where it is going.\n", encoding="utf-8")
    assert main(["score", str(transcript), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["overall"] is None and data["technical"] is None and data["relational"] is None
    assert data["enough_data"] is False and data["turns"] == 1
    assert main(["score", str(transcript)]) == 0
    assert "not enough" in capsys.readouterr().out  # the table may wrap the rest
