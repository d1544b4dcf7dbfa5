"""Reading transcripts: typed rows, human codes, and T-diagnostics with line numbers."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mitrainer.codes import SkillCode, Speaker, Subtype, TalkType
from mitrainer.transcripts import MAX_BYTES, parse_transcript, read_transcript

CSV = (
    "speaker,text,codes\n"
    "therapist,What brings you in today?,open_question\n"
    "client,My wife wants me to cut down.,change;reasons\n"
    'counsellor,"So she\'s worried, and you\'re not sure.",complex_reflection;OQ\n'
)


def codes(transcript):
    return [d.code for d in transcript.diagnostics]


def test_csv_rows_and_human_codes():
    t = parse_transcript(CSV, "t.csv", "csv")
    assert t.ok and len(t.rows) == 3
    assert [r.speaker for r in t.rows] == [Speaker.COUNSELLOR, Speaker.CLIENT, Speaker.COUNSELLOR]
    assert t.rows[0].codes == (SkillCode.OPEN_QUESTION,)
    assert (t.rows[1].talk, t.rows[1].subtype) == (TalkType.CHANGE, Subtype.REASONS)
    assert t.rows[2].codes == (SkillCode.COMPLEX_REFLECTION, SkillCode.OPEN_QUESTION)
    assert [r.line for r in t.rows] == [2, 3, 4]
    assert t.context(2)[-1].text == "My wife wants me to cut down."


def test_jsonl(tmp_path):
    p = tmp_path / "t.jsonl"
    p.write_text("\n".join(json.dumps(o) for o in [
        {"speaker": "client", "text": "I drink too much.", "codes": "change"},
        {"speaker": "counsellor", "text": "You drink too much.", "codes": ["simple_reflection"]},
    ]) + "\n", encoding="utf-8")
    t = read_transcript(p)
    assert t.ok and t.rows[1].codes == (SkillCode.SIMPLE_REFLECTION,)


def test_unknown_speaker_and_code_reported_with_line():
    t = parse_transcript("speaker,text,codes\nrobot,Hi,\ncounsellor,Hello,open_qestion\n", "x.csv")
    found = {d.code: d for d in t.diagnostics}
    assert found["T004"].position.line == 2 and found["T004"].is_error
    assert found["T007"].position.line == 3 and "open_question" in found["T007"].hint
    assert len(t.rows) == 1 and not t.ok


def test_missing_columns():
    t = parse_transcript("who,said\nclient,hi\n", "x.csv")
    assert codes(t) == ["T003"] and not t.rows


def test_bad_json_line():
    t = parse_transcript('{"speaker": "client", "text": "hi"}\n{oops\n[1]\n', "x.jsonl", "jsonl")
    assert codes(t) == ["T006", "T006"] and [d.position.line for d in t.diagnostics] == [2, 3]
    assert len(t.rows) == 1


def test_invalid_utf8_reports_line():
    data = b"speaker,text\nclient,fine\n" + b"client,bad \xff\xfe bytes\n"
    t = parse_transcript(data, "x.csv")
    assert codes(t) == ["T002"] and t.diagnostics[0].position.line == 3
    assert len(t.rows) == 2 and "\ufffd" in t.rows[1].text


def test_empty_and_long_text_warn():
    t = parse_transcript(f"speaker,text\nclient,\ncounsellor,{'a' * 6000}\n", "x.csv")
    assert codes(t) == ["T005", "T009"] and t.ok and len(t.rows) == 2


def test_missing_file_and_directory(tmp_path):
    assert codes(read_transcript(tmp_path / "none.csv")) == ["T001"]
    assert codes(read_transcript(tmp_path)) == ["T001"]


def test_huge_file_refused(tmp_path):
    p = tmp_path / "big.csv"
    with open(p, "wb") as fh:
        fh.truncate(MAX_BYTES + 1)
    assert codes(read_transcript(p)) == ["T008"]


def test_empty_file():
    assert codes(parse_transcript("", "x.csv")) == ["T003"]
    assert codes(parse_transcript("speaker,text\n", "x.csv")) == ["T010"]


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_parse_without_exception(data):
    for fmt in ("csv", "jsonl"):
        t = parse_transcript(data, "fuzz", fmt)
        assert t.rows or t.diagnostics


def test_a_non_string_text_in_jsonl_is_refused_with_its_line():
    data = (b'{"speaker": "client", "text": 5}\n{"speaker": "counsellor", "text": ["a", "b"]}\n'
            b'{"speaker": "client", "text": {"x": 1}}\n{"speaker": "client", "text": "It is hard."}\n')
    transcript = parse_transcript(data, "t.jsonl", "jsonl")
    problems = [(d.code, d.position.line) for d in transcript.diagnostics]
    assert problems == [("T006", 1), ("T006", 2), ("T006", 3)]
    assert "'text' must be a string, not a number" in transcript.diagnostics[0].message
    assert [r.text for r in transcript.rows] == ["It is hard."]  # not "5", "['a', 'b']" …


@pytest.mark.parametrize(("encoding", "name"), [("utf-16-le", "UTF-16"), ("utf-32", "UTF-32")])
def test_a_transcript_in_a_wide_encoding_is_named(encoding, name):
    transcript = parse_transcript("speaker,text\nclient,It is hard.\n".encode(encoding), "t.csv", "csv")
    assert [(d.code, d.message) for d in transcript.diagnostics] == [
        ("T002", f"the file is {name} text; mitrainer reads UTF-8")]


def test_a_utf16_transcript_with_a_bom_is_read():
    transcript = parse_transcript("speaker,text\nclient,It is hard.\n".encode("utf-16"), "t.csv", "csv")
    assert transcript.ok and [r.text for r in transcript.rows] == ["It is hard."]


def test_a_fifo_transcript_is_refused_not_waited_on(tmp_path):
    import os

    fifo = tmp_path / "t.csv"
    os.mkfifo(fifo)
    transcript = read_transcript(fifo)
    assert [d.code for d in transcript.diagnostics] == ["T001"]
    assert "not a regular file" in transcript.diagnostics[0].message
