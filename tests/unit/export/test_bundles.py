"""Portable bundles: round trip, every reading error, and all-or-nothing import."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from mitrainer.cli import main
from mitrainer.errors import StoreError
from mitrainer.export.bundles import (
    BUNDLE_SCHEMA_VERSION,
    BundleError,
    bundle_text,
    checksum_of,
    import_bundles,
    make_bundle,
    read_bundle,
)
from mitrainer.export.library import ScenarioIndex
from mitrainer.store.db import SCHEMA_VERSION, SessionStore
from tests.sessions import SCENARIOS, STANDARD_RESPONSES, play


def write(path: Path, document) -> Path:
    path.write_text(document if isinstance(document, str) else bundle_text(document), encoding="utf-8")
    return path


def resign(document: dict) -> dict:
    """Recompute the checksum after editing (to reach the checks behind it)."""
    document["checksum"] = checksum_of(document)
    return document


@pytest.fixture
def library() -> ScenarioIndex:
    return ScenarioIndex([SCENARIOS], include_bundled=False)


@pytest.fixture
def store(tmp_path) -> SessionStore:
    store = SessionStore(tmp_path / "sessions.db")
    yield store
    store.close()


def test_round_trip(record, tmp_path):
    document = make_bundle(record, trainee="Mai", exported_at="2026-03-03T10:00:00+00:00")
    assert document["schema_version"] == BUNDLE_SCHEMA_VERSION
    assert document["scenario"]["content_hash"] == record.scenario.content_hash
    assert document["checksum"].startswith("sha256:") and len(document["checksum"]) == 71
    bundle = read_bundle(write(tmp_path / "mai.bundle.json", document))
    assert bundle.record == record and bundle.trainee == "Mai" and bundle.name == "Mai"
    assert bundle.checksum == document["checksum"]


def test_checksum_ignores_layout_and_key_order(record):
    document = make_bundle(record, trainee="Mai", exported_at="x")
    shuffled = json.loads(json.dumps(document, sort_keys=True, indent=4))
    assert checksum_of(shuffled) == document["checksum"]


def test_name_falls_back_to_the_file_name(record, tmp_path):
    bundle = read_bundle(write(tmp_path / "group-3.bundle.json", make_bundle(record)))
    assert bundle.name == "group-3"


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: "{\"format\": ", "malformed JSON at line 1"),
    (lambda d: "[1, 2]", "not a mitrainer session bundle"),
    (lambda d: json.dumps(d["record"]), "this is a session record, not a bundle"),
    (lambda d: {**d, "format": "other"}, "not a mitrainer session bundle"),
    (lambda d: resign({**d, "schema_version": 99}), "comes from a newer mitrainer"),
    (lambda d: resign({**d, "schema_version": 0}), "unknown bundle schema version 0"),
    (lambda d: resign({**d, "schema_version": "1"}), "no schema version"),
    (lambda d: {k: v for k, v in d.items() if k != "checksum"}, "no checksum"),
    (lambda d: {**d, "trainee": "someone else"}, "checksum mismatch"),
    (lambda d: resign({**d, "record": {**d["record"], "turns": d["record"]["turns"][:2] + [{"index": 2}]}}),
     "turn 3 is damaged"),
    (lambda d: resign({**d, "record": {**d["record"], "schema_version": 7}}), "newer than this mitrainer reads"),
    (lambda d: resign({**d, "scenario": {**d["scenario"], "content_hash": "sha256:00"}}),
     "does not match its session record"),
])
def test_every_reading_error_has_a_message(record, tmp_path, edit, message):
    document = make_bundle(record, trainee="Mai")
    path = write(tmp_path / "x.bundle.json", edit(document))
    with pytest.raises(BundleError, match=message):
        read_bundle(path)


def test_a_changed_response_breaks_the_checksum(record, tmp_path):
    document = make_bundle(record, trainee="Mai")
    document["record"]["turns"][0]["response"] = "edited afterwards"
    with pytest.raises(BundleError, match="checksum mismatch"):
        read_bundle(write(tmp_path / "x.bundle.json", document))


def test_import_writes_every_bundle_with_its_trainee(record, scenario, tmp_path, store, library):
    other = play(scenario, STANDARD_RESPONSES[:3], session_id="0" * 31 + "2")
    paths = [write(tmp_path / "a.bundle.json", make_bundle(record, trainee="Mai")),
             write(tmp_path / "b.bundle.json", make_bundle(other, trainee=""))]
    plan = import_bundles(paths, store, library)
    assert len(plan.to_write) == 2
    assert store.load_record(record.session_id) == record
    names = {s.id: s.trainee for s in store.list_sessions(limit=None)}
    assert names == {record.session_id: "Mai", other.session_id: "b"}
    # Importing again changes nothing.
    again = import_bundles(paths, store, library)
    assert not again.to_write and len(again.already_there) == 2


@pytest.mark.parametrize(("break_it", "message"), [
    (lambda d: {**d, "trainee": "tampered"}, "checksum mismatch"),
    (lambda d: resign({**d, "record": {**d["record"], "scenario": {**d["record"]["scenario"], "id": "elsewhere"}},
                       "scenario": {**d["scenario"], "id": "elsewhere"}}), "which you do not have"),
    (lambda d: resign({**d, "record": {**d["record"], "scenario": {**d["record"]["scenario"], "content_hash": "sha256:ab"}},
                       "scenario": {**d["scenario"], "content_hash": "sha256:ab"}}), "another version of scenario"),
])
def test_one_bad_bundle_imports_nothing(record, scenario, tmp_path, store, library, break_it, message):
    good = write(tmp_path / "good.bundle.json", make_bundle(record, trainee="Mai"))
    other = play(scenario, STANDARD_RESPONSES[:2], session_id="0" * 31 + "3")
    bad = write(tmp_path / "bad.bundle.json", break_it(make_bundle(other, trainee="Wei")))
    with pytest.raises(BundleError, match=message) as caught:
        import_bundles([good, bad], store, library)
    assert "nothing was imported" in str(caught.value)
    assert store.count_sessions() == 0


def test_conflicting_session_needs_replace(record, tmp_path, store, library):
    import_bundles([write(tmp_path / "a.bundle.json", make_bundle(record, trainee="Mai"))], store, library)
    changed = record.model_copy(update={"reflections": {"went_well": "changed my mind"}})
    path = write(tmp_path / "b.bundle.json", make_bundle(changed, trainee="Mai"))
    with pytest.raises(BundleError, match="imported earlier with different contents"):
        import_bundles([path], store, library)
    import_bundles([write(path, make_bundle(changed, trainee="Mai Anh"))], store, library, replace=True)
    assert store.load_record(record.session_id).reflections == {"went_well": "changed my mind"}
    # The replaced import takes the new bundle's trainee name, and can be replaced again.
    assert [s.trainee for s in store.list_sessions(limit=None)] == ["Mai Anh"]
    assert store.was_imported(record.session_id)


def forged_copy(record, went_well: str):
    turns = (record.turns[0].model_copy(update={"response": "not what I said"}), *record.turns[1:])
    return record.model_copy(update={"reflections": {"went_well": went_well}, "turns": turns})


def test_a_session_played_here_is_never_replaced_by_an_import(record, tmp_path, store, library):
    # A forged bundle can carry the id of a session played on this machine.
    store.save_session(record, score=2.5)
    forged = forged_copy(record, "written by someone else")
    path = write(tmp_path / "forged.bundle.json", make_bundle(forged, trainee="Attacker"))
    for replace in (False, True):
        with pytest.raises(BundleError, match="played on this machine; an import never replaces it"):
            import_bundles([path], store, library, replace=replace)
    assert store.load_record(record.session_id) == record
    assert not store.was_imported(record.session_id)
    # The store refuses it too, whatever the caller checked.
    with pytest.raises(StoreError, match="played on this machine"):
        store.import_sessions([(forged, "Attacker", None)])
    assert store.load_record(record.session_id) == record


def test_sessions_stored_before_the_mark_count_as_played_here(record, tmp_path, library):
    import sqlite3

    path = tmp_path / "old.db"
    store = SessionStore(path)
    store.save_session(record)
    store.close()
    conn = sqlite3.connect(path)  # back to schema 1, as an older mitrainer left it
    conn.execute("ALTER TABLE sessions DROP COLUMN imported")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    store = SessionStore(path)
    try:
        assert store.schema_version == SCHEMA_VERSION and not store.was_imported(record.session_id)
        changed = forged_copy(record, "x")
        with pytest.raises(BundleError, match="played on this machine"):
            import_bundles([write(tmp_path / "c.bundle.json", make_bundle(changed))], store, library, replace=True)
    finally:
        store.close()


def test_import_is_one_transaction(record, scenario, tmp_path, store, library, monkeypatch):
    other = play(scenario, STANDARD_RESPONSES[:2], session_id="0" * 31 + "4")
    paths = [write(tmp_path / "a.bundle.json", make_bundle(record)), write(tmp_path / "b.bundle.json", make_bundle(other))]
    calls = []
    real = SessionStore._upsert_header

    def failing(self, conn, rec, *args, **kwargs):
        calls.append(rec.session_id)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(self, conn, rec, *args, **kwargs)

    monkeypatch.setattr(SessionStore, "_upsert_header", failing)
    with pytest.raises(OSError):
        import_bundles(paths, store, library)
    monkeypatch.setattr(SessionStore, "_upsert_header", real)
    assert store.count_sessions() == 0 and store.load_record(record.session_id) is None


def test_cli_bundle_export_and_import(record, tmp_path, data_dir, capsys):
    source = tmp_path / "session.json"
    source.write_text(json.dumps(record.to_json()), encoding="utf-8")
    bundle = tmp_path / "mai.bundle.json"
    db = tmp_path / "db.sqlite"
    assert main(["export", str(source), "--format", "bundle", "--name", "Mai", "-o", str(bundle)]) == 0
    assert stat.S_IMODE(bundle.stat().st_mode) == 0o600
    assert main(["--db", str(db), "--scenarios", str(SCENARIOS), "import", str(bundle)]) == 0
    assert "1 imported" in capsys.readouterr().out
    # Exported again from the database, the log keeps the member's name, not the importer's.
    assert main(["--db", str(db), "--scenarios", str(SCENARIOS), "export", record.session_id[:6], "-o", "-"]) == 0
    assert "| Trainee | Mai |" in capsys.readouterr().out
    bad = tmp_path / "bad.bundle.json"
    bad.write_text(bundle.read_text(encoding="utf-8").replace("Mai", "Mal"), encoding="utf-8")
    assert main(["--db", str(db), "import", str(bad)]) == 2
    assert "checksum mismatch" in capsys.readouterr().err


def test_a_seed_too_large_for_the_database_is_a_damaged_bundle(record, tmp_path, store, library, capsys):
    forged = record.model_copy(update={"seed": 2**63})  # written as a forger would: no check
    path = write(tmp_path / "seed.bundle.json", make_bundle(forged, trainee="Mai"))
    with pytest.raises(BundleError, match="seed is damaged"):
        import_bundles([path], store, library)
    assert main(["--db", str(tmp_path / "cli.db"), "--scenarios", str(SCENARIOS), "import", str(path)]) == 2
    assert "seed is damaged" in capsys.readouterr().err
    assert store.count_sessions() == 0


def test_an_imported_response_over_the_cap_is_refused(record, tmp_path, store, library):
    from mitrainer.text import MAX_RESPONSE_CHARS

    def with_response(text: str):
        turns = list(record.turns)
        turns[1] = turns[1].model_copy(update={"response": text})
        return record.model_copy(update={"turns": tuple(turns)})

    long = with_response("x" * (MAX_RESPONSE_CHARS + 1))
    with pytest.raises(BundleError, match="turn 2's response is longer than 20,000 characters"):
        import_bundles([write(tmp_path / "long.bundle.json", make_bundle(long, trainee="Mai"))], store, library)
    assert store.count_sessions() == 0
    long = with_response("x" * MAX_RESPONSE_CHARS)
    import_bundles([write(tmp_path / "ok.bundle.json", make_bundle(long, trainee="Mai"))], store, library)
    assert store.count_sessions() == 1
