"""Whole-scenario checks: what the models alone cannot see.

Every problem is collected in one pass and comes back as a :class:`Diagnostic` with a
stable code (listed in ``docs/diagnostics.md``) and the position of the offending part.
Errors (S0xx) make a scenario unplayable; warnings (S1xx) point at authoring mistakes
that still leave it playable.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping

from mitrainer.codes import Direction, SkillCode
from mitrainer.errors import Diagnostic, Severity, did_you_mean
from mitrainer.safeyaml import PathKey, PositionMap
from mitrainer.scenario import conditions
from mitrainer.scenario.lint import lint_scenario
from mitrainer.scenario.model import SCHEMA_VERSION, Scenario, value_fits

# Errors
BAD_SCHEMA_VERSION = "S005"
MISSING_START = "S010"
UNKNOWN_GOTO = "S011"
UNDECLARED_VARIABLE = "S012"
BAD_CONDITION = "S013"
NO_FALLBACK = "S014"
BAD_EFFECT = "S016"
ENDING_WITH_RESPONSES = "S018"
BAD_SUBTYPE = "S019"
DUPLICATE_ID = "S020"
UNKNOWN_NODE_IN_CONDITION = "S021"
UNKNOWN_FUNCTION = "S022"
DRILL_WITHOUT_FOCUS = "S023"
# Warnings
UNREACHABLE_NODE = "S101"
NO_ENDING_REACHABLE = "S102"
VARIABLE_NEVER_READ = "S103"
VARIABLE_NEVER_SET = "S104"
NO_TALK_TYPE = "S105"
NO_EXEMPLARS = "S106"
UNKNOWN_EXEMPLAR_CODE = "S107"
NO_ENDINGS = "S108"
BRANCH_AFTER_FALLBACK = "S109"
RIGHTING_REFLEX_EXEMPLAR = "S110"
MISSING_SUBTYPE = "S111"


def check_schema_version(data: object, positions: PositionMap, file: str) -> list[Diagnostic]:
    """Refuse files of another schema version before the shape checks run."""
    if not isinstance(data, dict):
        return []
    version = data.get("schema_version")
    if version is None:
        return [Diagnostic("S002", Severity.ERROR, "'schema_version' is required", file, positions.of(()),
                           f"add 'schema_version: {SCHEMA_VERSION}' as the first line")]
    if version != SCHEMA_VERSION or isinstance(version, bool):  # True == 1 in Python
        return [Diagnostic(BAD_SCHEMA_VERSION, Severity.ERROR,
                           f"schema_version {version!r} is not supported (this mitrainer reads {SCHEMA_VERSION})",
                           file, positions.of(("schema_version",)), "upgrade mitrainer or convert the file")]
    return []


def check_scenario(scenario: Scenario, positions: PositionMap, file: str) -> list[Diagnostic]:
    """Run every whole-scenario check; returns all problems found."""
    found: list[Diagnostic] = []

    def report(code: str, severity: Severity, message: str, path: PathKey, hint: str = "", *, key: bool = False,
               column_offset: int = 0) -> None:
        pos = positions.of(path, key=key)
        if column_offset and pos.line:
            pos = type(pos)(pos.line, pos.column + column_offset)
        found.append(Diagnostic(code, severity, message, file, pos, hint))

    def error(code: str, message: str, path: PathKey, hint: str = "", **kw) -> None:
        report(code, Severity.ERROR, message, path, hint, **kw)

    def warn(code: str, message: str, path: PathKey, hint: str = "", **kw) -> None:
        report(code, Severity.WARNING, message, path, hint, **kw)

    nodes = scenario.nodes
    node_ids = list(nodes)
    variables = scenario.variables
    read: set[str] = set()
    written: set[str] = set()
    # A big scenario repeats the same conditions and codes thousands of times: each distinct
    # one is worked out once. Paths are built only for a problem found (most checks pass).
    conditions_seen: dict[str, tuple[list[str], list[tuple[str, str, str, int]]]] = {}
    codes_seen: dict[str, tuple[SkillCode | None, bool]] = {}
    graph: dict[str, list[str]] = {}  # each node's successors, as _graph() gives them

    if scenario.start not in nodes:
        error(MISSING_START, f"start node '{scenario.start}' is not among the nodes", ("start",),
              did_you_mean(scenario.start, node_ids))
    if scenario.kind == "drill" and not scenario.focus:
        error(DRILL_WITHOUT_FOCUS, "a drill needs 'focus': the skills it practises", ("kind",))
    if not scenario.endings():
        warn(NO_ENDINGS, "the scenario has no ending node", ("nodes",), "add a node with 'ending:'")

    for nid, node in nodes.items():
        base: PathKey = ("nodes", nid)
        talk = node.talk
        if talk is None:
            warn(NO_TALK_TYPE, f"node '{nid}': the client's line has no talk type", base + ("client",),
                 "add 'talk: change', 'sustain', 'neutral' or 'discord'", key=True)
        elif node.subtype is not None and not talk.has_subtype:
            error(BAD_SUBTYPE, f"node '{nid}': a {talk.value} line has no DARN-CAT subtype", base + ("subtype",),
                  "remove 'subtype', or set talk to change or sustain")
        elif talk.has_subtype and node.subtype is None:
            warn(MISSING_SUBTYPE, f"node '{nid}': {talk.value} talk without a DARN-CAT subtype", base + ("talk",),
                 "add 'subtype: desire|ability|reasons|need|commitment|activation|taking_steps'")

        responses = node.responses
        if node.ending is not None:
            if responses:
                error(ENDING_WITH_RESPONSES, f"node '{nid}' is an ending but has responses", base + ("responses",),
                      "an ending closes the session; remove 'responses' or 'ending'", key=True)
            for i, variant in enumerate(node.ending.debriefs):
                if variant.if_ not in conditions_seen:
                    conditions_seen[variant.if_] = _condition_problems(variant.if_, variables, nodes)
                names, problems = conditions_seen[variant.if_]
                read.update(names)
                for code, message, hint, column in problems:
                    error(code, message, base + ("ending", "debriefs", i, "if"), hint, column_offset=column - 1)
        else:
            if not node.exemplars:
                warn(NO_EXEMPLARS, f"node '{nid}' has no exemplars", base + ("client",),
                     "exemplars give hints, feedback and guided-mode choices", key=True)
            fallbacks = [i for i, b in enumerate(responses) if b.when is None]
            if not fallbacks:
                error(NO_FALLBACK, f"node '{nid}' has no fallback branch", base + ("responses",) if responses else base,
                      "add a last branch without 'when:' so every response leads somewhere", key=True)
            elif fallbacks[0] != len(responses) - 1:
                warn(BRANCH_AFTER_FALLBACK, f"node '{nid}': branches after the fallback can never be taken",
                     base + ("responses", fallbacks[0] + 1), "move the fallback (the branch without 'when') to the end")

        graph[nid] = nexts = []
        for i, branch in enumerate(responses):
            if branch.goto in nodes:
                nexts.append(branch.goto)
            else:
                error(UNKNOWN_GOTO, f"node '{nid}': goto '{branch.goto}' names no node",
                      base + ("responses", i, "goto"), did_you_mean(branch.goto, node_ids))
            when = branch.when
            if when is not None and when.if_ is not None:
                text = when.if_
                if text not in conditions_seen:
                    conditions_seen[text] = _condition_problems(text, variables, nodes)
                names, problems = conditions_seen[text]
                read.update(names)
                for code, message, hint, column in problems:
                    error(code, message, base + ("responses", i, "when", "if"), hint, column_offset=column - 1)
            effects = branch.effects
            for name, value in effects.set.items():
                if name not in variables:
                    error(UNDECLARED_VARIABLE, f"effect sets undeclared variable '{name}'",
                          base + ("responses", i, "effects", "set", name),
                          did_you_mean(name, variables) or "declare it under 'variables:'", key=True)
                    continue
                written.add(name)
                if not value_fits(variables[name].type, value):
                    error(BAD_EFFECT, f"'{name}' is {_a(variables[name].type)}; cannot set it to {value!r}",
                          base + ("responses", i, "effects", "set", name))
            for name, amount in effects.add.items():
                if name not in variables:
                    error(UNDECLARED_VARIABLE, f"effect adds to undeclared variable '{name}'",
                          base + ("responses", i, "effects", "add", name),
                          did_you_mean(name, variables) or "declare it under 'variables:'", key=True)
                    continue
                written.add(name)
                kind = variables[name].type
                if kind not in ("int", "number"):
                    error(BAD_EFFECT, f"cannot add to '{name}': it is {_a(kind)}",
                          base + ("responses", i, "effects", "add", name))
                elif kind == "int" and isinstance(amount, float):
                    error(BAD_EFFECT, f"'{name}' is an int; add a whole number", base + ("responses", i, "effects", "add", name))

        for section, exemplars in (("exemplars", node.exemplars), ("distractors", node.distractors)):
            for i, exemplar in enumerate(exemplars):
                for j, code in enumerate(exemplar.codes):
                    if code not in codes_seen:
                        skill = SkillCode.parse(code)
                        codes_seen[code] = (skill, skill is not None and skill.righting_reflex)
                    parsed, righting_reflex = codes_seen[code]
                    if parsed is None:
                        warn(UNKNOWN_EXEMPLAR_CODE, f"'{code}' is not a known skill code", base + (section, i, "codes", j),
                             did_you_mean(code, [c.value for c in SkillCode]))
                    elif section == "exemplars" and righting_reflex:
                        warn(RIGHTING_REFLEX_EXEMPLAR, f"an exemplar coded '{parsed.value}' models the righting reflex",
                             base + (section, i, "codes", j), "move it to 'distractors' so guided mode shows it as a mistake")

    for name, variable in variables.items():
        # A meter is read by the trainee in the sidebar, so it need not appear in a condition.
        if name not in read and not variable.meter:
            warn(VARIABLE_NEVER_READ, f"variable '{name}' is never read by a condition", ("variables", name),
                 "use it in an 'if:', show it with 'meter: true', or remove it", key=True)
        if name not in written:
            warn(VARIABLE_NEVER_SET, f"variable '{name}' is never changed by an effect", ("variables", name), key=True)

    if scenario.start in scenario.nodes:
        found.extend(_reachability(scenario, graph, positions, file))
    if not any(d.is_error for d in found):  # the MI lint reads a scenario that runs
        found.extend(lint_scenario(scenario, positions, file))
    return found


def _condition_problems(text: str, variables: Mapping[str, object], nodes: Mapping[str, object],
                        ) -> tuple[list[str], list[tuple[str, str, str, int]]]:
    """The declared variables a condition reads, and its problems as (code, message, hint,
    column): the same for every branch the condition guards, so worked out once per text."""
    # The condition's own columns are added to the value's column by the caller so the
    # position lands on the offending token (exact for plain scalars, off by the quote for
    # quoted ones).
    try:
        expr = conditions.parse(text)
    except conditions.ConditionError as exc:
        return [], [(BAD_CONDITION, f"cannot read the condition: {exc}", exc.hint, exc.column)]
    read: list[str] = []
    problems: list[tuple[str, str, str, int]] = []
    for var in conditions.names_in(expr):
        if var.name not in variables:
            problems.append((UNDECLARED_VARIABLE, f"condition reads undeclared variable '{var.name}'",
                             did_you_mean(var.name, variables) or "declare it under 'variables:'", var.column))
        else:
            read.append(var.name)
    for call in conditions.calls_in(expr):
        if call.name not in conditions.FUNCTIONS:
            problems.append((UNKNOWN_FUNCTION, f"unknown function '{call.name}()'",
                             did_you_mean(call.name, conditions.FUNCTIONS)
                             or "available: visits(node), turn(), used(code), towards(direction)",
                             call.column))
            continue
        if len(call.args) != conditions.FUNCTIONS[call.name]:
            problems.append((BAD_CONDITION, f"{call.name}() takes {conditions.FUNCTIONS[call.name]} argument(s)", "",
                             call.column))
        if call.name == "visits" and call.args and str(call.args[0].value) not in nodes:
            problems.append((UNKNOWN_NODE_IN_CONDITION, f"visits() names no node '{call.args[0].value}'",
                             did_you_mean(str(call.args[0].value), nodes), call.column))
        if call.name == "used" and call.args and SkillCode.parse(str(call.args[0].value)) is None:
            problems.append((BAD_CONDITION, f"used() names no skill code '{call.args[0].value}'",
                             did_you_mean(str(call.args[0].value), [c.value for c in SkillCode]), call.column))
        if call.name == "towards" and call.args and str(call.args[0].value) not in {d.value for d in Direction}:
            problems.append((BAD_CONDITION, f"towards() takes change, sustain or neutral, not '{call.args[0].value}'",
                             "", call.column))
    return read, problems


def successors(scenario: Scenario, node_id: str) -> list[str]:
    node = scenario.nodes[node_id]
    return [b.goto for b in node.responses if b.goto in scenario.nodes]


def _graph(scenario: Scenario) -> dict[str, list[str]]:
    """Every node's successors (gotos to nodes that exist), in the order of its branches."""
    nodes = scenario.nodes
    return {nid: [b.goto for b in node.responses if b.goto in nodes] for nid, node in nodes.items()}


