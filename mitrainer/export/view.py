"""What a reflection log shows, gathered from a session record: the view the templates read.

Templates receive plain, already-labelled values (code labels, verdict words, formatted
dates) so that an instructor overriding a template needs no Python knowledge, and every
format (Markdown, HTML, JSON, CSV) shows the same facts. Labels are in the view's language:
a session's is its scenario's (``docs/export.md``, "Language").
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from mitrainer.codes import SKILLS, SkillCode, Subtype, TalkType
from mitrainer.engine.session import Session
from mitrainer.errors import MitrainerError
from mitrainer.i18n import (
    DEFAULT_LANGUAGE,
    current_language,
    has_text,
    metric_label,
    normalise_language,
    skill_label,
    text_in,
)
from mitrainer.record.model import ClientLine, Feedback, Judgement, SessionRecord, Turn
from mitrainer.scenario.model import Scenario
from mitrainer.scoring import Metric, SessionScore, judge_turn, score_session, session_focus, session_rubric


def verdict_label(verdict: str, language: str | None = None) -> str:
    """A feedback verdict ("good", "missed" …) as a reader sees it ("Good fit", "Bỏ lỡ cơ hội" …)."""
    key = f"verdict.{verdict}"
    return text_in(language or current_language(), key) if has_text(key) else verdict


@dataclass(frozen=True)
class CodeView:
    code: str
    label: str
    chip: str  # the MITI abbreviation (OQ, CR …), the same in every language (docs/glossary.md)
    confidence: float | None = None
    counted: bool = True  # False: shown (the coder considered it) but counted nowhere (one counting rule)

    @classmethod
    def of(cls, code: SkillCode, confidence: float | None = None, language: str | None = None,
           counted: bool = True) -> CodeView:
        return cls(code.value, skill_label(code, language), SKILLS[code].chip, confidence, counted)


@dataclass(frozen=True)
class ClientLineView:
    node: str
    text: str
    cue: str
    talk: str  # "change talk (reasons)", "" when not marked
    kind: str = ""  # the talk type's value ("change", "sustain", …), for charts

    @classmethod
    def of(cls, line: ClientLine, language: str | None = None) -> ClientLineView:
        return cls(line.node, line.text, line.cue, talk_label(line.talk, line.subtype, language),
                   line.talk.value if line.talk else "")


@dataclass(frozen=True)
class FeedbackView:
    verdict: str
    verdict_label: str
    headline: str
    rationale: str
    better_text: str = ""
    better_codes: tuple[CodeView, ...] = ()
    better_why: str = ""

    @classmethod
    def of(cls, judgement: Judgement, language: str | None = None) -> FeedbackView:
        better = judgement.better
        # The better response's codes are the scenario's words: any that are not a code show none.
        codes = (tuple(CodeView.of(c, language=language) for c in (SkillCode.parse(x) for x in better.codes) if c)
                 if better else ())
        verdict = judgement.verdict.value
        return cls(verdict, verdict_label(verdict, language), judgement.headline, judgement.rationale,
                   better.text if better else "", codes, better.why if better else "")


@dataclass(frozen=True)
class TurnView:
    number: int  # 1-based, as a person counts
    client: ClientLineView
    response: str
    codes: tuple[CodeView, ...]
    primary: CodeView | None
    uncertain: bool
    uncoded_reason: str
    feedback: FeedbackView | None
    branch_note: str
    next_node: str
    guided: bool


@dataclass(frozen=True)
class PersonaView:
    name: str
    age: int | None
    pronouns: str
    background: str
    stage: str


@dataclass(frozen=True)
class ScenarioView:
    id: str
    title: str
    version: str
    language: str
    content_hash: str
    topic: str = ""
    setting: str = ""
    difficulty: str = ""
    learning_goals: tuple[str, ...] = ()
    available: bool = False  # the scenario itself was found (persona, goals, feedback exemplars)


@dataclass(frozen=True)
class EndingView:
    outcome: str
    title: str
    debrief: str


@dataclass(frozen=True)
class Reflection:
    prompt: str
    answer: str


@dataclass(frozen=True)
class SessionView:
    """Everything a reflection log shows about one session."""

    session_id: str
    trainee: str
    date: str  # YYYY-MM-DD
    started_at: str
    ended_at: str
    minutes: int | None
    app_version: str
    coder: str
    seed: int
    scenario: ScenarioView
    persona: PersonaView | None
    turns: tuple[TurnView, ...]
    closing_line: ClientLineView | None  # the client's last line (at the ending, or where it stopped)
    ending: EndingView | None
    score: SessionScore
    reflections: tuple[Reflection, ...]
    record: SessionRecord = field(repr=False)
    language: str = DEFAULT_LANGUAGE  # the language the log is written in (its labels and headings)

    @property
    def finished(self) -> bool:
        return self.ending is not None

    @property
    def metrics(self) -> list[Metric]:
        """The score table's measures, named in the log's language."""
        return labelled_metrics(self.score.metrics, self.language)

    @property
    def code_counts(self) -> list[tuple[CodeView, int]]:
        """Codes used in this session, in the vocabulary's order, with their counts."""
        return [(CodeView.of(code, language=self.language), n) for code, n in self.score.counts.items() if n]

    @property
    def most_code_count(self) -> int:
        return max(self.score.counts.values(), default=0)

    @property
    def talks(self) -> list[str]:
        """The talk type of every client line in order (the closing line included)."""
        lines = [t.client for t in self.turns] + ([self.closing_line] if self.closing_line else [])
        return [line.kind for line in lines]


