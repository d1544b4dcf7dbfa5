"""Checks only a whole, merged rubric can answer: completeness, thresholds, messages, MITI fit.

Each check is a function over the rubric that reports through one :class:`Report`, which
places every problem in the file (or, for a key that came from an included rubric, on the
include line with the real place in the hint). :func:`check_rubric` runs them all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from mitrainer.codes import SKILLS, Adherence, Direction, SkillCode, Verdict
from mitrainer.errors import Diagnostic, Position, Severity, did_you_mean
from mitrainer.safeyaml import PathKey
from mitrainer.scoring.rubric import (
    BAD_FORMULA_BASE,
    BAD_PLACEHOLDER,
    CODE_TWICE,
    DEPARTS_FROM_MITI,
    INCOMPLETE,
    NARROW_FORMULA,
    RIGHTING_REFLEX_REWARDED,
    THRESHOLDS_REVERSED,
    TRANSLATION_INCOMPLETE,
    DirectionRule,
    Message,
    Rubric,
    SituationSpec,
    SituationWording,
    Translation,
)
from mitrainer.scoring.vocabulary import (
    JUDGED_SITUATIONS,
    OPTIONAL_SITUATIONS,
    PLACEHOLDERS,
    SITUATION_VERDICTS,
    Category,
    GlobalRating,
    Situation,
)

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")

Locate = Callable[[PathKey], tuple[Position, str]]


@dataclass
class Report:
    """Where the checks' findings go: each placed by ``locate`` in ``file``."""

    locate: Locate
    file: str
    found: list[Diagnostic] = field(default_factory=list)

    def add(self, code: str, severity: Severity, message: str, path: PathKey, hint: str = "") -> None:
        pos, note = self.locate(path)
        if note:
            hint = f"{hint}; {note}" if hint else note
        self.found.append(Diagnostic(code, severity, message, self.file, pos, hint))

    def missing(self, message: str, path: PathKey) -> None:
        self.add(INCOMPLETE, Severity.ERROR, message, path,
                 "add it here, or include a rubric that has it (e.g. include: [standard])")


def check_rubric(rubric: Rubric, locate: Locate, file: str) -> list[Diagnostic]:
    """Every whole-rubric check; ``locate(path)`` gives (position, where-note) for a path in the merged document."""
    report = Report(locate, file)
    if not rubric.part:  # a part is a building block: only a complete rubric must have everything
        check_complete(rubric, report)
        check_translations_complete(rubric, report)
    check_thresholds(rubric, report)
    check_placeholders(rubric, report)
    check_code_lists(rubric, report)
    check_formulas(rubric, report)
    check_miti_categories(rubric, report)
    return report.found


def check_complete(rubric: Rubric, report: Report) -> None:
    """A complete rubric has every section the scorer reads (R014)."""
    for category in Category:
        if category not in rubric.categories:
            report.missing(f"category '{category}' is missing", ("categories",))
    for section, values in (("counting", rubric.counting), ("feedback", rubric.feedback)):
        for name, value in values:
            if value is None:
                report.missing(f"{section}.{name} is missing", (section,))
    for rating in GlobalRating:
        formula = rubric.globals.get(rating)
        if formula is None or formula.base is None or formula.terms is None:
            report.missing(f"global rating '{rating}' needs a base and terms", ("globals", rating))
    if not rubric.overall.weights:
        report.missing("overall.weights is missing", ("overall",))
    for situation in Situation:
        spec = rubric.situations.get(situation)
        if spec is None:
            if situation in OPTIONAL_SITUATIONS:
                continue
            report.missing(f"situation '{situation}' is missing", ("situations",))
            continue
        lists = ("good", "fair", "better") if situation in JUDGED_SITUATIONS else ("better",)
        for attr in lists:
            if getattr(spec, attr) is None:
                report.missing(f"situation '{situation}' has no '{attr}' list", ("situations", situation))
        for verdict in SITUATION_VERDICTS[situation]:
            message = spec.messages.get(verdict)
            if message is None or message.headline is None or message.rationale is None:
                report.missing(f"situation '{situation}' needs a headline and a rationale for '{verdict}'",
                               ("situations", situation, "messages", verdict) if message else ("situations", situation))
        for direction, rule in spec.by_direction.items():
            if rule.headline is None or rule.rationale is None:
                report.missing(f"situation '{situation}': the rule for direction '{direction.value}' needs a "
                               "headline and a rationale", ("situations", situation, "by_direction", direction.value))
    for name, metric in rubric.metrics.items():
        if metric.format is None:
            report.missing(f"metric '{name}' has no format", ("metrics", name))


def check_thresholds(rubric: Rubric, report: Report) -> None:
    """A metric's fair bar is below its good one, in the direction that is better (R013)."""
    for name, spec in rubric.metrics.items():
        if spec.fair is None or spec.good is None:
            continue
        higher = spec.better == "higher"
        if spec.fair > spec.good if higher else spec.fair < spec.good:
            report.add(THRESHOLDS_REVERSED, Severity.ERROR,
                       f"metric '{name}': fair ({spec.fair:g}) is {'above' if higher else 'below'} good ({spec.good:g})",
                       ("metrics", name, "fair"),
                       "fair is the lower bar; for a metric where lower is better set 'better: lower'")


def _messages(rubric: Rubric) -> Iterator[tuple[PathKey, Message]]:
    """Every message of the rubric and of its translations, with its path."""
    wordings: list[tuple[PathKey, Mapping[Situation, SituationSpec | SituationWording]]] = [((), rubric.situations)]
    wordings += [(("translations", language), translation.situations)
                 for language, translation in rubric.translations.items()]
    for prefix, situations in wordings:
        for name, wording in situations.items():
            for verdict, message in wording.messages.items():
                yield (*prefix, "situations", name, "messages", verdict), message
            for code, message in wording.by_code.items():
                yield (*prefix, "situations", name, "by_code", code.value), message
            for direction, rule in wording.by_direction.items():
                text = rule.message if isinstance(rule, DirectionRule) else rule
                yield (*prefix, "situations", name, "by_direction", direction.value), text


