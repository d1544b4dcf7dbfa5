"""The headless CLI: exit codes (0 ok, 1 problems, 2 could not run), output, and no tracebacks."""

from __future__ import annotations

import io
import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from mitrainer.cli import COMMAND_MODULES, main
from mitrainer.scenario.load import load_scenario
from tests.unit.foundation.foundation_support import TEMPLATE, edit, line_of

ROOT = Path(__file__).resolve().parents[3]
ENGINE_YAML = ROOT / "tests" / "fixtures" / "foundation" / "engine.yaml"
LOOP_YAML = ROOT / "tests" / "fixtures" / "foundation" / "endless-loop.yaml"


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def clean(workdir) -> Path:
    path = workdir / "clean.yaml"
    path.write_text(TEMPLATE, encoding="utf-8")
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def exits(capsys, *argv: str) -> tuple[int, str, str]:
    """For argparse's own exits (help, usage errors), which raise SystemExit."""
    with pytest.raises(SystemExit) as caught:
        main(list(argv))
    out, err = capsys.readouterr()
    return caught.value.code, out, err


# -- validate ----------------------------------------------------------------------------


def test_validate_clean_file(capsys, clean):
    code, out, _ = run(capsys, "validate", str(clean))
    assert code == 0
    assert "✓ clean.yaml (scenario)" in out and "1 file(s) checked: 0 error(s), 0 warning(s)" in out


def test_validate_errors_compiler_style(capsys, workdir):
    text = edit(TEMPLATE, "goto: pushes_back", "goto: push_back")
    (workdir / "bad.yaml").write_text(text, encoding="utf-8")
    code, out, _ = run(capsys, "validate", "bad.yaml")
    assert code == 1
    line = line_of(text, "push_back")
    assert f"bad.yaml:{line}:15: error S011: node 'opening': goto 'push_back' names no node" in out
    assert f"{line:>4} |         goto: push_back" in out
    assert "     |               ^" in out  # the caret under column 15
    assert "help: did you mean 'pushes_back'?" in out
    assert "1 error(s)" in out


def test_validate_warnings_pass_unless_strict(capsys, workdir):
    (workdir / "warn.yaml").write_text(
        edit(TEMPLATE, "label: Rapport, meter: true", "label: Rapport"), encoding="utf-8"
    )
    code, out, _ = run(capsys, "validate", "warn.yaml")
    assert code == 0 and "warning S103" in out and "0 error(s), 1 warning(s)" in out
    code, out, _ = run(capsys, "validate", "--strict", "warn.yaml")
    assert code == 1 and "warnings fail with --strict" in out


def test_validate_quiet_prints_only_problems(capsys, clean):
    code, out, _ = run(capsys, "validate", "-q", str(clean))
    assert code == 0 and "✓" not in out and "1 file(s) checked" in out


def test_validate_missing_path(capsys, workdir):
    code, out, err = run(capsys, "validate", "nothere.yaml")
    assert code == 2 and "nothere.yaml: no such file or folder" in err and out == ""


def test_validate_empty_folder(capsys, workdir):
    (workdir / "empty").mkdir()
    (workdir / "empty" / "notes.txt").write_text("not yaml")
    code, _, err = run(capsys, "validate", "empty")
    assert code == 2 and "no .yaml files found" in err


def test_validate_folder_recurses(capsys, workdir):
    (workdir / "lib" / "deep").mkdir(parents=True)
    (workdir / "lib" / "a.yaml").write_text(TEMPLATE, encoding="utf-8")
    (workdir / "lib" / "deep" / "b.yml").write_text("schema_version: 1\n", encoding="utf-8")
    code, out, _ = run(capsys, "validate", "lib")
    assert code == 1 and "2 file(s) checked" in out and "b.yml" in out


def test_validate_json(capsys, workdir):
    (workdir / "good.yaml").write_text(TEMPLATE, encoding="utf-8")
    (workdir / "bad.yaml").write_text(edit(TEMPLATE, "start: opening", "start: openin"), encoding="utf-8")
    (workdir / "warn.yaml").write_text(
        edit(TEMPLATE, "label: Rapport, meter: true", "label: Rapport"), encoding="utf-8"
    )
    code, out, _ = run(capsys, "validate", "--format", "json", "good.yaml", "bad.yaml", "warn.yaml")
    data = json.loads(out)
    assert code == 1
    assert data["ok"] is False and data["errors"] == 1 and data["warnings"] == 1
    by_file = {f["file"]: f for f in data["files"]}
    assert by_file["good.yaml"]["diagnostics"] == [] and by_file["good.yaml"]["kind"] == "scenario"
    s010 = by_file["bad.yaml"]["diagnostics"][0]
    assert (
        s010["code"] == "S010" and s010["severity"] == "error" and s010["line"] == line_of(TEMPLATE, "start:")
    )
    assert s010["hint"] == "did you mean 'opening'?"
    code, out, _ = run(capsys, "validate", "--format", "json", "--strict", "warn.yaml")
    assert code == 1 and json.loads(out)["ok"] is False


