"""Chinese text wraps as it is typeset: "。" and other closing punctuation never start a line."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text
from textual.app import App, ComposeResult
from textual.content import Content
from textual.geometry import Region

import mitrainer.tui.app
from mitrainer.cjk import NO_LINE_END, NO_LINE_START
from mitrainer.record.model import ClientLine
from mitrainer.tui.widgets.conversation import ClientBubble, Conversation
from mitrainer.tui.widgets.prose import broken, line_breaks

# Ten characters fill a 20-cell line; "。" comes eleventh.
LINE = "一二三四五六七八九十。好的好的，我们明天再说吧！"


def pieces(text: str, width: int) -> list[str]:
    return broken(Content(text), width).plain.split("\n")


def test_textual_alone_would_start_a_line_with_a_full_stop():
    """Why the trainer breaks lines itself: Textual cuts unspaced text wherever the width ends
    (it wraps with Rich's line division, shown here through Rich's Text, in every release)."""
    assert Text(LINE).wrap(Console(width=20), 20)[1].plain.startswith("。")
    assert pieces(LINE, 20) == ["一二三四五六七八九", "十。好的好的，我们明", "天再说吧！"]


@pytest.mark.parametrize(("text", "width", "expected"), [
    ("你好，我是林姐。", 8, ["你好，我", "是林姐。"]),
    ("你好，我是林姐。", 6, ["你好，", "我是林", "姐。"]),
    ("他说：“好吧。”然后走了", 12, ["他说：“好", "吧。”然后走", "了"]),  # no “ at a line's end either
    ("Hello there world", 11, ["Hello there", "world"]),
    ("MI 是动机式访谈的缩写", 10, ["MI 是动机", "式访谈的缩", "写"]),
    ("abcdefghijklmnop", 6, ["abcdef", "ghijkl", "mnop"]),  # a word wider than the line is cut
    ("。。。。。。", 4, ["。。", "。。", "。。"]),  # nothing else to do
])
def test_line_breaks(text, width, expected):
    assert pieces(text, width) == expected


TEXT = st.lists(st.sampled_from(["你", "好", "的", "。", "，", "！", "“", "”", "（", "）", "MI", "word", " ", "12"]),
                max_size=40).map("".join)


def clean(text: str, cut: int) -> bool:
    return text[cut] not in NO_LINE_START and text[cut - 1] not in NO_LINE_END


@settings(max_examples=300, deadline=None)
@given(text=TEXT, width=st.integers(min_value=4, max_value=30))
def test_every_line_fits_and_none_starts_with_closing_punctuation(text, width):
    lines = pieces(text, width)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(cell_len(line.rstrip()) <= width for line in lines), lines
    breaks = line_breaks(text, width)
    assert breaks == sorted(set(breaks)) and all(0 < b < len(text) for b in breaks)
    for start, cut in zip([0, *breaks], breaks, strict=False):
        # Closing punctuation starts a line only where the width left no other place to cut.
        assert clean(text, cut) or not any(clean(text, c) for c in range(start + 1, cut + 1)), lines


class ConversationApp(App):
    CSS_PATH = str(Path(mitrainer.tui.app.__file__).parent / "mitrainer.tcss")

    def compose(self) -> ComposeResult:
        yield Conversation("林姐")


@pytest.mark.parametrize("columns", range(24, 40))
def test_the_conversation_never_starts_a_line_with_closing_punctuation(columns):
    """The trainer's client bubble, at widths that put "。", "，" or "！" at a break."""

    async def flow() -> list[str]:
        app = ConversationApp()
        async with app.run_test(size=(columns, 20)) as pilot:
            await app.query_one(Conversation).show_history([], ClientLine(node="n", text=LINE))
            await pilot.pause()
            bubble = app.query_one(ClientBubble)
            region = Region(0, 0, bubble.outer_size.width, bubble.outer_size.height)
            return [strip.text[2:].rstrip() for strip in bubble.render_lines(region)][1:]  # after the name line

    rows = asyncio.run(flow())
    assert "".join(rows) == LINE
    assert len(rows) > 1 and not any(row[0] in NO_LINE_START for row in rows), rows
