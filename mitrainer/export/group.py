"""A study group's sessions side by side: scores, skills, change talk, and where paths parted.

Members are bundles (one session each). For members who played the same scenario (same id
and content hash) the report shows where their paths through the scenario diverged: for
each pair, the first turn whose response led them to different nodes; and for the whole
group, each point where the paths split, with the responses that took each branch and the
endings those members reached.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import combinations
from typing import ClassVar

from mitrainer.export.bundles import Bundle
from mitrainer.export.library import ScenarioIndex
from mitrainer.export.view import CodeView, labelled_metrics, score_record
from mitrainer.i18n import DEFAULT_LANGUAGE, current_language, normalise_language, text_in, words
from mitrainer.record.model import SessionRecord
from mitrainer.scoring import Metric, SessionScore

# The skills compared side by side (metric keys of the rubric), in the order shown. Their
# short column headings (R:Q, %CR …) are report.short.* in the catalogs.
SKILL_KEYS = ("rq_ratio", "pct_complex", "pct_open", "ct_proportion", "adherent", "non_adherent",
              "technical", "relational")
PAIRWISE_LIMIT = 12  # beyond this many members a pairwise table is unreadable; branch points remain


@dataclass(frozen=True)
class Member:
    """One member's session in the group."""

    name: str
    bundle: Bundle
    score: SessionScore
    path: tuple[str, ...]  # the client's node at every turn, then the node where it stopped
    responses: tuple[str, ...]
    primaries: tuple[CodeView | None, ...]
    ending: str  # ending title (or outcome); "" when unfinished
    outcome: str
    talks: tuple[str, ...]

    @property
    def scenario_key(self) -> tuple[str, str]:
        info = self.bundle.record.scenario
        return info.id, info.content_hash

    @property
    def scenario_title(self) -> str:
        info = self.bundle.record.scenario
        return info.title or info.id

    @property
    def turns(self) -> int:
        return len(self.responses)

    @property
    def metrics(self) -> dict[str, Metric]:
        """The member's measures by key (what a template reads for ``metric(key)``)."""
        return {m.key: m for m in self.score.metrics}

    def metric(self, key: str) -> Metric | None:
        return self.score.metric(key)


@dataclass(frozen=True)
class Divergence:
    """Where two members' paths parted: after turn ``turn`` (1-based) at node ``node``."""

    first: Member
    second: Member
    turn: int | None  # None: the paths never parted (identical, or one stopped earlier)
    node: str = ""

    @property
    def first_response(self) -> str:
        return self.first.responses[self.turn - 1] if self.turn else ""

    @property
    def second_response(self) -> str:
        return self.second.responses[self.turn - 1] if self.turn else ""

    @property
    def first_next(self) -> str:
        return self.first.path[self.turn] if self.turn else ""

    @property
    def second_next(self) -> str:
        return self.second.path[self.turn] if self.turn else ""


@dataclass(frozen=True)
class BranchOption:
    """One way the group went at a branch point."""

    next_node: str
    members: tuple[Member, ...]
    endings: tuple[tuple[str, int], ...]  # ending title → how many of these members reached it

    def response_of(self, member: Member, turn: int) -> str:
        return member.responses[turn - 1]


@dataclass(frozen=True)
class BranchPoint:
    """A node where members who had taken the same path so far answered into different branches."""

    turn: int  # 1-based turn whose responses split the group
    node: str
    client_line: str
    options: tuple[BranchOption, ...]


@dataclass
class ScenarioGroup:
    """Members who played the same scenario version."""

    scenario_id: str
    title: str
    members: list[Member] = field(default_factory=list)
    language: str = DEFAULT_LANGUAGE  # the report's (for "(not finished)")
    # Templates receive plain data: these methods reach them as values (mitrainer.export.sandbox.plain).
    TEMPLATE_VALUES: ClassVar[tuple[str, ...]] = ("endings", "pairwise", "branch_points")

    @property
    def unfinished(self) -> str:
        """What the report calls the ending of a session that did not reach one."""
        return text_in(self.language, "report.not_finished_ending")

    def endings(self) -> list[tuple[str, list[Member]]]:
        """Each ending reached (unfinished last), with who reached it."""
        found: dict[str, list[Member]] = {}
        for m in self.members:
            found.setdefault(m.ending or self.unfinished, []).append(m)
        return sorted(found.items(), key=lambda kv: (kv[0] == self.unfinished, -len(kv[1]), kv[0]))

    def pairwise(self) -> list[Divergence]:
        """First divergence for every pair (only for groups small enough to read pairwise)."""
        if len(self.members) > PAIRWISE_LIMIT:
            return []
        return [first_divergence(a, b) for a, b in combinations(self.members, 2)]

    def branch_points(self, limit: int = 30) -> list[BranchPoint]:
        """Where the group's paths split, earliest first (at most ``limit``)."""
        points: list[BranchPoint] = []
        # Breadth-first over shared path prefixes: members grouped by the path so far.
        frontier: list[tuple[int, list[Member]]] = [(0, list(self.members))]
        while frontier and len(points) < limit:
            next_frontier: list[tuple[int, list[Member]]] = []
            for depth, members in frontier:
                going_on = [m for m in members if len(m.path) > depth + 1]
                by_next: dict[str, list[Member]] = {}
                for m in going_on:
                    by_next.setdefault(m.path[depth + 1], []).append(m)
                if len(by_next) > 1:
                    node = members[0].path[depth]
                    line = _client_line(going_on[0], depth)
                    options = tuple(BranchOption(nxt, tuple(ms), _ending_counts(ms, self.unfinished))
                                    for nxt, ms in sorted(by_next.items(), key=lambda kv: (-len(kv[1]), kv[0])))
                    points.append(BranchPoint(depth + 1, node, line, options))
                next_frontier.extend((depth + 1, ms) for ms in by_next.values() if len(ms) > 1)
            frontier = sorted(next_frontier, key=lambda item: item[0])
        return points[:limit]