def labelled_metrics(metrics: list[Metric], language: str | None) -> list[Metric]:
    """``metrics`` with each measure named in ``language`` (the rubric's label where the catalogs
    have none), and an estimate withheld for want of coded responses saying so in that language."""
    return [replace(m, label=metric_label(m.key, m.label, language),
                    display=text_in(language or current_language(), "report.not_enough") if m.withheld else m.display)
            for m in metrics]


def talk_label(talk: TalkType | None, subtype: Subtype | None, language: str | None = None) -> str:
    """"change talk (reasons)" for a client line's talk type and DARN-CAT subtype ("" when
    unmarked), in ``language`` (default: the interface's)."""
    if talk is None:
        return ""
    language = language or current_language()
    label = text_in(language, f"talk.{talk.value}")
    return text_in(language, "report.talk_with_subtype", talk=label,
                   subtype=text_in(language, f"subtype.{subtype.value}")) if subtype is not None else label


def reflection_prompt(key: str, language: str | None = None) -> str:
    """The question a reflection answered: the trainer saves answers under prompt keys
    (``went_well``), shown here in ``language`` (default: the interface's); any other key
    is shown as it is."""
    message = f"summary.prompt.{key}"
    return text_in(language or current_language(), message) if has_text(message) else key


def session_language(record: SessionRecord, scenario: Scenario | None = None) -> str:
    """The language a session is reported in: its scenario's (English when it has no catalog)."""
    declared = scenario.language if scenario is not None else record.scenario.language
    return normalise_language(declared) or DEFAULT_LANGUAGE


def date_of(stamp: str) -> str:
    """The calendar date of an ISO timestamp ('' when there is none)."""
    try:
        return datetime.fromisoformat(stamp).date().isoformat()
    except (TypeError, ValueError):
        return stamp[:10] if isinstance(stamp, str) else ""


def _minutes(start: str, end: str) -> int | None:
    try:
        delta = datetime.fromisoformat(end) - datetime.fromisoformat(start)
    except (TypeError, ValueError):
        return None
    seconds = delta.total_seconds()
    return max(0, round(seconds / 60)) if seconds >= 0 else None


def score_record(record: SessionRecord, scenario: Scenario | None) -> SessionScore:
    """Score a record with its scenario's rubric (and a drill's focus skills)."""
    return score_session(record, session_rubric(scenario), focus=session_focus(scenario))


