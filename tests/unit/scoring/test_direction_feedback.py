"""The rubric judges code and direction (#16 part 3): what you reflect grows."""

from __future__ import annotations

import pytest

from mitrainer.codes import Direction, SkillCode, Verdict
from mitrainer.coding.base import ResponseCoding
from mitrainer.scenario.load import parse_scenario
from mitrainer.scoring import feedback_for_turn
from tests.sessions import FEEDBACK_SCENARIO


def scenario(start: str, sides: bool, language: str = "en"):
    text = FEEDBACK_SCENARIO.format(start=start, kind="conversation", focus="[]", rubric="standard",
                                    language=language)
    if sides:
        text = text.replace('    subtype: desire\n', '    subtype: desire\n    sides: {change: "be there for my kids", '
                            'sustain: "the drinking"}\n')
    loaded = parse_scenario(text)
    assert loaded.ok, [str(d) for d in loaded.diagnostics]
    return loaded.scenario


def judge(start: str, code: SkillCode, direction: Direction | None, *, sides: bool = False, language: str = "en"):
    from mitrainer.engine.session import Session

    session = Session(scenario(start, sides, language))
    turn = session.respond("response", ResponseCoding.manual(code, direction=direction))
    return feedback_for_turn(session, turn).judgement


def test_reflecting_the_sustain_side_of_change_talk_is_missed_and_names_the_change_part():
    judgement = judge("change", SkillCode.COMPLEX_REFLECTION, Direction.SUSTAIN, sides=True)
    assert judgement.verdict is Verdict.MISSED
    assert judgement.headline == "You picked up the other side of the change talk"
    assert "“be there for my kids”" in judgement.rationale
    # The better alternative is a reflection of the change side.
    assert judgement.better is not None and judgement.better.codes == ("complex_reflection",)


def test_without_sides_the_message_names_the_change_side_plainly():
    judgement = judge("change", SkillCode.SIMPLE_REFLECTION, Direction.SUSTAIN)
    assert judgement.verdict is Verdict.MISSED
    assert "the change side" in judgement.rationale and "{" not in judgement.rationale


@pytest.mark.parametrize("direction", [Direction.CHANGE, Direction.NEUTRAL, None])
def test_a_reflection_of_change_talk_towards_change_or_unjudged_stays_good(direction):
    judgement = judge("change", SkillCode.COMPLEX_REFLECTION, direction)
    assert judgement.verdict is Verdict.GOOD
    assert judgement.headline != "You picked up the other side of the change talk"


def test_after_sustain_talk_a_reflection_ending_on_change_is_good_and_one_ending_on_sustain_fair():
    ending_on_change = judge("sustain", SkillCode.COMPLEX_REFLECTION, Direction.CHANGE)
    assert ending_on_change.verdict is Verdict.GOOD
    assert ending_on_change.headline == "You heard the sustain talk and turned towards change"
    ending_on_sustain = judge("sustain", SkillCode.COMPLEX_REFLECTION, Direction.SUSTAIN)
    assert ending_on_sustain.verdict is Verdict.FAIR
    assert ending_on_sustain.headline == "You reflected only the side that holds on"


@pytest.mark.parametrize("code", [SkillCode.OPEN_QUESTION, SkillCode.AFFIRMATION])
def test_after_sustain_talk_asking_about_or_affirming_the_change_side_is_good(code):
    # What you ask about last grows too (MI-REFERENCE): a question about the change side is good,
    # the same question about the sustain side, or not judged, only fair.
    assert judge("sustain", code, Direction.CHANGE).verdict is Verdict.GOOD
    assert judge("sustain", code, Direction.SUSTAIN).verdict is Verdict.FAIR
    assert judge("sustain", code, None).verdict is Verdict.FAIR


def test_after_discord_seeking_collaboration_is_good_and_an_open_question_fair():
    # Shifting the focus to what would help repairs discord; a plain question moves on.
    assert judge("discord", SkillCode.SEEKING_COLLABORATION, None).verdict is Verdict.GOOD
    assert judge("discord", SkillCode.OPEN_QUESTION, None).verdict is Verdict.FAIR


def test_the_righting_reflex_is_judged_before_direction():
    assert judge("sustain", SkillCode.PERSUADE, Direction.CHANGE).verdict is Verdict.RIGHTING_REFLEX


def test_a_code_the_direction_rule_does_not_name_is_judged_by_its_code():
    # Autonomy towards sustain after sustain talk is not a reflection: the code list decides (good).
    assert judge("sustain", SkillCode.EMPHASIZING_AUTONOMY, Direction.SUSTAIN).verdict is Verdict.GOOD


@pytest.mark.parametrize(("language", "words"), [("vi", "Bạn đã nhặt lấy phía bên kia"), ("zh", "你接住的是改变语句的另一面")])
def test_direction_messages_are_translated(language, words):
    judgement = judge("change", SkillCode.COMPLEX_REFLECTION, Direction.SUSTAIN, sides=True, language=language)
    assert judgement.headline.startswith(words)
    assert "“be there for my kids”" in judgement.rationale


def test_the_direction_counts_in_the_change_talk_indicator():
    from mitrainer.engine.session import Session
    from mitrainer.scoring import get_rubric
    from mitrainer.scoring.score import score_session

    towards = Session(scenario("change", False))
    towards.respond("r", ResponseCoding.manual(SkillCode.COMPLEX_REFLECTION, direction=Direction.CHANGE))
    away = Session(scenario("change", False))
    away.respond("r", ResponseCoding.manual(SkillCode.COMPLEX_REFLECTION, direction=Direction.SUSTAIN))
    rubric = get_rubric()
    assert score_session(towards.record(), rubric).indicators["ct_response"] == 1.0
    assert score_session(away.record(), rubric).indicators["ct_response"] == 0.0
