"""Where a session starts: an author testing a scenario may begin at any node with any state.

``mitrainer play SCENARIO --from NODE --set VAR=VALUE`` and the trainer's "start at a node"
dialog both read what the author typed with :func:`parse_start`. Every mistake — an unknown
node or variable, a value of the wrong type or out of range — is a :class:`StartError` that
says what is wrong and, where a close name exists, what was probably meant.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable

from mitrainer.errors import InputError
from mitrainer.record.model import Start
from mitrainer.scenario.model import Scenario, Variable

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


class StartError(InputError):
    """What the author typed does not name a place to start. ``kind`` and ``fields`` let the
    trainer say it in the interface's language (catalog keys ``start.<kind>``)."""

    def __init__(self, kind: str, message: str, **fields: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.fields = fields


def closest(word: str, candidates: Iterable[str]) -> str:
    """The candidate ``word`` was most probably meant to be, or ""."""
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else ""


def _suggest(word: str, candidates: Iterable[str]) -> str:
    match = closest(word, candidates)
    return f"; did you mean '{match}'?" if match else ""


def parse_value(name: str, variable: Variable, text: str) -> int | float | bool | str:
    """``text`` as a value of ``variable``'s type, inside its min and max."""
    raw = text.strip()
    value: int | float | bool | str
    if variable.type == "bool":
        if raw.lower() not in _TRUE | _FALSE:
            raise StartError("bad_value", f"'{name}' is a bool: give true or false, not '{raw}'",
                             name=name, type="bool", value=raw)
        return raw.lower() in _TRUE
    if variable.type == "text":
        return raw[1:-1] if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"" else raw
    try:
        value = int(raw) if variable.type == "int" else float(raw)
    except ValueError:
        kind = "a whole number" if variable.type == "int" else "a number"
        raise StartError("bad_value", f"'{name}' is {'an int' if variable.type == 'int' else 'a number'}: "
                         f"give {kind}, not '{raw}'", name=name, type=variable.type, value=raw) from None
    if not math.isfinite(value):
        raise StartError("bad_value", f"'{name}' must be a finite number, not '{raw}'", name=name,
                         type=variable.type, value=raw)
    low, high = variable.min, variable.max
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"{_plain(low) if low is not None else '…'} to {_plain(high) if high is not None else '…'}"
        raise StartError("out_of_range", f"'{name}' goes from {bounds}; {raw} is outside it",
                         name=name, value=raw, bounds=bounds)
    return value


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def parse_start(scenario: Scenario, node: str | None, assignments: Iterable[str] = ()) -> Start | None:
    """The place to start ``scenario`` from: ``node`` (default: the scenario's start) with each
    ``VAR=VALUE`` of ``assignments`` set. None when that is simply the scenario's own start."""
    node = (node or "").strip() or scenario.start
    if node not in scenario.nodes:
        raise StartError("unknown_node", f"no node '{node}' in '{scenario.id}'" + _suggest(node, scenario.nodes),
                         node=node, suggestion=closest(node, scenario.nodes))
    if scenario.nodes[node].is_ending:
        raise StartError("ending", f"node '{node}' is an ending: start at a node the trainee answers", node=node)
    values: dict[str, int | float | bool | str] = {}
    for assignment in assignments:
        name, sep, text = assignment.partition("=")
        name = name.strip()
        if not sep or not name:
            raise StartError("bad_assignment", f"'{assignment}' is not VAR=VALUE", text=assignment)
        if name not in scenario.variables:
            known = ", ".join(scenario.variables) or "none"
            raise StartError("unknown_variable", f"no variable '{name}' in '{scenario.id}'"
                             + (_suggest(name, scenario.variables) or f" (its variables: {known})"),
                             name=name, suggestion=closest(name, scenario.variables))
        values[name] = parse_value(name, scenario.variables[name], text)
    if node == scenario.start and not values:
        return None
    return Start(node=node, variables=values)
