"""Why a line was not coded, said in the reader's language.

The coders decide *that* a line cannot be coded (:class:`Unreadable`); :func:`reason_text`
says why in a language of the interface catalogs (``coding.uncoded.*`` in
``mitrainer/locales``), so no English reason ends up inside Vietnamese or Chinese
feedback. A session's reasons are given in its scenario's language (the language of its
feedback); the command line's in the interface language.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum

from mitrainer.i18n import current_language, text_in


class Unreadable(str, Enum):
    """What keeps a line from being coded."""

    EMPTY = "empty"
    SYMBOLS = "symbols"  # only symbols, digits or emoji
    SCRIPT = "script"  # a script none of the coder's languages is written in
    NOT_LANGUAGE = "not_language"  # does not look like the language this coder reads
    UNKNOWN_WORDS = "unknown_words"  # words the coder never saw (gibberish, another language)
    OTHER_LANGUAGE = "other_language"  # a language the coder reads, but not the one chosen


def language_name(language: str, in_language: str) -> str:
    """``language`` ("en", "vi", "zh") named in ``in_language`` ("tiếng Việt", "越南语"…)."""
    return text_in(in_language, f"coding.language.{language}")


def reason_text(reason: Unreadable, reads: Sequence[str], detected: str | None = None,
                in_language: str | None = None) -> str:
    """Why a line was not coded, in ``in_language`` (default: the interface language).

    ``reads`` are the languages the coder was reading; ``detected`` the language the line is
    in, for :attr:`Unreadable.OTHER_LANGUAGE`.
    """
    lang = in_language or current_language()
    names = text_in(lang, "report.list_separator").join(language_name(r, lang) for r in reads)
    return text_in(lang, f"coding.uncoded.{reason.value}", language=names,
                   other=language_name(detected, lang) if detected else "")
