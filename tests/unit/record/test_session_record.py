"""The session record: one typed definition, records of schema 1 migrated, its JSON Schema published."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mitrainer.cli import main
from mitrainer.codes import Direction, SkillCode, Verdict
from mitrainer.record.migrate import migrate
from mitrainer.record.model import RECORD_SCHEMA_VERSION, SessionRecord, json_schema
from mitrainer.record.read import RecordError, parse_record, read_record
from mitrainer.store.db import SCHEMA_VERSION, SessionStore

ROOT = Path(__file__).resolve().parents[3]
GOLDEN = ROOT / "tests" / "golden"
V1 = sorted((GOLDEN / "records").glob("v1-*.json"))
SCHEMA_DOC = ROOT / "docs" / "session-record.schema.json"
SCENARIOS = ROOT / "tests" / "unit" / "export" / "fixtures" / "scenarios"


def v1(name: str) -> dict:
    return json.loads((GOLDEN / "records" / f"v1-{name}.json").read_text(encoding="utf-8"))


def test_the_golden_files_are_all_of_schema_1():
    assert len(V1) == 4 and all(json.loads(p.read_text(encoding="utf-8"))["schema_version"] == 1 for p in V1)


@pytest.mark.parametrize("path", V1, ids=lambda p: p.stem)
def test_every_schema_1_record_reads_as_the_current_schema(path):
    raw = json.loads(path.read_text(encoding="utf-8"))
    record = read_record(path)
    assert record.schema_version == RECORD_SCHEMA_VERSION == 2
    assert [t.response for t in record.turns] == [t["response"] for t in raw["turns"]]
    assert [t.feedback.note if t.feedback else "" for t in record.turns] == [t["branch_note"] for t in raw["turns"]]
    assert [t.coding.primary.value for t in record.turns] == [t["coding"]["primary"] for t in raw["turns"]]
    # What the migration writes reads back unchanged: records migrate once.
    assert parse_record(record.to_json(), "again") == record


def test_the_trainers_verdicts_move_into_the_feedback_with_the_note():
    raw = v1("trainer-finished")
    record = parse_record(raw, "trainer")
    first = record.turns[0].feedback
    assert first.note == raw["turns"][0]["branch_note"] == "A reflection shows you heard her."
    assert first.judgement.verdict is Verdict.GOOD and first.judgement.headline == raw["turns"][0]["feedback"]["headline"]
    assert [t.feedback.judgement.verdict.value for t in record.turns] == [t["feedback"]["verdict"] for t in raw["turns"]]
    assert record.turns[2].feedback.judgement.better.text == raw["turns"][2]["feedback"]["better"]["text"]


def test_a_play_record_keeps_its_notes_and_has_no_verdict_to_show():
    record = parse_record(v1("play-unfinished"), "play")
    assert [(t.feedback.judgement, t.feedback.note) for t in record.turns] == [
        (None, "A reflection shows you heard her."), (None, "She keeps talking.")]
    assert not record.finished and record.ending is None


def test_codings_before_and_with_a_direction():
    assert {t.coding.direction for t in parse_record(v1("before-direction"), "old").turns} == {None}
    guided = parse_record(v1("guided-direction"), "guided")
    assert [(t.guided, t.coding.direction) for t in guided.turns] == [(True, Direction.CHANGE),
                                                                      (True, Direction.SUSTAIN)]
    assert guided.turns[0].coding.primary is SkillCode.OPEN_QUESTION


def test_the_migration_is_explicit_and_leaves_its_input_alone():
    raw = v1("trainer-finished")
    before = json.dumps(raw, sort_keys=True)
    migrated = migrate(raw)
    assert json.dumps(raw, sort_keys=True) == before
    assert migrated["schema_version"] == 2 and all("branch_note" not in t for t in migrated["turns"])


def test_a_verdict_that_does_not_read_is_dropped_and_its_note_kept():
    raw = v1("trainer-finished")
    raw["turns"][1]["feedback"] = {"verdict": "splendid"}
    record = parse_record(raw, "odd")
    assert record.turns[1].feedback.judgement is None and record.turns[1].feedback.note == "She keeps talking."


@pytest.mark.parametrize(("change", "message"), [
    (lambda r: r.pop("schema_version"), "no schema_version"),
    (lambda r: r.update(schema_version=3), "schema 3 is newer than this mitrainer reads"),
    (lambda r: r.update(schema_version=0), "unknown session record schema 0"),
    (lambda r: r.update(session_id=""), "no session_id"),
    (lambda r: r.update(seed=True), "seed is damaged"),
    (lambda r: r["turns"][1].update(index=5), "turn 2 has index 5; the turns are out of order"),
    (lambda r: r["turns"][0]["coding"].update(primary="shouting"), r"turn 1 is damaged \(coding.primary"),
])
def test_damaged_records_are_refused_with_what_is_wrong(change, message):
    raw = v1("trainer-finished")
    change(raw)
    with pytest.raises(RecordError, match=message):
        parse_record(raw, "file.json")


def test_every_command_reads_a_schema_1_record_the_same_way(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MITRAINER_DATA_DIR", str(tmp_path / "data"))
    source = GOLDEN / "records" / "v1-trainer-finished.json"
    assert main(["--scenarios", str(SCENARIOS), "score", str(source), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["turns"] == 5
    assert main(["--scenarios", str(SCENARIOS), "export", str(source), "--format", "json", "-o", "-",
                 "--name", "Mai"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["record"]["schema_version"] == 2 and document["feedback"][2]["verdict"] == "righting_reflex"


def test_a_store_of_schema_1_is_migrated_and_reads_as_the_files_do(tmp_path):
    db = tmp_path / "sessions.db"
    shutil.copy(GOLDEN / "sessions-v1.db", db)
    store = SessionStore(db)
    try:
        assert store.schema_version == SCHEMA_VERSION
        for name in ("trainer-finished", "play-unfinished", "before-direction"):
            raw = v1(name)
            assert store.load_record(raw["session_id"]) == parse_record(raw, name)
        assert [s.id[:4] for s in store.list_sessions()] and store.count_sessions() == 3
    finally:
        store.close()


def _shape(schema: dict) -> dict:
    """What a record may hold, per model: its fields, which are required, and the enumerations'
    values (pydantic releases word titles and descriptions differently; the shape is what counts)."""
    def of(model: dict) -> dict:
        return {"properties": sorted(model.get("properties", {})), "required": sorted(model.get("required", [])),
                "enum": sorted(model.get("enum", []))}
    return {"record": of(schema), **{name: of(model) for name, model in schema.get("$defs", {}).items()}}


def test_the_published_json_schema_is_current():
    published = json.loads(SCHEMA_DOC.read_text(encoding="utf-8"))
    assert _shape(published) == _shape(json_schema()), (
        "docs/session-record.schema.json is out of date; regenerate it with "
        "`python -m mitrainer.record > docs/session-record.schema.json`")


def test_the_json_schema_describes_what_is_written():
    schema = json_schema()
    assert schema["properties"]["schema_version"]["default"] == RECORD_SCHEMA_VERSION
    assert set(schema["required"]) == {"session_id", "scenario", "turns"}
    turn = schema["$defs"]["Turn"]
    assert "feedback" in turn["properties"] and "branch_note" not in turn["properties"]
    assert set(schema["$defs"]["Judgement"]["properties"]["verdict"]["$ref"].split("/")[-1:]) == {"Verdict"}
    assert SessionRecord.model_validate(parse_record(v1("guided-direction"), "g").to_json())

