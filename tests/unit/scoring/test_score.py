"""Session scores computed by hand for small transcripts and sessions, asserted exactly."""

from __future__ import annotations

import json

import pytest

from mitrainer.codes import SkillCode
from mitrainer.coding.base import CodeScore, ResponseCoding
from mitrainer.paths import bundled_rubrics
from mitrainer.record.read import parse_record
from mitrainer.scoring import get_rubric, score_session, score_transcript
from mitrainer.scoring.rubric import MetricSpec
from mitrainer.scoring.rubric_load import parse_rubric
from mitrainer.scoring.score import band
from tests.sessions import codes

# A human-coded transcript (codes column): talk types for the client, skill codes for the counsellor.
TRANSCRIPT = [
    ("client", "I drink too much lately.", "change"),
    ("counsellor", "You're worried where it is going.", "complex_reflection"),
    ("client", "But it helps me relax.", "sustain"),
    ("counsellor", "You should cut down.", "persuade"),
    ("client", "Maybe.", "neutral"),
    ("counsellor", "What else goes on?", "open_question"),
    ("counsellor", "Do you drink every day?", "closed_question"),
    ("client", "I want to stop before my son notices.", "change"),
    ("counsellor", "Your son matters. What would stopping look like?", "SR; OQ"),
    ("counsellor", "You came even though it is hard.", "AF"),
]

# Globals with round weights so the hand arithmetic stays simple.
SIMPLE_GLOBALS = """
rubric_version: 1
id: simple
title: Simple weights for the tests
include: [standard]
globals:
  cultivating_change_talk: {base: 1, terms: [{indicator: ct_response, weight: 2}, {indicator: ct_proportion, weight: 2}]}
  softening_sustain_talk: {base: 5, terms: [{indicator: st_righting, weight: -4}]}
  partnership: {base: 1, terms: [{indicator: adherent_rate, weight: 4, full_at: 0.5}]}
  empathy: {base: 1, terms: [{indicator: reflection_rate, weight: 3}, {indicator: complex_share, weight: 1}]}
overall:
  weights: {technical: 1, relational: 3}
"""


def simple_rubric():
    loaded = parse_rubric(SIMPLE_GLOBALS, search=(bundled_rubrics(),))
    assert loaded.ok, [str(d) for d in loaded.diagnostics]
    return loaded.rubric


def test_counts_and_summary_scores_by_hand(tag_coder):
    score = score_transcript(TRANSCRIPT, get_rubric(), coder=tag_coder)
    assert score.source == "human"
    assert score.turns == 6
    expected = {SkillCode.COMPLEX_REFLECTION: 1, SkillCode.PERSUADE: 1, SkillCode.OPEN_QUESTION: 2,
                SkillCode.CLOSED_QUESTION: 1, SkillCode.SIMPLE_REFLECTION: 1, SkillCode.AFFIRMATION: 1}
    assert {c: n for c, n in score.counts.items() if n} == expected
    assert (score.reflections, score.questions) == (2, 3)
    assert score.rq_ratio == pytest.approx(2 / 3)
    assert score.pct_complex == 0.5
    assert score.pct_open == pytest.approx(2 / 3)
    assert (score.adherent, score.non_adherent) == (1, 1)
    assert (score.change_talk, score.sustain_talk) == (2, 1)
    assert score.ct_proportion == pytest.approx(2 / 3)
    ind = score.indicators
    assert ind["reflection_rate"] == pytest.approx(1 / 3)
    assert ind["rq_balance"] == pytest.approx(2 / 5)
    assert ind["adherent_rate"] == pytest.approx(1 / 6)
    assert ind["input_rate"] == pytest.approx(1 / 6)
    assert ind["ct_response"] == 1.0  # both change-talk lines were reflected
    assert (ind["st_response"], ind["st_righting"]) == (0.0, 1.0)  # the sustain talk was argued with
    assert ind["question_run_share"] == 0.0  # two questions in a row only


def test_standard_globals_follow_the_documented_formula(tag_coder):
    score = score_transcript(TRANSCRIPT, get_rubric(), coder=tag_coder)
    # docs/scoring.md, with the indicators above and the weights of rubrics/miti.yaml
    cct = 1 + 2.0 * 1 + 1.0 * 0.5 + 1.0 * (2 / 3)
    sst = 1 + 1.5 * 0 + 1.5 * 0 + 1.0 * 0  # righting share and non-adherent rate both saturate
    partnership = 1 + 1.0 * 1 + 1.5 * 0 + 0.5 * (1 - (1 / 6) / 0.5) + 0.5 * (2 / 3) + 0.5 * (2 / 5)
    empathy = 1 + 1.5 * ((1 / 3) / 0.5) + 1.0 * 0.5 + 0.5 * (2 / 5) + 1.0 * 0
    assert score.globals["cultivating_change_talk"] == pytest.approx(cct)
    assert score.globals["softening_sustain_talk"] == pytest.approx(sst)
    assert score.globals["partnership"] == pytest.approx(partnership)
    assert score.globals["empathy"] == pytest.approx(empathy)
    assert score.technical == pytest.approx((cct + sst) / 2)
    assert score.relational == pytest.approx((partnership + empathy) / 2)
    assert score.overall == pytest.approx((cct + sst + partnership + empathy) / 4)


