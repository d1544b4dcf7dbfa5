"""Whole-scenario checks: what the models alone cannot see.

Every problem is collected in one pass and comes back as a :class:`Diagnostic` with a
stable code (listed in ``docs/diagnostics.md``) and the position of the offending part.
Errors (S0xx) make a scenario unplayable; warnings (S1xx) point at authoring mistakes
that still leave it playable.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from mitrainer.codes import SkillCode
from mitrainer.errors import Diagnostic, Severity, did_you_mean
from mitrainer.safeyaml import PathKey, PositionMap
from mitrainer.scenario import conditions
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

    node_ids = list(scenario.nodes)
    variables = scenario.variables
    read: set[str] = set()
    written: set[str] = set()

    if scenario.start not in scenario.nodes:
        error(MISSING_START, f"start node '{scenario.start}' is not among the nodes", ("start",),
              did_you_mean(scenario.start, node_ids))
    if scenario.kind == "drill" and not scenario.focus:
        error(DRILL_WITHOUT_FOCUS, "a drill needs 'focus': the skills it practises", ("kind",))
    if not scenario.endings():
        warn(NO_ENDINGS, "the scenario has no ending node", ("nodes",), "add a node with 'ending:'")

    for nid, node in scenario.nodes.items():
        base: PathKey = ("nodes", nid)
        if node.talk is None:
            warn(NO_TALK_TYPE, f"node '{nid}': the client's line has no talk type", base + ("client",),
                 "add 'talk: change', 'sustain', 'neutral' or 'discord'", key=True)
        elif node.subtype is not None and not node.talk.has_subtype:
            error(BAD_SUBTYPE, f"node '{nid}': a {node.talk.value} line has no DARN-CAT subtype", base + ("subtype",),
                  "remove 'subtype', or set talk to change or sustain")
        elif node.talk.has_subtype and node.subtype is None:
            warn(MISSING_SUBTYPE, f"node '{nid}': {node.talk.value} talk without a DARN-CAT subtype", base + ("talk",),
                 "add 'subtype: desire|ability|reasons|need|commitment|activation|taking_steps'")

        if node.is_ending:
            if node.responses:
                error(ENDING_WITH_RESPONSES, f"node '{nid}' is an ending but has responses", base + ("responses",),
                      "an ending closes the session; remove 'responses' or 'ending'", key=True)
        else:
            if not node.exemplars:
                warn(NO_EXEMPLARS, f"node '{nid}' has no exemplars", base + ("client",),
                     "exemplars give hints, feedback and guided-mode choices", key=True)
            fallbacks = [i for i, b in enumerate(node.responses) if b.is_fallback]
            if not fallbacks:
                error(NO_FALLBACK, f"node '{nid}' has no fallback branch", base + ("responses",) if node.responses else base,
                      "add a last branch without 'when:' so every response leads somewhere", key=True)
            elif fallbacks[0] != len(node.responses) - 1:
                warn(BRANCH_AFTER_FALLBACK, f"node '{nid}': branches after the fallback can never be taken",
                     base + ("responses", fallbacks[0] + 1), "move the fallback (the branch without 'when') to the end")

        for i, branch in enumerate(node.responses):
            bpath = base + ("responses", i)
            if branch.goto not in scenario.nodes:
                error(UNKNOWN_GOTO, f"node '{nid}': goto '{branch.goto}' names no node", bpath + ("goto",),
                      did_you_mean(branch.goto, node_ids))
            if branch.when is not None and branch.when.if_ is not None:
                _check_condition(branch.when.if_, bpath + ("when", "if"), variables, node_ids, read, error)
            for name, value in branch.effects.set.items():
                epath = bpath + ("effects", "set", name)
                if name not in variables:
                    error(UNDECLARED_VARIABLE, f"effect sets undeclared variable '{name}'", epath,
                          did_you_mean(name, variables) or "declare it under 'variables:'", key=True)
                    continue
                written.add(name)
                if not value_fits(variables[name].type, value):
                    error(BAD_EFFECT, f"'{name}' is {_a(variables[name].type)}; cannot set it to {value!r}", epath)
            for name in branch.effects.add:
                epath = bpath + ("effects", "add", name)
                if name not in variables:
                    error(UNDECLARED_VARIABLE, f"effect adds to undeclared variable '{name}'", epath,
                          did_you_mean(name, variables) or "declare it under 'variables:'", key=True)
                    continue
                written.add(name)
                if variables[name].type not in ("int", "number"):
                    error(BAD_EFFECT, f"cannot add to '{name}': it is {_a(variables[name].type)}", epath)
                elif variables[name].type == "int" and isinstance(branch.effects.add[name], float):
                    error(BAD_EFFECT, f"'{name}' is an int; add a whole number", epath)

        for kind in ("exemplars", "distractors"):
            for i, exemplar in enumerate(getattr(node, kind)):
                for j, code in enumerate(exemplar.codes):
                    parsed = SkillCode.parse(code)
                    cpath = base + (kind, i, "codes", j)
                    if parsed is None:
                        warn(UNKNOWN_EXEMPLAR_CODE, f"'{code}' is not a known skill code", cpath,
                             did_you_mean(code, [c.value for c in SkillCode]))
                    elif kind == "exemplars" and parsed.righting_reflex:
                        warn(RIGHTING_REFLEX_EXEMPLAR, f"an exemplar coded '{parsed.value}' models the righting reflex",
                             cpath, "move it to 'distractors' so guided mode shows it as a mistake")

    for name, variable in variables.items():
        # A meter is read by the trainee in the sidebar, so it need not appear in a condition.
        if name not in read and not variable.meter:
            warn(VARIABLE_NEVER_READ, f"variable '{name}' is never read by a condition", ("variables", name),
                 "use it in an 'if:', show it with 'meter: true', or remove it", key=True)
        if name not in written:
            warn(VARIABLE_NEVER_SET, f"variable '{name}' is never changed by an effect", ("variables", name), key=True)

    if scenario.start in scenario.nodes:
        found.extend(_reachability(scenario, positions, file))
    return found


def _check_condition(text: str, path: PathKey, variables: dict, node_ids: list[str], read: set[str],
                     error: Callable[..., None]) -> None:
    # The condition's own columns are added to the value's column so the position lands on
    # the offending token (exact for plain scalars, off by the quote for quoted ones).
    try:
        expr = conditions.parse(text)
    except conditions.ConditionError as exc:
        error(BAD_CONDITION, f"cannot read the condition: {exc}", path, exc.hint, column_offset=exc.column - 1)
        return
    for var in conditions.names_in(expr):
        if var.name not in variables:
            error(UNDECLARED_VARIABLE, f"condition reads undeclared variable '{var.name}'", path,
                  did_you_mean(var.name, variables) or "declare it under 'variables:'", column_offset=var.column - 1)
        else:
            read.add(var.name)
    for call in conditions.calls_in(expr):
        if call.name not in conditions.FUNCTIONS:
            error(UNKNOWN_FUNCTION, f"unknown function '{call.name}()'", path,
                  did_you_mean(call.name, conditions.FUNCTIONS) or "available: visits(node), turn()",
                  column_offset=call.column - 1)
            continue
        if len(call.args) != conditions.FUNCTIONS[call.name]:
            error(BAD_CONDITION, f"{call.name}() takes {conditions.FUNCTIONS[call.name]} argument(s)", path,
                  column_offset=call.column - 1)
        if call.name == "visits" and call.args and str(call.args[0].value) not in node_ids:
            error(UNKNOWN_NODE_IN_CONDITION, f"visits() names no node '{call.args[0].value}'", path,
                  did_you_mean(str(call.args[0].value), node_ids), column_offset=call.column - 1)


def successors(scenario: Scenario, node_id: str) -> list[str]:
    node = scenario.nodes[node_id]
    return [b.goto for b in node.responses if b.goto in scenario.nodes]


def _reachability(scenario: Scenario, positions: PositionMap, file: str) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    reachable = reachable_from(scenario, scenario.start)
    for nid in scenario.nodes:
        if nid not in reachable:
            found.append(Diagnostic(UNREACHABLE_NODE, Severity.WARNING, f"node '{nid}' cannot be reached from the start",
                                    file, positions.of(("nodes", nid), key=True), "add a goto to it, or remove it"))
    for nid in dead_ends(scenario):
        if nid in reachable:
            found.append(Diagnostic(NO_ENDING_REACHABLE, Severity.WARNING,
                                    f"no ending can be reached from node '{nid}' (the session would never end)",
                                    file, positions.of(("nodes", nid), key=True)))
    return found


def reachable_from(scenario: Scenario, start: str) -> set[str]:
    seen = {start}
    queue = deque([start])
    while queue:
        for nxt in successors(scenario, queue.popleft()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def dead_ends(scenario: Scenario) -> list[str]:
    """Non-ending nodes from which no ending is reachable (by the graph, ignoring conditions)."""
    predecessors: dict[str, list[str]] = {nid: [] for nid in scenario.nodes}
    for nid in scenario.nodes:
        for nxt in successors(scenario, nid):
            predecessors[nxt].append(nid)
    can_end = {nid for nid, node in scenario.nodes.items() if node.is_ending}
    queue = deque(can_end)
    while queue:
        for prev in predecessors[queue.popleft()]:
            if prev not in can_end:
                can_end.add(prev)
                queue.append(prev)
    return [nid for nid in scenario.nodes if nid not in can_end]


def _a(kind: str) -> str:
    """The variable type with its article, for messages ("an int", "a number")."""
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"
