"""Terminal control sequences in files never reach the terminal raw.

ESC sequences (colours, screen clearing, OSC window titles), bells and bidi overrides are
put into every kind of file mitrainer reads; each command that prints from such a file is
run with NO_COLOR on a non-terminal, where rich itself emits no escape codes at all, so any
ESC, BEL or U+202E in the output came from a file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mitrainer.cli import main
from mitrainer.export.bundles import bundle_text, make_bundle
from mitrainer.record.model import SessionRecord
from tests.sessions import SCENARIOS, STANDARD_RESPONSES, load_fixture_scenario, play

ROOT = Path(__file__).resolve().parents[3]
EVIL = "\x1b[31mred\x1b[0m \x1b]0;pwned\x07 \x1b[2J\x07 \u202egnp.exe \x9b31m \x00"
FORBIDDEN = ("\x1b", "\x07", "\u202e", "\x9b", "\x00")


def assert_clean(text: str) -> None:
    found = [repr(ch) for ch in FORBIDDEN if ch in text]
    assert not found, f"{found} reached the output"


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("MITRAINER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("MITRAINER_DB", raising=False)
    record = play(load_fixture_scenario(), [(EVIL + text, codes) for text, codes in STANDARD_RESPONSES],
                  reflections={"went_well": EVIL}).to_json()
    # Content from another machine: every text field a report shows carries the sequences.
    record["scenario"]["title"] = EVIL
    for turn in record["turns"]:
        turn["client"]["text"] = EVIL
        turn["client"]["cue"] = EVIL
        turn["feedback"]["note"] = EVIL
        turn["feedback"]["judgement"]["headline"] = EVIL
    record["ending"]["title"] = EVIL
    record["ending"]["debrief"] = EVIL
    paths = {"record": tmp_path / "session.json", "bundle": tmp_path / "evil.bundle.json",
             "responses": tmp_path / "responses.txt", "csv": tmp_path / "t.csv", "jsonl": tmp_path / "t.jsonl",
             "scenario": tmp_path / "evil.yaml"}
    paths["record"].write_text(json.dumps(record), encoding="utf-8")
    paths["bundle"].write_text(bundle_text(make_bundle(SessionRecord.model_validate(record), trainee=EVIL)), encoding="utf-8")
    paths["responses"].write_text(f"{EVIL} You feel stuck.\nWhat {EVIL} matters?\n", encoding="utf-8")
    rows = [("counsellor", f"What {EVIL} brings you?", f"open_question;{EVIL}"), ("client", EVIL, f"sustain;{EVIL}")]
    import csv

    with paths["csv"].open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([("speaker", "text", "codes"), *rows, (EVIL, "x", "")])
    paths["jsonl"].write_text("\n".join(json.dumps({"speaker": s, "text": t, "codes": c}) for s, t, c in rows)
                              + "\n" + json.dumps({"speaker": EVIL, "text": "x"}) + "\n", encoding="utf-8")
    # The same rows without the unknown speaker and the NUL byte (errors that stop 'score').
    paths["scoreable"] = tmp_path / "scoreable.csv"
    with paths["scoreable"].open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([("speaker", "text", "codes"),
                                      *[[cell.replace("\x00", "") for cell in row] for row in rows]])
    scenario = (SCENARIOS / "evening-drinks.yaml").read_text(encoding="utf-8")
    scenario = scenario.replace('title: "Evening drinks <after> work"',
                                'title: "Evening \\e[31mdrinks\\a \\u202e"\n"\\e]0;pwned\\a": 1')
    scenario = scenario.replace("  name: Lan", '  name: "Lan\\e[2J"\n  "\\e[5mkey": x')
    paths["scenario"].write_text(scenario, encoding="utf-8")
    return paths


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_play_with_a_hostile_responses_file(files, capsys):
    code, out = run(capsys, "--scenarios", str(SCENARIOS), "play", "evening-drinks", "--responses",
                    str(files["responses"]))
    assert code == 0 and "You feel stuck." in out
    assert_clean(out)


@pytest.mark.parametrize("kind", ["csv", "jsonl"])
@pytest.mark.parametrize("fmt", ["table", "jsonl"])
def test_code_transcript(files, capsys, kind, fmt):
    code, out = run(capsys, "code-transcript", str(files[kind]), "--rules", "--format", fmt)
    assert code == 1 and "T011" in out and "T004" in out  # cleaned with a warning; the bad speaker named
    assert_clean(out)


@pytest.mark.parametrize("kind", ["record", "scoreable"])
def test_score(files, capsys, kind):
    code, out = run(capsys, "--scenarios", str(SCENARIOS), "score", str(files[kind]))
    assert code == 0 and "counsellor turn(s)" in out
    assert_clean(out)


@pytest.mark.parametrize("fmt", ["table", "md", "csv"])
def test_group_report(files, capsys, fmt):
    code, out = run(capsys, "--scenarios", str(SCENARIOS), "group", "report", str(files["bundle"]),
                    str(files["record"]), "--format", fmt)
    assert code == 1 and "left out" in out  # the record is not a bundle: named, not fatal
    assert "red" in out
    assert_clean(out)


@pytest.mark.parametrize("source", ["record", "bundle"])
@pytest.mark.parametrize("fmt", ["md", "html", "json", "csv", "bundle"])
def test_export_to_stdout(files, capsys, source, fmt):
    code, out = run(capsys, "--scenarios", str(SCENARIOS), "export", str(files[source]), "--format", fmt, "-o", "-")
    assert code == 0 and "red" in out
    assert_clean(out)


def test_score_refuses_a_transcript_naming_a_hostile_speaker(files, capsys):
    code, out = run(capsys, "score", str(files["jsonl"]))
    assert code == 2 and "T004" in out
    assert_clean(out)


def test_review_agreement(files, capsys):
    code, out = run(capsys, "review", str(files["bundle"]), "--reviewer", "Mai", "--code", "1=CR", "--agreement")
    assert code == 0 and "Mai" in out
    assert_clean(out)


def test_validate_refuses_the_scenario_and_shows_its_lines_safely(files, capsys):
    code, out = run(capsys, "validate", str(files["scenario"]))
    assert code == 1 and "S003" in out and "U+001B" in out and "unknown key" in out
    assert_clean(out)


def test_damaged_record_messages_quote_safely(files, capsys, tmp_path):
    record = json.loads(files["record"].read_text(encoding="utf-8"))
    record["turns"][0]["client"]["talk"] = EVIL  # an error message quotes the bad value
    damaged = tmp_path / f"da{EVIL[:5]}maged.json"
    damaged.write_text(json.dumps(record), encoding="utf-8")
    code, out = run(capsys, "export", str(damaged), "-o", "-")
    assert code == 2 and "turn 1 is damaged" in out
    assert_clean(out)


def test_a_real_process_on_a_pipe(files):
    """The same through a real process and pipe (no pytest capture in between)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "TERM": "xterm-256color"}
    for argv in (["validate", str(files["scenario"])],
                 ["--scenarios", str(SCENARIOS), "group", "report", str(files["bundle"])],
                 ["code-transcript", str(files["csv"]), "--rules"]):
        done = subprocess.run([sys.executable, "-m", "mitrainer", *argv], capture_output=True, text=True, env=env,
                              cwd=ROOT, timeout=60)
        assert done.returncode in (0, 1), done.stderr
        assert_clean(done.stdout + done.stderr)


