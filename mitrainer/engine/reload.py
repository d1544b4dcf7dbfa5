"""The same conversation on an edited scenario: what `mitrainer author` does on each save.

An author changes a line, a branch or a variable while the trainer shows the conversation.
:func:`carry_over` rebuilds the session on the new scenario, keeping it where it was when
it can: every turn is replayed with the codes it was given (the coder is not asked again);
when the edit sends the replay elsewhere, the session goes on at the node it had reached,
with the state it had; only when that node is gone does it start again.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from mitrainer.engine.session import Session
from mitrainer.errors import MitrainerError
from mitrainer.record.model import Start
from mitrainer.scenario.model import Scenario, value_fits


class Carried(str, Enum):
    """How the conversation came through the edit."""

    REPLAYED = "replayed"  # every turn replayed: where it stood (or, that node gone, where they lead now)
    CONTINUED = "continued"  # the turns lead elsewhere now: it goes on at the same node, same state
    RESTARTED = "restarted"  # the node it stood at is gone (or the start is): from the start again


@dataclass(frozen=True)
class CarriedOver:
    session: Session
    how: Carried


def carry_over(session: Session, scenario: Scenario) -> CarriedOver:
    """``session`` rebuilt on ``scenario`` (the same scenario, edited); never raises for an edit."""
    record = session.record()
    try:
        replayed = Session.resume(scenario, record, coder=session.coder, clock=session.clock)
    except (MitrainerError, KeyError, ValueError):
        replayed = None
    if replayed is not None and replayed.node_id == session.node_id:
        return CarriedOver(replayed, Carried.REPLAYED)
    node = scenario.nodes.get(session.node_id)
    if node is not None and not node.is_ending:
        kept = {name: value for name, value in session.variables.items()
                if name in scenario.variables and value_fits(scenario.variables[name].type, value)}
        start = Start(node=session.node_id, variables=kept)
        return CarriedOver(_fresh(session, scenario, start), Carried.CONTINUED)
    if replayed is not None:  # its node is gone, but the turns still lead somewhere: follow them
        return CarriedOver(replayed, Carried.REPLAYED)
    return CarriedOver(_fresh(session, scenario, _valid_start(session.start, scenario)), Carried.RESTARTED)


def _valid_start(start: Start | None, scenario: Scenario) -> Start | None:
    """The test's own starting point, if the edited scenario still has it."""
    if start is None or start.node not in scenario.nodes or scenario.nodes[start.node].is_ending:
        return None
    kept = {name: value for name, value in start.variables.items()
            if name in scenario.variables and value_fits(scenario.variables[name].type, value)}
    return Start(node=start.node, variables=kept)


def _fresh(session: Session, scenario: Scenario, start: Start | None) -> Session:
    return Session(scenario, seed=session.seed, coder=session.coder, clock=session.clock,
                   session_id=session.session_id, start=start)
