"""Numbers that passed validation and crashed later (issue #20): now refused where they are written.

A 5 000-hex-digit title gave "internal error" in every command and a traceback in the
trainer (which exited 0); an int default of 10^400, a default of 1e308 plus an ``add`` of
1e308 (the sidebar crashed; ``play --out`` wrote Infinity) and ``if: "1.5 + <400 digits> > 0"``
(overflow at the first response) failed the same way. Limits: docs/scenario-format.md, "Numbers".
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from mitrainer.cli import main
from mitrainer.scenario.load import load_library
from tests.sessions import SCENARIOS

TUI_TESTS = Path(__file__).resolve().parents[2] / "trainer"
sys.path.insert(0, str(TUI_TESTS))
from tui_helpers import make_app, wait_ready  # noqa: E402

SOURCE = (SCENARIOS / "evening-drinks.yaml").read_text(encoding="utf-8")

POISONS = {
    "hex title": ('title: "Evening drinks <after> work"', "title: 0x" + "f" * 5000, "Y016"),
    "int default": ("rapport: {type: int, default: 1,", "rapport: {type: int, default: 1" + "0" * 400 + ",", "Y016"),
    "huge float": ("rapport: {type: int, default: 1, min: 0, max: 5,",
                   "rapport: {type: float, default: 1e308,", "Y016"),
    "infinity": ("effects: {add: {rapport: 1}}", "effects: {add: {rapport: .inf}}", "Y016"),
    "condition literal": ("      - when: {skills: [complex_reflection, simple_reflection]}",
                          '      - when: {skills: [complex_reflection, simple_reflection], if: "1.5 + ' + "9" * 400
                          + ' > 0"}', "out of range"),
}


def poisoned_folder(tmp_path: Path, name: str) -> Path:
    """A folder with the poisoned scenario and a good one beside it."""
    old, new, _ = POISONS[name]
    assert old in SOURCE
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "poisoned.yaml").write_text(SOURCE.replace(old, new, 1).replace("id: evening-drinks", "id: poisoned"),
                                          encoding="utf-8")
    (folder / "good.yaml").write_text(SOURCE, encoding="utf-8")
    return folder


@pytest.mark.parametrize("name", POISONS)
def test_validate_refuses_the_number_with_its_position(tmp_path, capsys, name):
    folder = poisoned_folder(tmp_path, name)
    assert main(["validate", "--no-talk-check", str(folder / "poisoned.yaml")]) == 1
    out = capsys.readouterr().out
    assert POISONS[name][2] in out and "poisoned.yaml:" in out
    assert "internal error" not in out


@pytest.mark.parametrize("name", POISONS)
def test_a_bad_file_in_a_folder_is_reported_and_the_others_still_play(tmp_path, capsys, name):
    folder = poisoned_folder(tmp_path, name)
    library = load_library([folder])
    assert list(library.scenarios) == ["evening-drinks"] and len(library.broken) == 1
    responses = tmp_path / "responses.txt"
    responses.write_text("So the wine is your way to unwind.\n", encoding="utf-8")
    assert main(["--scenarios", str(folder), "play", "evening-drinks", "--responses", str(responses)]) == 0
    assert main(["--scenarios", str(folder), "play", "poisoned", "--responses", str(responses)]) == 2
    assert "internal error" not in capsys.readouterr().err


def test_the_trainer_opens_with_the_bad_file_listed(tmp_path):
    folder = poisoned_folder(tmp_path, "hex title")

    async def flow():
        app = make_app(tmp_path / "sessions.db", [folder])
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_ready(pilot)
            assert app.services.library().broken and "evening-drinks" in app.services.library().scenarios
        assert app.return_code in (None, 0)

    asyncio.run(flow())


def test_a_crash_in_the_trainer_is_one_line_and_exit_code_1(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("MITRAINER_DEBUG", raising=False)
    app = make_app(tmp_path / "sessions.db")

    def broken_library(reload: bool = False):
        raise RuntimeError("boom \x1b]0;title\x07")

    app.services.library = broken_library

    async def flow():
        with pytest.raises(Exception, match="boom"):  # Pilot re-raises it for the test
            async with app.run_test(size=(100, 30)) as pilot:
                await wait_ready(pilot)

    asyncio.run(flow())
    assert app.return_code == 1
    shown = capsys.readouterr().err
    assert "mitrainer: internal error (" in shown and "boom" in shown and "MITRAINER_DEBUG=1" in shown
    assert "Traceback" not in shown and "\x1b" not in shown
