"""The trainer for authors: start at a node with state, and `mitrainer author` reloading a file."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.widgets import Input, Static
from tui_helpers import SCENARIOS, make_services, wait_ready

from mitrainer.store.db import SessionStore
from mitrainer.tui.app import TrainerApp
from mitrainer.tui.screens.author import (
    AuthorPracticeScreen,
    AuthorTarget,
    AuthorWaitScreen,
    StartAtNodeDialog,
)
from mitrainer.tui.screens.briefing import BriefingScreen
from mitrainer.tui.screens.practice import PracticeScreen
from mitrainer.tui.widgets.conversation import ClientBubble
from mitrainer.tui.widgets.response_box import ResponseBox

REFLECTION = "You feel everyone is waiting to lecture you about it."
GRANDSON = "It's just... my grandson Alfie stays over on Fridays."


def run(coro) -> None:
    asyncio.run(coro)


async def say(pilot, text: str) -> None:
    pilot.app.screen.query_one(ResponseBox).text = text
    await pilot.press("enter")
    await pilot.pause()


def stored_sessions(db: Path) -> int:
    store = SessionStore(db)
    try:
        return len(store.list_sessions())
    finally:
        store.close()


def test_an_author_starts_at_a_node_with_state_and_nothing_is_stored(db: Path) -> None:
    async def flow():
        app = TrainerApp(make_services(db), warm_up_coder=False)
        async with app.run_test(size=(110, 34)) as pilot:
            await wait_ready(pilot)
            await pilot.press(*"pub", "enter")
            assert isinstance(app.screen, BriefingScreen)
            await pilot.press("ctrl+n")
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, StartAtNodeDialog)
            dialog.query_one("#node", Input).value = "grandsn"
            dialog.query_one("#values", Input).value = "readiness=4"
            await pilot.press("enter")
            await pilot.pause()
            problem = str(dialog.query_one("#start-problem", Static).render())
            assert "There is no node 'grandsn'" in problem and "Did you mean 'grandson'?" in problem
            dialog.query_one("#node", Input).value = "grandson"
            dialog.query_one("#values", Input).value = "readiness=eleven"
            await pilot.press("enter")
            await pilot.pause()
            assert "'readiness' is int" in str(dialog.query_one("#start-problem", Static).render())
            dialog.query_one("#values", Input).value = "readiness=4 rapport=5"
            await pilot.press("enter")
            await pilot.pause()
            practice = app.screen
            assert isinstance(practice, PracticeScreen)
            session = practice.session
            assert session.node_id == "grandson" and session.variables == {"readiness": 4, "rapport": 5}
            assert "Alfie" in str(practice.query(ClientBubble)[0].render())
            await say(pilot, "You feel Alfie deserves a grandad who is really there for him.")
            assert session.node_id == "plan" and session.variables["readiness"] == 7
        assert stored_sessions(db) == 0  # an author's test stays out of history

    run(flow())


def test_start_at_a_node_is_in_the_command_palette(db: Path) -> None:
    async def flow():
        app = TrainerApp(make_services(db), warm_up_coder=False)
        async with app.run_test(size=(110, 34)) as pilot:
            await wait_ready(pilot)
            await pilot.press(*"pub", "enter")
            titles = [title for title, _, _ in app.screen.palette_commands()]
            assert "Start at a node (for authors)" in titles

    run(flow())


def author_app(db: Path, path: Path, **start) -> TrainerApp:
    services = make_services(db)
    services.authoring = True
    return TrainerApp(services, warm_up_coder=False, author=AuthorTarget(path, **start))


async def saved(pilot, path: Path, text: str) -> None:
    """Save the file as an editor would, and give the trainer's poll time to see it."""
    path.write_text(text, encoding="utf-8")
    await pilot.pause(0.8)
    await pilot.pause()


