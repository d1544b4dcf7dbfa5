"""Per-turn feedback: each situation, its verdict, message and better alternative."""

from __future__ import annotations

from mitrainer.codes import SkillCode
from mitrainer.coding.base import ResponseCoding
from mitrainer.record.model import Judgement
from mitrainer.scoring import feedback_for_turn, get_rubric, judge_turn
from tests.sessions import codes


def respond(session, *names, text="response") -> Judgement:
    """Play a response coded ``names`` and return the rubric's judgement of it."""
    turn = session.respond(text, codes(*names))
    feedback = feedback_for_turn(session, turn)
    session.attach_feedback(feedback)
    return feedback.judgement


def test_change_talk_missed_offers_a_reflection_exemplar(session_at):
    feedback = respond(session_at("change"), "closed_question")
    assert feedback.situation == "change_talk"
    assert feedback.verdict == "missed"
    assert feedback.codes == (SkillCode.CLOSED_QUESTION,)
    # The node lists the open question first; after change talk a reflection is preferred.
    assert feedback.better is not None and feedback.better.codes == ("complex_reflection",)
    assert feedback.better.text == "Your kids matter more than anything to you."
    assert "closed question" in feedback.headline.lower()  # the rubric's by_code message


def test_change_talk_reflected_is_good_without_alternative(session_at):
    feedback = respond(session_at("change"), "complex_reflection")
    assert (feedback.verdict, feedback.situation, feedback.better) == ("good", "change_talk", None)
    assert "desire" in feedback.rationale  # the subtype fills {subtype}
    assert "complex reflection" in feedback.rationale


def test_giving_information_after_change_talk_is_missed(session_at):
    assert respond(session_at("change"), "giving_information").verdict == "missed"


def test_persuade_after_sustain_talk_is_the_righting_reflex(session_at):
    feedback = respond(session_at("sustain"), "persuade")
    assert feedback.verdict == "righting_reflex"
    assert feedback.situation == "sustain_talk"
    assert "righting reflex" in feedback.headline.lower()
    # The distractor-like exemplar coded persuade is never offered; a reflection is.
    assert feedback.better is not None and feedback.better.codes == ("complex_reflection",)


def test_autonomy_after_sustain_talk_is_good(session_at):
    assert respond(session_at("sustain"), "emphasizing_autonomy").verdict == "good"


def test_open_question_after_sustain_talk_is_fair(session_at):
    feedback = respond(session_at("sustain"), "open_question")
    assert feedback.verdict == "fair"
    assert feedback.better.codes == ("complex_reflection",)


def test_confront_after_discord_is_the_righting_reflex(session_at):
    feedback = respond(session_at("discord"), "confront")
    assert (feedback.verdict, feedback.situation) == ("righting_reflex", "discord")


def test_reflecting_discord_is_good(session_at):
    assert respond(session_at("discord"), "simple_reflection").verdict == "good"


def test_advice_without_permission_in_neutral_talk(session_at):
    feedback = respond(session_at("chat"), "persuade")
    assert (feedback.verdict, feedback.situation) == ("righting_reflex", "advice_without_permission")
    assert feedback.better.codes == ("seeking_collaboration",)


def test_advice_after_asking_permission_is_not_the_righting_reflex(session_at):
    session = session_at("chat")
    assert respond(session, "seeking_collaboration").verdict == "good"
    feedback = respond(session, "persuade")
    assert feedback.verdict == "good"
    assert feedback.codes == (SkillCode.PERSUADE_WITH_PERMISSION,)


def test_permission_expires_after_the_window(session_at):
    session = session_at("chat")
    respond(session, "seeking_collaboration")
    respond(session, "simple_reflection")
    assert respond(session, "persuade").verdict == "righting_reflex"


def test_question_run_is_flagged_on_the_third_question(session_at):
    session = session_at("chat")
    assert respond(session, "open_question").situation == "neutral"
    assert respond(session, "open_question").situation == "neutral"
    third = respond(session, "closed_question")
    assert (third.situation, third.verdict) == ("question_run", "fair")
    assert "3 questions" in third.headline
    assert third.better.codes == ("complex_reflection",)
    fourth = respond(session, "open_question")
    assert fourth.situation == "question_run" and "4 questions" in fourth.headline


def test_a_reflection_breaks_the_question_run(session_at):
    session = session_at("chat")
    respond(session, "open_question")
    respond(session, "open_question")
    respond(session, "simple_reflection")
    assert respond(session, "open_question").situation == "neutral"


def test_question_with_reflection_in_one_volley_is_not_a_run(session_at):
    session = session_at("chat")
    respond(session, "open_question")
    respond(session, "open_question")
    assert respond(session, "simple_reflection", "open_question").situation == "neutral"


def test_summary_after_enough_turns_is_well_timed(session_at):
    session = session_at("chat")
    for _ in range(4):
        respond(session, "simple_reflection")
    feedback = respond(session, "summary")
    assert (feedback.situation, feedback.verdict, feedback.better) == ("summary", "good", None)


def test_early_summary_is_judged_by_the_moment(session_at):
    feedback = respond(session_at("chat"), "summary")
    assert feedback.situation == "neutral"
    assert feedback.verdict == "good"


