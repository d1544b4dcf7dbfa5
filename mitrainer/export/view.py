"""What a reflection log shows, gathered from a session record: the view the templates read.

Templates receive plain, already-labelled values (code labels, verdict words, formatted
dates) so that an instructor overriding a template needs no Python knowledge, and every
format (Markdown, HTML, JSON, CSV) shows the same facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from mitrainer.codes import SKILLS, SkillCode, Subtype, TalkType
from mitrainer.engine.session import Session
from mitrainer.errors import MitrainerError
from mitrainer.scenario.model import Scenario
from mitrainer.scoring import Metric, SessionScore, TurnFeedback, feedback_for_turn, score_session
from mitrainer.scoring.rubric import Rubric, get_rubric, rubric_for

VERDICT_LABELS = {
    "good": "Good fit",
    "fair": "Fair",
    "missed": "Missed opportunity",
    "righting_reflex": "Righting reflex",
}

TALK_LABELS = {
    TalkType.CHANGE: "change talk",
    TalkType.SUSTAIN: "sustain talk",
    TalkType.NEUTRAL: "neutral",
    TalkType.DISCORD: "discord",
}


@dataclass(frozen=True)
class CodeView:
    code: str
    label: str
    chip: str
    confidence: float | None = None

    @classmethod
    def of(cls, code: SkillCode, confidence: float | None = None) -> CodeView:
        info = SKILLS[code]
        return cls(code.value, info.label, info.chip, confidence)


@dataclass(frozen=True)
class ClientLineView:
    node: str
    text: str
    cue: str
    talk: str  # "change talk (reasons)", "" when not marked
    kind: str = ""  # the talk type's value ("change", "sustain", …), for charts

    @classmethod
    def of(cls, data: dict) -> ClientLineView:
        return cls(str(data.get("node", "")), str(data.get("text", "")), str(data.get("cue", "")),
                   talk_label(data.get("talk"), data.get("subtype")), str(data.get("talk") or ""))


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
    def of(cls, feedback: TurnFeedback) -> FeedbackView:
        better = feedback.better or {}
        # Stored feedback may come from another machine: anything but a list of codes shows none.
        listed = better.get("codes") if isinstance(better.get("codes"), list) else ()
        codes = tuple(CodeView.of(c) for c in (SkillCode.parse(str(x)) for x in listed) if c)
        return cls(feedback.verdict, VERDICT_LABELS.get(feedback.verdict, feedback.verdict), feedback.headline,
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

    @property
    def finished(self) -> bool:
        return self.ending is not None

    @property
    def metrics(self) -> list[Metric]:
        return self.score.metrics

    @property
    def code_counts(self) -> list[tuple[CodeView, int]]:
        """Codes used in this session, in the vocabulary's order, with their counts."""
        return [(CodeView.of(code), n) for code, n in self.score.counts.items() if n]

    @property
    def most_code_count(self) -> int:
        return max(self.score.counts.values(), default=0)

    @property
    def talks(self) -> list[str]:
        """The talk type of every client line in order (the closing line included)."""
        lines = [t.client for t in self.turns] + ([self.closing_line] if self.closing_line else [])
        return [line.kind for line in lines]


def talk_label(talk: object, subtype: object) -> str:
    """"change talk (reasons)" for a client line's talk type and DARN-CAT subtype."""
    try:
        kind = TalkType(talk) if talk else None
        sub = Subtype(subtype) if subtype else None
    except ValueError:
        return ""
    if kind is None:
        return ""
    label = TALK_LABELS[kind]
    return f"{label} ({sub.value.replace('_', ' ')})" if sub is not None else label


def reflection_prompt(key: str) -> str:
    """The question a reflection answered: the trainer saves answers under prompt keys
    (``went_well``), shown here in the interface language; any other key is shown as it is."""
    from mitrainer.i18n import catalog, t

    message = f"summary.prompt.{key}"
    return t(message) if message in catalog("en") else key


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


def _turn_view(turn: dict, feedback: TurnFeedback | None) -> TurnView:
    coding = turn.get("coding") or {}
    codes = tuple(CodeView.of(SkillCode(c["code"]), float(c["confidence"])) for c in coding.get("codes", ()))
    primary_code = coding.get("primary")
    primary = next((c for c in codes if c.code == primary_code), None)
    if primary is None and primary_code:
        primary = CodeView.of(SkillCode(primary_code))
    return TurnView(
        number=int(turn["index"]) + 1,
        client=ClientLineView.of(turn["client"]),
        response=str(turn.get("response", "")),
        codes=codes,
        primary=primary,
        uncertain=bool(coding.get("uncertain", False)),
        uncoded_reason=str(coding.get("uncoded_reason", "")),
        feedback=FeedbackView.of(feedback) if feedback is not None else None,
        branch_note=str(turn.get("branch_note", "")),
        next_node=str(turn.get("next_node", "")),
        guided=bool(turn.get("guided", False)),
    )


def session_view(record: dict, *, trainee: str = "", scenario: Scenario | None = None,
                 score: SessionScore | None = None) -> SessionView:
    """The view of a checked record (see :func:`mitrainer.export.records.check_record`).

    ``scenario`` (the one the session was played on, when available) adds the persona,
    the learning goals and feedback for turns recorded without it.
    """
    info = record.get("scenario") or {}
    if scenario is not None:
        scenario_view = ScenarioView(
            scenario.id, scenario.title, scenario.version, scenario.language, scenario.content_hash(),
            scenario.topic, scenario.setting, scenario.difficulty.value, tuple(scenario.learning_goals), True)
        p = scenario.persona
        persona = PersonaView(p.name, p.age, p.pronouns, p.background, p.stage.value.replace("_", " "))
    else:
        scenario_view = ScenarioView(str(info.get("id", "")), str(info.get("title") or info.get("id", "")),
                                     str(info.get("version", "")), str(info.get("language", "")),
                                     str(info.get("content_hash", "")))
        persona = None
    feedback = turn_feedback(record, scenario)
    turns = tuple(_turn_view(t, f) for t, f in zip(record["turns"], feedback, strict=True))
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
        closing_line=ClientLineView.of(current) if isinstance(current, dict) else None,
        ending=ending,
        score=score if score is not None else score_record(record, scenario),
        reflections=tuple(Reflection(reflection_prompt(str(k)), v) for k, v in (record.get("reflections") or {}).items()),
        record=record,
    )
