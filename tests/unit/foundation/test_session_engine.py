"""The session engine: branches, effects, variants, rewind, records and resume."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mitrainer.codes import SkillCode, Speaker
from mitrainer.coding.base import ClientSides, ResponseCoding, Utterance
from mitrainer.coding.rules import RuleBasedCoder
from mitrainer.engine.session import Session, SessionOver, keyword_hit
from mitrainer.errors import MitrainerError
from mitrainer.practice import Practice
from mitrainer.record.model import RECORD_SCHEMA_VERSION, Feedback, Judgement, SessionRecord
from mitrainer.scenario.load import load_scenario, parse_scenario
from tests.unit.foundation.foundation_support import TickingClock, edit

ENGINE_YAML = Path(__file__).parents[2] / "fixtures" / "foundation" / "engine.yaml"

SR = ResponseCoding.manual(SkillCode.SIMPLE_REFLECTION)
OQ = ResponseCoding.manual(SkillCode.OPEN_QUESTION)
PER = ResponseCoding.manual(SkillCode.PERSUADE)
OTHER = ResponseCoding.manual(SkillCode.OTHER)


@pytest.fixture(scope="module")
def scenario():
    loaded = load_scenario(ENGINE_YAML)
    assert loaded.ok and loaded.diagnostics == [], [str(d) for d in loaded.diagnostics]
    return loaded.scenario


def new(scenario, seed: int = 0, **kw) -> Session:
    return Session(scenario, seed=seed, clock=TickingClock(), **kw)


PLAY = [
    ("You feel stuck.", SR),
    ("hm", OTHER),
    ("You should stop.", PER),
    ("So you drink.", OTHER),
    ("Tell me more?", OQ),
]


def play(session: Session, moves=PLAY) -> Session:
    for text, coding in moves:
        if session.finished:
            break
        session.respond(text, coding)
    return session


# -- branches ------------------------------------------------------------------------------


def test_branches_are_tried_in_order_and_the_first_match_wins(scenario):
    session = new(scenario)
    # "drink" and a reflection: the keyword branch comes first.
    turn = session.respond("So you drink after work.", SR)
    assert (turn.branch, note(session, turn)) == (0, "keyword")
    turn = session.respond("You feel stuck.", SR)
    assert (turn.branch, note(session, turn)) == (2, "reflection")


def test_fallback_when_nothing_matches(scenario):
    session = new(scenario)
    turn = session.respond("Okay.", OTHER)
    assert turn.branch == len(scenario.nodes["hub"].responses) - 1 and note(session, turn) == "fallback"
    assert turn.next_node == "hub"


def test_all_parts_of_a_when_must_hold(scenario):
    session = new(scenario)
    # open_question alone is not enough while visits(hub) < 3.
    turn = session.respond("What would help?", OQ)
    assert note(session, turn) == "fallback" and session.visits("hub") == 2
    turn = session.respond("What would help?", OQ)
    assert note(session, turn) == "fallback" and session.visits("hub") == 3
    turn = session.respond("What would help?", OQ)
    assert note(session, turn) == "open question after two returns" and session.node_id == "open_end"
    assert session.finished and session.ending.outcome == "engaged"


def test_turn_function_counts_responses_so_far(scenario):
    session = new(scenario)
    for _ in range(5):
        assert session.respond("ok", OTHER).next_node == "hub"
    assert session.respond("ok", OTHER).next_node == "tired_end"  # turn() == 5 before the sixth
    assert len(session.turns) == 6


def test_if_condition_reads_variables(scenario):
    session = new(scenario)  # rapport starts at 2
    turn = session.respond("You should stop.", PER)
    assert note(session, turn) == "persuading costs rapport" and session.variables["rapport"] == 0
    assert session.variables["pushed"] is True
    turn = session.respond("You should stop.", PER)
    assert note(session, turn) == "persuading without rapport" and session.ending.outcome == "disengaged"


@pytest.mark.parametrize(
    "text, hit",
    [
        ("I drink a lot", True),
        ("Drink.", True),
        ("I want to cut down.", True),
        ("I want to CUT  DOWN", False),  # a phrase matches as written (spaces included)
        ("drinking is fine", False),  # whole words in Latin script
        ("overdrink", False),
        ("我每天都喝酒。", True),  # Chinese is written without spaces: substring
        ("喝酒", True),
        ("我每天都喝茶", False),
    ],
)
def test_keywords(text, hit):
    assert keyword_hit(text, ["drink", "cut down", "喝酒"]) is hit


@pytest.mark.parametrize(
    ("text", "hit"),
    [
        ("Chị đã đi làm căn cước chưa?", True),
        ("Chi da di lam can cuoc chua?", True),  # typed without diacritics, as on a phone
        ("Chị đã đi làm ca\u0306n cu\u031bo\u031b\u0301c chưa?", True),  # decomposed (NFD) input
        ("Chị đã đi làm cân cược chưa?", False),  # other diacritics: other words
        ("Chi da di lam can cuocc", False),
    ],
)
def test_vietnamese_keywords_match_with_or_without_diacritics(text, hit):
    assert keyword_hit(text, ["căn cước"]) is hit


def test_chinese_keyword_branch(scenario):
    session = new(scenario)
    turn = session.respond("你每天都喝酒吗", OTHER)
    assert note(session, turn) == "chinese keyword" and session.variables["rapport"] == 0


# -- effects ----------------------------------------------------------------------------


def test_set_and_add_with_clamping(scenario):
    session = new(scenario)
    assert session.variables == {"rapport": 2, "warmth": 0.5, "mood": "calm", "pushed": False}
    session.respond("You drink.", OTHER)  # rapport +5, clamped to max 3; mood set
    assert session.variables["rapport"] == 3 and session.variables["mood"] == "talkative"
    session.respond("You feel stuck.", SR)  # +1 beyond max stays 3; warmth 0.75
    assert session.variables["rapport"] == 3 and session.variables["warmth"] == pytest.approx(0.75)
    session.respond("You feel stuck.", SR)  # warmth 1.0 (at max)
    session.respond("You feel stuck.", SR)  # would be 1.25: clamped
    assert session.variables["warmth"] == 1.0
    session.respond("喝酒", OTHER)  # rapport -5: clamped to min 0
    assert session.variables["rapport"] == 0 and isinstance(session.variables["rapport"], int)
    assert session.turns[-1].variables == session.variables  # the turn records the state after it


def test_fallback_effect_clamps_a_number_to_min(scenario):
    session = new(scenario)
    session.respond("hm", OTHER)
    assert session.variables["warmth"] == 0.0 and isinstance(session.variables["warmth"], float)


# -- variants ----------------------------------------------------------------------------


def test_variant_is_fixed_by_seed_and_visit(scenario):
    texts = {seed: new(scenario, seed).current_line.text for seed in range(40)}
    assert set(texts.values()) == {"Line A", "Line B", "Line C", "Line D"}
    for seed, text in texts.items():
        assert new(scenario, seed).current_line.text == text
        assert new(scenario, seed).current_line.text == new(scenario, seed).current_line.text


def test_variant_may_change_with_the_visit(scenario):
    changed = 0
    for seed in range(20):
        session = new(scenario, seed)
        first = session.current_line.text
        session.respond("hm", OTHER)
        changed += session.current_line.text != first
    assert changed > 0


def test_recorded_client_line_is_the_variant_shown(scenario):
    session = new(scenario, seed=7)
    shown = session.current_line
    turn = session.respond("hm", OTHER)
    assert turn.client == shown and turn.client.cue == "waits"


# -- determinism -------------------------------------------------------------------------


def note(session: Session, turn) -> str:
    """The scenario's note on the branch ``turn`` took (each branch of the fixture has its own)."""
    return session.branch_taken(turn).note


