"""The rubric's schema: which codes count as what, feedback per situation, global-rating formulas, thresholds.

A rubric file starts with ``rubric_version: 1``. It may ``include`` other rubrics by id;
their contents are merged in order (:mod:`mitrainer.scoring.rubric_load`), the merged
rubric is checked as a whole (:mod:`mitrainer.scoring.rubric_check`), and rubrics are found
by id (:mod:`mitrainer.scoring.rubric_files`). A file marked ``part: true`` is a building
block for others and is not checked for completeness. The format is documented for
instructors in ``docs/rubric-format.md``; the words it is written in are the enumerations
of :mod:`mitrainer.scoring.vocabulary`.

Loading never raises for a problem in a file: every problem comes back as a
:class:`~mitrainer.errors.Diagnostic` with a stable ``R`` code (below) and the file position.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from mitrainer.codes import Direction, SkillCode, Verdict
from mitrainer.errors import Diagnostic, InputError, Position
from mitrainer.i18n import DEFAULT_LANGUAGE, base_language
from mitrainer.safeyaml import PathKey
from mitrainer.scoring.vocabulary import (
    Category,
    GlobalRating,
    Indicator,
    MetricKey,
    OverallPart,
    Situation,
)

RUBRIC_VERSION = 1
DEFAULT_RUBRIC = "standard"

# Errors
UNKNOWN_KEY = "R001"
MISSING_KEY = "R002"
WRONG_TYPE = "R003"
UNKNOWN_VALUE = "R004"
BAD_VERSION = "R005"
UNKNOWN_INCLUDE = "R010"
INCLUDE_CYCLE = "R011"
BROKEN_INCLUDE = "R012"
THRESHOLDS_REVERSED = "R013"
INCOMPLETE = "R014"
BAD_PLACEHOLDER = "R015"
CODE_TWICE = "R016"
BAD_FORMULA_BASE = "R017"
# Warnings
DEPARTS_FROM_MITI = "R101"
RIGHTING_REFLEX_REWARDED = "R102"
NARROW_FORMULA = "R103"
ID_NOT_FILE_NAME = "R104"
TRANSLATION_INCOMPLETE = "R105"
UNKNOWN_RUBRIC = "R120"  # a scenario names a rubric that does not exist (scenario check)

# The schema layer's shape codes, renamed into the rubric's R series.
SHAPE_CODES = {"S001": UNKNOWN_KEY, "S002": MISSING_KEY, "S003": WRONG_TYPE, "S004": UNKNOWN_VALUE}

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80)]
Text = Annotated[str, StringConstraints(max_length=2000)]

class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Message(_Model):
    """What the trainee reads after a response: a headline and a one-line rationale."""

    headline: Text | None = None
    rationale: Text | None = None


class DirectionRule(_Model):
    """How a response that strengthens one side of the client's ambivalence is judged, over its
    code's verdict: after change talk a reflection of the sustain side is a missed chance."""

    codes: list[SkillCode] = Field(min_length=1, description="the rule holds for a response with any of these codes")
    verdict: Verdict
    headline: Text | None = None
    rationale: Text | None = None

    @property
    def message(self) -> Message:
        return Message(headline=self.headline, rationale=self.rationale)


class SituationSpec(_Model):
    """A kind of moment in the conversation and how responses to it are judged."""

    label: Text = ""
    good: list[SkillCode] | None = Field(default=None, description="codes that fit the moment")
    fair: list[SkillCode] | None = Field(default=None, description="codes that are acceptable here")
    better: list[SkillCode] | None = Field(default=None, description="exemplar codes to suggest, best first")
    messages: dict[Verdict, Message] = {}
    by_code: dict[SkillCode, Message] = Field(default={}, description="messages for one code, over the verdict's")
    by_direction: dict[Direction, DirectionRule] = Field(
        default={}, description="verdicts and messages for a response that strengthens one side, over the code's")

    def direction_rule(self, codes: Sequence[SkillCode], direction: Direction | None) -> DirectionRule | None:
        """The rule for a response with ``codes`` strengthening ``direction`` (None when none holds)."""
        rule = self.by_direction.get(direction) if direction is not None else None
        return rule if rule is not None and any(c in rule.codes for c in codes) else None


class SituationWording(_Model):
    """A situation's words in another language; its code lists stay the rubric's own."""

    label: Text = ""
    messages: dict[Verdict, Message] = {}
    by_code: dict[SkillCode, Message] = {}
    by_direction: dict[Direction, Message] = {}


class Translation(_Model):
    """The feedback's words in one language (``translations: {vi: {situations: …}}``)."""

    situations: dict[Situation, SituationWording] = {}


# A language by its base tag ("vi", "zh"): a scenario's "zh-Hans" reads the "zh" translation.
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]


class Term(_Model):
    """One indicator's contribution to a global rating: weight × min(1, value / full_at)."""

    indicator: Indicator
    weight: float
    invert: bool = Field(default=False, description="use 1 - value (for things that lower the rating)")
    full_at: float = Field(default=1.0, gt=0, description="the indicator value that counts as the full weight")


