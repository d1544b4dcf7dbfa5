"""Shared helpers for the scoring tests: an inline scenario and a coder driven by tags."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest

from mitrainer.codes import SkillCode, TalkType
from mitrainer.coding.base import ClientCoding, ResponseCoding, Utterance
from mitrainer.engine.session import Session
from mitrainer.scenario.load import parse_scenario

SCENARIO = """
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


def make_scenario(start: str = "change", kind: str = "conversation", focus: Sequence[str] = (),
                  rubric: str = "standard", language: str = "en"):
    text = SCENARIO.format(start=start, kind=kind, focus="[" + ", ".join(focus) + "]", rubric=rubric,
                           language=language)
    loaded = parse_scenario(text)
    assert loaded.ok, [str(d) for d in loaded.diagnostics]
    return loaded.scenario


def codes(*names: str) -> ResponseCoding:
    return ResponseCoding.manual(*(SkillCode.parse(n) for n in names))


@pytest.fixture
def session_at():
    def make(start: str = "change", **kw) -> Session:
        return Session(make_scenario(start, **kw))
    return make


_TAG = re.compile(r"^\[([^\]]*)\]\s*")


class TagCoder:
    """Codes a line from a leading tag: ``[cr,oq] text`` or ``[change] text``; no tag = uncoded."""

    name = "tags"

    def code_response(self, text: str, context: Sequence[Utterance] = ()) -> ResponseCoding:
        match = _TAG.match(text)
        if not match:
            return ResponseCoding(primary=None, uncoded_reason="no tag", coder=self.name)
        parsed = [SkillCode.parse(p) for p in match.group(1).split(",") if p.strip()]
        return ResponseCoding.manual(*[c for c in parsed if c], coder=self.name)

    def code_client(self, text: str, context: Sequence[Utterance] = ()) -> ClientCoding:
        match = _TAG.match(text)
        talk = TalkType(match.group(1)) if match else TalkType.NEUTRAL
        return ClientCoding(talk, None, 1.0, coder=self.name)


@pytest.fixture
def tag_coder() -> TagCoder:
    return TagCoder()
