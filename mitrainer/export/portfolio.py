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
    owner: str = ""  # who played it, as the portfolio names them ("Lan", "Lan (imported)")
    imported: bool = False  # from another member's bundle

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
    people: tuple[str, ...] = ()  # whose each point is, when the portfolio covers several people
    TEMPLATE_VALUES: ClassVar[tuple[str, ...]] = ("by_person",)

    def by_person(self) -> list[tuple[str, tuple[tuple[str, float | None], ...], float | None]]:
        """(person, their points, their latest value) for each person, in order of first session;
        one unnamed series when the portfolio is one person's."""
        series: dict[str, list[tuple[str, float | None]]] = {}
        for person, point in zip(self.people or ("",) * len(self.points), self.points, strict=True):
            series.setdefault(person, []).append(point)
        return [(person, tuple(points), next((v for _, v in reversed(points) if v is not None), None))
                for person, points in series.items()]

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
    owner: str = ""  # whose sessions, when the portfolio covers several people


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
    def several_people(self) -> bool:
        """Whether the sessions are more than one person's (``--all``): each then says whose."""
        return len({s.owner for s in self.sessions}) > 1

    @property
    def shows_owner(self) -> bool:
        """Whether a session's owner is shown: several people, or one imported session."""
        return self.several_people or any(s.imported for s in self.sessions)

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
                                sample.good if sample else None, self.language,
                                tuple(s.owner for s in self.sessions) if self.several_people else ()))
        return trends

    def by_scenario(self) -> list[ScenarioProgress]:
        """Best (highest overall score; the later one on a tie) and latest session per scenario
        (per scenario and person, when the portfolio covers several people)."""
        grouped: dict[tuple[str, str], list[PortfolioSession]] = {}
        for s in self.sessions:
            grouped.setdefault((s.scenario_id, s.owner if self.several_people else ""), []).append(s)
        result = []
        for (sid, owner), sessions in grouped.items():
            # A session without a score (too few coded responses) is best only when none has one.
            best = max(sessions, key=lambda s: (s.score.overall is not None, s.score.overall or 0.0, s.started_at))
            latest = max(sessions, key=lambda s: s.started_at)
            result.append(ScenarioProgress(sid, latest.scenario_title, len(sessions), best, latest, owner))
        return sorted(result, key=lambda p: (p.title.lower(), p.owner.casefold()))

    def reflections(self) -> list[CollectedReflection]:
        return [CollectedReflection(s.date, s.scenario_title, prompt, answer)
                for s in self.sessions for prompt, answer in s.reflections if answer.strip()]


@dataclass(frozen=True)
class OwnedRecord:
    """A stored record with whose it is: the name it was played or imported under, and
    whether it came from another member's bundle."""

    record: SessionRecord
    trainee: str
    imported: bool


def owner_label(trainee: str, imported: bool, language: str) -> str:
    """How a portfolio names a session's owner: the name (or "no name"), marked when imported."""
    name = trainee or text_in(language, "report.unnamed_trainee")
    return name + text_in(language, "report.imported_mark") if imported else name


def portfolio_session(record: SessionRecord, scenarios: ScenarioIndex, language: str = DEFAULT_LANGUAGE,
                      owner: str = "", imported: bool = False) -> PortfolioSession:
    scenario = scenarios.find(record.scenario)
    info = record.scenario
    ending = record.ending
    return PortfolioSession(
        session_id=record.session_id, scenario_id=info.id, scenario_title=info.title or info.id,
        started_at=record.started_at, date=date_of(record.started_at), turns=len(record.turns),
        ending=(ending.title or ending.outcome) if ending else "", finished=record.finished,
        score=score_record(record, scenario),
        reflections=tuple((reflection_prompt(k, language), v) for k, v in record.reflections.items()),
        owner=owner, imported=imported,
    )


def build_portfolio(records: Iterable[SessionRecord | RecordError | dict | OwnedRecord], scenarios: ScenarioIndex,
                    trainee: str = "", language: str | None = None) -> Portfolio:
    """A portfolio of the records with at least one turn (damaged ones are listed, not fatal),
    in ``language`` (default: the interface's: a portfolio covers sessions in several).

    ``records`` may be typed records, JSON values still to be read (any known schema), the
    error a damaged stored record gave, or records with their owner (see :func:`store_records`).
    """
    language = normalise_language(language) or current_language()
    sessions, skipped = [], []
    for item in records:
        if isinstance(item, RecordError):
            skipped.append(str(item))
            continue
        owned = item if isinstance(item, OwnedRecord) else None
        owner = owner_label(owned.trainee, owned.imported, language) if owned else ""
        record = owned.record if owned else item
        where = f"session {str(record.get('session_id', '?'))[:8]}" if isinstance(record, dict) else "session"
        try:
            checked = parse_record(record, where)
        except RecordError as exc:
            skipped.append(str(exc))
            continue
        if checked.turns:
            sessions.append(portfolio_session(checked, scenarios, language, owner, bool(owned and owned.imported)))
    sessions.sort(key=lambda s: (s.started_at, s.session_id))
    return Portfolio(trainee, sessions, skipped, language)


def store_records(store, trainee: str | None, you: str | None = None) -> Iterable[OwnedRecord | RecordError]:
    """The records in ``store`` of sessions by ``trainee`` (every session when None), with
    whose each is.

    Names match whatever the case (``lan`` finds "Lan"). ``you`` is the name saved in this
    trainer: your own portfolio (``trainee`` is ``you``) leaves out sessions imported from
    bundles, and sessions played here before a name was set count as yours only (as anyone's
    when ``you`` is not given). A stored record that is damaged is passed on as the error, for
    the portfolio to list.
    """
    wanted = trainee.strip().casefold() if trainee is not None else None
    own = you is not None and you.strip().casefold() == wanted
    for summary in store.list_sessions(limit=None):
        if wanted is not None:
            named = summary.trainee.casefold() == wanted
            unnamed_here = not summary.trainee and not summary.imported and (you is None or own)
            if (own and summary.imported) or not (named or unnamed_here):
                continue
        try:
            record = store.load_record(summary.id)
        except RecordError as exc:
            yield exc
            continue
        if record is not None:
            yield OwnedRecord(record, summary.trainee, summary.imported)
