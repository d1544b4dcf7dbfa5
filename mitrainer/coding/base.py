"""The coder interface: how the engine, scoring and the UI learn what an utterance does.

A :class:`Coder` turns a counsellor response (with the conversation before it) into a
:class:`ResponseCoding` — a primary skill code plus every code with a confidence — and a
client line into a :class:`ClientCoding` (change / sustain / neutral talk, DARN-CAT
subtype). Results the coder is unsure of are marked ``uncertain`` so the UI can say
"not sure"; text it cannot read is returned *uncoded* (``primary is None``) rather than
given a confident wrong code. :class:`ResponseCoding` is defined with the session record
(:mod:`mitrainer.record.model`), which stores it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from mitrainer.codes import Speaker, Subtype, TalkType

# A response's coding is part of the session record, so it is defined with it.
from mitrainer.record.model import CodeScore, ResponseCoding

__all__ = ["ClientCoding", "ClientSides", "CodeScore", "Coder", "ResponseCoding", "Utterance"]


@dataclass(frozen=True)
class Utterance:
    """One line of a conversation, as context for coding the next one."""

    speaker: Speaker
    text: str


@dataclass(frozen=True)
class ClientSides:
    """The change and the sustain part of a mixed client line, as a scenario author marked them.

    The direction judge compares a response with these parts where they are given, rather
    than finding the parts in the client's line itself. Either may be empty.
    """

    change: str = ""
    sustain: str = ""

    def __bool__(self) -> bool:
        return bool(self.change.strip() or self.sustain.strip())


@dataclass(frozen=True)
class ClientCoding:
    """The coding of one client line: change / sustain / neutral talk (or discord)."""

    talk: TalkType | None
    subtype: Subtype | None = None
    confidence: float = 0.0
    scores: dict[str, float] = field(default_factory=dict)
    uncertain: bool = False
    uncoded_reason: str = ""
    coder: str = ""

    @property
    def coded(self) -> bool:
        return self.talk is not None

    def score_of(self, talk: TalkType) -> float:
        """The coder's probability that the line is ``talk`` (0 when it did not score it)."""
        return float(self.scores.get(talk.value, 0.0))

    def disagrees_with(self, talk: TalkType, at_most: float = 0.15) -> bool:
        """Whether the coder strongly disagrees that this line is ``talk``.

        True when the coder chose another talk type and gives ``talk`` a probability of
        at most ``at_most``: what the scenario validator warns about.
        """
        if not self.coded or self.talk is talk or talk.value not in self.scores:
            return False
        return self.score_of(talk) <= at_most

    def to_json(self) -> dict:
        return {
            "talk": self.talk.value if self.talk else None,
            "subtype": self.subtype.value if self.subtype else None,
            "confidence": round(self.confidence, 4),
            "uncertain": self.uncertain,
            "uncoded_reason": self.uncoded_reason,
            "coder": self.coder,
        }


@runtime_checkable
class Coder(Protocol):
    """Anything that can code counsellor responses and client lines."""

    name: str

    def code_response(self, text: str, context: Sequence[Utterance] = (),
                      sides: ClientSides | None = None) -> ResponseCoding:
        """Code one counsellor utterance; ``context`` is the conversation before it.

        ``sides`` are the change and sustain parts of the client's last line where the
        scenario marks them; a coder that judges direction uses them, others ignore them.
        """
        ...

    def code_client(self, text: str, context: Sequence[Utterance] = ()) -> ClientCoding:
        """Code one client utterance; ``context`` is the conversation before it."""
        ...
