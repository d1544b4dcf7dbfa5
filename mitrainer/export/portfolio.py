"""Progress over time: every session of a trainee, as trends, bests and collected reflections.

The portfolio reads sessions from the store (or any records given), scores each with its
scenario's rubric, and gathers what a trainee keeps for professional development: trend
charts of R:Q, %CR, % open questions, change-talk proportion and non-adherent counts; the
best and the latest session for each scenario; and every written reflection, oldest first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar

from mitrainer.export.library import ScenarioIndex
from mitrainer.export.view import date_of, reflection_prompt, score_record
from mitrainer.i18n import DEFAULT_LANGUAGE, current_language, normalise_language, text_in
from mitrainer.record.model import SessionRecord
from mitrainer.record.read import RecordError, parse_record
from mitrainer.scoring import Metric, SessionScore

# The measures whose trend the portfolio draws; their titles are report.trend.* in the catalogs.
TRENDS = ("rq_ratio", "pct_complex", "pct_open", "ct_proportion", "non_adherent")


@dataclass(frozen=True)
class PortfolioSession:
    """One scored session."""

    session_id: str
    scenario_id: str
    scenario_title: str
    started_at: str
    date: str
    turns: int
    ending: str
    finished: bool
    score: SessionScore
    reflections: tuple[tuple[str, str], ...]

    def metric(self, key: str) -> Metric | None:
        return self.score.metric(key)


@dataclass(frozen=True)
class Trend:
    key: str
    title: str
    points: tuple[tuple[str, float | None], ...]  # (date, value), oldest first
    format: str
    fair: float | None
    good: float | None
    language: str = DEFAULT_LANGUAGE

    @property
    def thresholds(self) -> list[tuple[float, str]]:
        """The fair and good thresholds with their names (for the chart's dashed lines)."""
        return [(v, text_in(self.language, f"band.{name}")) for v, name in ((self.fair, "fair"), (self.good, "good"))
                if v is not None]

    @property
    def latest(self) -> float | None:
        return next((v for _, v in reversed(self.points) if v is not None), None)

    @property
    def range(self) -> tuple[float | None, float | None]:
        """Fixed axes for percentages (0–100%); others scale to their values."""
        return (0.0, 1.0) if self.format == "percent" else (0.0, None)


@dataclass(frozen=True)
class ScenarioProgress:
    scenario_id: str
    title: str
    sessions: int
    best: PortfolioSession
    latest: PortfolioSession


@dataclass(frozen=True)
class CollectedReflection:
    date: str
    scenario_title: str
    prompt: str
    answer: str


@dataclass
class Portfolio:
    trainee: str
    sessions: list[PortfolioSession]  # oldest first
    skipped: list[str] = field(default_factory=list)  # damaged records, with the reason
    language: str = DEFAULT_LANGUAGE  # the language its words are in (the interface's)
    # Templates receive plain data: these methods reach them as values (mitrainer.export.sandbox.plain).
    TEMPLATE_VALUES: ClassVar[tuple[str, ...]] = ("trends", "by_scenario", "reflections")

    @property
    def first_date(self) -> str:
        return self.sessions[0].date if self.sessions else ""

    @property
    def last_date(self) -> str:
        return self.sessions[-1].date if self.sessions else ""

    def trends(self) -> list[Trend]:
        trends = []
        for key in TRENDS:
            metrics = [(s.date, s.metric(key)) for s in self.sessions]
            sample = next((m for _, m in metrics if m is not None), None)
            trends.append(Trend(key, text_in(self.language, f"report.trend.{key}"),
                                tuple((d, m.value if m else None) for d, m in metrics),
                                sample.format if sample else "score", sample.fair if sample else None,
                                sample.good if sample else None, self.language))
        return trends

    def by_scenario(self) -> list[ScenarioProgress]:
        """Best (highest overall score; the later one on a tie) and latest session per scenario."""
        grouped: dict[str, list[PortfolioSession]] = {}
        for s in self.sessions:
            grouped.setdefault(s.scenario_id, []).append(s)
        result = []
        for sid, sessions in grouped.items():
            # A session without a score (too few coded responses) is best only when none has one.
            best = max(sessions, key=lambda s: (s.score.overall is not None, s.score.overall or 0.0, s.started_at))
            latest = max(sessions, key=lambda s: s.started_at)
            result.append(ScenarioProgress(sid, latest.scenario_title, len(sessions), best, latest))
        return sorted(result, key=lambda p: p.title.lower())

    def reflections(self) -> list[CollectedReflection]:
        return [CollectedReflection(s.date, s.scenario_title, prompt, answer)
                for s in self.sessions for prompt, answer in s.reflections if answer.strip()]


def portfolio_session(record: SessionRecord, scenarios: ScenarioIndex,
                      language: str = DEFAULT_LANGUAGE) -> PortfolioSession:
    scenario = scenarios.find(record.scenario)
    info = record.scenario
    ending = record.ending
    return PortfolioSession(
        session_id=record.session_id, scenario_id=info.id, scenario_title=info.title or info.id,
        started_at=record.started_at, date=date_of(record.started_at), turns=len(record.turns),
        ending=(ending.title or ending.outcome) if ending else "", finished=record.finished,
        score=score_record(record, scenario),
        reflections=tuple((reflection_prompt(k, language), v) for k, v in record.reflections.items()),
    )


def build_portfolio(records: Iterable[SessionRecord | RecordError | dict], scenarios: ScenarioIndex,
                    trainee: str = "", language: str | None = None) -> Portfolio:
    """A portfolio of the records with at least one turn (damaged ones are listed, not fatal),
    in ``language`` (default: the interface's: a portfolio covers sessions in several).

    ``records`` may be typed records, JSON values still to be read (any known schema), or
    the error a damaged stored record gave (see :func:`store_records`).
    """
    language = normalise_language(language) or current_language()
    sessions, skipped = [], []
    for record in records:
        if isinstance(record, RecordError):
            skipped.append(str(record))
            continue
        where = f"session {str(record.get('session_id', '?'))[:8]}" if isinstance(record, dict) else "session"
        try:
            checked = parse_record(record, where)
        except RecordError as exc:
            skipped.append(str(exc))
            continue
        if checked.turns:
            sessions.append(portfolio_session(checked, scenarios, language))
    sessions.sort(key=lambda s: (s.started_at, s.session_id))
    return Portfolio(trainee, sessions, skipped, language)


def store_records(store, trainee: str | None) -> Iterable[SessionRecord | RecordError]:
    """The records in ``store`` of sessions by ``trainee`` (every session when None).

    Sessions saved before a name was set carry no name and count as the trainee's own; a
    stored record that is damaged is passed on as the error, for the portfolio to list.
    """
    for summary in store.list_sessions(limit=None):
        if trainee is not None and summary.trainee not in (trainee, ""):
            continue
        try:
            record = store.load_record(summary.id)
        except RecordError as exc:
            yield exc
            continue
        if record is not None:
            yield record
