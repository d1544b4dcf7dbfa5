"""The session record: every turn of a practice session, as typed, frozen models.

This module is the only definition of the format. The engine builds a
:class:`SessionRecord` (``Session.record()``), the store keeps it, scoring, exports,
bundles and review read it; a record arriving from a file goes through
:func:`mitrainer.record.read.parse_record`, which migrates older schemas first. The JSON
Schema generated from these models is published in ``docs/session-record.schema.json``.

Schema history:

* 1 — the first format. A turn carried ``branch_note`` (the scenario's note on the branch
  taken) and ``feedback`` (the rubric's verdict as a plain object, ``null`` in records
  written by ``mitrainer play``); codings gained an optional ``direction`` during schema 1.
* 2 — a turn's ``feedback`` holds both the rubric's ``judgement`` and the branch ``note``;
  ``branch_note`` is gone. ``mitrainer play`` records feedback like the trainer. During schema 2
  client lines gained ``asks`` (false when absent: a direct question to the counsellor).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_serializer, model_validator

from mitrainer.codes import Direction, SkillCode, Subtype, TalkType, Verdict

RECORD_SCHEMA_VERSION = 2

NonEmpty = Annotated[str, Field(min_length=1)]
VariableValue = StrictInt | float | bool | str


class _Record(BaseModel):
    # Unknown keys are ignored, as they always were: a record is refused for what it lacks
    # or gets wrong, not for what a tool added beside it.
    model_config = ConfigDict(frozen=True, extra="ignore")

    def to_json(self) -> dict[str, Any]:
        """As JSON values: what files, bundles and the store hold."""
        return self.model_dump(mode="json")


# -- codings ------------------------------------------------------------------------------------

_REFLECTION_DEPTH = (SkillCode.SUMMARY, SkillCode.COMPLEX_REFLECTION, SkillCode.SIMPLE_REFLECTION)
_QUESTION_PREFERENCE = (SkillCode.OPEN_QUESTION, SkillCode.CLOSED_QUESTION)

class CodeScore(_Record):
    """One code given to a response and the coder's confidence in it."""

    code: SkillCode
    confidence: float

    @field_serializer("confidence")
    def _rounded(self, value: float) -> float:
        return round(value, 4)


class ResponseCoding(_Record):
    """The coding of one counsellor utterance.

    ``codes`` holds every code that applies, primary first; ``primary`` is the response's main
    behaviour, the one feedback speaks to (the trained coder takes the family it finds main, as
    AnnoMI's experts chose a volley's main behaviour: "So it wears you out. What would help?" is
    mostly a question there). The scores count the other codes too, by one rule (:meth:`counted`):
    from the rubric's confidence, with MITI's one reflection and one question per volley. A code
    shown but not counted is shown dimmed. ``primary`` is None
    when the text was not coded, and
    ``uncoded_reason`` says why. ``direction`` is the side of the client's ambivalence the
    response strengthens (None when it was not judged: uncoded text, or a coding made before
    direction was judged).
    """

    primary: SkillCode | None
    codes: tuple[CodeScore, ...] = ()
    uncertain: bool = False
    uncoded_reason: str = ""
    coder: str = ""
    direction: Direction | None = None

    @property
    def coded(self) -> bool:
        return self.primary is not None

    @property
    def confidence(self) -> float:
        """The primary code's confidence (0 when uncoded)."""
        return next((score.confidence for score in self.codes if score.code is self.primary), 0.0)

    def skills(self) -> frozenset[SkillCode]:
        """Every code given to the utterance (what scenario conditions test)."""
        return frozenset(s.code for s in self.codes)

    def has(self, *codes: SkillCode) -> bool:
        """Whether any of ``codes`` was given to the utterance."""
        return any(c in self.skills() for c in codes)

    def counted(self, min_confidence: float) -> tuple[SkillCode, ...]:
        """The codes the utterance is counted with: the one counting rule of scores, chips,
        counters and agreement (before the permission rule, which scoring applies).

        The primary code always counts; another code counts when the coder gave it at least
        ``min_confidence`` (the rubric's ``counting.min_confidence``; a person's codes have
        confidence 1 and always count). As in MITI 4.2.1, one utterance gives at most one
        reflection (the deepest: summary, complex, simple) and one question (open over closed).
        """
        if self.primary is None:
            return ()
        codes = [self.primary]
        for score in self.codes:
            if score.code is not self.primary and score.confidence >= min_confidence and score.code not in codes:
                codes.append(score.code)
        if len(codes) == 1:
            return (codes[0],)
        reflections = [c for c in _REFLECTION_DEPTH if c in codes]
        questions = [c for c in _QUESTION_PREFERENCE if c in codes]
        allowed = set(reflections[:1]) | set(questions[:1])
        # Order kept as the coder gave it, so the primary stays first unless a deeper
        # reflection replaced it.
        return tuple(c for c in codes
                     if c in allowed or (c not in _REFLECTION_DEPTH and c not in _QUESTION_PREFERENCE))

    @classmethod
    def manual(cls, *codes: SkillCode, coder: str = "manual", direction: Direction | None = None) -> ResponseCoding:
        """A coding given by a person (or chosen in guided mode): full confidence."""
        return cls(primary=codes[0] if codes else None,
                   codes=tuple(CodeScore(code=c, confidence=1.0) for c in codes), coder=coder,
                   uncoded_reason="" if codes else "no code given", direction=direction)