def test_validate_reports_file_problems_as_diagnostics(capsys, workdir):
    (workdir / "nul.yaml").write_bytes(b"\x00\x01binary")
    code, out, _ = run(capsys, "validate", "nul.yaml")
    assert code == 1 and "nul.yaml:1:1: error Y010" in out


# -- graph -------------------------------------------------------------------------------


def test_graph_mermaid_and_dot(capsys, clean):
    code, out, _ = run(capsys, "graph", str(clean))
    assert code == 0 and out.startswith("flowchart TD\n") and ":::start" in out
    code, out, _ = run(capsys, "graph", "--format", "dot", str(clean))
    assert code == 0 and out.startswith('digraph "t" {') and out.rstrip().endswith("}")


def test_graph_to_a_file(capsys, clean, workdir):
    code, out, err = run(capsys, "graph", str(clean), "-o", "g.mmd")
    assert code == 0 and out == "" and "wrote g.mmd" in err
    assert (workdir / "g.mmd").read_text(encoding="utf-8").startswith("flowchart TD")


def test_graph_of_a_broken_scenario(capsys, workdir):
    (workdir / "bad.yaml").write_text(edit(TEMPLATE, "start: opening", "start: openin"), encoding="utf-8")
    code, out, err = run(capsys, "graph", "bad.yaml")
    assert code == 2 and out == "" and "S010" in err


def test_graph_into_a_missing_folder_is_a_message(capsys, clean):
    code, _, err = run(capsys, "graph", str(clean), "-o", "no/such/dir/g.mmd")
    assert code == 2 and "No such file or directory" in err


# -- new ---------------------------------------------------------------------------------


def test_new_writes_a_valid_scenario(capsys, workdir):
    code, out, _ = run(capsys, "new", "my-client", "--title", "My client")
    assert code == 0 and "wrote my-client.yaml" in out
    loaded = load_scenario(workdir / "my-client.yaml")
    assert loaded.ok and loaded.diagnostics == []
    assert loaded.scenario.id == "my-client" and loaded.scenario.title == "My client"


def test_new_refuses_to_overwrite_without_force(capsys, workdir):
    target = workdir / "mine.yaml"
    target.write_text("keep me", encoding="utf-8")
    code, _, err = run(capsys, "new", "demo", "-o", str(target))
    assert code == 2 and "already exists" in err and target.read_text() == "keep me"
    code, _, _ = run(capsys, "new", "demo", "-o", str(target), "--force")
    assert code == 0 and load_scenario(target).ok


@pytest.mark.parametrize("bad", ["Bad Id", "_x", "UPPER", "a/b", "é"])
def test_new_bad_id(capsys, workdir, bad):
    code, _, err = run(capsys, "new", bad)
    assert code == 2 and "not a valid scenario id" in err
    assert list(workdir.iterdir()) == []


def test_new_into_a_missing_folder_is_a_message(capsys, workdir):
    code, _, err = run(capsys, "new", "demo", "-o", "nodir/demo.yaml")
    assert code == 2 and "nodir/demo.yaml" in err


# -- play --------------------------------------------------------------------------------


RESPONSES = [
    "Honestly, you should stop.",
    "It's really up to you what happens next.",
    "What now?",
    "Extra line.",
]


@pytest.fixture
def answers(workdir) -> Path:
    path = workdir / "answers.txt"
    path.write_text("# my answers\n\n" + "\n\n".join(RESPONSES) + "\n", encoding="utf-8")
    return path


def test_play_prints_the_transcript_and_writes_a_private_record(capsys, clean, answers, workdir):
    code, out, _ = run(capsys, "play", str(clean), "--responses", str(answers), "--out", "rec/session.json")
    assert code == 0
    record_path = workdir / "rec" / "session.json"
    assert stat.S_IMODE(record_path.stat().st_mode) == 0o600
    record = json.loads(record_path.read_text(encoding="utf-8"))
    assert record["schema_version"] == 2 and record["scenario"]["id"] == "t"
    turns = record["turns"]
    # Every turn carries its feedback, as in the trainer: the rubric's verdict and the branch note.
    assert all(t["feedback"]["judgement"]["verdict"] for t in turns)
    # Which branches the coder's codes lead to is the coder's business; the transcript must
    # show each exchange as the record has it, in order, and end with the ending.
    assert 1 <= len(turns) <= len(RESPONSES)
    assert [t["response"] for t in turns] == RESPONSES[: len(turns)]
    assert out.index("Client: I'm not sure why I'm here") < out.index(f"You: {RESPONSES[0]}")
    position = 0
    for turn in turns:
        shown = f"→ branch {turn['branch'] + 1} to '{turn['next_node']}'"
        position = out.index(shown, position)
    assert record["ending"] is not None
    assert f"({record['ending']['outcome']})" in out[position:]
    assert f"{len(RESPONSES) - len(turns)} response(s) left unused after the ending." in out


def test_play_json_prints_the_record(capsys, clean, answers):
    code, out, _ = run(capsys, "play", str(clean), "--responses", str(answers), "--json", "--seed", "4")
    record = json.loads(out)
    assert code == 0 and record["seed"] == 4 and record["turns"][0]["response"] == RESPONSES[0]


