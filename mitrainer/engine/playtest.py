"""Random play-throughs that find dead ends, endless loops and endings never reached.

Each walk starts a fresh :class:`Session` and, at every node, picks at random among the
node's exemplars and distractors (coded as their authors state) and *probes*: one
synthetic response for each skill a branch tests, so every branch has a chance to be
taken even when no exemplar exercises it. Keywords a branch tests are added to probes.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from mitrainer.codes import SkillCode
from mitrainer.coding.base import ResponseCoding
from mitrainer.engine.session import Session
from mitrainer.scenario.model import Node, Scenario
from mitrainer.scenario.validate import dead_ends

DEFAULT_MAX_TURNS = 200


@dataclass(frozen=True)
class Choice:
    text: str
    coding: ResponseCoding
    source: str  # "exemplar", "distractor" or "probe"


@dataclass
class PlaytestReport:
    scenario_id: str
    walks: int
    max_turns: int
    endings_reached: Counter = field(default_factory=Counter)
    outcomes: Counter = field(default_factory=Counter)
    node_visits: Counter = field(default_factory=Counter)
    branch_hits: Counter = field(default_factory=Counter)
    endless: int = 0
    endless_example: list[str] = field(default_factory=list)
    turns_total: int = 0
    all_endings: list[str] = field(default_factory=list)
    all_nodes: list[str] = field(default_factory=list)
    all_branches: list[tuple[str, int]] = field(default_factory=list)
    dead_ends: list[str] = field(default_factory=list)

    @property
    def endings_missed(self) -> list[str]:
        return [e for e in self.all_endings if e not in self.endings_reached]

    @property
    def nodes_missed(self) -> list[str]:
        return [n for n in self.all_nodes if n not in self.node_visits]

    @property
    def branches_missed(self) -> list[tuple[str, int]]:
        return [b for b in self.all_branches if b not in self.branch_hits]

    @property
    def node_coverage(self) -> float:
        return len(self.node_visits) / len(self.all_nodes) if self.all_nodes else 0.0

    @property
    def branch_coverage(self) -> float:
        return (len(self.all_branches) - len(self.branches_missed)) / len(self.all_branches) if self.all_branches else 1.0

    @property
    def ok(self) -> bool:
        return not self.endless and not self.endings_missed and not self.dead_ends

    def to_json(self) -> dict:
        return {
            "scenario": self.scenario_id,
            "walks": self.walks,
            "max_turns": self.max_turns,
            "mean_turns": round(self.turns_total / self.walks, 2) if self.walks else 0,
            "endings_reached": dict(self.endings_reached),
            "outcomes": dict(self.outcomes),
            "endings_missed": self.endings_missed,
            "dead_ends": self.dead_ends,
            "endless_walks": self.endless,
            "endless_example": self.endless_example,
            "node_coverage": round(self.node_coverage, 4),
            "nodes_missed": self.nodes_missed,
            "branch_coverage": round(self.branch_coverage, 4),
            "branches_missed": [f"{n}#{i}" for n, i in self.branches_missed],
            "ok": self.ok,
        }


def choices_for(node: Node) -> list[Choice]:
    """Every response a walk may give at ``node``."""
    options: list[Choice] = []
    for source, items in (("exemplar", node.exemplars), ("distractor", node.distractors)):
        for item in items:
            options.append(Choice(item.text, item.coding(), source))
    for branch in node.responses:
        if branch.when is None:
            continue
        keyword = branch.when.keywords[0] if branch.when.keywords else ""
        direction = branch.when.direction
        for code in branch.when.skills or [SkillCode.OTHER]:
            text = f"[probe {code.value}{' ' + direction.value if direction else ''}] {keyword}".strip()
            options.append(Choice(text, ResponseCoding.manual(code, coder="probe", direction=direction), "probe"))
    options.append(Choice("[probe other]", ResponseCoding.manual(SkillCode.OTHER, coder="probe"), "probe"))
    return options


def playtest(scenario: Scenario, walks: int, seed: int = 0, max_turns: int = DEFAULT_MAX_TURNS,
             progress: Callable[[int], None] | None = None) -> PlaytestReport:
    rng = random.Random(seed)
    report = PlaytestReport(
        scenario.id, walks, max_turns,
        all_endings=list(scenario.endings()), all_nodes=list(scenario.nodes),
        all_branches=[(nid, i) for nid, node in scenario.nodes.items() for i in range(len(node.responses))],
        dead_ends=dead_ends(scenario),
    )
    options = {nid: choices_for(node) for nid, node in scenario.nodes.items()}
    for walk in range(walks):
        session = Session(scenario, seed=rng.randrange(1 << 30), clock=_fixed_clock)
        report.node_visits[session.node_id] += 1
        path = [session.node_id]
        while not session.finished and len(session.turns) < max_turns:
            choice = rng.choice(options[session.node_id])
            node_before = session.node_id
            turn = session.respond(choice.text, choice.coding)
            report.branch_hits[(node_before, turn.branch)] += 1
            report.node_visits[session.node_id] += 1
            path.append(session.node_id)
        report.turns_total += len(session.turns)
        ending = session.ending
        if ending is not None:
            report.endings_reached[session.node_id] += 1
            report.outcomes[ending.outcome] += 1
        else:
            report.endless += 1
            if not report.endless_example:
                report.endless_example = path[-12:]
        if progress is not None:
            progress(walk + 1)
    return report


def _fixed_clock():
    from datetime import UTC, datetime

    return datetime(2000, 1, 1, tzinfo=UTC)