def without_ids(record: SessionRecord) -> dict:
    return {k: v for k, v in record.to_json().items() if k != "session_id"}


def test_same_seed_and_codings_give_identical_records(scenario):
    a = play(new(scenario, seed=3)).record()
    b = play(new(scenario, seed=3)).record()
    assert without_ids(a) == without_ids(b)
    assert [t.client.text for t in a.turns] == [t.client.text for t in b.turns]


def test_records_differ_only_in_timestamps_with_different_clocks(scenario):
    a = play(new(scenario, seed=3)).record()
    late = TickingClock()
    late.now = late.now.replace(year=2030)
    b = play(Session(scenario, seed=3, clock=late)).record()

    def strip(record):
        record = without_ids(record)
        record.pop("started_at"), record.pop("ended_at")
        record["turns"] = [{k: v for k, v in t.items() if k != "at"} for t in record["turns"]]
        return record

    assert a.started_at != b.started_at
    assert strip(a) == strip(b)


# -- rewind ------------------------------------------------------------------------------


def snapshot(session: Session) -> tuple:
    return (
        session.node_id,
        session.variables,
        dict(session._state.visits),
        session.current_line,
        len(session.turns),
        session.ended_at,
        session.finished,
    )


def test_rewind_at_the_start_returns_none(scenario):
    session = new(scenario)
    before = snapshot(session)
    assert session.rewind() is None
    assert snapshot(session) == before


