"""What keeps Enter → the client's next line short: the collector's full pass waits for the
painted line, and a turn's bubbles are laid out already in view (benchmarks/bench_e2e.py
measures the time; these tests check the behaviour)."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path

import pytest
from test_flows import REFLECTION, open_practice, say
from tui_helpers import make_app

from mitrainer.tui.collector import NEVER, FullCollections
from mitrainer.tui.widgets.conversation import ClientBubble, Conversation


@pytest.fixture
def thresholds():
    saved = gc.get_threshold()
    yield saved
    gc.set_threshold(*saved)


def make_full_pass_due() -> None:
    # Each collection of the middle generation counts towards the next full pass.
    for _ in range(gc.get_threshold()[2] if gc.get_threshold()[2] != NEVER else 10):
        gc.collect(1)


def full_passes() -> list[int]:
    """A list that grows by one at the end of every full pass (the collector's callback)."""
    seen: list[int] = []

    def callback(phase: str, info: dict) -> None:
        if phase == "stop" and info["generation"] == 2:
            seen.append(1)

    gc.callbacks.append(callback)
    return seen


def test_full_collections_defer_restore_and_collect_when_due(thresholds) -> None:
    collections = FullCollections()
    assert not collections.collect_if_due()  # not deferred: CPython decides
    collections.defer()
    collections.defer()  # twice: the thresholds saved are still the original ones
    assert gc.get_threshold() == (thresholds[0], thresholds[1], NEVER)
    gc.collect()
    assert not collections.collect_if_due()
    seen = full_passes()
    try:
        make_full_pass_due()
        assert collections.collect_if_due() and seen
        assert gc.get_count()[2] == 0
    finally:
        gc.callbacks.pop()
    collections.restore()
    assert gc.get_threshold() == thresholds


def test_the_full_pass_waits_for_the_painted_line_and_the_practice_screen(db: Path, thresholds) -> None:
    async def flow():
        app = make_app(db)
        async with app.run_test(size=(100, 30)) as pilot:
            practice = await open_practice(pilot)
            assert gc.get_threshold()[2] == NEVER
            make_full_pass_due()
            seen = full_passes()
            try:
                await say(pilot, REFLECTION)
                await pilot.pause()
                assert seen and gc.get_count()[2] < thresholds[2]
            finally:
                gc.callbacks.pop()
            assert len(practice.session.turns) == 1
            await pilot.press("escape")  # home: CPython decides again
            await pilot.pause()
            assert gc.get_threshold() == thresholds
    asyncio.run(flow())


def test_the_conversation_sits_at_the_top_until_it_fills_the_view_then_follows_its_end(db: Path,
                                                                                      thresholds) -> None:
    async def flow():
        app = make_app(db)
        async with app.run_test(size=(100, 30)) as pilot:
            practice = await open_practice(pilot)
            conversation = practice.query_one(Conversation)
            await say(pilot, REFLECTION)
            assert conversation.is_anchored and conversation.scroll_y == 0
            first = practice.query(ClientBubble).first()
            assert first.region.y <= conversation.region.y + 2  # at the top, not pushed down
            for n in range(8):
                if practice.session.finished:
                    break
                await say(pilot, f"It sounds like Fridays matter a lot to you ({n}).")
            await pilot.pause()
            assert conversation.is_anchored and conversation.scroll_y == conversation.max_scroll_y > 0
            last = practice.query(ClientBubble).last()
            assert conversation.region.contains_region(last.region)  # the client's latest line in view
        assert gc.get_threshold() == thresholds  # the app quit in the conversation: CPython decides again
    asyncio.run(flow())