# -- names taken from files and paths (issue #20) ----------------------------------------------

EVIL_IN_A_NAME = EVIL.replace("\x00", "")  # all a file name can hold

def test_a_bundle_file_name_becomes_a_clean_member_name(files, capsys, tmp_path):
    # With no trainee in the bundle, the member is called after the file: its name is content too.
    record = SessionRecord.model_validate_json(files["record"].read_text(encoding="utf-8"))
    named = tmp_path / (EVIL_IN_A_NAME + ".bundle.json")
    named.write_text(bundle_text(make_bundle(record, trainee="")), encoding="utf-8")
    for fmt in ("table", "md", "csv"):
        code, out = run(capsys, "--scenarios", str(SCENARIOS), "group", "report", str(named), "--format", fmt)
        assert code == 0 and "red" in out and "gnp.exe" in out
        assert_clean(out)


def test_reviewer_names_from_an_also_file_are_cleaned(files, capsys, tmp_path):
    record = json.loads(files["record"].read_text(encoding="utf-8"))
    other = tmp_path / "other.review.json"
    other.write_text(json.dumps({"format": "mitrainer-review", "schema_version": 1, "session_id": record["session_id"],
                                 "reviewers": {f"Lan{EVIL}": {"updated_at": EVIL, "codes": {"0": ["CR"]}}}}),
                     encoding="utf-8")
    code, out = run(capsys, "review", str(files["bundle"]), "--reviewer", "Mai", "--code", "1=CR", "--agreement",
                    "--also", str(other))
    assert code == 0 and "Lan" in out and "Mai" in out
    assert_clean(out)


def test_validate_names_a_hostile_file_name_safely(files, capsys, tmp_path):
    from mitrainer.scenario.template import render

    good = tmp_path / ("ok" + EVIL_IN_A_NAME + "[bold].yaml")
    # A file clean under every check (the MI lint too), so the name is printed beside a tick.
    good.write_text(render("ok"), encoding="utf-8")
    code, out = run(capsys, "validate", "--no-talk-check", str(good))
    assert code == 0 and "✓" in out and "[bold].yaml" in out  # rich markup in a name is printed, not applied
    assert_clean(out)