def test_saving_the_file_reloads_the_conversation_in_place(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "evenings.yaml"
    original = (SCENARIOS / "evenings.yaml").read_text(encoding="utf-8")
    path.write_text(original, encoding="utf-8")

    async def flow():
        app = author_app(db, path)
        async with app.run_test(size=(110, 34)) as pilot:
            await wait_ready(pilot)
            screen = app.screen
            assert isinstance(screen, AuthorPracticeScreen)
            # The fixture's warnings (the MI lint's among them) are listed from the start.
            assert "warning(s) in the file" in str(screen.query_one("#author-problems", Static).render())
            await say(pilot, REFLECTION)
            assert screen.session.node_id == "grandson"

            # A new wording of the line the client is at: shown at once, the turn kept.
            await saved(pilot, path, original.replace(GRANDSON, "Alfie, my grandson, stays over on Fridays."))
            assert screen.session.node_id == "grandson" and len(screen.session.turns) == 1
            bubbles = screen.query(ClientBubble)
            assert len(bubbles) == 2 and "Alfie, my grandson" in str(bubbles[-1].render())
            assert screen.session.turns[0].response == REFLECTION

            # A broken save: its problems are listed, the conversation goes on.
            await saved(pilot, path, original.replace("goto: grandson\n", "goto: grandsun\n", 1))
            panel = screen.query_one("#author-problems", Static)
            assert panel.display and "S011" in str(panel.render()) and "grandsun" in str(panel.render())
            assert screen.session.node_id == "grandson"
            await say(pilot, "You feel Alfie deserves a grandad who is really there for him.")
            assert screen.session.node_id == "plan"

            # Fixed again: no error shown (the fixture's warnings are); the two turns replayed.
            await saved(pilot, path, original)
            shown = str(screen.query_one("#author-problems", Static).render())
            assert "S011" not in shown and "warning(s) in the file" in shown
            assert screen.session.node_id == "plan" and len(screen.session.turns) == 2
        assert stored_sessions(db) == 0

    run(flow())


def test_a_file_that_does_not_load_yet_opens_when_it_is_fixed(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "evenings.yaml"
    original = (SCENARIOS / "evenings.yaml").read_text(encoding="utf-8")
    path.write_text(original.replace("nodes:\n", "nodes:\n  - [\n", 1), encoding="utf-8")

    async def flow():
        app = author_app(db, path, start_node="grandson", assignments=["readiness=6"])
        async with app.run_test(size=(110, 34)) as pilot:
            await wait_ready(pilot)
            assert isinstance(app.screen, AuthorWaitScreen)
            assert "Y001" in str(app.screen.query_one("#author-wait-problems", Static).render())
            await saved(pilot, path, original)
            screen = app.screen
            assert isinstance(screen, AuthorPracticeScreen)
            assert screen.session.node_id == "grandson" and screen.session.variables["readiness"] == 6

    run(flow())


def test_a_bad_start_for_the_file_is_explained(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "evenings.yaml"
    path.write_text((SCENARIOS / "evenings.yaml").read_text(encoding="utf-8"), encoding="utf-8")

    async def flow():
        app = author_app(db, path, start_node="pln")
        async with app.run_test(size=(110, 34)) as pilot:
            await wait_ready(pilot)
            assert isinstance(app.screen, AuthorWaitScreen)
            text = str(app.screen.query_one("#author-wait-problems", Static).render())
            assert "There is no node 'pln'" in text and "'plan'" in text

    run(flow())


def test_a_reload_that_fails_unexpectedly_is_a_message_not_a_crash(db: Path, tmp_path: Path, monkeypatch) -> None:
    from mitrainer.tui.screens import author

    path = tmp_path / "evenings.yaml"
    original = (SCENARIOS / "evenings.yaml").read_text(encoding="utf-8")
    path.write_text(original, encoding="utf-8")

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    async def flow():
        app = author_app(db, path)
        async with app.run_test(size=(110, 34)) as pilot:
            await wait_ready(pilot)
            screen = app.screen
            await say(pilot, REFLECTION)
            monkeypatch.setattr(author, "carry_over", broken)
            await saved(pilot, path, original.replace(GRANDSON, "Changed."))
            assert app.screen is screen and screen.session.node_id == "grandson"
            assert any("disk on fire" in str(n.message) for n in app._notifications)

    run(flow())


def test_an_author_trying_a_vietnamese_scenario_sees_it_in_vietnamese(db: Path) -> None:
    # The practice screen opens over the library at once; the library's first resume, handled
    # after that, must not switch the session back to the interface language (English here).
    from mitrainer.i18n import current_language, text_in
    from mitrainer.paths import bundled_scenarios

    async def flow():
        app = author_app(db, bundled_scenarios() / "hanoi-outreach-vi.yaml")
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_ready(pilot)
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, AuthorPracticeScreen) and current_language() == "vi"
            shown = " ".join(str(s.render()) for s in screen.query(Static))
            for key in ("side.reflections", "side.questions"):
                assert text_in("vi", key) in shown and text_in("en", key) not in shown
    run(flow())
