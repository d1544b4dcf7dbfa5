"""The review screen under fast keys: codes land on the turn shown, turn changes settle, the
reviewer's name is asked once and never typed into by a shortcut, F1 lists the keys, and the
agreement panel counts the reviewers of --also files as ``review --agreement`` does."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input, OptionList

from mitrainer.cli import main
from mitrainer.codes import SkillCode as C
from mitrainer.export.bundles import bundle_text, make_bundle
from mitrainer.export.review import Review, load_review, machine_codings, save_review
from mitrainer.record.model import SessionRecord
from mitrainer.tui.screens.dialogs import HelpScreen
from mitrainer.tui.screens.review import ReviewApp, ReviewerDialog, ReviewScreen, agreement_table

SIZE = (120, 40)


def run(coroutine) -> None:
    asyncio.run(coroutine)


async def settle(pilot) -> None:
    for _ in range(3):
        await pilot.pause()


def burst(app, *keys: str) -> None:
    """Send ``keys`` as a fast typist or a held key does: all queued at once, none waiting for
    the previous one to be handled (``pilot.press`` waits after each key)."""
    for key in keys:
        char = " " if key == "space" else key if len(key) == 1 else None
        event = events.Key(key, char)
        event.set_sender(app)
        app._driver.send_message(event)


def test_fast_turn_keys_settle_on_the_last_turn_pressed(record: SessionRecord, tmp_path: Path) -> None:
    """n n n p p pressed without a pause end on turn 2, and the screen stops changing turns
    (it used to flip between turns for ever, at full CPU)."""
    shown: list[int] = []

    async def drive() -> None:
        app = ReviewApp(record, "Mai", tmp_path / "r.review.json", "Wei")
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            assert isinstance(screen, ReviewScreen)
            original = screen.show_turn

            def counting(index: int) -> None:
                shown.append(index)
                original(index)

            screen.show_turn = counting  # type: ignore[method-assign]
            burst(app, "n", "n", "n", "p", "p", "n", "n", "n", "n", "n", "n", "p")
            await settle(pilot)
            settled = len(shown)
            await settle(pilot)
            assert len(shown) == settled, "the screen keeps changing turns on its own"
            assert screen.index == 3  # 5 turns: n×3 p×2 → 1, then n×6 stops at the last (4), p → 3
            assert screen.query_one("#turns", OptionList).highlighted == 3
            assert "Turn 4 of 5" in str(screen.query_one("#turn-title").render())

    run(drive())


def test_a_code_lands_on_the_turn_it_was_ticked_on(record: SessionRecord, tmp_path: Path) -> None:
    """Space ticks the highlighted code on the turn shown, even when the next key comes at once."""
    review_file = tmp_path / "r.review.json"

    async def drive() -> None:
        app = ReviewApp(record, "Mai", review_file, "Wei")
        async with app.run_test(size=SIZE) as pilot:
            # The code list has the focus; its first code (OQ) is highlighted.
            burst(app, "space", "n", "down", "space", "n", "n", "space", "down", "space", "p", "p", "p")
            await settle(pilot)
            assert app.screen.index == 0

    run(drive())
    saved = load_review(review_file, record).codes_of("Wei")
    assert saved == {0: (C.OPEN_QUESTION,), 1: (C.CLOSED_QUESTION,),
                     3: (C.CLOSED_QUESTION, C.SIMPLE_REFLECTION)}


def test_the_first_code_ticked_stays_the_primary(record: SessionRecord, tmp_path: Path) -> None:
    review_file = tmp_path / "r.review.json"

    async def drive() -> None:
        app = ReviewApp(record, "Mai", review_file, "Wei")
        async with app.run_test(size=SIZE) as pilot:
            burst(app, "down", "down", "down", "space", "up", "up", "up", "space", "n", "m", "x", "n", "m")
            await settle(pilot)

    run(drive())
    machine = machine_codings(record)[2]
    # Turn 1: CR ticked before OQ; turn 2: the machine's codes, then cleared; turn 3: the machine's.
    assert load_review(review_file, record).codes_of("Wei") == {
        0: (C.COMPLEX_REFLECTION, C.OPEN_QUESTION),
        2: (machine[0], *sorted(machine[1] - {machine[0]}, key=list(C).index))}


def test_the_reviewer_is_named_once_in_a_dialog_and_shortcuts_never_rename(record: SessionRecord,
                                                                             tmp_path: Path) -> None:
    review_file = tmp_path / "r.review.json"

    async def drive() -> None:
        app = ReviewApp(record, "Mai", review_file, "")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, ReviewerDialog)
            await pilot.press("enter")  # no name: asked again
            await settle(pilot)
            assert isinstance(app.screen, ReviewerDialog)
            await pilot.press(*"Lan", "enter")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, ReviewScreen) and screen.reviewer == "Lan"
            assert not screen.query(Input), "no name box on the review screen"
            chain = [w.id for w in screen.focus_chain]
            assert chain == ["turns", "detail", "codes"]  # the turn list, the scrolling detail, the codes
            for _ in chain:  # wherever the focus is, n and p turn pages and never type a name
                burst(app, "tab", "n", "n", "p", "space")
                await settle(pilot)
            assert "Reviewing as Lan" in str(screen.query_one("#reviewer").render())

    run(drive())
    saved = load_review(review_file, record)
    assert saved.names() == ["Lan"] and saved.created_by == "Lan"


def test_escape_in_the_name_dialog_leaves_the_review_without_a_file(record: SessionRecord, tmp_path: Path) -> None:
    review_file = tmp_path / "r.review.json"

    async def drive() -> None:
        app = ReviewApp(record, "Mai", review_file, "")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("escape")
            await settle(pilot)
            assert not app.is_running

    run(drive())
    assert not review_file.exists()


def test_f1_lists_the_keys_space_included(record: SessionRecord, tmp_path: Path) -> None:
    async def drive() -> None:
        app = ReviewApp(record, "Mai", tmp_path / "r.review.json", "Wei")
        async with app.run_test(size=SIZE) as pilot:
            footer = " ".join(b.binding.description for b in app.screen.active_bindings.values() if b.binding.show)
            assert "Tick code" in footer and "Next turn" in footer
            await pilot.press("f1")
            await settle(pilot)
            assert isinstance(app.screen, HelpScreen)
            keys = dict(app.screen.keys)
            assert keys.get("space") == "Tick code" and keys.get("n") == "Next turn" and keys.get("f1") == "Help"
            assert "Scroll Left" not in keys.values()  # the list's own scrolling keys are not this screen's
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, ReviewScreen)

    run(drive())


@pytest.fixture
def three_reviewers(record: SessionRecord, tmp_path: Path) -> tuple[Path, list[Path]]:
    """A bundle; Mai's review file beside it; Wei's and another Mai's (Carol's file) passed round."""
    bundle = tmp_path / "lan.bundle.json"
    bundle.write_text(bundle_text(make_bundle(record, trainee="Lan")), encoding="utf-8")
    files = []
    for path, owner, codes in (
        (tmp_path / "lan.bundle.review.json", "Mai", [C.COMPLEX_REFLECTION, C.OPEN_QUESTION, C.PERSUADE,
                                                      C.COMPLEX_REFLECTION, C.SUMMARY]),
        (tmp_path / "wei.review.json", "Wei", [C.SIMPLE_REFLECTION, C.OPEN_QUESTION, C.GIVING_INFORMATION,
                                               C.COMPLEX_REFLECTION]),
        (tmp_path / "carol.review.json", "Carol", [C.COMPLEX_REFLECTION, C.CLOSED_QUESTION, C.PERSUADE]),
    ):
        review = Review(record.session_id)
        for turn, code in enumerate(codes):
            review.set_codes(owner, turn, [code])
        if owner == "Carol":  # Carol's file has its own Mai
            review.set_codes("Mai", 0, [C.SIMPLE_REFLECTION])
            review.set_codes("Mai", 1, [C.OPEN_QUESTION])
        save_review(path, review)
        files.append(path)
    return bundle, files[1:]


def test_also_in_the_trainer_gives_the_same_kappa_as_review_agreement(record, three_reviewers, data_dir, capsys):
    bundle, also = three_reviewers
    assert main(["review", str(bundle), "--agreement", "--json", *(a for f in also for a in ("--also", str(f)))]) == 0
    printed = json.loads(capsys.readouterr().out)
    pairs = {(p["first"], p["second"]) for p in printed["pairs"]}
    assert ("Mai", "Mai (Carol's file)") in pairs and ("Carol", "Wei") in pairs

    async def drive() -> tuple[list[list[str]], list[str]]:
        app = ReviewApp(record, "Lan", bundle.with_name("lan.bundle.review.json"), "Mai", tuple(also))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("a")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, ReviewScreen)
            table = agreement_table(record, screen.combined)
            return [list(row) for row in zip(*(column.cells for column in table.columns), strict=True)], \
                [str(column.header) for column in table.columns]

    rows, headers = asyncio.run(drive())

    def k(value: float | None) -> str:
        return "—" if value is None else f"{value:.2f}"

    # The trainer's panel shows, pair by pair, the kappas `review --agreement` computed.
    from_json = {f"{p['first']} – {p['second']}": [str(p["utterances"]), k(p["kappa"])] +
                 [k(p["per_code"][code.value]) if code.value in p["per_code"] else ""
                  for code in C if code.info.chip in headers[4:]] for p in printed["pairs"]}
    in_trainer = {row[0]: [row[1], row[3], *row[4:]] for row in rows}
    assert in_trainer == from_json and len(in_trainer) == 10  # 4 reviewers and the machine: 10 pairs


def test_also_without_agreement_is_refused_with_code_and_opens_the_trainer_otherwise(three_reviewers, data_dir,
                                                                                      capsys, monkeypatch):
    bundle, also = three_reviewers
    assert main(["review", str(bundle), "--reviewer", "Mai", "--code", "1=CR", "--also", str(also[0])]) == 2
    assert "--also" in capsys.readouterr().err
    opened: dict = {}
    monkeypatch.setattr("mitrainer.tui.screens.review.run_review",
                        lambda *args: opened.setdefault("args", args) and 0)
    assert main(["review", str(bundle), "--reviewer", "Mai", "--also", str(also[0])]) == 0
    assert opened["args"][-1] == (also[0],)


def test_codes_on_the_cli_take_what_the_screen_shows(three_reviewers, record, data_dir, capsys):
    bundle, _ = three_reviewers
    assert main(["review", str(bundle), "--reviewer", "Lan", "--code", "1=PER", "--code", "2=sc,Ea",
                 "--code", "3=CON", "--code", "4=ot", "--code", "5=Emphasising autonomy"]) == 0
    codes = load_review(bundle.with_name("lan.bundle.review.json"), record).codes_of("Lan")
    assert codes == {0: (C.PERSUADE,), 1: (C.SEEKING_COLLABORATION, C.EMPHASIZING_AUTONOMY), 2: (C.CONFRONT,),
                     3: (C.OTHER,), 4: (C.EMPHASIZING_AUTONOMY,)}
    capsys.readouterr()
    assert main(["review", str(bundle), "--reviewer", "Lan", "--code", "1=RX"]) == 2
    err = capsys.readouterr().err
    assert "unknown code 'RX'" in err and "PER (persuade)" in err and "OT (other)" in err


def test_a_damaged_also_file_is_said_before_the_trainer_opens(three_reviewers, data_dir, capsys, tmp_path):
    bundle, _ = three_reviewers
    broken = tmp_path / "broken.review.json"
    broken.write_text("{", encoding="utf-8")
    assert main(["review", str(bundle), "--reviewer", "Mai", "--also", str(broken)]) != 0
    assert "broken.review.json" in capsys.readouterr().err


def test_a_comment_is_kept_on_the_turn_it_was_written_on(record: SessionRecord, tmp_path: Path) -> None:
    review_file = tmp_path / "r.review.json"

    async def drive() -> None:
        app = ReviewApp(record, "Mai", review_file, "Wei")
        async with app.run_test(size=SIZE) as pilot:
            burst(app, "n", "c")
            await settle(pilot)
            await pilot.press(*"ask first", "enter")
            await settle(pilot)
            assert "Comments: Wei: ask first" in str(app.screen.query_one("#mine").render())
            await pilot.press("n", "c", *"never kept", "escape")  # Escape leaves turn 3 without a comment
            await settle(pilot)

    run(drive())
    assert load_review(review_file, record).reviewer("Wei").comments == {1: "ask first"}


def test_comments_reach_the_group_report(three_reviewers, record, data_dir, capsys):
    bundle, _ = three_reviewers
    assert main(["review", str(bundle), "--reviewer", "Lan", "--comment", "2=a question where a reflection would do"]) == 0
    assert main(["group", "report", str(bundle), "--format", "md"]) == 0
    assert "*Lan's comment: a question where a reflection would do*" in capsys.readouterr().out
    assert main(["group", "report", str(bundle), "--format", "md", "--anonymise"]) == 0
    out = capsys.readouterr().out
    assert "*A's comment: a question where a reflection would do*" in out and "Lan" not in out.replace("Lan makes", "")


def test_on_a_narrow_terminal_the_agreement_panel_scrolls_instead_of_dropping_codes(record, three_reviewers):
    bundle, also = three_reviewers

    async def drive() -> None:
        app = ReviewApp(record, "Lan", bundle.with_name("lan.bundle.review.json"), "Mai", tuple(also))
        async with app.run_test(size=(80, 30)) as pilot:
            await pilot.press("a")
            await settle(pilot)
            panel = app.screen.query_one("#agreement")
            table = app.screen.query_one("#agreement-table")
            assert panel.max_scroll_x > 0 and table.size.width > panel.size.width
            panel.focus()
            await pilot.press("right", "right")  # the focused panel scrolls; the turn stays
            await settle(pilot)
            assert panel.scroll_x > 0 and app.screen.index == 0

    run(drive())


def test_a_machine_code_below_the_counting_threshold_is_dimmed_and_said_not_counted(record: SessionRecord,
                                                                                    tmp_path: Path) -> None:
    # As in the trainer's chips and the exports: shown, but visibly not the machine's code.
    from mitrainer.record.model import CodeScore, ResponseCoding

    coding = ResponseCoding(primary=C.COMPLEX_REFLECTION, codes=(CodeScore(code=C.COMPLEX_REFLECTION, confidence=0.9),
                                                                 CodeScore(code=C.CLOSED_QUESTION, confidence=0.3)))
    turns = (record.turns[0].model_copy(update={"coding": coding}), *record.turns[1:])
    shown = record.model_copy(update={"turns": turns})

    async def drive() -> None:
        app = ReviewApp(shown, "Mai", tmp_path / "r.review.json", "Wei")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            line = app.screen.query_one("#machine").render()
            dimmed = "".join(line.plain[span.start:span.end] for span in line.spans if "dim" in str(span.style))
            assert "Closed question 0.30 (not counted)" in dimmed
            assert "Complex reflection 0.90" in line.plain and "Complex reflection" not in dimmed
            # Nor is it the machine's code in the agreement.
            assert app.screen.machine[0] == (C.COMPLEX_REFLECTION, frozenset({C.COMPLEX_REFLECTION}))

    run(drive())
