"""drill-spot-change-talk grades the side a reflection takes, not the words it uses (issue #16).

Two runs of nine typed reflections go through the real coder and direction judge, the way
the trainer takes them (:meth:`Practice.take_turn`). The first reflects the sustain side of
every line while naming its change topic ("…than the mornings with your son"); the second
reflects the change side without the change part's words. A drill that graded words would
pass the first and fail the second; this one must do the opposite. The responses are written
for this test, not taken from the drill's exemplars.
"""

from __future__ import annotations

from mitrainer.coding import default_coder, fallback_note
from mitrainer.coding.features import content_words, normalize, tokens
from mitrainer.engine.session import Session
from mitrainer.paths import bundled_scenarios
from mitrainer.practice import Practice
from mitrainer.scenario.load import load_scenario

SCENARIO = load_scenario(bundled_scenarios() / "drill-spot-change-talk.yaml").require()
LINES = ["ct_1_son", "ct_2_mum", "ct_3_phong", "ct_4_limits", "ct_5_hospital",
         "ct_6_sunday", "ct_7_chain", "ct_8_tea", "ct_9_hr"]

SUSTAIN_SIDE_IN_CHANGE_WORDS = [
    "The beers with the team matter more to you right now than the mornings with your son.",
    "Even with your mum in mind, that queue, the shouting and the staring feel like too much.",
    "Phong or no Phong, those meetings just aren't you.",
    "You don't want another night like that, and still, compared with your street, you're fine.",
    "Ending up in hospital like your father scares you, and still the money comes first for now.",
    "You've written down what to say to your wife on Sunday, and you expect it to end in a fight.",
    "You want to be done with heroin, and methadone feels like swapping one chain for another.",
    "Tea worked last Friday, but you doubt that excuse will hold up next time.",
    "You might be ready to ask HR, and after what happened to Hoa you expect them to refuse.",
]
CHANGE_SIDE_IN_OTHER_WORDS = [
    "You miss being part of your kid's day before class.",
    "Treatment has given you back your self-respect with her.",
    "A friend at your side would make it possible for you.",
    "Getting lost like that frightened you, and you'd rather it never happened a second time.",
    "Your health has become a real worry, and you want to protect it.",
    "You've made up your mind to raise it with her, and you've prepared your words.",
    "You're after a life without any of it.",
    "You found a way to turn it down, and it went fine.",
    "You feel close to bringing it up with them.",
]


def words(text: str) -> set[str]:
    """The content words of a text, as the coder counts the words a reflection shares with a line."""
    return content_words(tokens(normalize(text)))


def play_drill(responses: list[str]) -> Session:
    """The drill played with typed responses, coded by the coder the trainer uses."""
    session = Session(SCENARIO, seed=1, coder=default_coder())
    practice = Practice(session)
    for node_id, text in zip(LINES, responses, strict=True):
        assert session.node_id == node_id
        practice.take_turn(text)
    assert session.finished
    return session


def test_the_runs_test_sides_not_words():
    """The premise: one run uses the change part's words on the wrong side, the other avoids them."""
    for node_id, sustain, change in zip(LINES, SUSTAIN_SIDE_IN_CHANGE_WORDS, CHANGE_SIDE_IN_OTHER_WORDS, strict=True):
        change_part = words(SCENARIO.nodes[node_id].sides.change)
        assert words(sustain) & change_part, node_id
        assert not words(change) & change_part, node_id


def test_sustain_side_reflections_in_the_change_words_do_not_end_fluent():
    session = play_drill(SUSTAIN_SIDE_IN_CHANGE_WORDS)
    assert fallback_note() == "", fallback_note()
    assert session.ending.outcome != "fluent"
    assert session.variables["other_side"] > session.variables["hits"]


def test_change_side_reflections_in_other_words_end_fluent():
    session = play_drill(CHANGE_SIDE_IN_OTHER_WORDS)
    assert fallback_note() == "", fallback_note()
    assert session.ending.outcome == "fluent"
    assert session.variables["fixing"] == 0