def test_play_reads_responses_from_stdin(capsys, clean, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"Hello there.\n")))
    code, out, _ = run(capsys, "play", str(clean), "--responses", "-")
    # What the coder makes of a greeting is not this test's business: only that stdin was read.
    assert code == 0 and "You: Hello there." in out


def test_play_that_does_not_reach_an_ending_says_so(capsys, workdir):
    (workdir / "engine.yaml").write_bytes(ENGINE_YAML.read_bytes())
    (workdir / "a.txt").write_text("Okay.\n", encoding="utf-8")
    code, out, _ = run(capsys, "play", "engine.yaml", "--responses", "a.txt")
    assert code == 0 and "The session has not ended: 1 response(s) given" in out


def test_play_with_a_missing_responses_file(capsys, clean):
    code, out, err = run(capsys, "play", str(clean), "--responses", "nothere.txt")
    assert code == 2 and "nothere.txt: no such file" in err


def test_play_with_a_folder_as_responses(capsys, clean, workdir):
    (workdir / "folder").mkdir()
    code, _, err = run(capsys, "play", str(clean), "--responses", "folder")
    assert code == 2 and "not a file" in err


def test_play_a_missing_scenario(capsys, answers):
    code, _, err = run(capsys, "play", "nothere.yaml", "--responses", str(answers))
    assert code == 2 and "Y014" in err


def test_play_record_onto_a_folder_is_a_message(capsys, clean, answers, workdir):
    (workdir / "folder").mkdir()
    code, _, err = run(capsys, "play", str(clean), "--responses", str(answers), "--out", "folder")
    assert code == 2 and "folder: Is a directory" in err
    assert [p.name for p in (workdir / "folder").iterdir()] == []
    assert not [p for p in workdir.iterdir() if p.name.endswith(".tmp")]


# -- playtest ----------------------------------------------------------------------------


def test_playtest_good_scenario(capsys, clean):
    code, out, _ = run(capsys, "playtest", str(clean), "--random", "50")
    assert code == 0 and "50 random walks" in out and "no problems found" in out
    assert "node coverage 100%, branch coverage 100%" in out


def test_playtest_endless_loop(capsys):
    code, out, _ = run(capsys, "playtest", str(LOOP_YAML), "--random", "40", "--max-turns", "30")
    assert code == 1
    assert "dead ends (no ending reachable): spin" in out and "did not end within 30 turns" in out
    assert "problems found" in out


def test_playtest_json(capsys):
    code, out, _ = run(capsys, "playtest", str(LOOP_YAML), "--random", "20", "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["ok"] is False and data["walks"] == 20 and data["dead_ends"] == ["spin"]


def test_playtest_needs_at_least_one_walk(capsys, clean):
    code, _, err = run(capsys, "playtest", str(clean), "--random", "0")
    assert code == 2 and "at least 1" in err


# -- argument handling -------------------------------------------------------------------


def test_unknown_command(capsys):
    code, _, err = exits(capsys, "frobnicate")
    assert code == 2 and "invalid choice" in err


def test_missing_required_argument(capsys, clean):
    code, _, err = exits(capsys, "play", str(clean))
    assert code == 2 and "--responses" in err


def test_bad_option_value(capsys, clean):
    code, _, err = exits(capsys, "graph", str(clean), "--format", "png")
    assert code == 2 and "invalid choice" in err


@pytest.mark.parametrize("command", ["validate", "graph", "new", "play", "playtest"])
def test_help_of_each_subcommand(capsys, command):
    code, out, _ = exits(capsys, command, "--help")
    assert code == 0 and out.startswith(f"usage: mitrainer {command}")


def test_top_level_help_and_version(capsys):
    code, out, _ = exits(capsys, "--help")
    assert code == 0 and all(c in out for c in ("validate", "graph", "new", "play", "playtest"))
    code, out, _ = exits(capsys, "--version")
    assert code == 0 and out.startswith("mitrainer ")


def test_help_imports_nothing_heavy():
    script = (
        "import sys\n"
        "from mitrainer.cli import main\n"
        "for command in ('validate', 'graph', 'new', 'play', 'playtest'):\n"
        "    try:\n"
        "        main([command, '--help'])\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = ('textual', 'numpy', 'pydantic')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in heavy}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": ""},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
    assert len(COMMAND_MODULES) >= 2


def test_python_dash_m_validate_help():
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "mitrainer", "validate", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": ""},
        timeout=60,
    )
    assert result.returncode == 0 and "usage: mitrainer validate" in result.stdout
    imported = {
        line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines() if "|" in line
    }
    assert "mitrainer" in imported
    assert not imported & {"textual", "numpy", "pydantic"}


def test_a_position_at_line_100_is_not_printed_as_an_emoji(capsys):
    from mitrainer.cli.output import console

    console().print("scenarios/x.yaml:100:9: warning M102")
    assert "scenarios/x.yaml:100:9: warning M102" in capsys.readouterr().out
