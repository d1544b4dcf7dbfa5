"""Rubric files: which codes count as what, feedback per situation, global-rating formulas, thresholds.

A rubric file starts with ``rubric_version: 1``. It may ``include`` other rubrics by id;
their contents are merged in order (mappings merge key by key, everything else is
replaced) and the including file's own keys win. A file marked ``part: true`` is a
building block for others and is not checked for completeness. The format is documented
for instructors in ``docs/rubric-format.md``.

``load_rubric`` never raises for a problem in a file: every problem comes back as a
:class:`~mitrainer.errors.Diagnostic` with a stable ``R`` code and the file position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from mitrainer.codes import SKILLS, Adherence, SkillCode
from mitrainer.errors import (
    Diagnostic,
    InputError,
    Position,
    Severity,
    did_you_mean,
    display_path,
    sort_diagnostics,
)
from mitrainer.i18n import DEFAULT_LANGUAGE, base_language
from mitrainer.safeyaml import PathKey, PositionMap, load_file, load_text
from mitrainer.schema import validate_model

if TYPE_CHECKING:
    from mitrainer.scenario.model import Scenario

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
_SHAPE_CODES = {"S001": UNKNOWN_KEY, "S002": MISSING_KEY, "S003": WRONG_TYPE, "S004": UNKNOWN_VALUE}

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80)]
Text = Annotated[str, StringConstraints(max_length=2000)]

Verdict = Literal["good", "fair", "missed", "righting_reflex"]
VERDICTS: tuple[str, ...] = ("good", "fair", "missed", "righting_reflex")

SituationName = Literal["change_talk", "sustain_talk", "discord", "neutral", "question_run",
                        "advice_without_permission", "summary", "uncoded"]
SITUATIONS: tuple[str, ...] = ("change_talk", "sustain_talk", "discord", "neutral", "question_run",
                               "advice_without_permission", "summary", "uncoded")
# Situations whose verdict comes from the code lists (the others are fixed moments).
JUDGED_SITUATIONS = ("change_talk", "sustain_talk", "discord", "neutral")
# The verdicts each situation can give, hence the messages it needs.
SITUATION_VERDICTS: dict[str, tuple[str, ...]] = {
    "change_talk": VERDICTS, "sustain_talk": VERDICTS, "discord": VERDICTS, "neutral": VERDICTS,
    "question_run": ("fair",), "advice_without_permission": ("righting_reflex",),
    "summary": ("good",), "uncoded": ("fair",),
}

CategoryName = Literal["reflection", "complex_reflection", "question", "open_question", "adherent",
                       "non_adherent", "permission", "advice"]
CATEGORIES: tuple[str, ...] = ("reflection", "complex_reflection", "question", "open_question", "adherent",
                               "non_adherent", "permission", "advice")

GlobalName = Literal["cultivating_change_talk", "softening_sustain_talk", "partnership", "empathy"]
GLOBALS: tuple[str, ...] = ("cultivating_change_talk", "softening_sustain_talk", "partnership", "empathy")
OverallPart = Literal["cultivating_change_talk", "softening_sustain_talk", "partnership", "empathy",
                      "technical", "relational"]

Indicator = Literal["reflection_rate", "complex_share", "rq_balance", "open_share", "adherent_rate",
                    "non_adherent_rate", "input_rate", "ct_response", "st_response", "st_righting",
                    "ct_proportion", "question_run_share"]

MetricKey = Literal["rq_ratio", "pct_complex", "pct_open", "adherent", "non_adherent", "ct_proportion",
                    "cultivating_change_talk", "softening_sustain_talk", "partnership", "empathy",
                    "technical", "relational", "overall", "focus_hit_rate"]

# Placeholders a feedback message may use ({name}); filled in by feedback.py.
PLACEHOLDERS = frozenset({"code", "codes", "talk", "subtype", "run", "situation", "reason"})
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Message(_Model):
    """What the trainee reads after a response: a headline and a one-line rationale."""

    headline: Text | None = None
    rationale: Text | None = None


class Situation(_Model):
    """A kind of moment in the conversation and how responses to it are judged."""

    label: Text = ""
    good: list[SkillCode] | None = Field(default=None, description="codes that fit the moment")
    fair: list[SkillCode] | None = Field(default=None, description="codes that are acceptable here")
    better: list[SkillCode] | None = Field(default=None, description="exemplar codes to suggest, best first")
    messages: dict[Verdict, Message] = {}
    by_code: dict[SkillCode, Message] = Field(default={}, description="messages for one code, over the verdict's")


class SituationWording(_Model):
    """A situation's words in another language; its code lists stay the rubric's own."""

    label: Text = ""
    messages: dict[Verdict, Message] = {}
    by_code: dict[SkillCode, Message] = {}


class Translation(_Model):
    """The feedback's words in one language (``translations: {vi: {situations: …}}``)."""

    situations: dict[SituationName, SituationWording] = {}


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


