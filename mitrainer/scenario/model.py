"""Typed, frozen models of a scenario file (``schema_version: 1``).

The YAML format is documented for instructors in ``docs/scenario-format.md``. These models
check the *shape* of a file (keys, types, allowed values); ``validate.py`` checks what
only the whole scenario can tell (gotos, variables, reachability, fallbacks).
"""

from __future__ import annotations

import hashlib
import json
from functools import cached_property
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from mitrainer.codes import Difficulty, Direction, SkillCode, Stage, Subtype, TalkType, asks_a_question
from mitrainer.record.model import ResponseCoding
from mitrainer.text import no_control

SCHEMA_VERSION = 1

NodeId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$", max_length=120)]
# Every text a scenario shows is free of terminal control characters (see mitrainer.text).
Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000), AfterValidator(no_control)]
Plain = Annotated[str, StringConstraints(max_length=20_000), AfterValidator(no_control)]
# Conditions have no length cap of their own: the condition parser reports overlong ones
# with a column (S013), which helps an author more than a type error.
Condition = Annotated[str, AfterValidator(no_control)]
# A keyword must contain something to look for: a blank one would match every response.
Keyword = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
                    AfterValidator(no_control)]
Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80)]
LanguageTag = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
# Exemplar codes are read leniently (short forms, any case: SkillCode.parse) and an unknown one
# is a warning (S107), so the type is text; the examples give editors the codes to complete.
ExemplarCode = Annotated[Plain, Field(examples=[code.value for code in SkillCode])]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


class Persona(_Model):
    """The simulated client."""

    name: Text = Field(description="the client's name, shown on the briefing card")
    age: int | None = Field(default=None, ge=0, le=120, description="the client's age in years")
    pronouns: Plain = Field(default="", description="how to refer to the client, e.g. she/her")
    background: Text = Field(description="a few sentences the trainee reads before starting")
    stage: Stage = Field(description="stage of change: precontemplation, contemplation, preparation, action, "
                         "maintenance or relapse")
    values: list[Text] = Field(default_factory=list, description="what matters to the client")
    fears: list[Text] = Field(default_factory=list, description="what the client is afraid of")
    avoids: list[Text] = Field(default_factory=list, description="what the client does not want to talk about")


VariableType = Literal["int", "number", "bool", "text"]


class Variable(_Model):
    """A piece of client state that conditions read and effects change."""

    type: VariableType = Field(default="int", description="int, number, bool or text")
    default: int | float | bool | Plain = Field(default=0, description="the value at the start of a session")
    min: float | None = Field(default=None, description="numbers are clamped to at least this")
    max: float | None = Field(default=None, description="numbers are clamped to at most this")
    label: Plain = Field(default="", description="the name shown beside the meter")
    meter: bool = Field(default=False, description="show as a meter in the trainer's sidebar")
    description: Plain = Field(default="", description="what the variable stands for (for authors)")

    @model_validator(mode="after")
    def _default_matches_type(self) -> Variable:
        if not value_fits(self.type, self.default):
            raise ValueError(f"default {self.default!r} is not a {self.type}")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is greater than max")
        return self


def value_fits(kind: str, value: object) -> bool:
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, str)


class When(_Model):
    """What must hold for a branch to be taken (all given parts must hold)."""

    skills: list[SkillCode] = Field(default_factory=list, description="any of these codes in the response")
    keywords: list[Keyword] = Field(default_factory=list, description="any of these words or phrases in the response")
    direction: Direction | None = Field(
        default=None, description="the side of the client's ambivalence the response strengthens: change, sustain or neutral")
    if_: Condition | None = Field(default=None, alias="if", description="a condition in the condition language")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, coerce_numbers_to_str=True)


class Effects(_Model):
    """How a branch changes the client's state."""

    set: dict[str, int | float | bool | Plain] = Field(default_factory=dict,
                                                      description="set variables to values of their type")
    add: dict[str, int | float] = Field(default_factory=dict, description="add numbers to int or number variables "
                                        "(negative to subtract); results are clamped to min and max")


# Most branches change nothing: they share this one empty, frozen value rather than each
# validating and storing its own (a 5 000-node scenario has thousands of them).
_NO_EFFECTS = Effects()


class Branch(_Model):
    """One way the conversation can go after the trainee's response."""

    when: When | None = Field(default=None, description="what must hold for this branch; none on the fallback")
    effects: Effects = Field(default_factory=lambda: _NO_EFFECTS, description="how the client's state changes")
    goto: NodeId = Field(description="the next node")
    note: Plain = Field(default="", description="why this branch: shown in feedback")

    @property
    def is_fallback(self) -> bool:
        return self.when is None


class Exemplar(_Model):
    """A model response for a node, used for hints, feedback, guided mode and playtests."""

    text: Text = Field(description="the response, as a trainee would say it")
    codes: list[ExemplarCode] = Field(min_length=1, description="its skill codes (names or short forms: CR, OQ, …)")
    why: Text = Field(description="why it fits (or, for a distractor, why it misses), shown in feedback")
    direction: Direction | None = Field(
        default=None, description="the side of the client's ambivalence this response strengthens (checked by the validator)")

    @property
    def skill_codes(self) -> tuple[SkillCode, ...]:
        """Its codes as skill codes (names, chips or labels; unknown ones, warned of by S107, left out)."""
        return tuple(code for code in (SkillCode.parse(name) for name in self.codes) if code is not None)

    def coding(self, coder: str = "author") -> ResponseCoding:
        """The author's coding of this response, its codes and stated direction: how a guided
        choice is coded, and a model response sent as written (the hint put in the box unchanged)."""
        return ResponseCoding.manual(*self.skill_codes, coder=coder, direction=self.direction)