def turn_judgements(record: SessionRecord, scenario: Scenario | None) -> list[Judgement | None]:
    """Each turn's judgement: as recorded, or judged now when the scenario is here.

    Records of schema 1 written by ``mitrainer play`` carry no judgement; with the scenario
    the session is replayed and judged exactly as the trainer would have.
    """
    stored = [turn.feedback.judgement if turn.feedback else None for turn in record.turns]
    if scenario is None or all(j is not None for j in stored):
        return stored
    try:
        session = Session.resume(scenario, record)
    except (MitrainerError, KeyError, ValueError):
        return stored  # the record does not replay on this scenario: keep what was recorded
    rubric = session_rubric(scenario)
    return [j if j is not None else judge_turn(session, session.turns[i], rubric) for i, j in enumerate(stored)]


def _turn_view(turn: Turn, judgement: Judgement | None, language: str, min_confidence: float) -> TurnView:
    coding = turn.coding
    counted = coding.counted(min_confidence)
    codes = tuple(CodeView.of(c.code, c.confidence, language, c.code in counted) for c in coding.codes)
    primary = next((c for c in codes if c.code == (coding.primary.value if coding.primary else None)), None)
    if primary is None and coding.primary is not None:
        primary = CodeView.of(coding.primary, language=language)
    feedback = turn.feedback or Feedback()
    return TurnView(
        number=turn.index + 1,
        client=ClientLineView.of(turn.client, language),
        response=turn.response,
        codes=codes,
        primary=primary,
        uncertain=coding.uncertain,
        uncoded_reason=coding.uncoded_reason,
        feedback=FeedbackView.of(judgement, language) if judgement is not None else None,
        branch_note=feedback.note,
        next_node=turn.next_node,
        guided=turn.guided,
    )


def session_view(record: SessionRecord, *, trainee: str = "", scenario: Scenario | None = None,
                 score: SessionScore | None = None, language: str | None = None) -> SessionView:
    """The view of a session record.

    ``scenario`` (the one the session was played on, when available) adds the persona,
    the learning goals and feedback for turns recorded without it. ``language`` (en, vi,
    zh) is the one its labels are given in; by default the session's own.
    """
    language = normalise_language(language) or session_language(record, scenario)
    info = record.scenario
    if scenario is not None:
        scenario_view = ScenarioView(
            scenario.id, scenario.title, scenario.version, scenario.language, scenario.content_hash(),
            scenario.topic, scenario.setting, scenario.difficulty.value, tuple(scenario.learning_goals), True)
        p = scenario.persona
        persona = PersonaView(p.name, p.age, p.pronouns, p.background, text_in(language, f"stage.{p.stage.value}"))
    else:
        scenario_view = ScenarioView(info.id, info.title or info.id, info.version, info.language, info.content_hash)
        persona = None
    judgements = turn_judgements(record, scenario)
    min_confidence = float(session_rubric(scenario).counting.min_confidence or 0.0)
    turns = tuple(_turn_view(t, j, language, min_confidence) for t, j in zip(record.turns, judgements, strict=True))
    ending = record.ending
    started, ended = record.started_at, record.ended_at
    return SessionView(
        session_id=record.session_id,
        trainee=trainee,
        date=date_of(started),
        started_at=started,
        ended_at=ended,
        minutes=_minutes(started, ended) if ended else None,
        app_version=record.app_version,
        coder=record.coder,
        seed=record.seed,
        scenario=scenario_view,
        persona=persona,
        turns=turns,
        closing_line=ClientLineView.of(record.current, language) if record.current is not None else None,
        ending=EndingView(ending.outcome, ending.title, ending.debrief) if ending is not None else None,
        score=score if score is not None else score_record(record, scenario),
        reflections=tuple(Reflection(reflection_prompt(k, language), v) for k, v in record.reflections.items()),
        record=record,
        language=language,
    )