def test_globals_with_a_custom_rubric(tag_coder):
    score = score_transcript(TRANSCRIPT, simple_rubric(), coder=tag_coder)
    assert score.globals["cultivating_change_talk"] == pytest.approx(1 + 2 * 1 + 2 * (2 / 3))
    assert score.globals["softening_sustain_talk"] == 1.0
    assert score.globals["partnership"] == pytest.approx(1 + 4 * (1 / 6) / 0.5)
    assert score.globals["empathy"] == pytest.approx(1 + 3 * (1 / 3) + 1 * 0.5)
    assert score.overall == pytest.approx((score.technical + 3 * score.relational) / 4)
    assert score.rubric == "simple"


def test_unmeasured_indicators_count_as_neither_good_nor_bad(tag_coder):
    rows = [("client", "[neutral] Hello.", None), ("counsellor", "[oq] How are things?", None),
            ("counsellor", "[oq] What brings you here?", None), ("counsellor", "[cq] Is it work?", None)]
    score = score_transcript(rows, simple_rubric(), coder=tag_coder)
    assert score.source == "machine"
    assert score.indicators["ct_response"] is None and score.indicators["ct_proportion"] is None
    assert score.globals["cultivating_change_talk"] == pytest.approx(1 + 2 * 0.5 + 2 * 0.5)
    assert score.rq_ratio == 0.0 and score.pct_complex is None and score.ct_proportion is None


def test_empty_conversation_has_no_score(tag_coder):
    score = score_transcript([], get_rubric(), coder=tag_coder)
    assert score.turns == 0 and score.rq_ratio is None and score.pct_open is None
    assert score.overall is None and score.technical is None and score.relational is None
    assert set(score.globals.values()) == {None}


def test_no_score_below_the_minimum_of_coded_responses(tag_coder):
    rows = [("client", "[change] I want to cut down.", None), ("counsellor", "[cr] You want things to change.", None),
            ("client", "[neutral] Yes.", None), ("counsellor", "[oq] What would help?", None)]
    score = score_transcript(rows, get_rubric(), coder=tag_coder)
    assert get_rubric().counting.min_coded_responses == 3
    assert score.coded == 2 and score.overall is None and not score.enough_data
    document = score.to_json()
    assert document["overall"] is None and document["technical"] is None and document["relational"] is None
    assert document["globals"] == {name: None for name in score.globals}
    assert document["coded"] == 2 and document["min_coded"] == 3
    # The rates are still shown: they are counts, not estimates.
    assert score.rq_ratio == 1.0
    third = rows + [("counsellor", "[sr] You want it.", None)]
    assert score_transcript(third, get_rubric(), coder=tag_coder).overall is not None


def test_uncoded_responses_never_count_towards_the_minimum(tag_coder):
    rows = [("client", "[neutral] Hello.", None), ("counsellor", "[oq] How are things?", None),
            ("counsellor", "[sr] You are tired.", None), ("counsellor", "mm", None)]
    score = score_transcript(rows, get_rubric(), coder=tag_coder)
    assert (score.turns, score.uncoded, score.coded) == (3, 1, 2)
    assert score.overall is None
    assert sum(score.counts.values()) == 2


def test_the_minimum_is_a_rubric_setting(tag_coder):
    loaded = parse_rubric("rubric_version: 1\nid: one\ntitle: One\ninclude: [standard]\n"
                          "counting: {min_coded_responses: 1}\n", search=(bundled_rubrics(),))
    assert loaded.ok, [str(d) for d in loaded.diagnostics]
    rows = [("client", "[neutral] Hello.", None), ("counsellor", "[oq] How are things?", None)]
    assert score_transcript(rows, loaded.rubric, coder=tag_coder).overall is not None
    assert score_transcript(rows, get_rubric(), coder=tag_coder).overall is None


def test_metrics_come_from_the_rubric_in_order(tag_coder):
    score = score_transcript(TRANSCRIPT, get_rubric(), coder=tag_coder)
    keys = [m.key for m in score.metrics]
    assert keys[:3] == ["rq_ratio", "pct_complex", "pct_open"]
    assert "focus_hit_rate" not in keys  # not a drill
    rq = score.metric("rq_ratio")
    assert (rq.fair, rq.good, rq.band, rq.display) == (1.0, 2.0, "below", "0.67:1")
    assert score.metric("relational").fair == 3.5 and score.metric("technical").good == 4.0


@pytest.mark.parametrize(("value", "expected"), [
    (None, None), (0.0, "below"), (0.3999, "below"), (0.40, "fair"), (0.4999, "fair"), (0.50, "good"), (0.9, "good"),
])
def test_band_boundaries_for_percent_complex(value, expected):
    spec = get_rubric().metrics["pct_complex"]
    assert band(spec, value) == expected


