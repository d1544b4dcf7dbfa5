"""The session state machine: one trainee response in, the client's next line out.

A :class:`Session` is pure and deterministic: given a scenario, a seed and the same coded
responses it takes the same branches and picks the same line variants. Every turn is
recorded with everything needed to replay, score and export it, and :meth:`Session.rewind`
undoes the last turn exactly (the trainer's ctrl+z).
"""

from __future__ import annotations

import random
import re
import unicodedata
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache

from mitrainer import __version__
from mitrainer.codes import SkillCode, Speaker
from mitrainer.coding.base import Coder, ResponseCoding, Utterance
from mitrainer.errors import MitrainerError
from mitrainer.record.model import ClientLine, Ending, Feedback, ScenarioRef, SessionRecord, Start, Turn
from mitrainer.scenario import conditions
from mitrainer.scenario.model import Branch, Node, Scenario, When
from mitrainer.scenario.model import Ending as ScenarioEnding
from mitrainer.text import has_diacritics, without_diacritics

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class SessionOver(MitrainerError):
    """A response was given after the session reached an ending."""


@dataclass(frozen=True)
class _State:
    node_id: str
    variables: dict
    visits: dict[str, int]


@lru_cache(maxsize=4096)
def compiled_condition(text: str) -> conditions.Expr:
    return conditions.parse(text)


@lru_cache(maxsize=4096)
def _keyword_pattern(keyword: str) -> re.Pattern[str]:
    escaped = re.escape(unicodedata.normalize("NFC", keyword.strip()))
    # Word boundaries for alphabetic scripts; scripts written without spaces (Chinese,
    # Japanese) match anywhere in the text.
    if any("\u2e80" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in keyword):
        return re.compile(escaped, re.IGNORECASE)
    return re.compile(rf"(?<!\w){escaped}(?!\w)", re.IGNORECASE)


def keyword_hit(text: str, keywords: Sequence[str]) -> bool:
    """Whether ``text`` contains any of ``keywords`` (case-insensitive, whole words outside CJK).

    Text and keywords are compared in NFC, so decomposed input matches. A response typed
    with no diacritics at all ("can cuoc", as Vietnamese is often typed on phones) matches
    a keyword written with them ("căn cước"); a response that has diacritics must match them.
    """
    text = unicodedata.normalize("NFC", text)
    plain = not has_diacritics(text)
    return any(_keyword_pattern(k).search(text) or (plain and _keyword_pattern(without_diacritics(k)).search(text))
               for k in keywords)