def check_placeholders(rubric: Rubric, report: Report) -> None:
    """Messages use only the placeholders feedback fills in (R015)."""
    for path, message in _messages(rubric):
        for attr in ("headline", "rationale"):
            for placeholder in _PLACEHOLDER.findall(getattr(message, attr) or ""):
                if placeholder not in PLACEHOLDERS:
                    report.add(BAD_PLACEHOLDER, Severity.ERROR,
                               f"unknown placeholder '{{{placeholder}}}' in {'.'.join(map(str, path))}.{attr}",
                               (*path, attr), did_you_mean(placeholder, PLACEHOLDERS)
                               or "placeholders: " + ", ".join("{" + p + "}" for p in sorted(PLACEHOLDERS)))


def check_translations_complete(rubric: Rubric, report: Report) -> None:
    """A translation that lacks messages is shown partly in English: a warning (R105)."""
    for language, translation in rubric.translations.items():
        lacking = [f"{situation}.{verdict}" for situation in Situation for verdict in SITUATION_VERDICTS[situation]
                   if not _translated(translation, situation, verdict)]
        lacking += [f"{name}.by_direction.{direction.value}" for name, spec in rubric.situations.items()
                    for direction in spec.by_direction if not _direction_translated(translation, name, direction)]
        if lacking:
            report.add(TRANSLATION_INCOMPLETE, Severity.WARNING,
                       f"the '{language}' translation lacks {len(lacking)} message(s), shown in English: "
                       + ", ".join(lacking[:4]) + (" …" if len(lacking) > 4 else ""),
                       ("translations", language), "translate them here or in an included rubric")


def _direction_translated(translation: Translation, situation: Situation, direction: Direction) -> bool:
    wording = translation.situations.get(situation)
    message = wording.by_direction.get(direction) if wording is not None else None
    return message is not None and bool(message.headline) and bool(message.rationale)


def _translated(translation: Translation, situation: Situation, verdict: Verdict) -> bool:
    wording = translation.situations.get(situation)
    message = wording.messages.get(verdict) if wording is not None else None
    return message is not None and bool(message.headline) and bool(message.rationale)


def check_code_lists(rubric: Rubric, report: Report) -> None:
    """A code is good or fair, not both (R016), and the righting reflex is never rewarded (R102)."""
    for name, situation in rubric.situations.items():
        for code in sorted(set(situation.good or ()) & set(situation.fair or ()), key=lambda c: c.value):
            report.add(CODE_TWICE, Severity.ERROR, f"situation '{name}' lists '{code.value}' as both good and fair",
                       ("situations", name, "fair"), "keep it in one list")
        for attr in ("good", "fair"):
            for index, code in enumerate(getattr(situation, attr) or ()):
                if code.righting_reflex:
                    report.add(RIGHTING_REFLEX_REWARDED, Severity.WARNING,
                               f"situation '{name}' counts '{code.value}' (the righting reflex) as {attr}",
                               ("situations", name, attr, index),
                               "MI treats persuading and confronting as non-adherent")


def check_formulas(rubric: Rubric, report: Report) -> None:
    """A global rating's base is on the 1–5 scale (R017) and its terms can reach both ends (R103)."""
    for name, formula in rubric.globals.items():
        if formula.base is not None and not 1 <= formula.base <= 5:
            report.add(BAD_FORMULA_BASE, Severity.ERROR, f"global '{name}': base {formula.base:g} is outside 1–5",
                       ("globals", name, "base"), "the global ratings are on the MITI's 1–5 scale")
        if formula.base is not None and formula.terms is not None:
            low = formula.base + sum(min(0.0, t.weight) for t in formula.terms)
            high = formula.base + sum(max(0.0, t.weight) for t in formula.terms)
            if low > 1 or high < 5:
                report.add(NARROW_FORMULA, Severity.WARNING,
                           f"global '{name}' can only reach {max(1, low):.2f}–{min(5, high):.2f}, not the full 1–5",
                           ("globals", name), "make the base plus the weights span 1 to 5")


# The categories the MITI 4.2.1 defines, as the vocabulary in mitrainer.codes codes them.
MITI_CATEGORIES: dict[Category, frozenset[SkillCode]] = {
    Category.ADHERENT: frozenset(c for c, info in SKILLS.items() if info.adherence is Adherence.ADHERENT),
    Category.NON_ADHERENT: frozenset(c for c, info in SKILLS.items() if info.adherence is Adherence.NON_ADHERENT),
    Category.REFLECTION: frozenset(c for c in SkillCode if c.is_reflection),
    Category.COMPLEX_REFLECTION: frozenset(c for c in SkillCode if c.is_complex_reflection),
    Category.QUESTION: frozenset(c for c in SkillCode if c.is_question),
}


def check_miti_categories(rubric: Rubric, report: Report) -> None:
    """Categories that depart from the MITI coding make scores incomparable: a warning (R101)."""
    for name, codes in MITI_CATEGORIES.items():
        given = rubric.categories.get(name)
        if given is not None and set(given) != codes:
            report.add(DEPARTS_FROM_MITI, Severity.WARNING,
                       f"category '{name}' differs from the MITI 4.2.1 coding ({', '.join(sorted(c.value for c in codes))})",
                       ("categories", name), "scores will not be comparable with MITI-coded sessions")
