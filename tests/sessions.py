"""Sessions for the tests: a small, stable scenario (evening drinks) and sessions played on it
deterministically; an inline scenario with one node per kind of client talk (the feedback and
score tests); a coder driven by tags. The fixtures built on them (``scenario``, ``record``,
``data_dir``, ``session_at``, ``tag_coder``) are in tests/conftest.py, for every kind of test."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mitrainer.codes import SkillCode, TalkType
from mitrainer.coding.base import ClientCoding, ResponseCoding, Utterance
from mitrainer.engine.session import Session
from mitrainer.record.model import Feedback, SessionRecord
from mitrainer.scenario.load import load_scenario, parse_scenario
from mitrainer.scenario.model import Scenario
from mitrainer.scoring import feedback_for_turn

HERE = Path(__file__).resolve().parent
SCENARIOS = HERE / "unit" / "export" / "fixtures" / "scenarios"
GOLDEN = HERE / "unit" / "export" / "golden"

C = SkillCode
STANDARD_RESPONSES: list[tuple[str, tuple[SkillCode, ...]]] = [
    ("So the wine <script>alert(1)</script> is your way to unwind.", (C.COMPLEX_REFLECTION,)),
    ("What worries you about it?", (C.OPEN_QUESTION,)),
    ("You should just stop drinking during the week.", (C.PERSUADE,)),
    ("Nobody's labelling you; it's your call.", (C.COMPLEX_REFLECTION, C.EMPHASIZING_AUTONOMY)),
    ("So: wine helps you unwind, you wake up tired, and you want more energy. What next?", (C.SUMMARY,)),
]
REFLECTIONS = {
    "went_well": "I reflected <b>her</b> reasons & didn't *lecture*.\n# not a heading\n1. not a list",
    "do_differently": "=HYPERLINK(\"x\") ask permission before advice",
}


def load_fixture_scenario() -> Scenario:
    return load_scenario(SCENARIOS / "evening-drinks.yaml").require()


def play(scenario: Scenario, responses: Sequence[tuple[str, Sequence[SkillCode]]], *,
         start: datetime = datetime(2026, 3, 2, 18, 0, tzinfo=UTC), session_id: str = "5e55101d" + "0" * 24,
         feedback: bool = True, reflections: dict[str, str] | None = None, seed: int = 7) -> SessionRecord:
    """A session record played deterministically (fixed clock, seed, id and app version)."""
    now = [start]

    def clock() -> datetime:
        now[0] += timedelta(seconds=30)
        return now[0]

    session = Session(scenario, seed=seed, clock=clock, session_id=session_id)
    for text, codes in responses:
        if session.finished:
            break
        turn = session.respond(text, ResponseCoding.manual(*codes, coder="test"))
        # Without feedback the turn keeps only the branch note, as records of schema 1 written
        # by `mitrainer play` read once migrated: not judged.
        session.attach_feedback(feedback_for_turn(session, turn) if feedback
                                else Feedback(note=session.branch_taken(turn).note))
    session.reflections = dict(reflections or {})
    return session.record().model_copy(update={"app_version": "test"})


def long_responses(turns: int) -> list[tuple[str, tuple[SkillCode, ...]]]:
    """``turns`` responses that loop at 'explore' and end with a summary (turns ≥ 2)."""
    middle = [(f"You want things to change, reason number {i}.", (C.COMPLEX_REFLECTION,)) if i % 2
              else (f"What else matters to you, part {i}?", (C.OPEN_QUESTION,)) for i in range(turns - 2)]
    return [STANDARD_RESPONSES[0], *middle, STANDARD_RESPONSES[-1]]


FEEDBACK_SCENARIO = """
schema_version: 1
id: fbtest
title: Feedback test
language: {language}
kind: {kind}
focus: {focus}
topic: drinking
setting: a clinic
difficulty: beginner
minutes: 5
learning_goals: [reflect change talk]
author: tests
rubric: {rubric}
persona: {{name: Sam, background: a test client, stage: contemplation}}
start: {start}
nodes:
  change:
    client: "I want to be there for my kids."
    talk: change
    subtype: desire
    responses: [{{goto: sustain}}]
    exemplars:
      - {{text: "What would being there look like?", codes: [open_question], why: asks for elaboration}}
      - {{text: "Your kids matter more than anything to you.", codes: [complex_reflection], why: selects the change side}}
  sustain:
    client: "But drinking is how I relax."
    talk: sustain
    subtype: reasons
    responses: [{{goto: discord}}]
    exemplars:
      - {{text: "You should cut down.", codes: [persuade], why: a distractor wrongly listed}}
      - {{text: "It is your choice.", codes: [emphasizing_autonomy], why: leaves the choice with the client}}
      - {{text: "Drinking helps you unwind, and you worry about the kids.", codes: [complex_reflection], why: double-sided}}
  discord:
    client: "You sound just like my wife."
    talk: discord
    responses: [{{goto: chat}}]
    exemplars:
      - {{text: "You are tired of being told what to do.", codes: [complex_reflection], why: reflects the discord}}
  chat:
    client: "Work has been busy."
    talk: neutral
    responses:
      - when: {{keywords: [goodbye]}}
        goto: done
      - goto: chat
    exemplars:
      - {{text: "Would it be OK if I shared an idea?", codes: [seeking_collaboration], why: asks permission}}
      - {{text: "Busy at work.", codes: [simple_reflection], why: stays with the client}}
      - {{text: "Work leaves you drained.", codes: [complex_reflection], why: adds the feeling}}
  done:
    client: "Bye."
    ending: {{outcome: done, debrief: The end.}}
"""


def feedback_scenario(start: str = "change", kind: str = "conversation", focus: Sequence[str] = (),
                  rubric: str = "standard", language: str = "en"):
    text = FEEDBACK_SCENARIO.format(start=start, kind=kind, focus="[" + ", ".join(focus) + "]", rubric=rubric,
                           language=language)
    loaded = parse_scenario(text)
    assert loaded.ok, [str(d) for d in loaded.diagnostics]
    return loaded.scenario


def codes(*names: str) -> ResponseCoding:
    return ResponseCoding.manual(*(SkillCode.parse(n) for n in names))


_TAG = re.compile(r"^\[([^\]]*)\]\s*")


class TagCoder:
    """Codes a line from a leading tag: ``[cr,oq] text`` or ``[change] text``; no tag = uncoded."""

    name = "tags"

    def code_response(self, text: str, context: Sequence[Utterance] = (), sides=None) -> ResponseCoding:
        match = _TAG.match(text)
        if not match:
            return ResponseCoding(primary=None, uncoded_reason="no tag", coder=self.name)
        parsed = [SkillCode.parse(p) for p in match.group(1).split(",") if p.strip()]
        return ResponseCoding.manual(*[c for c in parsed if c], coder=self.name)

    def code_client(self, text: str, context: Sequence[Utterance] = ()) -> ClientCoding:
        match = _TAG.match(text)
        talk = TalkType(match.group(1)) if match else TalkType.NEUTRAL
        return ClientCoding(talk, None, 1.0, coder=self.name)