class DebriefVariant(_Model):
    """A debrief for the trainees whose session meets a condition (``used("confront") > 0``)."""

    if_: Condition = Field(alias="if", description="a condition on what the trainee did (used(), towards(), variables)")
    debrief: Text = Field(description="the debrief for these sessions")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, coerce_numbers_to_str=True)


class Ending(_Model):
    """What makes a node an ending: the session closes and the trainee reads the debrief."""

    outcome: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")] = Field(
        description="a short label: commitment, partial_step, disengaged, …")
    title: Plain = Field(default="", description="the ending's title, shown to the trainee")
    debrief: Text = Field(description="what the trainee reads at the end")
    good: bool | None = Field(default=None, description="whether this is an outcome MI-consistent play aims "
                              "for; when not given, decided by the outcome label (docs/diagnostics.md, M104)")
    debriefs: list[DebriefVariant] = Field(
        default_factory=list,
        description="debriefs for sessions that meet a condition; the first that holds replaces 'debrief'")


class Sides(_Model):
    """The change and the sustain part of a mixed client line, marked by the author.

    The direction judge compares a response with these parts where they are given, rather
    than finding the parts in the line itself.
    """

    change: Plain = Field(default="", description="the part of the line that speaks for change")
    sustain: Plain = Field(default="", description="the part of the line that speaks for the status quo")


class Node(_Model):
    """One thing the client says, and where each kind of response leads."""

    client: Text = Field(description="what the client says")
    cue: Plain = Field(default="", description="a nonverbal cue, shown in italics (in drills: the task)")
    variants: list[Text] = Field(default_factory=list, description="other wordings of the line; the session seed picks one")
    talk: TalkType | None = Field(default=None, description="change, sustain, neutral or discord")
    subtype: Subtype | None = Field(default=None, description="DARN-CAT subtype of change or sustain talk")
    sides: Sides | None = Field(default=None, description="the change and sustain parts of a mixed client line")
    asks: bool | None = Field(
        default=None, description="the client asks the counsellor a direct question (default: a neutral line "
        "ending with a question mark)")
    responses: list[Branch] = Field(default_factory=list, description="ordered branches: the first whose 'when' "
                                    "holds is taken; the last, without 'when', is the fallback")
    exemplars: list[Exemplar] = Field(default_factory=list, description="model responses: hints, feedback, guided "
                                      "mode and playtests")
    distractors: list[Exemplar] = Field(default_factory=list, description="common mistakes, offered as choices in "
                                        "guided mode")
    ending: Ending | None = Field(default=None, description="makes this node an ending")

    @property
    def is_ending(self) -> bool:
        return self.ending is not None

    def lines(self) -> list[str]:
        return [self.client, *self.variants]

    def client_asks(self, line: str) -> bool:
        """Whether the client asks the counsellor a direct question in ``line`` (this node's
        line or one of its variants): the author's ``asks:``, else as :func:`asks_a_question` reads it."""
        return self.asks if self.asks is not None else asks_a_question(line, self.talk)


SourceHash = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{12}$")]


class TranslationOf(_Model):
    """Where a translated scenario came from, so the validator can tell when its source changed."""

    scenario: Id = Field(description="id of the source scenario")
    file: Plain = Field(default="", description="the source file, relative to this one (where it was found)")
    strings: dict[str, SourceHash] = Field(
        default_factory=dict, description="string id → hash of the source text each translation was made from")


class Scenario(_Model):
    """A mitrainer scenario: a simulated client and how the conversation branches (docs/scenario-format.md)."""

    schema_version: int = Field(description="always 1 for this version of mitrainer")
    id: Id = Field(description="unique id (a-z 0-9 - _); sessions refer to it")
    title: Text = Field(description="shown in the library and the briefing")
    kind: Literal["conversation", "drill"] = Field(default="conversation", description="conversation or drill")
    focus: list[SkillCode] = Field(default_factory=list, description="the skills a drill practises")
    language: LanguageTag = Field(default="en", description="BCP-47 code of the scenario's text: en, vi, zh-Hans, …")
    translation_of: TranslationOf | None = Field(
        default=None, description="written by `mitrainer strings --apply`: the source of this translation")
    topic: Text = Field(description="what the conversation is about")
    setting: Text = Field(description="where it happens and who the counsellor is")
    difficulty: Difficulty = Field(description="beginner, intermediate or advanced")
    minutes: int = Field(ge=1, le=240, description="estimated minutes to play")
    learning_goals: list[Text] = Field(min_length=1, description="one-line goals shown on the briefing screen")
    author: Text = Field(description="who wrote it")
    version: Plain = Field(default="1", description="your own version of the scenario")
    rubric: Plain = Field(default="standard", description="id of the rubric that scores it")
    persona: Persona = Field(description="the client, shown on the briefing card")
    variables: dict[Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")], Variable] = Field(
        default_factory=dict, description="the client's state; conditions and effects may use only these")
    start: NodeId = Field(description="id of the first node")
    nodes: dict[NodeId, Node] = Field(min_length=1, description="node id → node")

    def content_hash(self) -> str:
        """A stable hash of the scenario's content (what a session record refers to)."""
        return self._content_hash

    @cached_property
    def _content_hash(self) -> str:
        blob = json.dumps(self.model_dump(mode="json", by_alias=True), sort_keys=True, ensure_ascii=False)
        return "sha256:" + hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def endings(self) -> dict[str, Node]:
        return {nid: n for nid, n in self.nodes.items() if n.is_ending}

    @property
    def meters(self) -> dict[str, Variable]:
        return {name: v for name, v in self.variables.items() if v.meter}
