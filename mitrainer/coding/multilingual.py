"""One coder for English, Vietnamese and Chinese: each line goes to the coder of its language.

:class:`MultilingualCoder` holds a coder per language ("en": the trained English coder or
its rule-based fallback; "vi", "zh": :class:`~mitrainer.coding.languages.model.LanguageCoder`)
and is itself a :class:`~mitrainer.coding.base.Coder`. It reads every line in the
language it was set to (:meth:`MultilingualCoder.reading`; a session reads its
scenario's language), or, when set to none, in the language detected for each line
(:func:`~mitrainer.coding.languages.detect.detect_language`). A line in a language the
coder cannot read, or in another language than the one chosen, stays uncoded with its
reason in the chosen language for reasons (:mod:`mitrainer.coding.reasons`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from mitrainer.codes import TalkType
from mitrainer.coding.base import ClientCoding, ClientSides, Coder, ResponseCoding, Utterance
from mitrainer.coding.languages.detect import detect_language
from mitrainer.coding.reasons import Unreadable, reason_text
from mitrainer.i18n import base_language


class MultilingualCoder:
    """Codes each line with the coder of its language (see the module docstring)."""

    def __init__(self, coders: Mapping[str, Coder], reading: str | None = None, reasons_in: str | None = None):
        if "en" not in coders:
            raise ValueError("a multilingual coder needs an English coder")
        self.coders = dict(coders)
        base = base_language(reading)
        self.language = base if base in self.coders else None
        self.reasons_in = base_language(reasons_in) or None
        self.languages = tuple(self.coders)
        # The English coder's name ("trained", or "rule-based" after a fallback) names the
        # whole, as session records have always stored it; each coding names its own coder.
        self.name = self.coders["en"].name

    def reading(self, language: str | None, reasons_in: str | None = None) -> MultilingualCoder:
        """The same coders, reading every line in ``language`` (None: detect each line's),
        and giving reasons in ``reasons_in`` (None: the interface language)."""
        return MultilingualCoder(self.coders, language, reasons_in)

    def reads(self, language: str) -> bool:
        """Whether lines in ``language`` (a tag such as "vi" or "zh-Hans") can be coded."""
        return base_language(language) in self.coders

    def route(self, text: str, context: Sequence[Utterance]) -> tuple[Coder | None, str]:
        """The coder for ``text``, or None and the reason it is not coded."""
        before = [u.text for u in context]
        found = detect_language(text, before, default=self.language or "en")
        if found is not None and found != self.language and (self.language is not None or found not in self.coders):
            # Another language than the one chosen, or one this coder has no model for.
            return None, self._reason(Unreadable.OTHER_LANGUAGE, (self.language,) if self.language else self.languages,
                                      found)
        if found is None:
            if self.language is not None or not any(ch.isalpha() for ch in text):
                # Symbols only, or the chosen language's coder says best what is wrong.
                coder = self.coders[self.language or "en"]
            else:
                return None, self._reason(Unreadable.SCRIPT, self.languages)
        else:
            coder = self.coders[found]
        unreadable = getattr(coder, "unreadable", None)
        reason = unreadable(text) if unreadable is not None else None
        if reason is not None:
            return None, self._reason(reason, coder.languages if hasattr(coder, "languages") else ("en",))
        return coder, ""

    def _reason(self, reason: Unreadable, reads: Sequence[str], detected: str | None = None) -> str:
        return reason_text(reason, reads, detected, self.reasons_in)

    def code_response(self, text: str, context: Sequence[Utterance] = (),
                      sides: ClientSides | None = None) -> ResponseCoding:
        coder, reason = self.route(text, context)
        if coder is None:
            return ResponseCoding(primary=None, uncoded_reason=reason, coder=self.name)
        return coder.code_response(text, context, sides)

    def code_client(self, text: str, context: Sequence[Utterance] = ()) -> ClientCoding:
        coder, reason = self.route(text, context)
        if coder is None:
            return ClientCoding(talk=None, uncoded_reason=reason, coder=self.name)
        return coder.code_client(text, context)

    def could_doubt(self, text: str, talk: TalkType, at_most: float) -> bool:
        """The talk-label check's cheap bound (see :meth:`TrainedCoder.could_doubt`), where
        the line's coder has one; True (code the line) otherwise."""
        coder, _ = self.route(text, ())
        bound = getattr(coder, "could_doubt", None)
        return True if bound is None else bound(text, talk, at_most)
