"""A scenario check: every model response is judged good where it is offered (validator warning S114).

A node's exemplars are its model responses: the hint dialog offers all of them, the feedback
picks one as the better alternative, and guided mode offers them as choices. A trainee who
sends one as written must not be told it was only acceptable, so each exemplar is judged by
the feedback's own judge (:func:`mitrainer.scoring.feedback.judge_response`) at its node: the
node's situation (change talk, sustain talk, discord, a client's question, neutral) in the
scenario's rubric, a drill's focus, the exemplar's stated codes (advice counts as persuading
with permission where the client asked or the exemplar asks permission or leaves the choice
to the client, as MITI 4.2.1 has it) and its stated ``direction``. The codes and direction
are the author's: whether the direction judge reads the text the same way is S113.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mitrainer.codes import SkillCode, Verdict
from mitrainer.errors import Diagnostic, Severity
from mitrainer.scoring.feedback import judge_response
from mitrainer.scoring.moments import ClientMoment, CountedUtterance, with_permission
from mitrainer.scoring.rubric_load import session_focus, session_rubric

if TYPE_CHECKING:
    from mitrainer.safeyaml import PositionMap
    from mitrainer.scenario.model import Exemplar, Node, Scenario
    from mitrainer.scoring.rubric import Rubric

EXEMPLAR_NOT_GOOD = "S114"


def exemplar_verdict(node: Node, exemplar: Exemplar, rubric: Rubric, focus: tuple[SkillCode, ...] = ()) -> Verdict:
    """How the feedback judges ``exemplar`` sent as written at ``node`` (its stated codes and direction)."""
    moment = _moment(node)
    counted = CountedUtterance(with_permission(exemplar.skill_codes, rubric, False, moment.asks), moment, True, False,
                               exemplar.direction)
    return judge_response(counted, (), moment, node.exemplars, rubric, response=exemplar.text,
                          sides=node.sides, focus=focus).verdict


def check_exemplars_judged_good(scenario: Scenario, positions: PositionMap, file: str) -> list[Diagnostic]:
    """S114 for every exemplar (not distractors) the feedback would judge less than good at its node."""
    rubric = session_rubric(scenario)
    focus = session_focus(scenario)
    found: list[Diagnostic] = []
    for nid, node in scenario.nodes.items():
        if node.is_ending:
            continue
        situation = _moment(node).situation.value.replace("_", " ")
        for index, exemplar in enumerate(node.exemplars):
            verdict = exemplar_verdict(node, exemplar, rubric, focus)
            if verdict is Verdict.GOOD:
                continue
            side = f", direction {exemplar.direction.value}" if exemplar.direction else ""
            found.append(Diagnostic(
                EXEMPLAR_NOT_GOOD, Severity.WARNING,
                f"node '{nid}': exemplar {index + 1} ({', '.join(exemplar.codes)}{side}) is judged "
                f"'{verdict.value}' after {situation} by the rubric '{rubric.id}'; a trainee who sends this model "
                "response would be marked down", file, positions.of(("nodes", nid, "exemplars", index)),
                _hint(node.talk.value if node.talk else "", verdict)))
    return found


def _moment(node: Node) -> ClientMoment:
    """The node's line as the feedback reads it (the line itself, not a variant)."""
    return ClientMoment(node.talk, node.subtype, node.client_asks(node.client))


def _hint(talk: str, verdict: Verdict) -> str:
    if verdict is Verdict.RIGHTING_REFLEX:
        return "move it to 'distractors' (it models the righting reflex)"
    if talk == "sustain":
        return ("if it asks about or ends on the change side, say so ('direction: change'); else make it a "
                "reflection (double-sided, ending on change) or emphasise autonomy")
    if talk == "discord":
        return "acknowledge the friction first: a reflection, an affirmation, or hand the choice back"
    return "give it a code the rubric judges good here (docs/rubric-format.md), or rewrite it"
