"""Other members' sessions (imported from bundles) are theirs in the trainer: marked on Home,
never resumed by ctrl+r, opened read-only on the review screen."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.widgets import DataTable
from tui_helpers import make_app, wait_ready

from mitrainer.store.db import SessionStore
from mitrainer.tui.screens.practice import PracticeScreen
from mitrainer.tui.screens.review import ReviewerDialog, ReviewScreen
from mitrainer.tui.widgets.response_box import ResponseBox

LAN = "7" * 32


async def start_and_leave(pilot) -> str:
    """Open the pub scenario, answer once, leave unfinished; the session's id."""
    await wait_ready(pilot)
    await pilot.press(*"pub", "enter", "enter")
    await pilot.pause()
    practice = pilot.app.screen
    assert isinstance(practice, PracticeScreen)
    practice.query_one(ResponseBox).text = "You feel everyone is waiting to lecture you about it."
    await pilot.press("enter")
    await pilot.pause()
    return practice.session.session_id


def import_as_lan(db: Path, own: str) -> None:
    """Lan's unfinished session of the same scenario, imported after yours (so it is the latest)."""
    store = SessionStore(db)
    try:
        record = store.load_record(own)
        assert record is not None
        store.import_sessions([(record.model_copy(update={"session_id": LAN}), "Lan", None)])
        assert store.list_sessions()[0].id == LAN  # the most recent: what ctrl+r used to take
    finally:
        store.close()


def test_an_imported_session_is_marked_never_resumed_and_opens_read_only(db: Path, tmp_path: Path,
                                                                         monkeypatch) -> None:
    monkeypatch.setenv("MITRAINER_DATA_DIR", str(tmp_path / "data"))

    async def first() -> str:
        async with make_app(db).run_test(size=(110, 32)) as pilot:
            return await start_and_leave(pilot)

    own = asyncio.run(first())
    import_as_lan(db, own)

    async def later() -> None:
        app = make_app(db)
        async with app.run_test(size=(110, 32)) as pilot:
            await wait_ready(pilot)
            recent = app.screen.query_one("#recent", DataTable)
            rows = {str(recent.coordinate_to_cell_key((i, 0)).row_key.value): recent.get_row_at(i)
                    for i in range(recent.row_count)}
            assert "Lan" in str(rows[LAN][-1]) and "yours" in str(rows[own][-1])
            await pilot.press("ctrl+r")  # resumes yours, not Lan's later one
            await pilot.pause()
            assert isinstance(app.screen, PracticeScreen) and app.screen.session.session_id == own
            await pilot.press("escape")
            await pilot.pause()
            app.open_session(LAN)  # chosen in the list: read-only, as Lan's
            await pilot.pause()
            assert isinstance(app.screen, ReviewerDialog)
            await pilot.press(*"Mai", "enter")
            await pilot.pause()
            assert isinstance(app.screen, ReviewScreen) and app.screen.member == "Lan"

    asyncio.run(later())
    store = SessionStore(db)
    try:
        assert len(store.load_record(LAN).turns) == 1  # nothing was added to Lan's session
    finally:
        store.close()
