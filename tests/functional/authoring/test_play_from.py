"""Play from any node with state: `play --from NODE --set VAR=VALUE`, and the engine under it."""

from __future__ import annotations

import json

import pytest

from mitrainer.cli import main
from mitrainer.codes import SkillCode
from mitrainer.coding.base import ResponseCoding
from mitrainer.engine.session import Session
from mitrainer.engine.start import StartError, parse_start
from mitrainer.paths import bundled_scenarios
from mitrainer.record.model import SessionRecord
from mitrainer.scenario.load import load_scenario

SCENARIO_FILE = bundled_scenarios() / "methadone-retention.yaml"


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(SCENARIO_FILE).require()


def test_a_node_and_values_make_the_start(scenario):
    start = parse_start(scenario, "weighing", ["rapport=3", "readiness = 2"])
    assert start.node == "weighing" and start.variables == {"rapport": 3, "readiness": 2}
    session = Session(scenario, start=start)
    assert session.node_id == "weighing" and session.visits("weighing") == 1
    assert session.variables["rapport"] == 3
    others = {name: var.default for name, var in scenario.variables.items() if name not in start.variables}
    assert all(session.variables[name] == value for name, value in others.items())


def test_the_scenarios_own_start_is_no_special_start(scenario):
    assert parse_start(scenario, None) is None
    assert parse_start(scenario, scenario.start, []) is None


@pytest.mark.parametrize(("node", "assignments", "kind", "says"), [
    ("weighng", [], "unknown_node", "did you mean 'weighing'?"),
    ("zzz", [], "unknown_node", "no node 'zzz'"),
    ("weighing", ["raport=3"], "unknown_variable", "did you mean 'rapport'?"),
    ("weighing", ["zzz=3"], "unknown_variable", "its variables: "),
    ("weighing", ["rapport=three"], "bad_value", "'rapport' is an int: give a whole number, not 'three'"),
    ("weighing", ["rapport=2.5"], "bad_value", "whole number"),
    ("weighing", ["rapport=99"], "out_of_range", "'rapport' goes from 0 to"),
    ("weighing", ["rapport=nan"], "bad_value", "whole number"),
    ("weighing", ["rapport"], "bad_assignment", "is not VAR=VALUE"),
])
def test_mistakes_are_named_with_what_was_meant(scenario, node, assignments, kind, says):
    with pytest.raises(StartError) as caught:
        parse_start(scenario, node, assignments)
    assert caught.value.kind == kind and says in str(caught.value)


def test_an_ending_is_no_place_to_start(scenario):
    ending = next(iter(scenario.endings()))
    with pytest.raises(StartError, match="is an ending"):
        parse_start(scenario, ending)


def test_bool_number_and_text_values(tmp_path):
    path = tmp_path / "vars.yaml"
    path.write_text(SCENARIO_FILE.read_text(encoding="utf-8").replace(
        "\nvariables:\n",
        "\nvariables:\n  told: {type: bool, default: false}\n  mood: {type: text, default: calm}\n"
        "  level: {type: number, default: 0.5, min: 0, max: 1}\n", 1), encoding="utf-8")
    scenario = load_scenario(path).scenario
    start = parse_start(scenario, "weighing", ["told=yes", "mood='a bit low'", "level=0.25"])
    assert start.variables == {"told": True, "mood": "a bit low", "level": 0.25}
    with pytest.raises(StartError, match="give true or false"):
        parse_start(scenario, "weighing", ["told=maybe"])


def test_a_record_remembers_where_it_began_and_resumes_there(scenario):
    start = parse_start(scenario, "weighing", ["rapport=3"])
    session = Session(scenario, seed=3, start=start)
    coding = ResponseCoding.manual(SkillCode.COMPLEX_REFLECTION, coder="test")
    session.respond("You've come a long way since March.", coding)
    record = session.record()
    assert record.to_json()["start"] == {"node": "weighing", "variables": {"rapport": 3}}
    again = Session.resume(scenario, SessionRecord.model_validate(json.loads(json.dumps(record.to_json()))))
    assert again.node_id == session.node_id and again.variables == session.variables
    # A trainee's session is written exactly as before: no 'start' key at all.
    assert "start" not in Session(scenario).record().to_json()


def test_play_from_a_node(tmp_path, capsys):
    answers = tmp_path / "a.txt"
    answers.write_text("You've come a long way since March.\n", encoding="utf-8")
    out_file = tmp_path / "record.json"
    code = main(["play", str(SCENARIO_FILE), "--responses", str(answers), "--from", "weighing", "--set", "rapport=3",
                 "--out", str(out_file)])
    out = capsys.readouterr().out
    assert code == 0 and "from node 'weighing' with rapport=3" in out
    record = json.loads(out_file.read_text(encoding="utf-8"))
    assert record["turns"][0]["client"]["node"] == "weighing" and record["start"]["node"] == "weighing"


@pytest.mark.parametrize(("argv", "says"), [
    (["--from", "weighng"], "did you mean 'weighing'?"),
    (["--set", "raport=1"], "did you mean 'rapport'?"),
    (["--set", "rapport=lots"], "give a whole number"),
    (["--from", "weighing", "--save"], "drop --save"),
])
def test_play_explains_a_bad_start(tmp_path, capsys, argv, says):
    answers = tmp_path / "a.txt"
    answers.write_text("Hello.\n", encoding="utf-8")
    code = main(["--db", str(tmp_path / "s.db"), "play", str(SCENARIO_FILE), "--responses", str(answers), *argv])
    err = capsys.readouterr().err
    assert code == 2 and says in err and "Traceback" not in err
    assert not (tmp_path / "s.db").exists()