def test_uncoded_response_is_said_kindly_and_marked_not_sure(session_at):
    session = session_at("change")
    turn = session.respond("Tôi hiểu.", ResponseCoding(primary=None, uncoded_reason="not English"))
    feedback = judge_turn(session, turn)
    assert (feedback.situation, feedback.verdict) == ("uncoded", "fair")
    assert feedback.uncertain is True
    assert "not English" in feedback.rationale
    assert feedback.codes == ()
    assert feedback.better.codes == ("complex_reflection",)


def test_uncertain_coding_is_passed_on(session_at):
    session = session_at("change")
    coding = ResponseCoding(primary=SkillCode.COMPLEX_REFLECTION, codes=ResponseCoding.manual(SkillCode.COMPLEX_REFLECTION).codes, uncertain=True)
    feedback = judge_turn(session, session.respond("x", coding))
    assert feedback.uncertain is True and feedback.verdict == "good"


def test_better_never_repeats_the_trainees_own_words(session_at):
    session = session_at("change")
    turn = session.respond("Your kids matter more than anything to you.", codes("closed_question"))
    assert judge_turn(session, turn).better.codes == ("open_question",)


def test_feedback_for_an_earlier_turn_uses_only_what_came_before(session_at):
    session = session_at("chat")
    for _ in range(3):
        respond(session, "open_question")
    assert judge_turn(session, session.turns[0]).situation == "neutral"
    assert judge_turn(session, session.turns[2]).situation == "question_run"


def test_feedback_json_round_trip(session_at):
    judgement = respond(session_at("sustain"), "persuade")
    again = Judgement.model_validate(judgement.model_dump(mode="json"))
    assert again == judgement


def test_no_placeholder_is_left_unfilled(session_at):
    for start in ("change", "sustain", "discord", "chat"):
        for code in SkillCode:
            feedback = respond(session_at(start), code.value)
            assert "{" not in feedback.headline + feedback.rationale, (start, code)


def test_feedback_is_in_the_scenario_language(session_at):
    """A Vietnamese scenario gets the rubric's Vietnamese words, placeholders included."""
    feedback = respond(session_at("change", language="vi"), "complex_reflection")
    english = respond(session_at("change"), "complex_reflection")
    vi = get_rubric().translations["vi"].situations["change_talk"].messages["good"]
    assert (feedback.verdict, feedback.situation) == (english.verdict, english.situation) == ("good", "change_talk")
    assert feedback.headline == vi.headline != english.headline
    assert "phản ánh phức" in feedback.rationale  # {code}, as the Vietnamese interface names the skill
    assert "mong muốn" in feedback.rationale      # {subtype}: desire
    assert "{" not in feedback.rationale


def test_a_message_for_the_code_stays_one_in_translation(session_at):
    """After change talk a closed question has its own message (by_code); so it has in Chinese."""
    feedback = respond(session_at("change", language="zh-CN"), "closed_question")
    zh = get_rubric().translations["zh"].situations["change_talk"].by_code[SkillCode.CLOSED_QUESTION]
    assert feedback.verdict == "missed"
    assert (feedback.headline, feedback.rationale) == (zh.headline, zh.rationale)


def test_a_language_without_translation_gets_english(session_at):
    french = respond(session_at("sustain", language="fr"), "persuade")
    english = respond(session_at("sustain"), "persuade")
    assert (french.headline, french.rationale) == (english.headline, english.rationale)
    assert "righting reflex" in french.headline.lower()


def test_a_response_with_no_skill_is_not_called_your_other(session_at):
    feedback = respond(session_at("change"), "other")
    assert feedback.verdict == "missed"
    assert "your response leaves it unexplored" in feedback.rationale and "your other" not in feedback.rationale


def test_a_model_response_is_never_marked_down_for_a_run_of_questions():
    from mitrainer.engine.session import Session
    from mitrainer.scenario.load import parse_scenario
    from tests.sessions import FEEDBACK_SCENARIO

    text = FEEDBACK_SCENARIO.format(start="chat", kind="conversation", focus="[]", rubric="standard", language="en")
    text = text.replace('      - {{text: "Busy at work.", codes: [simple_reflection], why: stays with the client}}'
                        .replace("{{", "{").replace("}}", "}"),
                        '      - {text: "What keeps work so busy?", codes: [open_question], why: asks for more}')
    loaded = parse_scenario(text)
    assert loaded.ok, [str(d) for d in loaded.diagnostics]
    offered, typed = Session(loaded.scenario), Session(loaded.scenario)
    for session in (offered, typed):
        respond(session, "open_question", text="How is it going?")
        respond(session, "closed_question", text="Is it every day?")
    # The node offers this question as a model response (a guided choice): no question-run verdict.
    chosen = respond(offered, "open_question", text="What keeps work so busy?")
    assert (chosen.situation, chosen.verdict) == ("neutral", "good")
    # The same codes in the trainee's own words are a run of three questions.
    own = respond(typed, "open_question", text="What else is busy?")
    assert (own.situation, own.verdict) == ("question_run", "fair")
