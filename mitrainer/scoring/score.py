"""MITI-style session scores: counts, summary scores, global-rating estimates, bands.

Every number is computed from a list of moments (see :mod:`mitrainer.scoring.moments`)
with the rules and thresholds of a rubric. The formulas are documented in
``docs/scoring.md``; the thresholds live in the rubric file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mitrainer.codes import SkillCode, TalkType, Verdict
from mitrainer.record.model import SessionRecord
from mitrainer.scoring.moments import (
    CounsellorUtterance,
    CountedUtterance,
    Moment,
    client_moment,
    count_utterances,
    judge,
)
from mitrainer.scoring.rubric import MetricSpec, Rubric
from mitrainer.scoring.rubric_load import session_focus, session_rubric
from mitrainer.scoring.vocabulary import TALK_SITUATION, Category, GlobalRating, Situation

if TYPE_CHECKING:
    from mitrainer.engine.session import Session
    from mitrainer.scoring.agreement import AgreementReport

# Indicator value when there is nothing to measure (no change talk to respond to, no
# questions …): neither good nor bad.
UNMEASURED = 0.5
# The metrics that are estimates from the whole session: none below the minimum of coded responses.
ESTIMATES = frozenset({*(name.value for name in GlobalRating), "technical", "relational", "overall"})
# How an export shows a withheld estimate (the trainer says it in the interface language: score.not_enough).
NOT_ENOUGH = "— not enough coded responses"
_CREDIT = {Verdict.GOOD: 1.0, Verdict.FAIR: 0.5, Verdict.MISSED: 0.0, Verdict.RIGHTING_REFLEX: 0.0}


@dataclass(frozen=True)
class Metric:
    """One line of the score table: a value, how to show it, and its band against thresholds."""

    key: str
    label: str
    value: float | None
    display: str
    band: str | None  # "below" | "fair" | "good" | None (no thresholds or no value)
    fair: float | None
    good: float | None
    format: str = "score"  # "ratio" | "percent" | "score" | "count": how values and thresholds are shown
    withheld: bool = False  # an estimate not given: fewer coded responses than the rubric's minimum
    bands_from: str = "miti"  # whose thresholds: "miti" (MITI 4.2.1 competency) or "mitrainer" (its own)

    def show(self, value: float | None) -> str:
        """A value (or a threshold) of this metric as the table shows it."""
        return format_value(self.format, value)

    def to_json(self) -> dict:
        return {"key": self.key, "label": self.label, "value": _round(self.value), "display": self.display,
                "band": self.band, "fair": self.fair, "good": self.good, "format": self.format,
                "withheld": self.withheld, "bands_from": self.bands_from}


@dataclass(frozen=True)
class FocusRate:
    """How often a drill's focus skill was used."""

    hits: int
    turns: int

    @property
    def rate(self) -> float | None:
        return self.hits / self.turns if self.turns else None


