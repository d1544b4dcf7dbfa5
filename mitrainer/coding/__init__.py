"""Coding of utterances: OARS/MITI skill codes for counsellors, change/sustain talk for clients.

``default_coder()`` returns the trained coder when its model file is present and loads,
and the rule-based coder otherwise; ``code_utterance`` codes one counsellor utterance.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

from mitrainer.coding.base import (
    ClientCoding,
    ClientSides,
    Coder,
    CodeScore,
    ResponseCoding,
    Utterance,
)

__all__ = [
    "ClientCoding",
    "ClientSides",
    "Coder",
    "CodeScore",
    "ResponseCoding",
    "Utterance",
    "code_utterance",
    "default_coder",
    "fallback_note",
]

_default: Coder | None = None
_note = ""


def default_coder() -> Coder:
    """The best coder available offline (loaded once per process).

    The trained coder when its model file loads; otherwise the rule-based coder, with a
    warning and :func:`fallback_note` saying why.
    """
    global _default, _note
    if _default is None:
        from mitrainer.coding.model import TrainedCoder
        from mitrainer.errors import ModelFileError

        try:
            _default = TrainedCoder()
        except ModelFileError as exc:
            from mitrainer.coding.rules import RuleBasedCoder

            _note = f"{exc}; using the rule-based coder instead"
            warnings.warn(_note, RuntimeWarning, stacklevel=2)
            _default = RuleBasedCoder()
    return _default


def fallback_note() -> str:
    """Why :func:`default_coder` fell back to the rule-based coder ("" when it did not)."""
    return _note


def code_utterance(text: str, context: Sequence[Utterance | tuple[str, str]] = (),
                   sides: ClientSides | None = None) -> ResponseCoding:
    """Code one counsellor utterance given the conversation before it.

    ``context`` items may be :class:`Utterance` or ``(speaker, text)`` pairs; ``sides`` the
    change and sustain parts of the client's last line, where known.
    """
    from mitrainer.codes import Speaker

    utterances = [
        u if isinstance(u, Utterance) else Utterance(Speaker.parse(u[0]) or Speaker.CLIENT, u[1])
        for u in context
    ]
    return default_coder().code_response(text, utterances, sides)