def _client_line(member: Member, depth: int) -> str:
    turns = member.bundle.record.turns
    return turns[depth].client.text if depth < len(turns) else ""


def _ending_counts(members: Sequence[Member], unfinished: str) -> tuple[tuple[str, int], ...]:
    counts: dict[str, int] = {}
    for m in members:
        key = m.ending or unfinished
        counts[key] = counts.get(key, 0) + 1
    return tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def node_path(record: SessionRecord) -> tuple[str, ...]:
    """The client's node at each turn, then the node where the session stopped."""
    path = [t.client.node for t in record.turns]
    if record.current is not None and record.current.node:
        path.append(record.current.node)
    elif record.turns:
        path.append(record.turns[-1].next_node)
    return tuple(path)


def first_divergence(a: Member, b: Member) -> Divergence:
    """The first turn after which the two members were at different nodes (None if never)."""
    for i, (x, y) in enumerate(zip(a.path, b.path, strict=False)):
        if x != y:
            # Position i differs, so the responses at turn i (1-based), given at node i-1, split them.
            return Divergence(a, b, i, a.path[i - 1] if i else "")
    return Divergence(a, b, None)


def member_of(bundle: Bundle, scenarios: ScenarioIndex, name: str, language: str = DEFAULT_LANGUAGE) -> Member:
    """One member's session, its measures and codes named in ``language``."""
    record = bundle.record
    score = score_record(record, scenarios.find(record.scenario))
    score = replace(score, metrics=labelled_metrics(score.metrics, language))
    ending = record.ending
    primaries = tuple(CodeView.of(t.coding.primary, language=language) if t.coding.primary else None
                      for t in record.turns)
    lines = [t.client for t in record.turns] + ([record.current] if record.current is not None else [])
    return Member(
        name=name, bundle=bundle, score=score, path=node_path(record),
        responses=tuple(t.response for t in record.turns), primaries=primaries,
        ending=(ending.title or ending.outcome) if ending else "", outcome=ending.outcome if ending else "",
        talks=tuple(line.talk.value if line.talk else "" for line in lines),
    )


@dataclass
class GroupReport:
    """Every member's session, and the members grouped by scenario."""

    members: list[Member]
    groups: list[ScenarioGroup]
    skill_keys: tuple[str, ...] = SKILL_KEYS
    language: str = DEFAULT_LANGUAGE  # the language of its words (the interface's)
    TEMPLATE_VALUES: ClassVar[tuple[str, ...]] = ("skill_labels",)

    def skill_labels(self) -> list[tuple[str, str]]:
        """(key, label) of the skills compared, labels from the rubric of the first member that has them."""
        labels = []
        for key in self.skill_keys:
            metric = next((m.metric(key) for m in self.members if m.metric(key) is not None), None)
            if metric is not None:
                labels.append((key, metric.label))
        return labels

    def short(self, key: str) -> str:
        """A skill's short column heading (R:Q, %CR …)."""
        return self.skill_short.get(key, key)

    @property
    def skill_short(self) -> dict[str, str]:
        """Every skill's short column heading, by key (for templates)."""
        return words(self.language, "report.short.")


def group_report(bundles: Sequence[Bundle], scenarios: ScenarioIndex, language: str | None = None) -> GroupReport:
    """Build the report for bundles already read and checked, in ``language`` (default: the
    interface's: a group report covers sessions in several)."""
    language = normalise_language(language) or current_language()
    names: dict[str, int] = {}
    members = []
    for bundle in bundles:
        # Two bundles by one person (or two people with one name) stay apart: "Ana", "Ana (2)".
        base = bundle.name
        names[base] = names.get(base, 0) + 1
        name = base if names[base] == 1 else f"{base} ({names[base]})"
        members.append(member_of(bundle, scenarios, name, language))
    groups: dict[tuple[str, str], ScenarioGroup] = {}
    for member in members:
        group = groups.setdefault(member.scenario_key, ScenarioGroup(member.scenario_key[0], member.scenario_title,
                                                                     language=language))
        group.members.append(member)
    ordered = sorted(groups.values(), key=lambda g: (-len(g.members), g.title))
    return GroupReport(members, ordered, language=language)