class Counting(_Model):
    min_confidence: float | None = Field(default=None, ge=0, le=1,
                                         description="a machine code besides the primary counts from this confidence")
    permission_window: int | None = Field(default=None, ge=0,
                                          description="advice this many counsellor turns after asking permission is "
                                          "persuading with permission")


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
    categories: dict[CategoryName, list[SkillCode]] = {}
    counting: Counting = Counting()
    feedback: FeedbackSettings = FeedbackSettings()
    situations: dict[SituationName, Situation] = {}
    globals: dict[GlobalName, GlobalFormula] = {}
    overall: Overall = Overall()
    metrics: dict[MetricKey, MetricSpec] = {}
    translations: dict[Language, Translation] = {}

    # -- conveniences for the scorer (valid on a complete rubric) -------------------------
    @cached_property
    def category_sets(self) -> dict[str, frozenset[SkillCode]]:
        """Each category's codes as a set (computed once: score_session runs after every turn)."""
        return {name: frozenset(codes) for name, codes in self.categories.items()}

    def codes(self, category: str) -> frozenset[SkillCode]:
        return self.category_sets[category]

    def situation(self, name: str) -> Situation:
        return self.situations[name]  # type: ignore[index]

    def message(self, situation: str, verdict: str, code: SkillCode | None = None,
                language: str | None = None) -> Message:
        """What the trainee reads for ``verdict`` in ``situation``, in ``language`` where the
        rubric has it.

        A message for the code (``by_code``) wins over the verdict's. The choice is made on
        the rubric's own messages and then looked up in the translation, so a translation
        never changes what is said, only its words; whatever it lacks stays in English.
        """
        spec = self.situation(situation)
        by_code = code is not None and code in spec.by_code
        message = spec.by_code[code] if by_code else spec.messages[verdict]  # type: ignore[index]
        wording = self._wording(situation, language)
        if wording is None:
            return message
        translated = wording.by_code.get(code) if by_code else wording.messages.get(verdict)  # type: ignore
        if translated is None:
            return message
        return Message(headline=translated.headline or message.headline,
                       rationale=translated.rationale or message.rationale)

    def situation_label(self, situation: str, language: str | None = None) -> str:
        """The situation's name ("Change talk"), in ``language`` where the rubric has it."""
        wording = self._wording(situation, language)
        return (wording.label if wording is not None else "") or self.situation(situation).label

    def _wording(self, situation: str, language: str | None) -> SituationWording | None:
        translation = self.translations.get(base_language(language) or DEFAULT_LANGUAGE)
        return translation.situations.get(situation) if translation is not None else None  # type: ignore


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


# -- loading ---------------------------------------------------------------------------------

def load_rubric(path: Path | str, search: tuple[Path, ...] = ()) -> LoadedRubric:
    """Load and check a rubric file; includes are looked up by id next to it, then in ``search``
    and the bundled rubrics."""
    path = Path(path)
    doc = load_file(path, display_path(path))
    return _load_document(doc.data, doc.positions, doc.diagnostics, path, display_path(path),
                          (path.parent, *search), ())


def parse_rubric(text: str, file: str = "<input>", search: tuple[Path, ...] = ()) -> LoadedRubric:
    """Load a rubric from YAML text (tests, editors); includes are looked up in ``search`` and
    the bundled rubrics."""
    doc = load_text(text, file)
    return _load_document(doc.data, doc.positions, doc.diagnostics, None, file, search, ())


