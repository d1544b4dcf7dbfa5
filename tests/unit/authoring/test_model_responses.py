"""Model responses are judged good where they are offered (#17): S114, and a drill's own skill.

A node's exemplars are offered as hints, as the better alternative and as guided choices; the
validator judges each as the per-turn feedback would (S114), and the feedback never marks down
a response that does what a drill asks (``drill_task``).
"""

from __future__ import annotations

from pathlib import Path

from mitrainer.codes import Verdict
from mitrainer.engine.session import Session
from mitrainer.paths import bundled_scenarios
from mitrainer.scenario.load import parse_scenario
from mitrainer.scoring import feedback_for_turn
from mitrainer.scoring.exemplar_check import check_exemplars_judged_good
from mitrainer.validation import validate_file
from tests.sessions import codes, feedback_scenario
from tests.unit.authoring.test_mi_lint import HEAD

# The MI-lint tests' scenario head (its 'opening' node comes next), then one node to judge.
SCENARIO = HEAD + """\
  opening:
    client: "Drinking is how I relax, but the kids notice."
    talk: sustain
    subtype: reasons
    responses: [{{goto: done}}]
    exemplars:
      - {{text: "Drinking helps you unwind, and the kids matter to you.", codes: [complex_reflection], why: w}}
      - {{text: "It's your call.", codes: [emphasizing_autonomy], why: w}}
      - {{text: "{question}", codes: [open_question], {direction}why: w}}
  done:
    client: "Bye."
    ending: {{outcome: done, debrief: d}}
"""


def s114(question: str = "What do you like about drinking?", direction: str = "", kind: str = "conversation"):
    focus = "focus: [open_question]\n" if kind == "drill" else ""
    loaded = parse_scenario(SCENARIO.format(kind=kind, focus=focus, question=question, direction=direction))
    assert loaded.ok, [str(d) for d in loaded.diagnostics]
    return check_exemplars_judged_good(loaded.scenario, loaded.positions, "demo.yaml")


def test_an_open_question_after_sustain_talk_is_flagged_at_its_line():
    found = s114()
    assert [d.code for d in found] == ["S114"]
    assert "exemplar 3" in found[0].message and "'fair' after sustain talk" in found[0].message
    text = SCENARIO.format(kind="conversation", focus="", question="What do you like about drinking?", direction="")
    assert found[0].position.line == text.splitlines().index(next(
        line for line in text.splitlines() if "What do you like" in line)) + 1  # the third exemplar's line
    assert "direction: change" in found[0].hint


def test_a_question_about_the_change_side_is_good_after_sustain_talk():
    assert s114("What do the kids notice?", "direction: change, ") == []


def test_a_drill_for_open_questions_may_model_one_after_sustain_talk():
    assert s114(kind="drill") == []


def test_validate_reports_s114_for_a_file(tmp_path: Path):
    path = tmp_path / "demo.yaml"
    path.write_text(SCENARIO.format(kind="conversation", focus="", question="How long?", direction=""),
                    encoding="utf-8")
    report = validate_file(path)
    assert "S114" in [d.code for d in report.diagnostics]


def test_every_bundled_model_response_is_judged_good_at_its_node():
    found = []
    for path in sorted(bundled_scenarios().glob("*.yaml")):
        report = validate_file(path)
        found += [f"{path.name}: {d.message}" for d in report.diagnostics if d.code == "S114"]
    assert found == []


def _judge(kind: str, focus: tuple[str, ...], *names: str, previous: tuple[str, ...] = ()):
    session = Session(feedback_scenario("sustain" if not previous else "change", kind=kind, focus=focus))
    for earlier in previous:
        session.respond("q", codes(earlier))
    turn = session.respond("What do you make of it?", codes(*names))
    return feedback_for_turn(session, turn).judgement


def test_a_drill_judges_its_own_skill_good_where_the_moment_alone_would_not():
    in_conversation = _judge("conversation", (), "open_question")
    assert in_conversation.verdict is Verdict.FAIR
    in_drill = _judge("drill", ("open_question",), "open_question")
    assert in_drill.verdict is Verdict.GOOD
    assert in_drill.headline == "That is the skill this drill practises"
    assert "open question" in in_drill.rationale


def test_a_drill_does_not_excuse_the_righting_reflex_or_other_skills():
    assert _judge("drill", ("open_question",), "persuade", "open_question").verdict is Verdict.RIGHTING_REFLEX
    assert _judge("drill", ("open_question",), "closed_question").verdict is not Verdict.GOOD


def test_a_drill_of_questions_is_not_marked_down_for_a_run_of_them():
    # change → sustain → discord: the third question in a row, at discord, in an open-question drill.
    judged = _judge("drill", ("open_question",), "open_question", previous=("open_question", "open_question"))
    assert judged.verdict is Verdict.GOOD and judged.situation != "question_run"
    in_conversation = _judge("conversation", (), "open_question", previous=("open_question", "open_question"))
    assert in_conversation.verdict is Verdict.FAIR


def test_a_drill_offers_its_own_skill_as_the_better_alternative():
    # A closed question after change talk: the conversation offers the reflection first (the
    # situation's 'better' list), the open-question drill its open question.
    def better(kind, focus):
        session = Session(feedback_scenario("change", kind=kind, focus=focus))
        judged = feedback_for_turn(session, session.respond("Do you drink every day?", codes("closed_question")))
        return judged.judgement.better.codes

    assert better("conversation", ()) == ("complex_reflection",)
    assert better("drill", ("open_question",)) == ("open_question",)