@pytest.mark.parametrize(("key", "fair", "good"), [
    ("rq_ratio", 1.0, 2.0), ("pct_complex", 0.40, 0.50), ("pct_open", 0.50, 0.70),
    ("relational", 3.5, 4.0), ("technical", 3.0, 4.0),
])
def test_standard_thresholds_are_the_miti_ones_and_bite_at_equality(key, fair, good):
    spec = get_rubric().metrics[key]
    assert (spec.fair, spec.good) == (fair, good)
    assert band(spec, fair) == "fair" and band(spec, good) == "good"
    assert band(spec, fair - 1e-9) == "below" and band(spec, good - 1e-9) == "fair"


def test_lower_is_better_bands():
    spec = MetricSpec(fair=2, good=0, better="lower")
    assert [band(spec, v) for v in (0, 1, 2, 3)] == ["good", "fair", "fair", "below"]


def test_pct_complex_half_is_good(tag_coder):
    score = score_transcript(TRANSCRIPT, get_rubric(), coder=tag_coder)
    assert score.metric("pct_complex").value == 0.5
    assert score.metric("pct_complex").band == "good"


def test_one_reflection_and_one_question_per_volley():
    rubric = get_rubric()
    coding = ResponseCoding(primary=SkillCode.SIMPLE_REFLECTION, codes=(
        CodeScore(code=SkillCode.SIMPLE_REFLECTION, confidence=0.9), CodeScore(code=SkillCode.COMPLEX_REFLECTION, confidence=0.6),
        CodeScore(code=SkillCode.CLOSED_QUESTION, confidence=0.7), CodeScore(code=SkillCode.OPEN_QUESTION, confidence=0.55),
        CodeScore(code=SkillCode.AFFIRMATION, confidence=0.3)))
    assert coding.counted(rubric.counting.min_confidence) == (SkillCode.COMPLEX_REFLECTION, SkillCode.OPEN_QUESTION)


def test_low_confidence_secondary_codes_do_not_count(tag_coder):
    rubric = get_rubric()
    coding = ResponseCoding(primary=SkillCode.OPEN_QUESTION, codes=(CodeScore(code=SkillCode.OPEN_QUESTION, confidence=0.8),
                                                      CodeScore(code=SkillCode.AFFIRMATION, confidence=0.49)))
    assert coding.counted(rubric.counting.min_confidence) == (SkillCode.OPEN_QUESTION,)


def play(session, *responses):
    for names in responses:
        session.respond("text", codes(*names))
    return session


def test_live_session_and_its_record_score_the_same(session_at):
    session = play(session_at("change"), ["complex_reflection"], ["persuade"], ["simple_reflection"],
                   ["open_question"], ["open_question"], ["closed_question"])
    live = score_session(session)
    from_record = score_session(parse_record(json.loads(json.dumps(session.record().to_json())), "record"))
    assert live.to_json() == from_record.to_json()
    # change (CR, good), sustain (persuade), discord (SR), chat ×3 questions; current line: chat (neutral)
    assert (live.turns, live.reflections, live.questions) == (6, 2, 3)
    assert (live.change_talk, live.sustain_talk) == (1, 1)
    assert live.indicators["st_righting"] == 0.5  # one of the two sustain/discord lines was argued with
    assert live.indicators["question_run_share"] == pytest.approx(1 / 3)


def test_permission_turns_advice_into_persuade_with_permission(session_at):
    session = play(session_at("chat"), ["seeking_collaboration"], ["persuade"])
    score = score_session(session)
    assert score.counts[SkillCode.PERSUADE] == 0
    assert score.counts[SkillCode.PERSUADE_WITH_PERMISSION] == 1
    assert score.non_adherent == 0 and score.adherent == 1


def test_drill_reports_focus_hit_rates(session_at):
    session = play(session_at("chat", kind="drill", focus=["complex_reflection", "simple_reflection"]),
                   ["complex_reflection"], ["open_question"], ["simple_reflection"], ["complex_reflection"])
    score = score_session(session)
    assert score.focus[SkillCode.COMPLEX_REFLECTION].hits == 2
    assert score.focus[SkillCode.SIMPLE_REFLECTION].rate == 0.25
    assert score.focus_hit_rate == 0.75
    assert score.metric("focus_hit_rate").band == "fair"


def test_session_uses_the_rubric_its_scenario_names(session_at, monkeypatch):
    session = play(session_at("chat", rubric="no-such-rubric"), ["open_question"])
    assert score_session(session).rubric == "standard"  # unknown names fall back to standard


def test_uncoded_turns_are_counted_apart(session_at):
    session = session_at("chat")
    session.respond("", ResponseCoding(primary=None, uncoded_reason="empty response"))
    score = score_session(session)
    assert (score.turns, score.uncoded, sum(score.counts.values())) == (1, 1, 0)


def test_score_json_is_serialisable(session_at):
    score = score_session(play(session_at("change"), ["complex_reflection"]))
    data = json.loads(json.dumps(score.to_json()))
    assert data["counts"]["complex_reflection"] == 1
    assert {m["key"] for m in data["metrics"]} >= {"rq_ratio", "overall"}
