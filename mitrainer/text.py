"""Text hygiene: control characters never reach the terminal or an export.

Scenario files, transcripts, bundles from other machines and pasted responses may carry
terminal control sequences (ESC, OSC titles, bells) or bidirectional overrides. Scenario
files are refused with a diagnostic (an author can fix them); text from elsewhere is
cleaned where it enters mitrainer.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# C0 controls except tab and newline, DEL, C1 controls, and the bidi embedding/override/
# isolate characters that can make text read differently from how it is stored.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def find_control(text: str) -> int:
    """Index of the first control character in ``text``, or -1."""
    match = CONTROL.search(text)
    return match.start() if match else -1


def without_diacritics(text: str) -> str:
    """``text`` in NFC with Latin diacritics removed, as Vietnamese is often typed on phones.

    ``"Căn cước"`` becomes ``"Can cuoc"`` (đ becomes d); Chinese and other scripts are unchanged.
    """
    decomposed = unicodedata.normalize("NFD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", plain).replace("đ", "d").replace("Đ", "D")


def has_diacritics(text: str) -> bool:
    """Whether ``text`` carries any diacritic that :func:`without_diacritics` would remove."""
    return without_diacritics(text) != unicodedata.normalize("NFC", text)


def clean_text(text: str) -> str:
    """``text`` without control characters (carriage returns become newlines)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return CONTROL.sub("", text)


def clean_name(text: str) -> str:
    """A name taken from a file or a path (a bundle's file name, a reviewer, a trainee) made
    safe to print: cleaned like content, on one line, without surrounding spaces."""
    return " ".join(clean_text(text).split())


def visible(text: str) -> str:
    """``text`` with each control character shown as U+FFFD (for messages and source lines: the
    problem stays visible, columns stay where they were, and nothing reaches the terminal raw)."""
    return CONTROL.sub("\ufffd", text)


def clean_tree(value: Any) -> Any:
    """A copy of a JSON-like value with every string cleaned (keys included)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(k) if isinstance(k, str) else k: clean_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_tree(v) for v in value]
    return value


def no_control(text: str) -> str:
    """Pydantic validator: refuse text holding a control character, naming it."""
    # Called for every text field of a scenario (50 000 in a big one): one regex search.
    match = CONTROL.search(text)
    if match:
        index = match.start()
        raise ValueError(f"contains the control character U+{ord(text[index]):04X} at character {index + 1}; "
                         "remove it (terminal control codes are not allowed in scenario text)")
    return text
