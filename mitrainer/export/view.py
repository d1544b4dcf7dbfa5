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
from mitrainer.scenario.model import Scenario
from mitrainer.scoring import Metric, SessionScore, TurnFeedback, feedback_for_turn, score_session
from mitrainer.scoring.rubric import Rubric, get_rubric, rubric_for


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

    @classmethod
    def of(cls, code: SkillCode, confidence: float | None = None, language: str | None = None) -> CodeView:
        return cls(code.value, skill_label(code, language), SKILLS[code].chip, confidence)


@dataclass(frozen=True)
class ClientLineView:
    node: str
    text: str
    cue: str
    talk: str  # "change talk (reasons)", "" when not marked
    kind: str = ""  # the talk type's value ("change", "sustain", …), for charts

    @classmethod
    def of(cls, data: dict, language: str | None = None) -> ClientLineView:
        return cls(str(data.get("node", "")), str(data.get("text", "")), str(data.get("cue", "")),
                   talk_label(data.get("talk"), data.get("subtype"), language), str(data.get("talk") or ""))


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
    def of(cls, feedback: TurnFeedback, language: str | None = None) -> FeedbackView:
        better = feedback.better or {}
        # Stored feedback may come from another machine: anything but a list of codes shows none.
        listed = better.get("codes") if isinstance(better.get("codes"), list) else ()
        codes = tuple(CodeView.of(c, language=language) for c in (SkillCode.parse(str(x)) for x in listed) if c)
        return cls(feedback.verdict, verdict_label(feedback.verdict, language), feedback.headline,
                   feedback.rationale, str(better.get("text", "")), codes, str(better.get("why", "")))


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
    record: dict = field(repr=False, default_factory=dict)
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
    have none)."""
    return [replace(m, label=metric_label(m.key, m.label, language)) for m in metrics]


def talk_label(talk: object, subtype: object, language: str | None = None) -> str:
    """"change talk (reasons)" for a client line's talk type and DARN-CAT subtype, in
    ``language`` (default: the interface's)."""
    try:
        kind = TalkType(talk) if talk else None
        sub = Subtype(subtype) if subtype else None
    except ValueError:
        return ""
    if kind is None:
        return ""
    language = language or current_language()
    label = text_in(language, f"talk.{kind.value}")
    return text_in(language, "report.talk_with_subtype", talk=label,
                   subtype=text_in(language, f"subtype.{sub.value}")) if sub is not None else label


def reflection_prompt(key: str, language: str | None = None) -> str:
    """The question a reflection answered: the trainer saves answers under prompt keys
    (``went_well``), shown here in ``language`` (default: the interface's); any other key
    is shown as it is."""
    message = f"summary.prompt.{key}"
    return text_in(language or current_language(), message) if has_text(message) else key


def session_language(record: dict, scenario: Scenario | None = None) -> str:
    """The language a session is reported in: its scenario's (English when it has no catalog)."""
    info = record.get("scenario") if isinstance(record.get("scenario"), dict) else {}
    declared = scenario.language if scenario is not None else info.get("language")
    return normalise_language(str(declared or "")) or DEFAULT_LANGUAGE


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


def scoring_rubric(scenario: Scenario | None) -> Rubric:
    """The rubric a session is scored with: the scenario's own, or the standard one."""
    return rubric_for(scenario.rubric) if scenario is not None else get_rubric()


def score_record(record: dict, scenario: Scenario | None) -> SessionScore:
    """Score a checked record with its scenario's rubric (and a drill's focus skills)."""
    focus = scenario.focus if scenario is not None and scenario.kind == "drill" else ()
    return score_session(record, scoring_rubric(scenario), focus=focus)


def turn_feedback(record: dict, scenario: Scenario | None) -> list[TurnFeedback | None]:
    """Each turn's feedback: as stored, or worked out again when the scenario is here.

    Records written by ``mitrainer play`` carry no feedback; with the scenario the session
    can be replayed and judged exactly as the trainer would have.
    """
    stored: list[TurnFeedback | None] = []
    for turn in record["turns"]:
        data = turn.get("feedback")
        try:
            stored.append(TurnFeedback.from_json(data) if isinstance(data, dict) else None)
        except (KeyError, ValueError, TypeError):
            stored.append(None)
    if scenario is None or all(f is not None for f in stored):
        return stored
    try:
        session = Session.resume(scenario, record)
    except (MitrainerError, KeyError, ValueError, TypeError):
        return stored  # the record does not replay on this scenario: keep what was stored
    rubric = scoring_rubric(scenario)
    return [f if f is not None else feedback_for_turn(session, session.turns[i], rubric) for i, f in enumerate(stored)]


def _turn_view(turn: dict, feedback: TurnFeedback | None, language: str) -> TurnView:
    coding = turn.get("coding") or {}
    codes = tuple(CodeView.of(SkillCode(c["code"]), float(c["confidence"]), language)
                  for c in coding.get("codes", ()))
    primary_code = coding.get("primary")
    primary = next((c for c in codes if c.code == primary_code), None)
    if primary is None and primary_code:
        primary = CodeView.of(SkillCode(primary_code), language=language)
    return TurnView(
        number=int(turn["index"]) + 1,
        client=ClientLineView.of(turn["client"], language),
        response=str(turn.get("response", "")),
        codes=codes,
        primary=primary,
        uncertain=bool(coding.get("uncertain", False)),
        uncoded_reason=str(coding.get("uncoded_reason", "")),
        feedback=FeedbackView.of(feedback, language) if feedback is not None else None,
        branch_note=str(turn.get("branch_note", "")),
        next_node=str(turn.get("next_node", "")),
        guided=bool(turn.get("guided", False)),
    )


def session_view(record: dict, *, trainee: str = "", scenario: Scenario | None = None,
                 score: SessionScore | None = None, language: str | None = None) -> SessionView:
    """The view of a checked record (see :func:`mitrainer.export.records.check_record`).

    ``scenario`` (the one the session was played on, when available) adds the persona,
    the learning goals and feedback for turns recorded without it. ``language`` (en, vi,
    zh) is the one its labels are given in; by default the session's own.
    """
    language = normalise_language(language) or session_language(record, scenario)
    info = record.get("scenario") or {}
    if scenario is not None:
        scenario_view = ScenarioView(
            scenario.id, scenario.title, scenario.version, scenario.language, scenario.content_hash(),
            scenario.topic, scenario.setting, scenario.difficulty.value, tuple(scenario.learning_goals), True)
        p = scenario.persona
        persona = PersonaView(p.name, p.age, p.pronouns, p.background, text_in(language, f"stage.{p.stage.value}"))
    else:
        scenario_view = ScenarioView(str(info.get("id", "")), str(info.get("title") or info.get("id", "")),
                                     str(info.get("version", "")), str(info.get("language", "")),
                                     str(info.get("content_hash", "")))
        persona = None
    feedback = turn_feedback(record, scenario)
    turns = tuple(_turn_view(t, f, language) for t, f in zip(record["turns"], feedback, strict=True))
    ending_data = record.get("ending")
    ending = (EndingView(str(ending_data.get("outcome", "")), str(ending_data.get("title", "")),
                         str(ending_data.get("debrief", ""))) if isinstance(ending_data, dict) else None)
    current = record.get("current")
    started, ended = str(record.get("started_at", "")), str(record.get("ended_at", ""))
    return SessionView(
        session_id=str(record["session_id"]),
        trainee=trainee,
        date=date_of(started),
        started_at=started,
        ended_at=ended,
        minutes=_minutes(started, ended) if ended else None,
        app_version=str(record.get("app_version", "")),
        coder=str(record.get("coder", "")),
        seed=int(record.get("seed", 0) or 0),
        scenario=scenario_view,
        persona=persona,
        turns=turns,
        closing_line=ClientLineView.of(current, language) if isinstance(current, dict) else None,
        ending=ending,
        score=score if score is not None else score_record(record, scenario),
        reflections=tuple(Reflection(reflection_prompt(str(k), language), v)
                          for k, v in (record.get("reflections") or {}).items()),
        record=record,
        language=language,
    )
