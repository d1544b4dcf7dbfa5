"""A study group's sessions side by side: scores, skills, change talk, and where paths parted.

Members are bundles (one session each). The same file given twice counts once (by session
id); a person's second session is labelled as such ("An, session 2"), never as another
person. ``anonymise`` labels people A, B, C … (the bundles are only read: their checksums
hold). For members who played the same scenario (same id and content hash) the report shows
the same moment across members: every node two or more reached, with each member's
response, its codes and where it led; where their paths diverged (for each pair, the first
turn whose response led them to different nodes; for the whole group, each point where the
paths split, with the responses that took each branch and the endings reached); and each
member's full transcript.

A node is named by what the client says there, shortened (:func:`node_title`): scenario
nodes have no title of their own, and the client's words are what a group remembers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import combinations
from typing import ClassVar

from mitrainer.export.bundles import Bundle
from mitrainer.export.charts import metric_range
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
TITLE_LENGTH = 60  # characters of the client's line that name a node


def node_title(line: str, limit: int = TITLE_LENGTH) -> str:
    """A node named by the client's line there, cut at a word within ``limit`` characters."""
    text = " ".join(line.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,.;:—-") + "…"


@dataclass(frozen=True)
class TranscriptTurn:
    """One turn of a member's transcript: what the client said, the response and its codes."""

    number: int
    client: str
    response: str
    codes: tuple[CodeView, ...]
    comments: tuple[tuple[str, str], ...] = ()  # (reviewer, comment) from the session's review file


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
    titles: tuple[str, ...] = ()  # the node at each place of ``path``, named by the client's line
    transcript: tuple[TranscriptTurn, ...] = ()
    person: str = ""  # who, whatever the session: the same for a person's second session

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
        return self.first.titles[self.turn] if self.turn else ""

    @property
    def second_next(self) -> str:
        return self.second.titles[self.turn] if self.turn else ""

    @property
    def node_title(self) -> str:
        return self.first.titles[self.turn - 1] if self.turn else ""


@dataclass(frozen=True)
class BranchOption:
    """One way the group went at a branch point."""

    next_node: str
    members: tuple[Member, ...]
    endings: tuple[tuple[str, int], ...]  # ending title → how many of these members reached it
    next_title: str = ""

    def response_of(self, member: Member, turn: int) -> str:
        return member.responses[turn - 1]


@dataclass(frozen=True)
class BranchPoint:
    """A node where members who had taken the same path so far answered into different branches."""

    turn: int  # 1-based turn whose responses split the group
    node: str
    client_line: str
    options: tuple[BranchOption, ...]
    title: str = ""


@dataclass(frozen=True)
class Visit:
    """One member at a node: the turn, their response, its codes and where it led."""

    member: Member
    turn: int  # 1-based
    response: str
    codes: tuple[CodeView, ...]
    next_title: str  # "" when the session stopped there


@dataclass(frozen=True)
class Moment:
    """A node two or more members reached, and what each said there."""

    node: str
    title: str
    client_line: str
    visits: tuple[Visit, ...]


@dataclass
class ScenarioGroup:
    """Members who played the same scenario version."""

    scenario_id: str
    title: str
    members: list[Member] = field(default_factory=list)
    language: str = DEFAULT_LANGUAGE  # the report's (for "(not finished)")
    # Templates receive plain data: these methods reach them as values (mitrainer.export.sandbox.plain).
    TEMPLATE_VALUES: ClassVar[tuple[str, ...]] = ("endings", "pairwise", "branch_points", "moments")

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
                    options = tuple(BranchOption(nxt, tuple(ms), _ending_counts(ms, self.unfinished),
                                                 ms[0].titles[depth + 1])
                                    for nxt, ms in sorted(by_next.items(), key=lambda kv: (-len(kv[1]), kv[0])))
                    points.append(BranchPoint(depth + 1, node, line, options, going_on[0].titles[depth]))
                next_frontier.extend((depth + 1, ms) for ms in by_next.values() if len(ms) > 1)
            frontier = sorted(next_frontier, key=lambda item: item[0])
        return points[:limit]


    def moments(self) -> list[Moment]:
        """Every node that two or more members reached (at any turn), in the order the group
        first met them, with each member's response there, its codes and where it led."""
        visits: dict[str, list[Visit]] = {}
        first_seen: dict[str, tuple[int, int]] = {}
        for order, m in enumerate(self.members):
            for depth, turn in enumerate(m.transcript):
                node = m.path[depth]
                first_seen.setdefault(node, (depth, order))
                visits.setdefault(node, []).append(Visit(m, turn.number, turn.response, turn.codes,
                                                         m.titles[depth + 1] if depth + 1 < len(m.titles) else ""))
        shared = [node for node, found in visits.items() if len({v.member.name for v in found}) > 1]
        result = []
        for node in sorted(shared, key=lambda n: first_seen[n]):
            depth, order = first_seen[node]
            member = self.members[order]
            result.append(Moment(node, member.titles[depth], member.transcript[depth].client, tuple(visits[node])))
        return result


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


def member_of(bundle: Bundle, scenarios: ScenarioIndex, name: str, language: str = DEFAULT_LANGUAGE,
              person: str = "", comments: Sequence[Comment] = ()) -> Member:
    """One member's session, its measures and codes named in ``language``, with reviewers'
    ``comments`` on its turns."""
    record = bundle.record
    score = score_record(record, scenarios.find(record.scenario))
    score = replace(score, metrics=labelled_metrics(score.metrics, language))
    ending = record.ending
    primaries = tuple(CodeView.of(t.coding.primary, language=language) if t.coding.primary else None
                      for t in record.turns)
    lines = [t.client for t in record.turns] + ([record.current] if record.current is not None else [])
    transcript = tuple(
        TranscriptTurn(t.index + 1, t.client.text, t.response,
                       tuple(CodeView.of(c.code, c.confidence, language) for c in t.coding.codes),
                       tuple((c.reviewer, c.text) for c in comments if c.turn == t.index))
        for t in record.turns)
    path = node_path(record)
    titles = tuple(node_title(line.text) for line in lines)
    titles += (path[-1],) * (len(path) - len(titles))  # a stop without a line of its own keeps its id
    return Member(
        name=name, bundle=bundle, score=score, path=path,
        responses=tuple(t.response for t in record.turns), primaries=primaries,
        ending=(ending.title or ending.outcome) if ending else "", outcome=ending.outcome if ending else "",
        talks=tuple(line.talk.value if line.talk else "" for line in lines),
        titles=titles[:len(path)], transcript=transcript, person=person or name,
    )


@dataclass(frozen=True)
class Comment:
    """A reviewer's comment on a turn (0-based) of a session, from its review file."""

    reviewer: str
    turn: int
    text: str


def _letters(n: int) -> str:
    """A, B, … Z, AA, AB …: the n-th (0-based) anonymous label."""
    label = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        label = chr(ord("A") + rest) + label
    return label


@dataclass
class GroupReport:
    """Every member's session, and the members grouped by scenario."""

    members: list[Member]
    groups: list[ScenarioGroup]
    skill_keys: tuple[str, ...] = SKILL_KEYS
    language: str = DEFAULT_LANGUAGE  # the language of its words (the interface's)
    repeated: list[str] = field(default_factory=list)  # bundles left out: a session already given
    anonymised: bool = False
    TEMPLATE_VALUES: ClassVar[tuple[str, ...]] = ("skill_labels", "scales")

    def scales(self) -> dict[str, tuple[float, float]]:
        """One axis per measure for every member's bar: the widest any member's value needs,
        so that equal lengths mean equal values and the thresholds sit at one place."""
        axes: dict[str, tuple[float, float]] = {}
        for member in self.members:
            for metric in member.score.metrics:
                low, high = metric_range(metric)
                if metric.key in axes:
                    low, high = min(low, axes[metric.key][0]), max(high, axes[metric.key][1])
                axes[metric.key] = (low, high)
        return axes

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


def group_report(bundles: Sequence[Bundle], scenarios: ScenarioIndex, language: str | None = None, *,
                 anonymise: bool = False, comments: Mapping[str, Sequence[Comment]] | None = None) -> GroupReport:
    """Build the report for bundles already read and checked, in ``language`` (default: the
    interface's: a group report covers sessions in several).

    A session given twice (the same session id) counts once, listed in
    :attr:`GroupReport.repeated`. A person (a trainee name, whatever the case) with several
    sessions is one person whose later sessions are labelled "An, session 2"; ``anonymise``
    names people A, B, C … in the order first given. ``comments`` (by session id) are the
    reviewers' comments on turns, shown in the transcripts; anonymised, a reviewer who is a
    member takes their letter and anyone else is "a reviewer".
    """
    language = normalise_language(language) or current_language()
    people: dict[str, str] = {}  # a person's key → how the report names them
    for bundle in bundles:
        people.setdefault(bundle.name.casefold(), _letters(len(people)) if anonymise else bundle.name)

    def reviewer(name: str) -> str:
        if not anonymise:
            return name
        return people.get(name.casefold(), text_in(language, "report.a_reviewer"))

    sessions: dict[str, int] = {}  # a person's key → sessions so far
    seen: set[str] = set()
    members, repeated = [], []
    for bundle in bundles:
        if bundle.session_id in seen:
            repeated.append(bundle.path.name if bundle.path else bundle.session_id)
            continue
        seen.add(bundle.session_id)
        key = bundle.name.casefold()
        sessions[key] = sessions.get(key, 0) + 1
        person = people[key]
        name = person if sessions[key] == 1 else text_in(language, "report.nth_session", name=person, n=sessions[key])
        remarks = [replace(c, reviewer=reviewer(c.reviewer)) for c in (comments or {}).get(bundle.session_id, ())]
        members.append(member_of(bundle, scenarios, name, language, person, remarks))
    groups: dict[tuple[str, str], ScenarioGroup] = {}
    for member in members:
        group = groups.setdefault(member.scenario_key, ScenarioGroup(member.scenario_key[0], member.scenario_title,
                                                                     language=language))
        group.members.append(member)
    ordered = sorted(groups.values(), key=lambda g: (-len(g.members), g.title))
    return GroupReport(members, ordered, language=language, repeated=repeated, anonymised=anonymise)
