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

# The longest response the trainer takes (the scenario format allows lines of the same
# length); imported sessions are held to it too.
MAX_RESPONSE_CHARS = 20_000

# C0 controls except tab and newline, DEL, C1 controls, and the bidi embedding/override/
# isolate characters that can make text read differently from how it is stored.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def wide_encoding(raw: bytes) -> str | None:
    """"UTF-32" or "UTF-16" when ``raw`` looks like text in that encoding (by its byte-order
    mark, or by the NUL bytes that ASCII characters leave in it), else None.

    Used to tell someone whose editor saved a file in a wide encoding what to do, rather
    than calling it binary or reporting the YAML or CSV errors its NUL bytes cause.
    """
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    sample = raw[:4096]
    if len(sample) < 8 or sample.count(0) < len(sample) // 3:
        return None
    nuls = [sum(1 for b in sample[k::4] if b == 0) / len(sample[k::4]) for k in range(4)]
    if sum(n > 0.9 for n in nuls) == 3:  # three NULs in every four bytes: ASCII in UTF-32
        return "UTF-32"
    if (nuls[0] > 0.9 and nuls[2] > 0.9) or (nuls[1] > 0.9 and nuls[3] > 0.9):  # every other byte
        return "UTF-16"
    return None


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


# A spreadsheet runs a cell starting with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (a leading = + - @ is quoted)."""
    return "'" + text if text[:1] in _FORMULA_START else text


def from_spreadsheet(text: str) -> str:
    """A cell read back: the quote :func:`spreadsheet_safe` put before a formula character removed."""
    return text[1:] if text[:1] == "'" and text[1:2] in _FORMULA_START else text