def _load_document(data: Any, positions: PositionMap, problems: list[Diagnostic], path: Path | None,
                   file: str, search: tuple[Path, ...], chain: tuple[str, ...]) -> LoadedRubric:
    if problems:
        return LoadedRubric(path, None, problems)
    version = _check_version(data, positions, file)
    if version:
        return LoadedRubric(path, None, version)
    model, shape = validate_model(Rubric, data, positions, file)
    if model is None:
        return LoadedRubric(path, None, sort_diagnostics(_rename_shape_codes(shape)))
    assert isinstance(model, Rubric)
    found: list[Diagnostic] = []
    if path is not None and model.id != path.stem:
        found.append(Diagnostic(ID_NOT_FILE_NAME, Severity.WARNING,
                                f"rubric id '{model.id}' differs from the file name '{path.name}'", file,
                                positions.of(("id",)), f"name the file {model.id}.yaml so others find it easily"))

    merged: dict = {}
    origins: dict[PathKey, Origin] = {}
    for index, name in enumerate(model.include):
        where = positions.of(("include", index))
        if name in chain or name == model.id:
            found.append(Diagnostic(INCLUDE_CYCLE, Severity.ERROR,
                                    f"including '{name}' makes a cycle ({' → '.join((*chain, model.id, name))})",
                                    file, where, "a rubric cannot include itself, directly or through others"))
            continue
        included_path = find_rubric_file(name, search)
        if included_path is None:
            known = sorted(_known_ids(search))
            found.append(Diagnostic(UNKNOWN_INCLUDE, Severity.ERROR, f"no rubric with id '{name}' to include", file,
                                    where, did_you_mean(name, known) or "rubrics are looked up by id next to this "
                                    "file and among the bundled rubrics"))
            continue
        doc = load_file(included_path, display_path(included_path))
        child = _load_document(doc.data, doc.positions, doc.diagnostics, included_path,
                               display_path(included_path), (included_path.parent, *search), (*chain, model.id))
        if child.data is None or child.errors:
            count = len(child.errors)
            found.append(Diagnostic(BROKEN_INCLUDE, Severity.ERROR,
                                    f"included rubric '{name}' has {count} error(s)", file, where,
                                    f"run: mitrainer validate {display_path(included_path)}"))
            continue
        _merge(merged, origins, child.data, child.origins, ())

    own = {k: v for k, v in data.items() if k not in ("include", "part")}
    own_origins = {p: (file, pos) for p, pos in positions.items()}
    _merge(merged, origins, own, own_origins, ())
    merged["part"] = model.part
    merged["include"] = list(model.include)

    if any(d.is_error for d in found):
        return LoadedRubric(path, None, sort_diagnostics(found), merged, origins)

    # Positions for checks on the merged rubric: a key from this file points at itself, a key
    # that came from an include points at the include line (with the real place in the hint).
    def locate(at: PathKey) -> tuple[Position, str]:
        p = tuple(at)
        while p and p not in origins:
            p = p[:-1]
        origin_file, pos = origins.get(p, (file, Position(1, 1)))
        if origin_file == file:
            return positions.of(at, key=True) if at in positions.keys else pos, ""
        return _include_position(model, positions, origin_file), f"in {origin_file}:{pos.line}:{pos.column}"

    rubric = Rubric.model_validate(merged)
    found.extend(check_rubric(rubric, locate, file))
    return LoadedRubric(path, rubric, sort_diagnostics(found), merged, origins)


def _include_position(model: Rubric, positions: PositionMap, origin_file: str) -> Position:
    stem = Path(origin_file).stem
    for index, name in enumerate(model.include):
        if name == stem:
            return positions.of(("include", index))
    return positions.of(("include",)) if model.include else positions.of(())


def _check_version(data: Any, positions: PositionMap, file: str) -> list[Diagnostic]:
    if not isinstance(data, dict):
        return []
    version = data.get("rubric_version")
    if version is None:
        return [Diagnostic(MISSING_KEY, Severity.ERROR, "'rubric_version' is required", file, positions.of(()),
                           f"start the file with 'rubric_version: {RUBRIC_VERSION}'")]
    if version != RUBRIC_VERSION:
        return [Diagnostic(BAD_VERSION, Severity.ERROR,
                           f"rubric_version {version!r} is not supported (this mitrainer reads {RUBRIC_VERSION})",
                           file, positions.of(("rubric_version",)), "upgrade mitrainer or convert the file")]
    return []


