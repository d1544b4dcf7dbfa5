"""Helpers shared by the trainer's tests (a module, not conftest, so tests can import it)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from mitrainer.coding.rules import RuleBasedCoder
from mitrainer.store.db import SessionStore
from mitrainer.tui.app import TrainerApp
from mitrainer.tui.services import Services

FIXTURES = Path(__file__).parent / "fixtures"
SCENARIOS = FIXTURES / "scenarios"
FIXED_NOW = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)


def make_services(db: Path | str, folders: list[Path] | None = None) -> Services:
    return Services(store=SessionStore(db), scenario_folders=folders or [SCENARIOS],
                    clock=lambda: FIXED_NOW, seed_source=lambda: 7, coder_factory=RuleBasedCoder)


def make_app(db: Path | str, folders: list[Path] | None = None) -> TrainerApp:
    return TrainerApp(make_services(db, folders), warm_up_coder=False)


async def wait_ready(pilot) -> None:
    """Let the home screen finish loading the library in its worker."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
