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

from mitrainer.codes import Difficulty, Direction, SkillCode, Stage, Subtype, TalkType
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


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


class Persona(_Model):
    """The simulated client."""

    name: Text
    age: int | None = Field(default=None, ge=0, le=120)
    pronouns: Plain = ""
    background: Text
    stage: Stage
    values: list[Text] = Field(default_factory=list)
    fears: list[Text] = Field(default_factory=list)
    avoids: list[Text] = Field(default_factory=list, description="what the client does not want to talk about")


VariableType = Literal["int", "number", "bool", "text"]


class Variable(_Model):
    """A piece of client state that conditions read and effects change."""

    type: VariableType = "int"
    default: int | float | bool | Plain = 0
    min: float | None = None
    max: float | None = None
    label: Plain = ""
    meter: bool = Field(default=False, description="show as a meter in the trainer's sidebar")
    description: Plain = ""

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
    set: dict[str, int | float | bool | Plain] = Field(default_factory=dict)
    add: dict[str, int | float] = Field(default_factory=dict)


# Most branches change nothing: they share this one empty, frozen value rather than each
# validating and storing its own (a 5 000-node scenario has thousands of them).
_NO_EFFECTS = Effects()


class Branch(_Model):
    """One way the conversation can go after the trainee's response."""

    when: When | None = None
    effects: Effects = Field(default_factory=lambda: _NO_EFFECTS)
    goto: NodeId
    note: Plain = Field(default="", description="why this branch: shown in feedback")

    @property
    def is_fallback(self) -> bool:
        return self.when is None


class Exemplar(_Model):
    """A model response for a node, used for hints, feedback, guided mode and playtests."""

    text: Text
    codes: list[Plain] = Field(min_length=1)
    why: Text
    direction: Direction | None = Field(
        default=None, description="the side of the client's ambivalence this response strengthens (checked by the validator)")


class DebriefVariant(_Model):
    """A debrief for the trainees whose session meets a condition (``used("confront") > 0``)."""

    if_: Condition = Field(alias="if", description="a condition on what the trainee did (used(), towards(), variables)")
    debrief: Text

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, coerce_numbers_to_str=True)


class Ending(_Model):
    outcome: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
    title: Plain = ""
    debrief: Text
    debriefs: list[DebriefVariant] = Field(
        default_factory=list,
        description="debriefs for sessions that meet a condition; the first that holds replaces 'debrief'")


class Sides(_Model):
    """The change and the sustain part of a mixed client line, marked by the author.

    The direction judge compares a response with these parts where they are given, rather
    than finding the parts in the line itself.
    """

    change: Plain = ""
    sustain: Plain = ""


class Node(_Model):
    client: Text
    cue: Plain = ""
    variants: list[Text] = Field(default_factory=list)
    talk: TalkType | None = None
    subtype: Subtype | None = None
    sides: Sides | None = Field(default=None, description="the change and sustain parts of a mixed client line")
    asks: bool | None = Field(
        default=None, description="the client asks the counsellor a direct question (default: a neutral line "
        "ending with a question mark)")
    responses: list[Branch] = Field(default_factory=list)
    exemplars: list[Exemplar] = Field(default_factory=list)
    distractors: list[Exemplar] = Field(default_factory=list)
    ending: Ending | None = None

    @property
    def is_ending(self) -> bool:
        return self.ending is not None

    def lines(self) -> list[str]:
        return [self.client, *self.variants]


class Scenario(_Model):
    schema_version: int
    id: Id
    title: Text
    kind: Literal["conversation", "drill"] = "conversation"
    focus: list[SkillCode] = Field(default_factory=list, description="the skills a drill practises")
    language: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")] = "en"
    topic: Text
    setting: Text
    difficulty: Difficulty
    minutes: int = Field(ge=1, le=240)
    learning_goals: list[Text] = Field(min_length=1)
    author: Text
    version: Plain = "1"
    rubric: Plain = "standard"
    persona: Persona
    variables: dict[Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")], Variable] = Field(default_factory=dict)
    start: NodeId
    nodes: dict[NodeId, Node] = Field(min_length=1)

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
