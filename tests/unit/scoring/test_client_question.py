"""Information the client asked for, or given with permission, is MI-consistent (MITI 4.2.1)."""

from __future__ import annotations

from mitrainer.codes import SkillCode, TalkType, Verdict, asks_a_question
from mitrainer.coding.base import ResponseCoding
from mitrainer.engine.session import Session
from mitrainer.scenario.load import parse_scenario
from mitrainer.scoring import feedback_for_turn, get_rubric
from mitrainer.scoring.moments import ClientMoment, CounsellorUtterance, count_utterances
from tests.sessions import FEEDBACK_SCENARIO


def chat_session(client: str, asks: str = "") -> Session:
    text = FEEDBACK_SCENARIO.format(start="chat", kind="conversation", focus="[]", rubric="standard", language="en")
    text = text.replace('    client: "Work has been busy."\n', f'    client: "{client}"\n{asks}')
    loaded = parse_scenario(text)
    assert loaded.ok, [str(d) for d in loaded.diagnostics]
    return Session(loaded.scenario)


def judge(session: Session, *codes: SkillCode):
    turn = session.respond("response", ResponseCoding.manual(*codes))
    return feedback_for_turn(session, turn).judgement


def test_a_neutral_line_ending_with_a_question_mark_asks():
    assert asks_a_question("Do I have to come every day?", TalkType.NEUTRAL)
    assert asks_a_question("会不会有什么记录？", None)
    assert not asks_a_question("Why would I stop?", TalkType.SUSTAIN)
    assert not asks_a_question("Work has been busy.", TalkType.NEUTRAL)


def test_information_the_client_asked_for_is_good():
    judgement = judge(chat_session("How long does the programme take?"), SkillCode.GIVING_INFORMATION)
    assert (judgement.situation, judgement.verdict) == ("client_question", Verdict.GOOD)
    assert judgement.headline == "You answered what the client asked"


def test_the_same_information_unasked_is_not_judged_as_an_answer():
    judgement = judge(chat_session("Work has been busy."), SkillCode.GIVING_INFORMATION)
    assert judgement.situation == "neutral"


def test_a_node_can_mark_a_question_and_unmark_one():
    marked = chat_session("I wonder what people usually do", "    asks: true\n")
    assert judge(marked, SkillCode.GIVING_INFORMATION).situation == "client_question"
    unmarked = chat_session("Who knows?", "    asks: false\n")
    assert judge(unmarked, SkillCode.GIVING_INFORMATION).situation == "neutral"


def test_advice_the_client_asked_for_is_persuading_with_permission():
    judgement = judge(chat_session("What would you do in my place?"), SkillCode.PERSUADE)
    assert judgement.verdict is Verdict.GOOD
    assert judgement.codes == (SkillCode.PERSUADE_WITH_PERMISSION,)


def test_advice_framed_with_autonomy_is_persuading_with_permission():
    rubric = get_rubric()
    moments = [ClientMoment(TalkType.NEUTRAL),
               CounsellorUtterance(ResponseCoding.manual(SkillCode.PERSUADE, SkillCode.EMPHASIZING_AUTONOMY), "")]
    [utterance], _ = count_utterances(moments, rubric)
    assert SkillCode.PERSUADE_WITH_PERMISSION in utterance.codes and SkillCode.PERSUADE not in utterance.codes
    bare = [ClientMoment(TalkType.NEUTRAL), CounsellorUtterance(ResponseCoding.manual(SkillCode.PERSUADE), "")]
    [utterance], _ = count_utterances(bare, rubric)
    assert utterance.codes == (SkillCode.PERSUADE,)
