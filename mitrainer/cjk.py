"""Chinese (and other CJK) text: where lines join without a space, and where a line may break.

Two rules of CJK typesetting that mitrainer needs (docs/scenario-format.md, "Chinese text"):

* Chinese is written without spaces between words, so the break between two lines of one
  paragraph joins them with nothing (where both sides are Chinese, or either is Chinese
  punctuation). YAML folding (``>-``, ``>``, text over several lines)
  puts a space there ("她没跟 过去"); the YAML loader takes it out again with
  :func:`joins_without_space`.
* Closing punctuation (``。，、；：？！）」』`` …) never starts a line and opening punctuation
  never ends one (*kinsoku*): :data:`NO_LINE_START` and :data:`NO_LINE_END`, used where the
  trainer wraps text.
"""

from __future__ import annotations

import re

# Han ideographs, CJK punctuation, kana, bopomofo and full-width forms: text written without
# spaces between words. Hangul is left out (Korean puts spaces between words).
_WIDE_RANGES = (
    (0x2E80, 0x2FDF),  # radicals
    (0x3000, 0x303F),  # CJK symbols and punctuation (、。「」…)
    (0x3040, 0x30FF),  # hiragana, katakana
    (0x3100, 0x312F),  # bopomofo
    (0x31C0, 0x31EF),  # strokes
    (0x3400, 0x4DBF),  # extension A
    (0x4E00, 0x9FFF),  # unified ideographs
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0xFE30, 0xFE4F),  # compatibility forms (vertical punctuation)
    (0xFF00, 0xFFEF),  # full-width forms (，！？：；（）)
    (0x20000, 0x3FFFF),  # extensions B and later
)
# Punctuation Chinese shares with other scripts: it joins without a space when the other
# side of the break is CJK ("说“你好”" + "然后" is one phrase).
_SHARED_PUNCTUATION = "“”‘’—…·"
# CJK punctuation and full-width forms: no space is ever needed beside them.
_WIDE_PUNCTUATION = re.compile("[\u3000-\u303f\uff00-\uffef]")

# Never at the start of a line: closing punctuation (Chinese, full-width and ASCII) and the
# ellipsis. Never at the end of one: opening brackets and quotes.
NO_LINE_START = frozenset("。，、；：？！）」』】》〉〕］｝〗〙”’…‥・·％．,.;:?!)]}%")
NO_LINE_END = frozenset("（「『【《〈〔［｛〖〘“‘([{")


CJK_CHARACTER = re.compile("[" + "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in _WIDE_RANGES) + "]")


def is_cjk(char: str) -> bool:
    """Whether ``char`` (one character) belongs to text written without spaces between words."""
    code = ord(char)
    return any(low <= code <= high for low, high in _WIDE_RANGES)


def joins_without_space(before: str, after: str) -> bool:
    """Whether a line break between the text ``before`` and the text ``after`` should join the
    lines with nothing: Chinese on both sides, or Chinese punctuation on either (it carries
    its own spacing). Quotes, dashes and the ellipsis Chinese shares with other scripts are
    looked through ("说“你好”" + "然后": 好 and 然 decide)."""
    left, right = before.rstrip(_SHARED_PUNCTUATION), after.lstrip(_SHARED_PUNCTUATION)
    if not left or not right:
        return False
    last, first = left[-1], right[0]
    if _WIDE_PUNCTUATION.match(last) or _WIDE_PUNCTUATION.match(first):
        return True
    return is_cjk(last) and is_cjk(first)


def may_break_between(before: str, after: str) -> bool:
    """Whether a wrapped line may end after ``before`` and the next start with ``after``.

    Between Chinese characters a line may break anywhere, except before closing
    punctuation and after opening punctuation; elsewhere only after a space (as in English).
    """
    if after.isspace() or after in NO_LINE_START or before in NO_LINE_END:
        return False
    if before.isspace():
        return True
    return is_cjk(before) or is_cjk(after)


# -- YAML folding ------------------------------------------------------------------------------
#
# YAML joins the lines of folded text (``>``, ``>-``) and of quoted or plain text written over
# several lines with a space. The functions below redo that folding from the source lines,
# marking where each space came from a line break, and take out those between Chinese
# characters. They return None whenever their folding does not give exactly the value the
# parser produced (an indentation indicator, escapes, an unusual layout): the value is then
# kept as it is, so a file is never read differently from YAML's rules except at those breaks.

