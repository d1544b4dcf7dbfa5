"""MI-aware lint: warnings about scenarios that would teach the wrong lesson (M101–M105).

The whole-scenario checks (``validate.py``) make sure a scenario runs; these make sure it
rewards MI. A client who defends the status quo should respond to being heard; model
responses should show more than one way to respond; reflecting change talk should lead
somewhere persuading does not; and the best endings should be reachable without the
righting reflex. Each check reads the branch structure only (conditions are not evaluated,
as for S102), and is documented with its reasons in ``docs/diagnostics.md``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from functools import lru_cache

from mitrainer.codes import SkillCode, TalkType
from mitrainer.errors import Diagnostic, Severity
from mitrainer.safeyaml import PositionMap
from mitrainer.scenario.model import Branch, Ending, Node, Scenario

NO_MI_ANSWER = "M101"
NARROW_EXEMPLARS = "M102"
REFLECTING_LIKE_PERSUADING = "M103"
GOOD_ENDING_ONLY_BY_RIGHTING_REFLEX = "M104"
NOTE_FOR_MIXED_CODES = "M105"

# What answers sustain talk and discord in MI: reflecting it (simple, complex, or in a
# summary) or handing the choice back to the client.
MI_ANSWERS = frozenset({SkillCode.SIMPLE_REFLECTION, SkillCode.COMPLEX_REFLECTION, SkillCode.SUMMARY,
                        SkillCode.EMPHASIZING_AUTONOMY})
REFLECTIONS = (SkillCode.SIMPLE_REFLECTION, SkillCode.COMPLEX_REFLECTION)
# Everything a counsellor may do short of the righting reflex; 'other' (greetings, filler) is
# not a way to move a conversation on.
MI_CONSISTENT = frozenset(c for c in SkillCode if not c.righting_reflex and c is not SkillCode.OTHER)
MIN_EXEMPLAR_CODES = 3
# Outcome labels that name what a conversation or drill aims for (a label may add to them:
# commitment_joint_session). An ending's own 'good:' overrides this.
GOOD_OUTCOMES = ("commitment", "fluent", "informed_consent", "safety_plan", "engaged")


def is_good_outcome(ending: Ending) -> bool:
    """Whether an ending is one MI-consistent play aims for: its ``good:``, else its label."""
    if ending.good is not None:
        return ending.good
    return any(ending.outcome == g or ending.outcome.startswith(g + "_") for g in GOOD_OUTCOMES)


def lint_scenario(scenario: Scenario, positions: PositionMap, file: str) -> list[Diagnostic]:
    """Every MI lint warning for a scenario that passed the whole-scenario checks."""
    found: list[Diagnostic] = []

    def warn(code: str, message: str, path: tuple, hint: str) -> None:
        found.append(Diagnostic(code, Severity.WARNING, message, file, positions.of(path, key=True), hint))

    # Drills grade one skill by design (the task is in the cue): M101–M103 would ask them to
    # reward or model skills they are not about.
    conversation = scenario.kind == "conversation"
    for nid, node in scenario.nodes.items():
        for index, branch in enumerate(node.responses):
            mixed = _mixed_note(branch)
            if mixed:
                warn(NOTE_FOR_MIXED_CODES, f"node '{nid}': one note for the righting reflex ({mixed[0]}) and for "
                     f"{mixed[1]}; it cannot be true of both", ("nodes", nid, "responses", index, "note"),
                     "split the branch: one for persuade and confront, one for the other codes, each with a "
                     "note written for what it covers (the same goto and effects are fine)")
        if node.is_ending or not conversation:
            continue
        base = ("nodes", nid)
        if node.talk in (TalkType.SUSTAIN, TalkType.DISCORD) and not any(_answers_in_mi(b) for b in node.responses):
            warn(NO_MI_ANSWER, f"node '{nid}': {node.talk.value} {'talk ' if node.talk is TalkType.SUSTAIN else ''}"
                 "with no branch for a reflection or for emphasising autonomy (only the fallback)",
                 base + ("responses",), "add a branch with 'skills: [complex_reflection, simple_reflection, "
                 "emphasizing_autonomy]' that lowers discord or builds rapport")
        codes = {_parse(code) or code for exemplar in node.exemplars for code in exemplar.codes}
        if node.exemplars and len(codes) < MIN_EXEMPLAR_CODES:
            warn(NARROW_EXEMPLARS, f"node '{nid}': its exemplars show {len(codes)} kind(s) of response "
                 f"({', '.join(sorted(_name(c) for c in codes))})", base + ("exemplars",),
                 f"give exemplars with at least {MIN_EXEMPLAR_CODES} different codes (a reflection, an open "
                 "question, an affirmation, …), so hints and guided mode show more than one way")
        if node.talk is TalkType.CHANGE:
            reflecting = _outcomes(node.responses, REFLECTIONS)
            if reflecting == _outcomes(node.responses, (SkillCode.PERSUADE,)):
                warn(REFLECTING_LIKE_PERSUADING, f"node '{nid}': reflecting this change talk leads to the same "
                     f"place as persuading ('{reflecting[0][0]}', same effects)", base + ("responses",),
                     "let a reflection of change talk raise readiness or lead further than persuading does")
    found += _good_endings_need_righting_reflex(scenario, positions, file)
    return found


_parse = lru_cache(maxsize=256)(SkillCode.parse)


def _mixed_note(branch: Branch) -> tuple[str, str] | None:
    """(righting-reflex codes, other codes) when a branch with a note is taken by both kinds.

    A note is the scenario's teaching for the response that took the branch: one written for
    persuading ("arguing makes him defend drinking") is false of plain information, and one
    written for information is false of a confrontation.
    """
    when = branch.when
    if when is None or not branch.note.strip():
        return None
    reflex = [c.value for c in when.skills if c.righting_reflex]
    other = [c.value for c in when.skills if not c.righting_reflex]
    return (", ".join(reflex), ", ".join(other)) if reflex and other else None


def _name(code: SkillCode | str) -> str:
    return code.value if isinstance(code, SkillCode) else code


def _answers_in_mi(branch: Branch) -> bool:
    """A branch (not the fallback) taken for a reflection or autonomy, or for the side a reflection takes."""
    when = branch.when
    if when is None:
        return False
    return bool(MI_ANSWERS.intersection(when.skills)) or (not when.skills and when.direction is not None)


def _may_take(branch: Branch, code: SkillCode) -> bool:
    when = branch.when
    return when is None or not when.skills or code in when.skills


def _surely_takes(branch: Branch, code: SkillCode) -> bool:
    """Whether every response with this code takes the branch (nothing else is asked of it)."""
    when = branch.when
    if when is None:
        return True
    unconditional = not when.keywords and when.direction is None and when.if_ is None
    return unconditional and (not when.skills or code in when.skills)


def _outcomes(branches: list[Branch], codes: Iterable[SkillCode]) -> list[tuple]:
    """Where a response with one of ``codes`` may go: (goto, effects, condition) of each branch
    it could take, in order. Keywords, direction and conditions are unknown here, so a branch
    that asks for them may or may not be taken; the first one that needs nothing ends the list."""
    found: list[tuple] = []
    for code in codes:
        for branch in branches:
            if not _may_take(branch, code):
                continue
            outcome = (branch.goto, branch.effects, branch.when.if_ if branch.when else None)
            if outcome not in found:
                found.append(outcome)
            if _surely_takes(branch, code):
                break
    return found


def _mi_consistent_edges(node: Node) -> list[str]:
    """The nodes a response short of the righting reflex may lead to from ``node``: a branch
    counts when some MI-consistent code may take it that no earlier branch surely takes."""
    nexts: list[str] = []
    open_codes = set(MI_CONSISTENT)  # the codes no earlier branch surely takes
    for branch in node.responses:
        when = branch.when
        if not open_codes:
            break
        allowed = open_codes if when is None or not when.skills else open_codes.intersection(when.skills)
        if allowed:
            nexts.append(branch.goto)
        if when is None or (not when.keywords and when.direction is None and when.if_ is None):
            open_codes -= allowed
    return nexts


def _reachable(scenario: Scenario, successors: Callable[[Node], list[str]]) -> set[str]:
    nodes = scenario.nodes
    seen = {scenario.start}
    queue = deque(seen)
    while queue:
        for nxt in successors(nodes[queue.popleft()]):
            if nxt in nodes and nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _good_endings_need_righting_reflex(scenario: Scenario, positions: PositionMap, file: str) -> list[Diagnostic]:
    good = [nid for nid, node in scenario.nodes.items() if node.ending is not None and is_good_outcome(node.ending)]
    if not good or scenario.start not in scenario.nodes:
        return []
    in_mi = _reachable(scenario, _mi_consistent_edges)
    if all(nid in in_mi for nid in good):
        return []
    anyhow = _reachable(scenario, lambda node: [b.goto for b in node.responses])
    return [Diagnostic(GOOD_ENDING_ONLY_BY_RIGHTING_REFLEX, Severity.WARNING,
                       f"ending '{nid}' ({scenario.nodes[nid].ending.outcome}) can be reached only by persuading "  # type: ignore[union-attr]
                       "or confronting on the way", file, positions.of(("nodes", nid), key=True),
                       "lead MI-consistent responses to it, or mark it 'good: false' if it is not an outcome to aim for")
            for nid in good if nid in anyhow and nid not in in_mi]
