"""Checking authors' labels against the coder (validator warnings S112 and S113).

Scenario authors label every client line as change, sustain or neutral talk. The coder
reads English client lines too; where it is confident the label is wrong (it gives the
author's label a probability of at most ``STRONG_DISAGREEMENT``), the validator warns, so
an instructor can look again. The threshold is strict on purpose: the coder's client-talk
agreement with expert coders is modest (see docs/coder.md), and a warning that is usually
wrong teaches authors to ignore warnings.

Exemplars and distractors may state the ``direction`` of the response (the side of the
client's ambivalence it strengthens). The direction judge codes each such English line
after its node's client line (with the node's ``sides`` where marked); where it judges
another side, the validator warns (S113): either the statement or the line needs another
look, and a branch on ``direction`` would not take the path the author expects.
"""

from __future__ import annotations

from mitrainer.codes import Speaker, TalkType
from mitrainer.coding.base import ClientSides, Coder, Utterance
from mitrainer.errors import Diagnostic, Severity
from mitrainer.safeyaml import PositionMap
from mitrainer.scenario.model import Scenario

TALK_LABEL_DOUBTED = "S112"
DIRECTION_DOUBTED = "S113"
STRONG_DISAGREEMENT = 0.03
_CHECKED = (TalkType.CHANGE, TalkType.SUSTAIN, TalkType.NEUTRAL)


def reads_language(language: str) -> bool:
    """Whether the checks read a scenario in ``language``: English only.

    S112's threshold was set against the English coder; the Vietnamese and Chinese coders
    learn client talk from a few hundred lines, too few to second-guess an author. S113 asks
    the direction to be right when it warns: the English judge agrees with 0.82 of held-out
    directions; the Vietnamese and Chinese heads agree with about 0.7 of the directions the
    bundled vi and zh scenarios state, so a warning would be wrong about a third of the time
    (docs/coder.md, "Vietnamese and Chinese")."""
    return language.lower().split("-")[0] == "en"


def check_talk_labels(scenario: Scenario, positions: PositionMap, file: str, coder: Coder,
                      threshold: float = STRONG_DISAGREEMENT) -> list[Diagnostic]:
    """Warn about client lines whose authored talk type the coder strongly disagrees with."""
    if not reads_language(scenario.language):
        return []
    found: list[Diagnostic] = []
    # The trained coder can rule most lines out cheaply (an exact bound, see
    # TrainedCoder.could_doubt); other coders code every line.
    could_doubt = getattr(coder, "could_doubt", None)
    for node_id, node in scenario.nodes.items():
        if node.talk not in _CHECKED:
            continue
        if could_doubt is not None and not could_doubt(node.client, node.talk, threshold):
            continue
        coding = coder.code_client(node.client)
        if coding.talk is not None and coding.disagrees_with(node.talk, threshold):
            found.append(Diagnostic(
                TALK_LABEL_DOUBTED, Severity.WARNING,
                f"node '{node_id}': labelled {node.talk.value} talk, but the coder reads it as "
                f"{coding.talk.value} ({coding.confidence:.0%})",
                file, positions.of(("nodes", node_id, "talk")),
                "check the label against the DARN-CAT definitions in docs/scenario-format.md"))
    return found


def check_stated_directions(scenario: Scenario, positions: PositionMap, file: str, coder: Coder) -> list[Diagnostic]:
    """Warn about exemplars and distractors whose stated direction the judge does not give them."""
    if not reads_language(scenario.language):
        return []
    found: list[Diagnostic] = []
    for node_id, node in scenario.nodes.items():
        sides = ClientSides(node.sides.change, node.sides.sustain) if node.sides is not None else None
        context = (Utterance(Speaker.CLIENT, node.client),)
        for kind, items in (("exemplars", node.exemplars), ("distractors", node.distractors)):
            for i, item in enumerate(items):
                if item.direction is None:
                    continue
                judged = coder.code_response(item.text, context, sides).direction
                if judged is None or judged is item.direction:
                    continue  # a coder without a direction judge, or agreement
                found.append(Diagnostic(
                    DIRECTION_DOUBTED, Severity.WARNING,
                    f"node '{node_id}': {kind[:-1]} {i + 1} states direction {item.direction.value}, but the "
                    f"direction judge reads it as {judged.value}",
                    file, positions.of(("nodes", node_id, kind, i, "direction")),
                    "reword the response so it clearly invites the stated side, or mark the line's change and "
                    "sustain parts with 'sides:' (docs/scenario-format.md)"))
    return found