@dataclass(frozen=True)
class SessionScore:
    """The MITI-style summary of one session or transcript."""

    counts: dict[SkillCode, int]
    reflections: int
    questions: int
    rq_ratio: float | None
    pct_complex: float | None
    pct_open: float | None
    adherent: int
    non_adherent: int
    change_talk: int
    sustain_talk: int
    ct_proportion: float | None
    globals: dict[str, float | None]
    technical: float | None
    relational: float | None
    overall: float | None
    metrics: list[Metric]
    turns: int
    uncoded: int = 0
    min_coded: int = 0
    indicators: dict[str, float | None] = field(default_factory=dict)
    focus: dict[SkillCode, FocusRate] = field(default_factory=dict)
    focus_hit_rate: float | None = None
    rubric: str = ""
    source: str = "session"  # "session", "machine", "human" or "mixed" (transcripts)
    agreement: AgreementReport | None = None

    def metric(self, key: str) -> Metric | None:
        return next((m for m in self.metrics if m.key == key), None)

    @property
    def coded(self) -> int:
        """Counsellor responses the coder (or a person) coded: the only ones that count."""
        return self.turns - self.uncoded

    @property
    def enough_data(self) -> bool:
        """Whether there are enough coded responses for the global estimates and the overall score
        (the rubric's ``counting.min_coded_responses``); below it they are None: no score without data."""
        return self.overall is not None

    @property
    def listed_overall(self) -> float | None:
        """The overall score as session lists keep it: two places, None without enough coded responses."""
        return None if self.overall is None else round(self.overall, 2)

    def to_json(self) -> dict:
        return {
            "rubric": self.rubric,
            "source": self.source,
            "turns": self.turns,
            "uncoded": self.uncoded,
            "coded": self.coded,
            "min_coded": self.min_coded,
            "enough_data": self.enough_data,
            "counts": {code.value: n for code, n in self.counts.items()},
            "reflections": self.reflections,
            "questions": self.questions,
            "rq_ratio": _round(self.rq_ratio),
            "pct_complex": _round(self.pct_complex),
            "pct_open": _round(self.pct_open),
            "adherent": self.adherent,
            "non_adherent": self.non_adherent,
            "change_talk": self.change_talk,
            "sustain_talk": self.sustain_talk,
            "ct_proportion": _round(self.ct_proportion),
            "globals": {k: _round(v) for k, v in self.globals.items()},
            "technical": _round(self.technical),
            "relational": _round(self.relational),
            "overall": _round(self.overall),
            "indicators": {k: _round(v) for k, v in self.indicators.items()},
            "focus": {code.value: {"hits": r.hits, "turns": r.turns, "rate": _round(r.rate)}
                      for code, r in self.focus.items()},
            "focus_hit_rate": _round(self.focus_hit_rate),
            "metrics": [m.to_json() for m in self.metrics],
            "agreement": self.agreement.to_json() if self.agreement is not None else None,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


# -- the score --------------------------------------------------------------------------------

def score_moments(moments: Iterable[Moment], rubric: Rubric, *, focus: Sequence[SkillCode] = (),
                  source: str = "session") -> SessionScore:
    """Score a conversation given as moments with ``rubric``.

    Responses that could not be coded never count: not in the rates, not in a drill's focus
    rate. Below the rubric's ``counting.min_coded_responses`` coded responses, the global
    estimates, technical, relational and overall are None (no score without data).
    """
    counted, clients = count_utterances(moments, rubric)
    utterances = [u for u in counted if u.coded]
    counts = {code: 0 for code in SkillCode}
    for utterance in utterances:
        for code in utterance.codes:
            counts[code] += 1

    def total(category: Category) -> int:
        return sum(counts[c] for c in rubric.codes(category))

    reflections = total(Category.REFLECTION)
    questions = total(Category.QUESTION)
    complex_ = total(Category.COMPLEX_REFLECTION)
    open_ = total(Category.OPEN_QUESTION)
    adherent = total(Category.ADHERENT)
    non_adherent = total(Category.NON_ADHERENT)
    change_talk = sum(1 for c in clients if c.talk is TalkType.CHANGE)
    sustain_talk = sum(1 for c in clients if c.talk is TalkType.SUSTAIN)

    indicators = _indicators(utterances, counts, rubric, reflections, questions, complex_, open_,
                             adherent, non_adherent, change_talk, sustain_talk)
    min_coded = rubric.counting.min_coded_responses
    enough = len(utterances) >= min_coded
    # Below the minimum every estimate is None: no score without data.
    parts: dict[str, float | None] = {name.value: None for name in GlobalRating}
    parts.update(technical=None, relational=None)
    overall: float | None = None
    if enough:
        estimates = {name.value: _global(rubric, name, indicators) for name in GlobalRating}
        technical = (estimates[GlobalRating.CULTIVATING_CHANGE_TALK] + estimates[GlobalRating.SOFTENING_SUSTAIN_TALK]) / 2
        relational = (estimates[GlobalRating.PARTNERSHIP] + estimates[GlobalRating.EMPATHY]) / 2
        whole: dict[str, float] = {**estimates, "technical": technical, "relational": relational}
        weights = rubric.overall.weights or {}
        weight_sum = sum(weights.values())
        overall = sum(whole[k] * w for k, w in weights.items()) / weight_sum if weight_sum else relational
        parts.update(whole)
    globals_ = {name.value: parts[name.value] for name in GlobalRating}

    focus_rates: dict[SkillCode, FocusRate] = {}
    focus_hit_rate = None
    if focus:
        turns = len(utterances)
        focus_rates = {code: FocusRate(sum(code in u.codes for u in utterances), turns) for code in focus}
        focus_hit_rate = _ratio(sum(any(c in u.codes for c in focus) for u in utterances), turns)

    values: dict[str, float | None] = {
        "rq_ratio": _ratio(reflections, questions),
        "pct_complex": _ratio(complex_, reflections),
        "pct_open": _ratio(open_, questions),
        "adherent": float(adherent),
        "non_adherent": float(non_adherent),
        "ct_proportion": _ratio(change_talk, change_talk + sustain_talk),
        **parts,
        "overall": overall,
        "focus_hit_rate": focus_hit_rate,
    }
    metrics = [make_metric(key, spec, values[key], withheld=not enough and key in ESTIMATES)
               for key, spec in rubric.metrics.items() if key != "focus_hit_rate" or focus]
    return SessionScore(
        counts=counts, reflections=reflections, questions=questions, rq_ratio=values["rq_ratio"],
        pct_complex=values["pct_complex"], pct_open=values["pct_open"], adherent=adherent,
        non_adherent=non_adherent, change_talk=change_talk, sustain_talk=sustain_talk,
        ct_proportion=values["ct_proportion"], globals=globals_, technical=parts["technical"],
        relational=parts["relational"], overall=overall, metrics=metrics, turns=len(counted),
        uncoded=len(counted) - len(utterances), min_coded=min_coded, indicators=indicators, focus=focus_rates,
        focus_hit_rate=focus_hit_rate, rubric=rubric.id, source=source,
    )


def _indicators(utterances: list[CountedUtterance], counts: dict[SkillCode, int], rubric: Rubric,
                reflections: int, questions: int, complex_: int, open_: int, adherent: int,
                non_adherent: int, change_talk: int, sustain_talk: int) -> dict[str, float | None]:
    """The turn-level indicators the global-rating formulas combine (docs/scoring.md)."""
    turns = len(utterances)
    ct_credit: list[float] = []
    st_credit: list[float] = []
    st_righting: list[float] = []
    question_codes = rubric.codes(Category.QUESTION)
    reflection_codes = rubric.codes(Category.REFLECTION)
    run = 0
    in_runs = 0
    run_length = int(rubric.feedback.question_run or 0)
    for u in utterances:
        if u.answers is not None and u.answers.talk is not None and u.coded:
            situation = TALK_SITUATION[u.answers.talk]
            if situation is not Situation.NEUTRAL:
                verdict = judge(situation, u.codes, rubric, u.direction)
                if situation is Situation.CHANGE_TALK:
                    ct_credit.append(_CREDIT[verdict])
                else:
                    st_credit.append(_CREDIT[verdict])
                    st_righting.append(1.0 if verdict is Verdict.RIGHTING_REFLEX else 0.0)
        if any(c in question_codes for c in u.codes) and not any(c in reflection_codes for c in u.codes):
            run += 1
            if run_length and run >= run_length:
                in_runs += 1
        else:
            run = 0
    input_codes = (SkillCode.GIVING_INFORMATION, SkillCode.PERSUADE, SkillCode.PERSUADE_WITH_PERMISSION)
    return {
        "reflection_rate": _ratio(reflections, turns),
        "complex_share": _ratio(complex_, reflections),
        "rq_balance": _ratio(reflections, reflections + questions),
        "open_share": _ratio(open_, questions),
        "adherent_rate": _ratio(adherent, turns),
        "non_adherent_rate": _ratio(non_adherent, turns),
        "input_rate": _ratio(sum(counts[c] for c in input_codes), turns),
        "ct_response": _ratio(sum(ct_credit), len(ct_credit)),
        "st_response": _ratio(sum(st_credit), len(st_credit)),
        "st_righting": _ratio(sum(st_righting), len(st_righting)),
        "ct_proportion": _ratio(change_talk, change_talk + sustain_talk),
        "question_run_share": _ratio(in_runs, questions),
    }


def _global(rubric: Rubric, name: GlobalRating, indicators: dict[str, float | None]) -> float:
    """base + Σ weight·min(1, x/full_at) (or 1 − that when inverted), kept within 1–5."""
    formula = rubric.globals[name]
    value = float(formula.base or 1.0)
    for term in formula.terms or ():
        x = indicators[term.indicator]
        scaled = UNMEASURED if x is None else min(1.0, max(0.0, x / term.full_at))
        value += term.weight * ((1.0 - scaled) if term.invert else scaled)
    return min(5.0, max(1.0, value))


def band(spec: MetricSpec, value: float | None) -> str | None:
    """"good", "fair" or "below" against the metric's thresholds (a threshold is reached at equality)."""
    if value is None or (spec.fair is None and spec.good is None):
        return None
    higher = spec.better == "higher"

    def reaches(threshold: float | None) -> bool:
        return threshold is not None and (value >= threshold if higher else value <= threshold)

    if reaches(spec.good):
        return "good"
    if reaches(spec.fair):
        return "fair"
    return "below"


def format_value(kind: str | None, value: float | None) -> str:
    if value is None:
        return "—"
    if kind == "ratio":
        return f"{value:.2f}:1"
    if kind == "percent":
        return f"{value * 100:.0f}%"
    if kind == "count":
        return str(int(round(value)))
    return f"{value:.2f}"


def make_metric(key: str, spec: MetricSpec, value: float | None, withheld: bool = False) -> Metric:
    """A metric line; ``withheld``: an estimate left out for want of coded responses."""
    kind = spec.format or "score"
    display = NOT_ENOUGH if withheld else format_value(kind, value)
    return Metric(key, spec.label or key, value, display, band(spec, value), spec.fair, spec.good, kind, withheld,
                  spec.bands_from)


# -- sessions ---------------------------------------------------------------------------------

def session_moments(session: Session) -> list[Moment]:
    """The moments of a live session: each turn's client line and response, then the client's
    current line."""
    moments: list[Moment] = []
    for turn in session.turns:
        moments.append(client_moment(turn.client))
        moments.append(CounsellorUtterance(turn.coding, turn.response))
    moments.append(client_moment(session.current_line))
    return moments


def record_moments(record: SessionRecord) -> list[Moment]:
    """The moments of a session record: each turn's client line and response, then its last line."""
    moments: list[Moment] = []
    for turn in record.turns:
        moments.append(client_moment(turn.client))
        moments.append(CounsellorUtterance(turn.coding, turn.response))
    if record.current is not None:
        moments.append(client_moment(record.current))
    return moments


def score_session(session_or_record: Session | SessionRecord, rubric: Rubric | None = None, *,
                  focus: Sequence[SkillCode] | None = None) -> SessionScore:
    """Score a live :class:`Session` or a :class:`SessionRecord`.

    The rubric defaults to the session's (:func:`~mitrainer.scoring.rubric.session_rubric`:
    the standard one for a record, whose scenario is not at hand here); a live drill's
    focus skills come from its scenario, a record's from ``focus``. Fast enough to run after
    every turn (see benchmarks/bench_scoring.py).
    """
    if isinstance(session_or_record, SessionRecord):
        return score_moments(record_moments(session_or_record), rubric or session_rubric(None),
                             focus=tuple(focus or ()))
    scenario = session_or_record.scenario
    return score_moments(session_moments(session_or_record), rubric or session_rubric(scenario),
                         focus=tuple(session_focus(scenario) if focus is None else focus))
