"""Text that wraps as Chinese is typeset: never "。" (or other closing punctuation) at the start
of a line.

Textual wraps :class:`~textual.content.Content` with Rich's ``divide_line``: at spaces, and a
run of text without spaces (a Chinese sentence) is cut wherever the width ends, so a line can
start with "。" or "，". :class:`Prose` breaks each line first, at the width it is drawn at,
with :func:`line_breaks` (between Chinese characters, at spaces, never before closing or after
opening punctuation: :mod:`mitrainer.cjk`), and hands Textual lines that already fit.
"""

from __future__ import annotations

from rich.cells import cell_len, get_character_cell_size
from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual

from mitrainer.cjk import NO_LINE_END, NO_LINE_START, may_break_between


def line_breaks(text: str, width: int) -> list[int]:
    """Where to break ``text`` (one line) so that every piece fits ``width`` cells: the offsets
    that start a new line.

    A line breaks after spaces (which may hang past the edge) and between Chinese characters,
    at the last such place that fits; closing punctuation is never the first character of a
    line and opening punctuation never the last: the character before goes down with it. A
    word wider than the line is cut where the width ends (as Textual does).
    """
    breaks: list[int] = []
    if width <= 0:
        return breaks
    start = 0  # the current line's first character
    used = 0  # its cells so far
    candidate = 0  # the last place after ``start`` where it may break (0: none yet)
    for index, char in enumerate(text):
        if index > start and may_break_between(text[index - 1], char):
            candidate = index
        cells = get_character_cell_size(char)
        if char.isspace():
            used += cells
            continue
        while used + cells > width and index > start:
            cut = candidate if candidate > start else _forced_cut(text, start, index)
            breaks.append(cut)
            start, candidate = cut, 0
            used = cell_len(text[start:index])
        used += cells
    return breaks


def _forced_cut(text: str, start: int, index: int) -> int:
    """Where to cut a line that has no place to break before ``index``: the last place up to
    ``index`` where closing punctuation does not start the next line nor opening punctuation
    end this one; ``index`` itself when there is none (a line of punctuation only)."""
    for cut in range(index, start, -1):
        if text[cut] not in NO_LINE_START and text[cut - 1] not in NO_LINE_END:
            return cut
    return index


def broken(content: Content, width: int) -> Content:
    """``content`` with a line break wherever :func:`line_breaks` puts one at ``width``."""
    lines = []
    for line in content.split("\n", allow_blank=True):
        offsets = line_breaks(line.plain, width)
        if not offsets:
            lines.append(line)
            continue
        pieces = line.divide(offsets)
        lines += [piece.rstrip() for piece in pieces[:-1]] + [pieces[-1]]
    return Content("\n").join(lines)


class Prose(Visual):
    """A :class:`Content` drawn with the line breaks of :func:`broken` at the width it is given."""

    def __init__(self, content: Content) -> None:
        self.content = content
        self._cache: tuple[int, Content] | None = None

    def __str__(self) -> str:
        return str(self.content)

    def _at(self, width: int) -> Content:
        if self._cache is None or self._cache[0] != width:
            self._cache = (width, broken(self.content, width))
        return self._cache[1]

    def render_strips(self, width: int, height: int | None, style: Style, options: RenderOptions) -> list[Strip]:
        pad = options.rules.get("line_pad", 0) * 2
        return self._at(width - pad).render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self.content.get_optimal_width(rules, container_width)

    def get_minimal_width(self, rules: RulesMap) -> int:
        return self.content.get_minimal_width(rules)

    def get_height(self, rules: RulesMap, width: int) -> int:
        pad = rules.get("line_pad", 0) * 2
        return self._at(width - pad).get_height(rules, width)