_FOLD = object()  # where a line break was folded into a space


def _joined(pieces: list, cjk: bool) -> str:
    out: list[str] = []
    for i, piece in enumerate(pieces):
        if piece is not _FOLD:
            out.append(piece)
            continue
        before = pieces[i - 1] if i else ""
        after = pieces[i + 1] if i + 1 < len(pieces) else ""
        keep = not (cjk and before and after and joins_without_space(before, after))
        out.append(" " if keep else "")
    return "".join(out)


def _checked(pieces: list, value: str) -> str | None:
    """The value with Chinese line joins, if ``pieces`` fold to exactly ``value``; else None."""
    if _joined(pieces, cjk=False) != value:
        return None
    joined = _joined(pieces, cjk=True)
    return joined if joined != value else None


def refold_block(header: str, lines: list[str], value: str) -> str | None:
    """``value`` of a folded block scalar (``>``), its Chinese line breaks joined without a space.

    ``header`` is the text from the ``>`` indicator to the end of its line; ``lines`` the
    source lines after it, up to where the parser said the scalar ends. None when there is
    nothing to change, or the layout is one this does not redo (an indentation indicator).
    """
    indicator = header[1:].split("#", 1)[0].strip()
    if not header.startswith(">") or any(ch.isdigit() for ch in indicator):
        return None
    chomping = "+" if "+" in indicator else "-" if "-" in indicator else ""
    content = next((line for line in lines if line.strip(" ")), None)
    if content is None:
        return None
    indent = len(content) - len(content.lstrip(" "))
    if indent == 0:
        return None
    pieces: list = []
    breaks: list[str] = []
    index = 0
    # Blank lines (at most the indentation's spaces) before the first line are kept as breaks.
    while index < len(lines) and not lines[index][:indent].strip(" ") and not lines[index][indent:]:
        breaks.append("\n")
        index += 1
    last_break = ""
    while index < len(lines) and lines[index].startswith(" " * indent) and lines[index][indent:]:
        pieces.extend(breaks)
        line = lines[index][indent:]
        leading_non_space = line[0] not in " \t"
        pieces.append(line)
        index += 1
        breaks = []
        while index < len(lines) and not lines[index][:indent].strip(" ") and not lines[index][indent:]:
            breaks.append("\n")
            index += 1
        last_break = "\n"
        if index < len(lines) and lines[index].startswith(" " * indent) and lines[index][indent:]:
            if leading_non_space and lines[index][indent] not in " \t":
                if not breaks:
                    pieces.append(_FOLD)
            else:
                pieces.append("\n")
        else:
            break
    if chomping != "-":
        pieces.append(last_break)
        if chomping == "+":
            pieces.extend(breaks)
    return _checked(pieces, value)


def refold_flow(lines: list[str], quote: str, value: str) -> str | None:
    """``value`` of a plain or quoted scalar over several lines (``lines``: its source, the
    quotes included), its Chinese line breaks joined without a space. ``quote`` is ``'``,
    ``"`` or "" (plain). None when there is nothing to change or the text has escapes."""
    if len(lines) < 2 or (quote == '"' and "\\" in "".join(lines)):
        return None
    if quote:
        if not (lines[0].startswith(quote) and lines[-1].endswith(quote)):
            return None
        lines = [lines[0][1:], *lines[1:-1], lines[-1][:-1]]
    parts = [lines[0].rstrip(" \t"), *(line.strip(" \t") for line in lines[1:-1]), lines[-1].lstrip(" \t")]
    if quote == "'":
        parts = [part.replace("''", "'") for part in parts]
    pieces: list = [parts[0]]
    empty = 0
    for part in parts[1:]:
        if not part:
            empty += 1
            continue
        pieces.append("\n" * empty if empty else _FOLD)
        pieces.append(part)
        empty = 0
    if empty:  # the text ends with empty lines (a quoted scalar): each is a line break
        pieces.append("\n" * empty)
    return _checked(pieces, value)
