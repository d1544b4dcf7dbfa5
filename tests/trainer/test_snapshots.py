"""SVG snapshots of the main screens at fixed sizes (update with --snapshot-update after a deliberate change).

Nondeterminism is removed by the fixtures: a fixed clock and seed, the rule-based coder, a
temporary database and the fixture scenarios; times are shown in UTC here.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from tui_helpers import FIXTURES, make_app, wait_ready

from mitrainer.tui.widgets.response_box import ResponseBox

REPLIES = ["You feel everyone is waiting to lecture you about it.",
           "You feel Alfie deserves a grandad who is really there for him."]


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


async def start(pilot, filter_text: str = "pub") -> None:
    await wait_ready(pilot)
    await pilot.press(*filter_text, "enter", "enter")
    await pilot.pause()
    for box in pilot.app.screen.query(ResponseBox):
        box.cursor_blink = False


async def reply(pilot, text: str) -> None:
    pilot.app.screen.query_one(ResponseBox).text = text
    await pilot.press("enter")
    await pilot.pause()


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_home(snap_compare, tmp_path: Path) -> None:
    db = tmp_path / "s.db"

    async def played_sessions(pilot) -> None:
        # One finished and one interrupted session, so both kinds show in the recent list.
        await start(pilot)
        await reply(pilot, REPLIES[0])
        await reply(pilot, REPLIES[1])
        await reply(pilot, "How would you go about that?")
        await pilot.press("enter", "escape")
        await pilot.pause()
        await start(pilot, "")
        await reply(pilot, REPLIES[0])
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("escape")  # clears the filter
        await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app(db, [FIXTURES / "scenarios", FIXTURES / "broken"]), terminal_size=(100, 30),
                        run_before=played_sessions)


def test_practice(snap_compare, tmp_path: Path) -> None:
    async def two_turns(pilot) -> None:
        await start(pilot)
        await reply(pilot, REPLIES[0])
        await reply(pilot, "Do you drink on Thursdays too?")
        await settle(pilot)

    assert snap_compare(make_app(tmp_path / "s.db"), terminal_size=(100, 30), run_before=two_turns)


def test_practice_chinese_guided_at_80x24(snap_compare, tmp_path: Path) -> None:
    async def chinese(pilot) -> None:
        await start(pilot, "邻居")
        await settle(pilot)

    assert snap_compare(make_app(tmp_path / "s.db"), terminal_size=(80, 24), run_before=chinese)


def test_summary(snap_compare, tmp_path: Path) -> None:
    async def finished(pilot) -> None:
        await start(pilot)
        await reply(pilot, REPLIES[0])
        await reply(pilot, REPLIES[1])
        await reply(pilot, "How would you go about that?")
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(make_app(tmp_path / "s.db"), terminal_size=(100, 40), run_before=finished)


def test_practice_at_40x12(snap_compare, tmp_path: Path) -> None:
    async def small(pilot) -> None:
        await start(pilot)
        await reply(pilot, REPLIES[0])
        await settle(pilot)

    assert snap_compare(make_app(tmp_path / "s.db"), terminal_size=(40, 12), run_before=small)
