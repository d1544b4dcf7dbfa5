"""The trainer application (the full trainer replaces this library view)."""

from __future__ import annotations

import argparse
from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header

from mitrainer.paths import bundled_scenarios
from mitrainer.scenario.load import load_library


class TrainerApp(App):
    TITLE = "mitrainer"
    BINDINGS = [("q", "quit", "Quit")]

    def __init__(self, folders: list[Path]):
        super().__init__()
        self.folders = folders

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Scenario", "Topic", "Difficulty", "Language", "Minutes")
        library = load_library(self.folders)
        for loaded in library.ordered():
            s = loaded.scenario
            table.add_row(s.title, s.topic, s.difficulty.value, s.language, str(s.minutes))
        for broken in library.broken:
            first = broken.errors[0] if broken.errors else None
            table.add_row(str(broken.path), str(first) if first else "cannot be loaded", "", "", "")


def run_app(args: argparse.Namespace) -> int:
    TrainerApp([bundled_scenarios(), *(Path(p) for p in args.scenarios)]).run()
    return 0