def test_rewind_undoes_each_turn_exactly(scenario):
    session = new(scenario, seed=11)
    snapshots = [snapshot(session)]
    turns = []
    for text, coding in PLAY:
        if session.finished:
            break
        turns.append(session.respond(text, coding))
        snapshots.append(snapshot(session))
    assert session.finished and session.ended_at
    for turn, before in zip(reversed(turns), reversed(snapshots[:-1]), strict=True):
        assert session.rewind() == turn
        assert snapshot(session) == before
    assert session.rewind() is None


def test_rewind_then_respond_differently(scenario):
    session = new(scenario)
    session.respond("You should stop.", PER)
    session.respond("You should stop.", PER)
    assert session.finished and session.ending.outcome == "disengaged"
    with pytest.raises(SessionOver):
        session.respond("sorry", SR)
    session.rewind()
    assert not session.finished and session.ended_at == "" and session.ending is None
    turn = session.respond("You feel pushed.", SR)
    assert note(session, turn) == "reflection" and session.variables["rapport"] == 1
    assert [t.index for t in session.turns] == [0, 1]


def test_respond_after_the_ending_raises_session_over(scenario):
    session = play(new(scenario), [("What?", OQ)] * 3)
    assert session.finished
    with pytest.raises(SessionOver):
        session.respond("more", OQ)
    assert isinstance(SessionOver("x"), MitrainerError)


# -- records and resume ------------------------------------------------------------------


def test_record_is_json_with_version_and_content_hash(scenario):
    session = play(new(scenario, seed=5))
    record = session.record().to_json()
    assert json.loads(json.dumps(record)) == record
    assert record["schema_version"] == RECORD_SCHEMA_VERSION == 2
    assert record["scenario"]["id"] == "engine-test"
    assert record["scenario"]["content_hash"] == scenario.content_hash()
    assert (
        record["scenario"]["content_hash"].startswith("sha256:")
        and len(record["scenario"]["content_hash"]) == 71
    )
    assert record["seed"] == 5 and len(record["turns"]) == len(session.turns)
    assert record["ending"]["outcome"] == session.ending.outcome
    assert record["turns"][0]["coding"]["primary"] == "simple_reflection"


def test_content_hash_changes_with_the_content(scenario):
    text = ENGINE_YAML.read_text(encoding="utf-8")
    changed = parse_scenario(edit(text, 'client: "Line A"', 'client: "Line A!"')).scenario
    same = parse_scenario(text + "\n# a comment changes nothing\n").scenario
    assert changed.content_hash() != scenario.content_hash()
    assert same.content_hash() == scenario.content_hash()


def test_resume_reproduces_the_state(scenario):
    session = new(scenario, seed=9)
    play(session, PLAY[:3])
    session.reflections["what went well"] = "listening"
    record = SessionRecord.model_validate(json.loads(json.dumps(session.record().to_json())))
    resumed = Session.resume(scenario, record, clock=TickingClock())
    assert snapshot(resumed) == snapshot(session)
    assert resumed.session_id == session.session_id and resumed.started_at == session.started_at
    assert tuple(resumed.turns) == record.turns
    assert resumed.record() == record
    # Rewind still works after a resume, and the game carries on identically.
    assert resumed.rewind() == session.rewind()
    assert snapshot(resumed) == snapshot(session)


def test_resume_of_a_finished_session(scenario):
    session = play(new(scenario, seed=2))
    assert session.finished
    resumed = Session.resume(scenario, session.record(), clock=TickingClock())
    assert resumed.finished and resumed.ended_at == session.ended_at
    assert resumed.record() == session.record()


