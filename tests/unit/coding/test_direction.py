"""The direction judge: which side of the client's ambivalence a response strengthens (issue 16)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import mitrainer.cli as cli
from mitrainer.codes import Direction, Speaker
from mitrainer.coding.base import ClientSides, Utterance
from mitrainer.coding.direction import DIRECTION_PATH, DirectionJudge, clauses, mirror, stems
from mitrainer.coding.model import TrainedCoder
from mitrainer.errors import ModelFileError

BEERS = ("Honestly, I like the beers with the team, they're the only time I switch off. "
         "But I want to be awake for my son in the mornings.")


@pytest.fixture(scope="module")
def coder() -> TrainedCoder:
    return TrainedCoder()


def after(line: str) -> list[Utterance]:
    return [Utterance(Speaker.CLIENT, line)]


def test_a_line_is_cut_where_it_turns():
    assert clauses(BEERS) == ["honestly, i like the beers with the team, they're the only time i switch off",
                              "but i want to be awake for my son in the mornings"]
    assert clauses("I've smoked for years, it's who I am. My daughter's pregnant, though, and I worry.") == [
        "i've smoked for years, it's who i am", "my daughter's pregnant", "though, and i worry"]
    assert clauses("Fine.") == ["fine"]


def test_a_reflection_is_turned_into_the_clients_voice():
    assert mirror("It sounds like you want to be there for him.") == "i want to be there for him."
    assert mirror("Part of you is tired of your job, and that pulls you.") == "part of me is tired of my job, and that pulls me."
    assert mirror("You've cut down because you're worried.") == "i've cut down because i'm worried."


def test_light_stemming_matches_word_forms():
    assert stems("drinking drinks") == stems("drink") == frozenset({"drink"})


# Reflections of each side that avoid the other side's words and the obvious keywords: the
# issue's drill failed on exactly these.
@pytest.mark.parametrize(("response", "expected"), [
    ("Being there for your boy at the start of his day is what you're really missing.", Direction.CHANGE),
    ("The beers with the team matter more to you right now than the mornings with your son.", Direction.SUSTAIN),
    ("Those evenings with the lads are the one place you get to unwind.", Direction.SUSTAIN),
    ("How old is your son?", Direction.NEUTRAL),
])
def test_the_side_a_response_strengthens(coder, response, expected):
    assert coder.code_response(response, after(BEERS)).direction is expected


METHADONE = ("Since the methadone I've got my job back and my wife trusts me again. "
             "But queuing at that window every morning with everyone staring makes me want to quit the programme.")

# The known gaps, in wording written for this test (in no training file): the
# righting reflex towards the status quo, double-sided reflections (they count by the side
# they end on), sustain-side reflections that name the change topic, change-side ones in
# other words, questions that invite either side, logistics.
HARD_CASES = [
    (BEERS, "Maybe the mornings with your son can wait until work calms down.", Direction.SUSTAIN),
    (BEERS, "There's no need to give up the team nights; everyone needs to switch off.", Direction.SUSTAIN),
    (BEERS, "Your son's mornings matter to you, and the beers with the team are the one time you really unwind.",
     Direction.SUSTAIN),
    (BEERS, "The team nights help you switch off, and you'd like to be fresh for your boy when he wakes.",
     Direction.CHANGE),
    (BEERS, "Being bright and early for your son would cost you the only break you get.", Direction.SUSTAIN),
    (BEERS, "Cutting out the team beers would leave you with no way to let go of the day.", Direction.SUSTAIN),
    (BEERS, "Starting his day with him clear-headed is something you care about.", Direction.CHANGE),
    (BEERS, "What would those mornings with him look like if you had them back?", Direction.CHANGE),
    (BEERS, "What do the evenings with the team give you?", Direction.SUSTAIN),
    (BEERS, "What would you miss if the beers went?", Direction.SUSTAIN),
    (BEERS, "What time does your son start school?", Direction.NEUTRAL),
    (BEERS, "Which team do you work on?", Direction.NEUTRAL),
    (METHADONE, "Standing in that queue while people stare is a high price for staying on.", Direction.SUSTAIN),
    (METHADONE, "Walking away from the programme would free you from the stares.", Direction.SUSTAIN),
    (METHADONE, "Your wife trusting you again means a great deal.", Direction.CHANGE),
    (METHADONE, "Having work to go to again is something the treatment gave you.", Direction.CHANGE),
    (METHADONE, "The stares are hard to bear, and you've won back your job and your wife's trust.", Direction.CHANGE),
    (METHADONE, "You've got your job back, and that window every morning feels like a public shaming.",
     Direction.SUSTAIN),
    (METHADONE, "Perhaps a break from the programme would do you good while things settle.", Direction.SUSTAIN),
    (METHADONE, "What is it like to stand there with people watching?", Direction.SUSTAIN),
    (METHADONE, "What has getting your wife's trust back meant to you?", Direction.CHANGE),
    (METHADONE, "What would help you keep what you've won back?", Direction.CHANGE),
    (METHADONE, "What time does the window open?", Direction.NEUTRAL),
    (METHADONE, "Where is your clinic?", Direction.NEUTRAL),
]
# Measured 23 of 24 with the judge trained with direction-en-2.csv (19 with the one before);
# 20 of 24 with the judge trained with direction-en-3.csv as well, which misses "What would
# those mornings with him look like if you had them back?" (read as sustain), the queue as "a
# high price for staying on" and "What is it like to stand there…?" (read as change) and "a
# break from the programme would do you good" (read as neutral: the righting reflex towards
# the status quo). That judge was kept for the held-out sets, all three higher (0.838 → 0.859,
# 0.862 → 0.886, 0.843 → 0.900 on the third, written after it was final; docs/coder.md).
HARD_CASES_FLOOR = 19


def test_the_known_gaps_are_mostly_closed(coder):
    wrong = [(response, expected.value, got) for line, response, expected in HARD_CASES
             if (got := coder.code_response(response, after(line)).direction) is not expected]
    assert len(HARD_CASES) - len(wrong) >= HARD_CASES_FLOOR, wrong


def test_no_client_line_before_is_neutral(coder):
    coding = coder.code_response("You want to be there for your son.")
    assert coding.coded and coding.direction is Direction.NEUTRAL


@pytest.mark.parametrize("text", ["", "😀😀", "我想戒烟了"])
def test_unreadable_text_has_no_direction(coder, text):
    coding = coder.code_response(text, after(BEERS))
    assert not coding.coded and coding.direction is None


def test_the_authors_sides_are_used_where_marked(coder):
    # With the parts marked the other way round, the same words belong to the other side.
    line = "The pub is where my mates are. My wife says I'm never home."
    response = "Your mates at the pub mean a lot to you."
    marked = ClientSides(change="The pub is where my mates are.", sustain="My wife says I'm never home.")
    natural = ClientSides(change="My wife says I'm never home.", sustain="The pub is where my mates are.")
    judge = coder.direction
    assert judge is not None
    family = coder.response_probabilities(response, after(line))["family"]
    swapped = judge.scores(response, after(line), marked, family)
    usual = judge.scores(response, after(line), natural, family)
    assert swapped[Direction.CHANGE] > usual[Direction.CHANGE]
    assert swapped[Direction.SUSTAIN] < usual[Direction.SUSTAIN]


def test_the_file_round_trips_and_damage_is_a_model_file_error(tmp_path):
    judge = DirectionJudge.load()
    copy = tmp_path / "direction.npz"
    judge.save(copy, dict(judge.meta))
    again = DirectionJudge.load(copy)
    assert np.allclose(again.head.weights, judge.head.weights) and np.allclose(again.side.weights, judge.side.weights)
    bad = tmp_path / "bad.npz"
    bad.write_bytes(DIRECTION_PATH.read_bytes()[:1000])
    with pytest.raises(ModelFileError, match="corrupt"):
        DirectionJudge.load(bad)
    with pytest.raises(ModelFileError, match="not found"):
        DirectionJudge.load(tmp_path / "missing.npz")


@pytest.fixture
def only_coding_commands(monkeypatch):
    monkeypatch.setattr(cli, "COMMAND_MODULES", ["mitrainer.cli.coding_cmds"])


def test_code_shows_the_direction(capsys, only_coding_commands):
    response = "Being there for your boy at the start of his day is what you're really missing."
    assert cli.main(["code", response, "--after", BEERS, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["direction"] == "change"
    assert cli.main(["code", response, "--after", BEERS]) == 0
    assert "direction: change" in capsys.readouterr().out


def test_code_transcript_gives_counsellor_lines_a_direction(tmp_path, capsys, only_coding_commands):
    path = tmp_path / "t.jsonl"
    lines = [{"speaker": "counsellor", "text": "Hello, come in."},
             {"speaker": "client", "text": BEERS},
             {"speaker": "counsellor", "text": "The beers with the team matter more to you right now than the "
                                               "mornings with your son."}]
    path.write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    assert cli.main(["code-transcript", str(path), "--format", "jsonl"]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [r.get("direction", "absent") for r in rows] == ["neutral", "absent", "sustain"]
