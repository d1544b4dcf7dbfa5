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

import hashlib
from collections.abc import Callable
from pathlib import Path

from mitrainer.cache import ResultCache, content_key
from mitrainer.codes import Direction, Speaker, TalkType
from mitrainer.coding.base import ClientSides, Coder, Utterance
from mitrainer.errors import Diagnostic, Severity
from mitrainer.safeyaml import PositionMap
from mitrainer.scenario.model import Scenario

TALK_LABEL_DOUBTED = "S112"
DIRECTION_DOUBTED = "S113"
STRONG_DISAGREEMENT = 0.03
_CHECKED = (TalkType.CHANGE, TalkType.SUSTAIN, TalkType.NEUTRAL)
# Where the shipped coder's model files are: what its codings depend on, with the code.
_CODER_DATA = Path(__file__).resolve().parent.parent / "coding" / "data"
# Raise when what a remembered verdict means changes (the check's logic, not the coder's).
_VERDICT_FORMAT = "1"


def coder_fingerprint() -> str:
    """A hash of what the shipped coder's client codings depend on: mitrainer's version and
    the contents of its model files. Remembered verdicts are valid while it stays the same."""
    from mitrainer import __version__

    parts = [__version__, _VERDICT_FORMAT]
    for model in sorted(_CODER_DATA.glob("*.npz")):
        parts += [model.name, hashlib.sha256(model.read_bytes()).hexdigest()]
    return content_key(*parts)


def talk_label_cache() -> ResultCache:
    """The verdicts of earlier runs of the check, for the shipped coder as it is now."""
    return ResultCache("talk-labels", coder_fingerprint())


def reads_language(language: str) -> bool:
    """Whether the checks read a scenario in ``language``: English only.

    S112's threshold was set against the English coder; the Vietnamese and Chinese coders
    learn client talk from a few hundred lines, too few to second-guess an author. S113 asks
    the direction to be right when it warns: the English judge agrees with 0.85 of held-out
    directions; the Vietnamese and Chinese heads, though 0.85–0.88 on held-out responses, agree
    with only 0.76 of the directions the bundled vi and zh scenarios state, most disagreements
    being the judge's errors (docs/coder.md, "Vietnamese and Chinese")."""
    return language.lower().split("-")[0] == "en"


def check_talk_labels(scenario: Scenario, positions: PositionMap, file: str,
                      coder: Coder | Callable[[], Coder | None], threshold: float = STRONG_DISAGREEMENT,
                      cache: ResultCache | None = None) -> list[Diagnostic]:
    """Warn about client lines whose authored talk type the coder strongly disagrees with.

    ``coder`` may be a function that gives it (or None when no coder fit for the check is
    available): it is called only for a line whose verdict ``cache`` does not hold, so a
    run that finds every verdict remembered never loads the coder. A cache must belong to
    the coder given (see :func:`talk_label_cache`).
    """
    if not reads_language(scenario.language):
        return []
    found: list[Diagnostic] = []
    loaded: list[Coder | None] = []

    def the_coder() -> Coder | None:
        if not loaded:
            loaded.append(coder if isinstance(coder, Coder) else coder())
        return loaded[0]

    for node_id, node in scenario.nodes.items():
        if node.talk not in _CHECKED:
            continue
        key = content_key(node.client, node.talk.value, repr(threshold))
        verdict = cache.get(key) if cache is not None else None
        if verdict is None:
            active = the_coder()
            if active is None:
                return []
            verdict = _verdict(active, node.client, node.talk, threshold)
            if cache is not None:
                cache.put(key, verdict)
        if verdict:
            talk, confidence = verdict
            found.append(Diagnostic(
                TALK_LABEL_DOUBTED, Severity.WARNING,
                f"node '{node_id}': labelled {node.talk.value} talk, but the coder reads it as {talk} ({confidence:.0%})",
                file, positions.of(("nodes", node_id, "talk")),
                "check the label against the DARN-CAT definitions in docs/scenario-format.md"))
    return found


def check_stated_directions(scenario: Scenario, positions: PositionMap, file: str,
                            coder: Coder | Callable[[], Coder | None],
                            cache: ResultCache | None = None) -> list[Diagnostic]:
    """Warn about exemplars and distractors whose stated direction the judge does not give them.

    ``coder`` and ``cache`` work as in :func:`check_talk_labels`: the coder is loaded only for
    a response whose verdict the cache does not hold.
    """
    if not reads_language(scenario.language):
        return []
    found: list[Diagnostic] = []
    loaded: list[Coder | None] = []

    def the_coder() -> Coder | None:
        if not loaded:
            loaded.append(coder if isinstance(coder, Coder) else coder())
        return loaded[0]

    for node_id, node in scenario.nodes.items():
        sides = ClientSides(node.sides.change, node.sides.sustain) if node.sides is not None else None
        context = (Utterance(Speaker.CLIENT, node.client),)
        for kind, items in (("exemplars", node.exemplars), ("distractors", node.distractors)):
            for i, item in enumerate(items):
                if item.direction is None:
                    continue
                key = content_key("direction", node.client, sides.change if sides else "",
                                  sides.sustain if sides else "", item.text)
                remembered = cache.get(key) if cache is not None else None
                if remembered is None:
                    active = the_coder()
                    if active is None:
                        return []
                    direction = active.code_response(item.text, context, sides).direction
                    remembered = direction.value if direction is not None else ""
                    if cache is not None:
                        cache.put(key, remembered)
                if not remembered or remembered == item.direction.value:
                    continue  # a coder without a direction judge, or agreement
                judged = Direction(remembered)
                found.append(Diagnostic(
                    DIRECTION_DOUBTED, Severity.WARNING,
                    f"node '{node_id}': {kind[:-1]} {i + 1} states direction {item.direction.value}, but the "
                    f"direction judge reads it as {judged.value}",
                    file, positions.of(("nodes", node_id, kind, i, "direction")),
                    "reword the response so it clearly invites the stated side, or mark the line's change and "
                    "sustain parts with 'sides:' (docs/scenario-format.md)"))
    return found


def _verdict(coder: Coder, line: str, talk: TalkType, threshold: float) -> list:
    """[] when the coder accepts the label; [its talk type, its confidence] when it doubts it."""
    # The trained coder can rule most lines out cheaply (an exact bound, see
    # TrainedCoder.could_doubt); other coders code every line.
    could_doubt = getattr(coder, "could_doubt", None)
    if could_doubt is not None and not could_doubt(line, talk, threshold):
        return []
    coding = coder.code_client(line)
    if coding.talk is None or not coding.disagrees_with(talk, threshold):
        return []
    return [coding.talk.value, coding.confidence]