def _reachability(scenario: Scenario, graph: dict[str, list[str]], positions: PositionMap, file: str,
                  ) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    reachable = _reachable(graph, scenario.start)
    for nid in scenario.nodes:
        if nid not in reachable:
            found.append(Diagnostic(UNREACHABLE_NODE, Severity.WARNING, f"node '{nid}' cannot be reached from the start",
                                    file, positions.of(("nodes", nid), key=True), "add a goto to it, or remove it"))
    for nid in _dead_ends(scenario, graph):
        if nid in reachable:
            found.append(Diagnostic(NO_ENDING_REACHABLE, Severity.WARNING,
                                    f"no ending can be reached from node '{nid}' (the session would never end)",
                                    file, positions.of(("nodes", nid), key=True)))
    return found


def reachable_from(scenario: Scenario, start: str) -> set[str]:
    return _reachable(_graph(scenario), start)


def _reachable(graph: dict[str, list[str]], start: str) -> set[str]:
    seen = {start}
    queue = deque([start])
    while queue:
        for nxt in graph[queue.popleft()]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def dead_ends(scenario: Scenario) -> list[str]:
    """Non-ending nodes from which no ending is reachable (by the graph, ignoring conditions)."""
    return _dead_ends(scenario, _graph(scenario))


def _dead_ends(scenario: Scenario, graph: dict[str, list[str]]) -> list[str]:
    predecessors: dict[str, list[str]] = {nid: [] for nid in graph}
    for nid, nexts in graph.items():
        for nxt in nexts:
            predecessors[nxt].append(nid)
    can_end = {nid for nid, node in scenario.nodes.items() if node.is_ending}
    queue = deque(can_end)
    while queue:
        for prev in predecessors[queue.popleft()]:
            if prev not in can_end:
                can_end.add(prev)
                queue.append(prev)
    return [nid for nid in graph if nid not in can_end]


def _a(kind: str) -> str:
    """The variable type with its article, for messages ("an int", "a number")."""
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"
