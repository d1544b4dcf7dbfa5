"""Absurd sizes and broken encodings: refused with a message naming the problem, never a hang.

100 MB files are sparse (created instantly, no disk used) and must be refused from their
size, not read; million-character lines must be handled (the coder codes only the start of
a long text); bytes that are not UTF-8 get a message saying so, for every kind of file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mitrainer.cli import main
from mitrainer.coding.rules import RuleBasedCoder
from mitrainer.engine.session import Session
from mitrainer.export.bundles import BundleError, read_bundle
from mitrainer.practice import Practice
from mitrainer.record.read import RecordError, read_json_file
from mitrainer.scenario.load import load_scenario
from mitrainer.scoring.rubric_load import load_rubric
from mitrainer.transcripts import parse_transcript, read_transcript
from tests.sessions import SCENARIOS, STANDARD_RESPONSES, load_fixture_scenario, play

HUNDRED_MB = 100_000_000
MILLION = 1_000_000
NOT_UTF8 = b"caf\xe9 \xff\xfe \xc3\x28"


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MITRAINER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("MITRAINER_DB", raising=False)
    return tmp_path / "data"


def sparse(path: Path, size: int = HUNDRED_MB) -> Path:
    with path.open("wb") as handle:
        handle.truncate(size)
    return path


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


# -- 100 MB files --------------------------------------------------------------------------------

def test_100_mb_scenario_and_rubric_are_refused_by_size(tmp_path):
    for loaded in (load_scenario(sparse(tmp_path / "huge.yaml")), load_rubric(sparse(tmp_path / "huge-rubric.yaml"))):
        [problem] = loaded.diagnostics
        assert problem.code == "Y013" and "100.0 MB" in problem.message


def test_100_mb_transcript_is_refused_by_size(tmp_path):
    transcript = read_transcript(sparse(tmp_path / "huge.csv"))
    assert not transcript.rows and [d.code for d in transcript.diagnostics] == ["T008"]
    assert "100 MB" in transcript.diagnostics[0].message


def test_100_mb_record_and_bundle_are_refused_by_size(tmp_path):
    with pytest.raises(RecordError, match="larger than 32 MB"):
        read_json_file(sparse(tmp_path / "huge.json"))
    with pytest.raises(BundleError, match="larger than 32 MB"):
        read_bundle(sparse(tmp_path / "huge.bundle.json"))


@pytest.mark.parametrize(("argv", "message"), [
    (["validate", "{f}.yaml"], "100.0 MB"),
    (["graph", "{f}.yaml"], "100.0 MB"),
    (["playtest", "{f}.yaml"], "100.0 MB"),
    (["code-transcript", "{f}.csv"], "100 MB"),
    (["score", "{f}.jsonl"], "100 MB"),
    (["score", "{f}.json"], "larger than 32 MB"),
    (["export", "{f}.json", "-o", "-"], "larger than 32 MB"),
    (["import", "{f}.bundle.json"], "larger than 32 MB"),
    (["group", "report", "{f}.bundle.json"], "larger than 32 MB"),
    (["review", "{f}.bundle.json", "--agreement"], "larger than 32 MB"),
    (["--scenarios", str(SCENARIOS), "play", "evening-drinks", "--responses", "{f}.txt"], "larger than 10 MB"),
])
def test_cli_refuses_100_mb_files_with_a_message(tmp_path, capsys, argv, message):
    stem = tmp_path / "huge"
    argv = [a.format(f=stem) for a in argv]
    sparse(Path(next(a for a in argv if a.startswith(str(stem)))))
    code, out = run(capsys, *argv)
    assert code in (1, 2) and message in out and "Traceback" not in out


# -- million-character lines ----------------------------------------------------------------------------

def _scenario_with_client_line(tmp_path: Path, line: str) -> Path:
    text = (SCENARIOS / "evening-drinks.yaml").read_text(encoding="utf-8")
    text = text.replace('"Sometimes I wake up tired, and I snap at the kids."', json.dumps(line))
    path = tmp_path / "evening-drinks.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_million_character_client_line_is_refused_at_its_line(tmp_path, capsys):
    path = _scenario_with_client_line(tmp_path, "I keep talking. " * (MILLION // 16))
    errors = load_scenario(path).errors
    assert [(d.code, d.position.line) for d in errors] == [("S003", 52)]
    assert "at most 20000 characters" in errors[0].message
    code, out = run(capsys, "validate", str(path))
    # The source line is not printed whole (it would flood the terminal).
    assert code == 1 and "S003" in out and len(out) < 2000


def test_the_longest_client_line_allowed_plays(tmp_path):
    line = "I keep talking. " * (20_000 // 16)
    scenario = load_scenario(_scenario_with_client_line(tmp_path, line)).require()
    session = Session(scenario, seed=1, coder=RuleBasedCoder())
    Practice(session).take_turn("The wine is how you switch off after a long day.")
    assert session.node_id == "explore" and session.current_line.text == line


def test_a_million_character_transcript_text_is_coded_from_its_start(tmp_path, capsys):
    path = tmp_path / "long.jsonl"
    rows = [{"speaker": "client", "text": "I drink to unwind."},
            {"speaker": "counsellor", "text": "What worries you about it? " + "and " * (MILLION // 4)}]
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    transcript = parse_transcript(path.read_bytes(), str(path), "jsonl")
    assert len(transcript.rows[1].text) > MILLION and "T009" in [d.code for d in transcript.diagnostics]
    code, out = run(capsys, "code-transcript", str(path), "--format", "jsonl", "--rules")
    assert code == 0
    coded = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert coded[1]["primary"] == "open_question"  # coded from the start of the text
    code, out = run(capsys, "score", str(path))
    assert code == 0 and "counsellor turn(s)" in out


def test_a_million_character_response_in_play(tmp_path, capsys):
    responses = tmp_path / "responses.txt"
    responses.write_text("So the wine is how you unwind" + ", and" * (MILLION // 5) + ".\nWhat worries you?\n",
                         encoding="utf-8")
    out_file = tmp_path / "session.json"
    code, out = run(capsys, "--scenarios", str(SCENARIOS), "play", "evening-drinks", "--responses", str(responses),
                    "--out", str(out_file))
    assert code == 0
    record = json.loads(out_file.read_text(encoding="utf-8"))
    assert len(record["turns"]) == 2 and len(record["turns"][0]["response"]) > MILLION
    assert record["turns"][0]["coding"]["primary"]  # coded (from its start), not refused
    code, out = run(capsys, "--scenarios", str(SCENARIOS), "export", str(out_file), "--format", "html", "-o", "-")
    assert code == 0 and len(out) > MILLION


# -- invalid UTF-8 --------------------------------------------------------------------------------------

def _with_bad_bytes(path: Path, before: bytes, after: bytes = b"") -> Path:
    path.write_bytes(before + NOT_UTF8 + after)
    return path


def test_invalid_utf8_scenario_and_rubric_name_the_line(tmp_path):
    scenario = (SCENARIOS / "evening-drinks.yaml").read_bytes()
    for loaded in (load_scenario(_with_bad_bytes(tmp_path / "s.yaml", scenario[:300], scenario[300:])),
                   load_rubric(_with_bad_bytes(tmp_path / "r.yaml", b"schema_version: 1\nid: r\ntitle: \"", b"\"\n"))):
        [problem] = loaded.diagnostics
        assert problem.code == "Y011" and "not valid UTF-8" in problem.message and problem.position.line > 1


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_invalid_utf8_transcript_warns_and_reads_the_rest(tmp_path, fmt):
    before = b"speaker,text\ncounsellor,What " if fmt == "csv" else b'{"speaker": "counsellor", "text": "What '
    after = b" now?\n" if fmt == "csv" else b' now?"}\n'
    transcript = read_transcript(_with_bad_bytes(tmp_path / f"t.{fmt}", before, after))
    [problem] = transcript.diagnostics
    assert problem.code == "T002" and "invalid UTF-8" in problem.message and problem.position.line == (
        2 if fmt == "csv" else 1)
    assert transcript.rows[0].text.startswith("What caf\ufffd")


def test_invalid_utf8_record_and_bundle_are_refused(tmp_path):
    with pytest.raises(RecordError, match="not UTF-8"):
        read_json_file(_with_bad_bytes(tmp_path / "r.json", b'{"a": "', b'"}'))
    with pytest.raises(BundleError, match="not UTF-8"):
        read_bundle(_with_bad_bytes(tmp_path / "b.bundle.json", b'{"a": "', b'"}'))


def test_invalid_utf8_in_cli_inputs_gets_a_message(tmp_path, capsys):
    record = json.dumps(play(load_fixture_scenario(), STANDARD_RESPONSES).to_json()).encode()
    cut = record.index(b"So the wine")
    bad_record = _with_bad_bytes(tmp_path / "session.json", record[:cut], record[cut:])
    code, out = run(capsys, "export", str(bad_record), "-o", "-")
    assert code == 2 and "not UTF-8" in out
    code, out = run(capsys, "score", str(bad_record))
    assert code == 2 and "not UTF-8" in out  # score reads records as export does
    responses = _with_bad_bytes(tmp_path / "responses.txt", b"So the wine is how you unwind ", b".\n")
    code, out = run(capsys, "--scenarios", str(SCENARIOS), "play", "evening-drinks", "--responses", str(responses))
    assert code == 0 and "responses.txt:1: not valid UTF-8" in out
    templates = tmp_path / "templates"
    templates.mkdir()
    _with_bad_bytes(templates / "session.md.j2", b"# {{ s.title }} ")
    good = tmp_path / "good.json"
    good.write_bytes(record)
    code, out = run(capsys, "export", str(good), "-o", "-", "--templates", str(templates))
    assert code == 2 and "session.md.j2" in out and "not UTF-8" in out and "internal error" not in out