# -- feedback -----------------------------------------------------------------------------------

class BetterResponse(_Record):
    """A model response offered as a better alternative: the scenario's words and codes."""

    text: str
    codes: tuple[str, ...] = ()  # as the scenario states them (they are shown, not counted)
    why: str = ""


class Judgement(_Record):
    """The rubric's verdict on one response: how it fits the moment, why, and what fits better."""

    verdict: Verdict
    headline: str = ""
    rationale: str = ""
    codes: tuple[SkillCode, ...] = ()
    situation: str = ""
    better: BetterResponse | None = None  # when the response was not good
    uncertain: bool = False


class Feedback(_Record):
    """Everything a trainee is told about one turn.

    ``judgement`` is the rubric's (None only in records written before ``play`` judged its
    turns); ``note`` is the scenario author's note on the branch the response took, the
    scenario's own teaching for that moment ("" when the branch has none).
    """

    judgement: Judgement | None = None
    note: str = ""


# -- turns and sessions -------------------------------------------------------------------------

class ClientLine(_Record):
    """What the client said at a node: the variant picked for that visit.

    ``asks``: the line asks the counsellor a direct question (the node's ``asks:``, else
    :func:`mitrainer.codes.asks_a_question`); information given in answer is MI-consistent.
    """

    node: str
    text: str
    cue: str = ""
    talk: TalkType | None = None
    subtype: Subtype | None = None
    asks: bool = False


class Turn(_Record):
    """One exchange: the client's line, the trainee's response, its coding, where it led."""

    index: int = Field(ge=0)
    client: ClientLine
    response: str
    coding: ResponseCoding
    branch: int = Field(ge=0, description="the position of the branch taken among the node's responses")
    next_node: str
    variables: dict[str, VariableValue] = {}
    at: str = ""
    guided: bool = False
    feedback: Feedback | None = None


class ScenarioRef(_Record):
    """Which scenario the session was played on: its id and a hash of its content."""

    id: NonEmpty
    title: str = ""
    version: str = ""
    language: str = ""
    content_hash: str = ""


class Ending(_Record):
    """The ending the session reached, with the debrief the trainee read."""

    node: str = ""
    outcome: str = ""
    title: str = ""
    debrief: str = ""


class Start(_Record):
    """Where a session began when not at the scenario's start: an author testing from a node."""

    node: NonEmpty
    variables: dict[str, VariableValue] = Field(default={}, description="the values set at the start; the "
                                                "other variables start at their defaults")


class SessionRecord(_Record):
    """The complete, versioned record of one practice session."""

    schema_version: int = RECORD_SCHEMA_VERSION
    app_version: str = ""
    session_id: NonEmpty
    scenario: ScenarioRef
    # The store keeps seeds as 64-bit integers: a larger one in a file is damage.
    seed: Annotated[StrictInt, Field(ge=-(2**63), lt=2**63)] = 0
    coder: str = ""
    started_at: str = ""
    ended_at: str = ""
    turns: tuple[Turn, ...]
    current: ClientLine | None = Field(default=None, description="the client's last line: at the ending, or where it stopped")
    variables: dict[str, VariableValue] = {}
    ending: Ending | None = None
    reflections: dict[str, str] = {}
    start: Start | None = Field(default=None, description="where an author's test began, when not at the "
                                "scenario's start (absent for a trainee's session)")

    @model_validator(mode="after")
    def _turns_in_order(self) -> SessionRecord:
        for position, turn in enumerate(self.turns):
            if turn.index != position:
                raise ValueError(f"turn {position + 1} has index {turn.index}; the turns are out of order")
        return self

    def to_json(self) -> dict[str, Any]:
        """As JSON values; a trainee's session (no ``start``) is written as it always was."""
        return self.model_dump(mode="json", exclude={"start"} if self.start is None else None)

    @property
    def finished(self) -> bool:
        """Reached an ending, or was ended by the trainee."""
        return bool(self.ended_at)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a session record (``docs/session-record.schema.json``)."""
    schema = SessionRecord.model_json_schema(mode="serialization")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "mitrainer session record",
            "description": f"A practice session as mitrainer writes it (schema_version {RECORD_SCHEMA_VERSION}).",
            **{key: value for key, value in schema.items() if key not in ("title", "description")}}