def test_resume_detects_a_changed_scenario(scenario):
    session = new(scenario)
    session.respond("You should stop.", PER)
    session.respond("You feel stuck.", SR)
    text = ENGINE_YAML.read_text(encoding="utf-8")
    # Persuasion now ends the session at once: the recorded second turn cannot be replayed.
    changed = parse_scenario(
        edit(
            text,
            '        goto: hub\n        note: "persuading costs rapport"',
            '        goto: angry_end\n        note: "persuading costs rapport"',
        )
    ).scenario
    assert changed is not None
    with pytest.raises(MitrainerError, match="scenario changed"):
        Session.resume(changed, session.record())


# -- coder and context -------------------------------------------------------------------


def test_the_coder_gets_the_sides_the_author_marked(scenario):
    seen = []

    class Recording(RuleBasedCoder):
        def code_response(self, text, context=(), sides=None):
            seen.append(sides)
            return super().code_response(text, context, sides)

    Practice(new(scenario, coder=Recording())).take_turn("It sounds like you feel stuck.")
    assert seen == [None]  # the hub marks no sides
    marked = parse_scenario(edit(ENGINE_YAML.read_text(encoding="utf-8"), '    cue: "waits"\n',
                                 '    cue: "waits"\n    sides: {change: "I want out", sustain: "it is easy"}\n'),
                            "sides.yaml").scenario
    Practice(new(marked, coder=Recording())).take_turn("It sounds like you feel stuck.")
    assert seen[-1] == ClientSides("I want out", "it is easy")


def test_a_turn_without_a_coding_is_coded_by_the_sessions_coder(scenario):
    practice = Practice(new(scenario, coder=RuleBasedCoder()))
    taken = practice.take_turn("It sounds like you feel stuck.")
    assert taken.turn.coding.coder == RuleBasedCoder.name and taken.turn.feedback.note == "reflection"
    assert practice.session.record().coder == RuleBasedCoder.name


def test_a_turn_without_a_coding_or_a_coder_is_an_error(scenario):
    with pytest.raises(MitrainerError, match="no coder"):
        Practice(new(scenario)).take_turn("hello")


def test_context_ends_with_the_current_client_line(scenario):
    session = new(scenario, seed=4)
    session.respond("You feel stuck.", SR)
    context = session.context()
    assert [u.speaker for u in context] == [Speaker.CLIENT, Speaker.COUNSELLOR, Speaker.CLIENT]
    assert context[-1].text == session.current_line.text and context[1].text == "You feel stuck."
    for _ in range(3):
        session.respond("hm", OTHER)
    assert len(session.context(limit=4)) == 4
    assert session.context(limit=4)[-1] == Utterance(Speaker.CLIENT, session.current_line.text)


def test_attach_feedback_stores_it_on_the_last_turn(scenario):
    session = new(scenario)
    session.respond("hm", OTHER)
    feedback = Feedback(judgement=Judgement(verdict="fair", headline="Hm."), note="fallback")
    session.attach_feedback(feedback)
    assert session.turns[-1].feedback == feedback
    assert session.record().to_json()["turns"][-1]["feedback"] == {
        "judgement": {"verdict": "fair", "headline": "Hm.", "rationale": "", "codes": [], "situation": "",
                      "better": None, "uncertain": False},
        "note": "fallback"}


# -- direction ------------------------------------------------------------------------------

DIRECTION_YAML = """\
schema_version: 1
id: direction-fixture
title: Direction
topic: smoking
setting: GP
difficulty: beginner
minutes: 5
learning_goals: [Reflect the change side]
author: tests
persona: {name: Sam, background: Smokes., stage: contemplation}
start: mixed
nodes:
  mixed:
    client: "I want to be there for my son. But I can't just stop."
    talk: change
    sides: {change: "I want to be there for my son.", sustain: "I can't just stop."}
    responses:
      - when: {skills: [complex_reflection], direction: change}
        goto: opens
      - when: {skills: [complex_reflection], direction: sustain}
        goto: digs_in
      - goto: opens_again
    exemplars:
      - {text: "Your son is what keeps pulling you towards it.", codes: [CR], why: Change side., direction: change}
  opens: {client: Yes., ending: {outcome: good, debrief: Good.}}
  digs_in: {client: Exactly., ending: {outcome: stuck, debrief: Stuck.}}
  opens_again: {client: Hm., ending: {outcome: neutral, debrief: So-so.}}
"""


