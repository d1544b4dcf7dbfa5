"""Coding of utterances: OARS/MITI skill codes for counsellors, change/sustain talk for clients.

``default_coder()`` returns a coder for English, Vietnamese and Chinese
(:class:`~mitrainer.coding.multilingual.MultilingualCoder`): the trained English coder when
its model file is present and loads (the rule-based coder otherwise), and the Vietnamese and
Chinese coders whose model files load. ``reading(coder, language)`` sets it to read one
language (a session reads its scenario's); ``code_utterance`` codes one counsellor utterance.
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
    "reading",
]

_default: Coder | None = None
_note = ""


def default_coder() -> Coder:
    """The best coder available offline (loaded once per process).

    English, Vietnamese and Chinese, each line read by the coder of its language. The
    English coder is the trained one when its model file loads, else the rule-based coder;
    a Vietnamese or Chinese model that does not load leaves that language unread. Either
    way a warning is given and :func:`fallback_note` says why.
    """
    global _default, _note
    if _default is None:
        from mitrainer.coding.languages.model import LanguageCoder
        from mitrainer.coding.model import TrainedCoder
        from mitrainer.coding.multilingual import MultilingualCoder
        from mitrainer.errors import ModelFileError

        notes = []
        coders: dict[str, Coder] = {}
        try:
            coders["en"] = TrainedCoder()
        except ModelFileError as exc:
            from mitrainer.coding.rules import RuleBasedCoder

            notes.append(f"{exc}; using the rule-based coder instead")
            coders["en"] = RuleBasedCoder()
        for language in ("vi", "zh"):
            try:
                coders[language] = LanguageCoder(language)
            except ModelFileError as exc:
                notes.append(f"{exc}; lines in this language are not coded")
        _note = "; ".join(notes)
        if _note:
            warnings.warn(_note, RuntimeWarning, stacklevel=2)
        _default = MultilingualCoder(coders)
    return _default


def reading(coder: Coder, language: str | None, reasons_in: str | None = None) -> Coder:
    """``coder`` set to read every line in ``language`` (None: each line's own), giving its
    reasons for leaving a line uncoded in ``reasons_in`` (None: the interface language).

    A coder that reads one language only (the rule-based coder, a test's coder) is returned
    as it is.
    """
    choose = getattr(coder, "reading", None)
    return choose(language, reasons_in) if choose is not None else coder


def fallback_note() -> str:
    """Why :func:`default_coder` fell back to the rule-based coder or left a language unread
    ("" when it did neither)."""
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