@dataclass
class Session:
    """A practice conversation in progress (or finished)."""

    scenario: Scenario
    seed: int = 0
    coder: Coder | None = None  # the coder the practice codes responses with (its name is recorded)
    clock: Clock = utc_now
    session_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    turns: list[Turn] = field(default_factory=list)
    started_at: str = ""
    ended_at: str = ""
    reflections: dict[str, str] = field(default_factory=dict)
    # An author's test may begin at any node with some variables set (engine/start.py).
    start: Start | None = None
    _state: _State = field(init=False)
    _history: list[_State] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        variables = {name: var.default for name, var in self.scenario.variables.items()}
        node = self.scenario.start
        if self.start is not None:
            if self.start.node not in self.scenario.nodes or not set(self.start.variables) <= set(variables):
                raise MitrainerError(f"the scenario has no node '{self.start.node}' or lacks a variable this "
                                     "session set at its start")
            node = self.start.node
            variables.update(self.start.variables)
        self._state = _State(node, variables, {node: 1})
        if not self.started_at:
            self.started_at = self.clock().isoformat(timespec="seconds")

    # -- reading the state -------------------------------------------------------------
    @property
    def node_id(self) -> str:
        return self._state.node_id

    @property
    def node(self) -> Node:
        return self.scenario.nodes[self._state.node_id]

    @property
    def variables(self) -> dict:
        return dict(self._state.variables)

    def visits(self, node_id: str) -> int:
        return self._state.visits.get(node_id, 0)

    @property
    def finished(self) -> bool:
        return self.node.is_ending

    @property
    def ending(self) -> ScenarioEnding | None:
        return self.node.ending

    @property
    def current_line(self) -> ClientLine:
        """The client's line at the current node, the variant fixed by seed and visit."""
        node = self.node
        lines = node.lines()
        pick = random.Random(f"{self.seed}:{self.node_id}:{self.visits(self.node_id)}").randrange(len(lines))
        text = lines[pick]
        return ClientLine(node=self.node_id, text=text, cue=node.cue, talk=node.talk, subtype=node.subtype,
                          asks=node.client_asks(text))

    def context(self, limit: int = 6) -> list[Utterance]:
        """The conversation so far, ending with the client's current line (coder context)."""
        utterances: list[Utterance] = []
        for turn in self.turns:
            utterances.append(Utterance(Speaker.CLIENT, turn.client.text))
            utterances.append(Utterance(Speaker.COUNSELLOR, turn.response))
        utterances.append(Utterance(Speaker.CLIENT, self.current_line.text))
        return utterances[-limit:]

    # -- changing the state ------------------------------------------------------------
    def respond(self, text: str, coding: ResponseCoding, *, guided: bool = False) -> Turn:
        """Take the trainee's coded response, choose the branch, apply effects and move on.

        The response is coded before it gets here (:meth:`mitrainer.practice.Practice.code`);
        the engine never calls the coder.
        """
        if self.finished:
            raise SessionOver("the session has ended; rewind to respond differently")
        line = self.current_line
        index, branch = self.choose_branch(text, coding)
        variables = self._apply(branch)
        visits = dict(self._state.visits)
        visits[branch.goto] = visits.get(branch.goto, 0) + 1
        turn = Turn(
            index=len(self.turns), client=line, response=text, coding=coding, branch=index,
            next_node=branch.goto, variables=dict(variables), at=self.clock().isoformat(timespec="seconds"),
            guided=guided,
        )
        self._history.append(self._state)
        self._state = _State(branch.goto, variables, visits)
        self.turns.append(turn)
        if self.finished:
            self.ended_at = turn.at
        return turn

    def attach_feedback(self, feedback: Feedback) -> Turn:
        """Store the feedback on the last turn (judged after the branch was taken)."""
        self.turns[-1] = self.turns[-1].model_copy(update={"feedback": feedback})
        return self.turns[-1]

    def branch_taken(self, turn: Turn) -> Branch:
        """The scenario's branch that ``turn`` took (its note is the author's teaching for it)."""
        return self.scenario.nodes[turn.client.node].responses[turn.branch]

    def rewind(self) -> Turn | None:
        """Undo the last turn exactly; returns it, or None at the start."""
        if not self.turns:
            return None
        self._state = self._history.pop()
        self.ended_at = ""
        return self.turns.pop()

    def choose_branch(self, text: str, coding: ResponseCoding) -> tuple[int, Branch]:
        for index, branch in enumerate(self.node.responses):
            if branch.when is None or self._matches(branch.when, text, coding):
                return index, branch
        # The validator refuses nodes without a fallback; this only guards hand-built models.
        raise MitrainerError(f"node '{self.node_id}' has no branch for this response and no fallback")

    def _matches(self, when: When, text: str, coding: ResponseCoding) -> bool:
        if when.skills and not coding.has(*when.skills):
            return False
        if when.keywords and not keyword_hit(text, when.keywords):
            return False
        if when.direction is not None and coding.direction is not when.direction:
            return False
        if when.if_ is not None and not self._holds(when.if_):
            return False
        return True

    def _holds(self, condition: str) -> bool:
        return bool(conditions.evaluate(compiled_condition(condition), self._state.variables, self._functions()))

    def _functions(self) -> dict[str, Callable[..., conditions.Value]]:
        def used(code: str) -> int:
            skill = SkillCode.parse(code)
            return sum(1 for turn in self.turns if skill is not None and turn.coding.has(skill))

        def towards(direction: str) -> int:
            return sum(1 for turn in self.turns if turn.coding.direction is not None
                       and turn.coding.direction.value == direction)

        return {"visits": self.visits, "turn": lambda: len(self.turns), "used": used, "towards": towards}

    @property
    def debrief(self) -> str:
        """The ending's debrief for this session: the first variant whose condition holds, else the default."""
        ending = self.ending
        if ending is None:
            return ""
        return next((v.debrief for v in ending.debriefs if self._holds(v.if_)), ending.debrief)

    def _apply(self, branch: Branch) -> dict:
        variables = dict(self._state.variables)
        for name, value in branch.effects.set.items():
            variables[name] = value
        for name, amount in branch.effects.add.items():
            variables[name] = variables[name] + amount
        for name, var in self.scenario.variables.items():
            value = variables[name]
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                if var.min is not None and value < var.min:
                    value = type(value)(var.min)
                if var.max is not None and value > var.max:
                    value = type(value)(var.max)
                variables[name] = value
        return variables

    # -- records -----------------------------------------------------------------------
    def record(self) -> SessionRecord:
        """The complete, versioned record of this session."""
        ending = self.ending
        scenario = self.scenario
        return SessionRecord(
            app_version=__version__,
            session_id=self.session_id,
            scenario=ScenarioRef(id=scenario.id, title=scenario.title, version=scenario.version,
                                 language=scenario.language, content_hash=scenario.content_hash()),
            seed=self.seed,
            coder=self.coder.name if self.coder is not None else "",
            started_at=self.started_at,
            ended_at=self.ended_at,
            turns=tuple(self.turns),
            current=self.current_line,
            variables=self.variables,
            ending=None if ending is None else Ending(node=self.node_id, outcome=ending.outcome, title=ending.title,
                                                      debrief=self.debrief),
            reflections=dict(self.reflections),
            start=self.start,
        )

    @classmethod
    def resume(cls, scenario: Scenario, record: SessionRecord, coder: Coder | None = None,
               clock: Clock = utc_now) -> Session:
        """Rebuild a session from its record by replaying every turn's recorded coding.

        Replaying (instead of trusting stored state) keeps rewind exact after a resume
        and notices a scenario that changed under the record.
        """
        session = cls(scenario, seed=record.seed, coder=coder, clock=clock, session_id=record.session_id,
                      started_at=record.started_at, start=record.start)
        for turn in record.turns:
            if turn.client.node != session.node_id:
                raise MitrainerError(
                    f"the scenario changed since this session was recorded (turn {turn.index + 1} was at "
                    f"'{turn.client.node}', the scenario now leads to '{session.node_id}')")
            replayed = session.respond(turn.response, turn.coding, guided=turn.guided)
            session.turns[-1] = replayed.model_copy(update={"at": turn.at, "feedback": turn.feedback})
        session.ended_at = record.ended_at or session.ended_at
        session.reflections = dict(record.reflections)
        return session