@pytest.mark.parametrize(("direction", "goto"), [("change", "opens"), ("sustain", "digs_in"), (None, "opens_again")])
def test_a_branch_can_ask_for_the_side_of_ambivalence_a_response_strengthens(direction, goto):
    from mitrainer.codes import Direction

    loaded = parse_scenario(DIRECTION_YAML)
    assert loaded.ok, [str(d) for d in loaded.diagnostics]
    coding = ResponseCoding.manual(SkillCode.COMPLEX_REFLECTION, direction=Direction(direction) if direction else None)
    session = Session(loaded.scenario, clock=TickingClock())
    assert session.respond("You want to be there for him.", coding).next_node == goto
    assert session.record().to_json()["turns"][0]["coding"]["direction"] == direction


def test_a_direction_that_is_not_one_of_the_three_is_refused_with_its_position():
    loaded = parse_scenario(DIRECTION_YAML.replace("direction: sustain", "direction: sideways"))
    assert not loaded.ok
    problem = next(d for d in loaded.diagnostics if d.is_error)
    assert problem.position.line == DIRECTION_YAML.splitlines().index(
        "      - when: {skills: [complex_reflection], direction: sustain}") + 1


def test_playtests_reach_branches_that_ask_for_a_direction():
    from mitrainer.engine.playtest import playtest

    loaded = parse_scenario(DIRECTION_YAML)
    report = playtest(loaded.scenario, walks=60, seed=1)
    assert report.endings_missed == [] and report.branches_missed == []


DEBRIEF_YAML = DIRECTION_YAML.replace(
    "  digs_in: {client: Exactly., ending: {outcome: stuck, debrief: Stuck.}}",
    """  digs_in:
    client: Exactly.
    ending:
      outcome: stuck
      debrief: Stuck.
      debriefs:
        - {if: 'used("confront") > 0', debrief: Arguing made him dig in.}
        - {if: 'towards("sustain") > 0', debrief: You reflected the side that keeps him smoking.}""")


@pytest.mark.parametrize(("code", "expected"), [
    (SkillCode.CONFRONT, "Arguing made him dig in."),
    (SkillCode.COMPLEX_REFLECTION, "You reflected the side that keeps him smoking."),
])
def test_an_ending_debrief_follows_what_the_trainee_did(code, expected):
    from mitrainer.codes import Direction

    loaded = parse_scenario(DEBRIEF_YAML)
    assert loaded.ok, [str(d) for d in loaded.diagnostics]
    session = Session(loaded.scenario, clock=TickingClock())
    coding = ResponseCoding.manual(SkillCode.COMPLEX_REFLECTION, code, direction=Direction.SUSTAIN)
    session.respond("You can't see yourself stopping.", coding)
    assert session.finished and session.debrief == expected
    assert session.record().ending.debrief == session.debrief


def test_a_debrief_variant_that_holds_for_no_one_leaves_the_default():
    from mitrainer.codes import Direction

    loaded = parse_scenario(DEBRIEF_YAML)
    session = Session(loaded.scenario, clock=TickingClock())
    session.respond("x", ResponseCoding.manual(SkillCode.COMPLEX_REFLECTION, direction=Direction.SUSTAIN))
    # One sustain-side reflection and no confront: the second variant, not the first.
    assert session.debrief == "You reflected the side that keeps him smoking."
    session.rewind()
    session.respond("x", ResponseCoding.manual(SkillCode.COMPLEX_REFLECTION, direction=Direction.CHANGE))
    assert session.debrief == "Good."


@pytest.mark.parametrize(("condition", "fragment"), [
    ('used("confrontation") > 0', "used() names no skill code 'confrontation'"),
    ('towards("forwards") > 0', "towards() takes change, sustain or neutral"),
    ('visit("mixed") > 0', "unknown function 'visit()'"),
])
def test_debrief_conditions_are_checked_like_branch_conditions(condition, fragment):
    loaded = parse_scenario(DEBRIEF_YAML.replace('used("confront") > 0', condition))
    assert not loaded.ok
    problem = next(d for d in loaded.diagnostics if d.is_error)
    assert fragment in problem.message
    assert problem.position.line == DEBRIEF_YAML.splitlines().index(
        """        - {if: 'used("confront") > 0', debrief: Arguing made him dig in.}""") + 1