class GlobalFormula(_Model):
    label: Text = ""
    base: float | None = None
    terms: list[Term] | None = None


class MetricSpec(_Model):
    label: Text = ""
    format: Literal["ratio", "percent", "score", "count"] | None = None
    fair: float | None = None
    good: float | None = None
    better: Literal["higher", "lower"] = "higher"
    bands_from: Literal["miti", "mitrainer"] = Field(
        default="miti", description="whose thresholds these are: the MITI's competency thresholds, or mitrainer's own")


class Counting(_Model):
    min_confidence: float | None = Field(default=None, ge=0, le=1,
                                         description="a machine code besides the primary counts from this confidence")
    permission_window: int | None = Field(default=None, ge=0,
                                          description="advice this many counsellor turns after asking permission is "
                                          "persuading with permission")
    min_coded_responses: int = Field(default=3, ge=1, le=1000,
                                     description="below this many coded counsellor responses there are no global "
                                     "estimates and no overall score")


class FeedbackSettings(_Model):
    question_run: int | None = Field(default=None, ge=2, description="questions in a row that make a run")
    summary_after: int | None = Field(default=None, ge=1, description="counsellor turns before a summary fits")


class Overall(_Model):
    label: Text = ""
    weights: dict[OverallPart, float] | None = None


class Rubric(_Model):
    """A rubric as merged from its file and its includes.

    Every section is optional in a single file (a file may add to or override another);
    a complete rubric (``part: false``) has every section the scorer reads, which
    :func:`load_rubric` checks.
    """

    rubric_version: int
    id: Id
    title: Text = ""
    description: Text = ""
    part: bool = False
    include: list[Id] = []
    categories: dict[Category, list[SkillCode]] = {}
    counting: Counting = Counting()
    feedback: FeedbackSettings = FeedbackSettings()
    situations: dict[Situation, SituationSpec] = {}
    globals: dict[GlobalRating, GlobalFormula] = {}
    overall: Overall = Overall()
    metrics: dict[MetricKey, MetricSpec] = {}
    translations: dict[Language, Translation] = {}

    # -- conveniences for the scorer (valid on a complete rubric) -------------------------
    @cached_property
    def category_sets(self) -> dict[Category, frozenset[SkillCode]]:
        """Each category's codes as a set (computed once: score_session runs after every turn)."""
        return {name: frozenset(codes) for name, codes in self.categories.items()}

    def codes(self, category: Category) -> frozenset[SkillCode]:
        return self.category_sets[category]

    def situation(self, name: Situation) -> SituationSpec:
        return self.situations[name]

    def message(self, situation: Situation, verdict: Verdict, code: SkillCode | None = None,
                language: str | None = None, direction: Direction | None = None) -> Message:
        """What the trainee reads for ``verdict`` in ``situation``, in ``language`` where the
        rubric has it.

        The message of a direction rule that decided the verdict (``direction``) wins, then a
        message for the code (``by_code``), then the verdict's. The choice is made on the
        rubric's own messages and then looked up in the translation, so a translation never
        changes what is said, only its words; whatever it lacks stays in English.
        """
        spec = self.situation(situation)
        wording = self._wording(situation, language)
        translated: Message | None
        if direction is not None and direction in spec.by_direction:
            message = spec.by_direction[direction].message
            translated = wording.by_direction.get(direction) if wording is not None else None
        elif code is not None and code in spec.by_code:
            message = spec.by_code[code]
            translated = wording.by_code.get(code) if wording is not None else None
        else:
            message = spec.messages[verdict]
            translated = wording.messages.get(verdict) if wording is not None else None
        if translated is None:
            return message
        return Message(headline=translated.headline or message.headline,
                       rationale=translated.rationale or message.rationale)

    def situation_label(self, situation: Situation, language: str | None = None) -> str:
        """The situation's name ("Change talk"), in ``language`` where the rubric has it."""
        wording = self._wording(situation, language)
        return (wording.label if wording is not None else "") or self.situation(situation).label

    def _wording(self, situation: Situation, language: str | None) -> SituationWording | None:
        translation = self.translations.get(base_language(language) or DEFAULT_LANGUAGE)
        return translation.situations.get(situation) if translation is not None else None


class RubricError(InputError):
    """A rubric could not be found or loaded; ``diagnostics`` says why."""


Origin = tuple[str, Position]


@dataclass
class LoadedRubric:
    """The result of loading a rubric file: the rubric (when usable) and every diagnostic."""

    path: Path | None
    rubric: Rubric | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    data: dict | None = None  # the merged document (before the model), for including files
    origins: dict[PathKey, Origin] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.rubric is not None and not any(d.is_error for d in self.diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    def require(self) -> Rubric:
        """The rubric, or :class:`RubricError` with the first problem as its message."""
        if self.rubric is None or self.errors:
            first = self.errors[0] if self.errors else None
            raise RubricError(str(first) if first else "the rubric could not be loaded", self.diagnostics)
        return self.rubric