def _rename_shape_codes(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return [Diagnostic(_SHAPE_CODES.get(d.code, d.code), d.severity, d.message, d.file, d.position, d.hint)
            for d in diagnostics]


# Mappings that are one value as a whole: an including file replaces them instead of adding keys
# (overriding the overall weights should not keep the included file's other weights).
_REPLACED_WHOLE: frozenset[PathKey] = frozenset({("overall", "weights")})


def _merge(base: dict, base_origins: dict[PathKey, Origin], over: dict, over_origins: dict[PathKey, Origin],
           at: PathKey) -> None:
    """Merge ``over`` into ``base`` in place: mappings key by key, other values replaced."""
    for key, value in over.items():
        path = (*at, key)
        if isinstance(value, dict) and isinstance(base.get(key), dict) and path not in _REPLACED_WHOLE:
            if path in over_origins:
                base_origins[path] = over_origins[path]
            _merge(base[key], base_origins, value, over_origins, path)
            continue
        for stale in [p for p in base_origins if p[:len(path)] == path]:
            del base_origins[stale]
        base[key] = _copy(value)
        for p, origin in over_origins.items():
            if p[:len(path)] == path:
                base_origins[p] = origin


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


# -- whole-rubric checks ---------------------------------------------------------------------

def check_rubric(rubric: Rubric, locate, file: str) -> list[Diagnostic]:
    """Checks only the merged rubric can answer: completeness, thresholds, messages, MITI fit.

    ``locate(path)`` returns (position, where-note) for a path in the merged document.
    """
    found: list[Diagnostic] = []

    def report(code: str, severity: Severity, message: str, path: PathKey, hint: str = "") -> None:
        pos, note = locate(path)
        if note:
            hint = f"{hint}; {note}" if hint else note
        found.append(Diagnostic(code, severity, message, file, pos, hint))

    def missing(message: str, path: PathKey, hint: str = "") -> None:
        report(INCOMPLETE, Severity.ERROR, message, path,
               hint or "add it here, or include a rubric that has it (e.g. include: [standard])")

    complete = not rubric.part
    if complete:
        for name in CATEGORIES:
            if name not in rubric.categories:
                missing(f"category '{name}' is missing", ("categories",))
        if rubric.counting.min_confidence is None:
            missing("counting.min_confidence is missing", ("counting",))
        if rubric.counting.permission_window is None:
            missing("counting.permission_window is missing", ("counting",))
        if rubric.feedback.question_run is None:
            missing("feedback.question_run is missing", ("feedback",))
        if rubric.feedback.summary_after is None:
            missing("feedback.summary_after is missing", ("feedback",))
        for name in GLOBALS:
            formula = rubric.globals.get(name)  # type: ignore[call-overload]
            if formula is None or formula.base is None or formula.terms is None:
                missing(f"global rating '{name}' needs a base and terms", ("globals", name))
        if not rubric.overall.weights:
            missing("overall.weights is missing", ("overall",))
        for name in SITUATIONS:
            situation = rubric.situations.get(name)  # type: ignore[call-overload]
            if situation is None:
                missing(f"situation '{name}' is missing", ("situations",))
                continue
            lists = ("good", "fair", "better") if name in JUDGED_SITUATIONS else ("better",)
            for attr in lists:
                if getattr(situation, attr) is None:
                    missing(f"situation '{name}' has no '{attr}' list", ("situations", name))
            for verdict in SITUATION_VERDICTS[name]:
                message = situation.messages.get(verdict)  # type: ignore[call-overload]
                if message is None or message.headline is None or message.rationale is None:
                    missing(f"situation '{name}' needs a headline and a rationale for '{verdict}'",
                            ("situations", name, "messages", verdict) if message else ("situations", name))

    for name, spec in rubric.metrics.items():
        if spec.fair is not None and spec.good is not None:
            reversed_ = spec.fair > spec.good if spec.better == "higher" else spec.fair < spec.good
            if reversed_:
                report(THRESHOLDS_REVERSED, Severity.ERROR,
                       f"metric '{name}': fair ({spec.fair:g}) is {'above' if spec.better == 'higher' else 'below'} "
                       f"good ({spec.good:g})", ("metrics", name, "fair"),
                       "fair is the lower bar; for a metric where lower is better set 'better: lower'")
        if complete and spec.format is None:
            missing(f"metric '{name}' has no format", ("metrics", name))

    wordings: list[tuple[PathKey, dict]] = [((), rubric.situations)]
    wordings += [(("translations", language), translation.situations)
                 for language, translation in rubric.translations.items()]
    for prefix, situations in wordings:
        for name, wording in situations.items():
            for verdict, message in [*wording.messages.items(), *wording.by_code.items()]:
                label = verdict.value if isinstance(verdict, SkillCode) else verdict
                section = "by_code" if isinstance(verdict, SkillCode) else "messages"
                path = (*prefix, "situations", name, section, label)
                for attr in ("headline", "rationale"):
                    for placeholder in _PLACEHOLDER.findall(getattr(message, attr) or ""):
                        if placeholder not in PLACEHOLDERS:
                            report(BAD_PLACEHOLDER, Severity.ERROR,
                                   f"unknown placeholder '{{{placeholder}}}' in {'.'.join(map(str, path))}.{attr}",
                                   (*path, attr), did_you_mean(placeholder, PLACEHOLDERS)
                                   or "placeholders: " + ", ".join("{" + p + "}" for p in sorted(PLACEHOLDERS)))
    if complete:
        for language, translation in rubric.translations.items():
            lacking = [f"{name}.{verdict}" for name in SITUATIONS for verdict in SITUATION_VERDICTS[name]
                       if not _translated(translation, name, verdict)]
            if lacking:
                report(TRANSLATION_INCOMPLETE, Severity.WARNING,
                       f"the '{language}' translation lacks {len(lacking)} message(s), shown in English: "
                       + ", ".join(lacking[:4]) + (" …" if len(lacking) > 4 else ""),
                       ("translations", language), "translate them here or in an included rubric")

    for name, situation in rubric.situations.items():
        both = set(situation.good or ()) & set(situation.fair or ())
        for code in sorted(both, key=lambda c: c.value):
            report(CODE_TWICE, Severity.ERROR, f"situation '{name}' lists '{code.value}' as both good and fair",
                   ("situations", name, "fair"), "keep it in one list")
        for attr in ("good", "fair"):
            for index, code in enumerate(getattr(situation, attr) or ()):
                if code.righting_reflex:
                    report(RIGHTING_REFLEX_REWARDED, Severity.WARNING,
                           f"situation '{name}' counts '{code.value}' (the righting reflex) as {attr}",
                           ("situations", name, attr, index), "MI treats persuading and confronting as non-adherent")

    for name, formula in rubric.globals.items():
        if formula.base is not None and not 1 <= formula.base <= 5:
            report(BAD_FORMULA_BASE, Severity.ERROR, f"global '{name}': base {formula.base:g} is outside 1–5",
                   ("globals", name, "base"), "the global ratings are on the MITI's 1–5 scale")
        if formula.base is not None and formula.terms is not None:
            low = formula.base + sum(min(0.0, t.weight) for t in formula.terms)
            high = formula.base + sum(max(0.0, t.weight) for t in formula.terms)
            if low > 1 or high < 5:
                report(NARROW_FORMULA, Severity.WARNING,
                       f"global '{name}' can only reach {max(1, low):.2f}–{min(5, high):.2f}, not the full 1–5",
                       ("globals", name), "make the base plus the weights span 1 to 5")

    expected = {
        "adherent": {c for c, info in SKILLS.items() if info.adherence is Adherence.ADHERENT},
        "non_adherent": {c for c, info in SKILLS.items() if info.adherence is Adherence.NON_ADHERENT},
        "reflection": {c for c in SkillCode if c.is_reflection},
        "complex_reflection": {c for c in SkillCode if c.is_complex_reflection},
        "question": {c for c in SkillCode if c.is_question},
    }
    for name, codes in expected.items():
        given = rubric.categories.get(name)  # type: ignore[call-overload]
        if given is not None and set(given) != codes:
            report(DEPARTS_FROM_MITI, Severity.WARNING,
                   f"category '{name}' differs from the MITI 4.2.1 coding ({', '.join(sorted(c.value for c in codes))})",
                   ("categories", name), "scores will not be comparable with MITI-coded sessions")
    return found


def _translated(translation: Translation, situation: str, verdict: str) -> bool:
    wording = translation.situations.get(situation)  # type: ignore[call-overload]
    message = wording.messages.get(verdict) if wording is not None else None  # type: ignore[call-overload]
    return message is not None and bool(message.headline) and bool(message.rationale)


# -- finding rubrics by id -------------------------------------------------------------------

def _folders(search: tuple[Path, ...]) -> list[Path]:
    from mitrainer.paths import bundled_rubrics

    folders: list[Path] = []
    for folder in (*search, bundled_rubrics()):
        if folder not in folders and folder.is_dir():
            folders.append(folder)
    return folders


def _sniff_id(path: Path) -> str | None:
    """The ``id:`` of a rubric file, read cheaply from its first lines."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096).decode("utf-8", errors="replace")
    except OSError:
        return None
    if "rubric_version:" not in head:
        return None
    match = re.search(r"^id:\s*['\"]?([a-z0-9][a-z0-9_-]*)", head, re.MULTILINE)
    return match.group(1) if match else None


def find_rubric_file(name: str, search: tuple[Path, ...] = ()) -> Path | None:
    """The file of the rubric with id ``name``: ``<name>.yaml`` first, then any file with that id."""
    folders = _folders(search)
    for folder in folders:
        for suffix in (".yaml", ".yml"):
            candidate = folder / f"{name}{suffix}"
            if candidate.is_file() and _sniff_id(candidate) == name:
                return candidate
    for folder in folders:
        for candidate in sorted(folder.glob("*.y*ml")):
            if _sniff_id(candidate) == name:
                return candidate
    return None


def _known_ids(search: tuple[Path, ...]) -> set[str]:
    ids = set()
    for folder in _folders(search):
        for candidate in folder.glob("*.y*ml"):
            found = _sniff_id(candidate)
            if found:
                ids.add(found)
    return ids


def available_rubrics(search: tuple[Path, ...] = ()) -> list[str]:
    """Ids of the rubrics found in ``search`` and the bundled folder."""
    return sorted(_known_ids(search))


_CACHE: dict[tuple[str, tuple[Path, ...]], Rubric] = {}
_FALLBACK: dict[tuple[str, tuple[Path, ...]], Rubric] = {}


def get_rubric(name: str = DEFAULT_RUBRIC, search: tuple[Path, ...] = ()) -> Rubric:
    """The complete rubric with id ``name`` (bundled, or in ``search``), loaded once per process.

    Raises :class:`RubricError` when there is no such rubric, it has errors, or it is a part.
    """
    key = (name, tuple(search))
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    path = find_rubric_file(name, tuple(search))
    if path is None:
        hint = did_you_mean(name, _known_ids(tuple(search)))
        raise RubricError(f"no rubric '{name}'" + (f"; {hint}" if hint else ""))
    rubric = load_rubric(path, tuple(search)).require()
    if rubric.part:
        raise RubricError(f"rubric '{name}' is a part for other rubrics to include, not a complete rubric")
    _CACHE[key] = rubric
    return rubric


def rubric_for(scenario_rubric: str | None, search: tuple[Path, ...] = ()) -> Rubric:
    """The rubric a scenario names, falling back to the standard one when it cannot be used.

    The fallback keeps a session scorable; ``mitrainer validate`` reports the bad name
    (see :func:`check_scenario_rubric`).
    """
    key = (scenario_rubric or DEFAULT_RUBRIC, tuple(search))
    if key in _CACHE:
        return _CACHE[key]
    if key in _FALLBACK:  # remembered, so a bad name does not cost a folder scan every turn
        return _FALLBACK[key]
    try:
        return get_rubric(*key)
    except RubricError:
        _FALLBACK[key] = get_rubric(DEFAULT_RUBRIC)
        return _FALLBACK[key]


def session_rubric(scenario: Scenario | None) -> Rubric:
    """The one answer to "which rubric judges and scores this session?".

    The rubric the scenario names (the standard one when that cannot be used), or the
    standard one for a record whose scenario is not here.
    """
    return rubric_for(scenario.rubric if scenario is not None else None)


def session_focus(scenario: Scenario | None) -> tuple[SkillCode, ...]:
    """The skills a drill practises, whose hit rate its score shows (none for a conversation)."""
    return tuple(scenario.focus) if scenario is not None and scenario.kind == "drill" else ()


def check_scenario_rubric(rubric_name: str, positions: PositionMap, file: str,
                          search: tuple[Path, ...] = ()) -> list[Diagnostic]:
    """A scenario check: warn when the scenario's ``rubric:`` names no usable rubric."""
    path = find_rubric_file(rubric_name, search)
    if path is None:
        hint = did_you_mean(rubric_name, _known_ids(search)) or f"available: {', '.join(available_rubrics(search))}"
        return [Diagnostic(UNKNOWN_RUBRIC, Severity.WARNING,
                           f"no rubric '{rubric_name}'; the session will be scored with '{DEFAULT_RUBRIC}'",
                           file, positions.of(("rubric",)), hint)]
    loaded = load_rubric(path, search)
    if not loaded.ok or (loaded.rubric is not None and loaded.rubric.part):
        why = "is a part, not a complete rubric" if loaded.ok else "has errors"
        return [Diagnostic(UNKNOWN_RUBRIC, Severity.WARNING,
                           f"rubric '{rubric_name}' {why}; the session will be scored with '{DEFAULT_RUBRIC}'",
                           file, positions.of(("rubric",)), f"run: mitrainer validate {display_path(path)}")]
    return []
