"""Pilot-driven flows through the trainer, each against a fresh temporary database."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

from textual import events
from textual.widgets import DataTable, Input, OptionList, Static
from tui_helpers import FIXTURES, make_app, wait_ready

from mitrainer.codes import SkillCode
from mitrainer.record.model import Turn
from mitrainer.settings import Settings
from mitrainer.store.db import SessionStore
from mitrainer.tui.screens.briefing import BriefingScreen
from mitrainer.tui.screens.dialogs import ConfirmDialog, HintDialog
from mitrainer.tui.screens.home import HomeScreen
from mitrainer.tui.screens.practice import PracticeScreen
from mitrainer.tui.screens.summary import SummaryScreen
from mitrainer.tui.widgets.conversation import ClientBubble, TraineeBubble
from mitrainer.tui.widgets.guided import GuidedChoices
from mitrainer.tui.widgets.response_box import ResponseBox

REFLECTION = "You feel everyone is waiting to lecture you about it."


def run(coro) -> None:
    asyncio.run(coro)


async def open_practice(pilot, filter_text: str = "pub") -> PracticeScreen:
    await wait_ready(pilot)
    await pilot.press(*filter_text)
    await pilot.press("enter")
    assert isinstance(pilot.app.screen, BriefingScreen)
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, PracticeScreen)
    return pilot.app.screen


async def say(pilot, text: str) -> None:
    box = pilot.app.screen.query_one(ResponseBox)
    box.text = text
    await pilot.press("enter")
    await pilot.pause()


def stored_turns(db: Path, session_id: str) -> list[Turn]:
    store = SessionStore(db)
    try:
        record = store.load_record(session_id)
        return [] if record is None else list(record.turns)
    finally:
        store.close()


def test_filter_choose_respond_and_store(db: Path) -> None:
    async def flow():
        app = make_app(db)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_ready(pilot)
            table = app.screen.query_one("#library", DataTable)
            assert table.row_count == 2
            await pilot.press(*"pub")
            assert table.row_count == 1
            practice = await open_practice(pilot, "")
            await say(pilot, REFLECTION)
            session = practice.session
            assert len(session.turns) == 1
            assert session.turns[0].coding.primary is SkillCode.COMPLEX_REFLECTION
            assert session.node_id == "grandson"
            assert session.turns[0].feedback and session.turns[0].feedback.judgement.verdict
            # Written before the client's next line was shown.
            assert [t.response for t in stored_turns(db, session.session_id)] == [REFLECTION]
            bubbles = practice.query(ClientBubble)
            assert len(bubbles) == 2 and "Alfie" in str(bubbles[-1].render())
            assert practice.query_one(ResponseBox).text == ""
            counters = str(practice.query_one("#counters", Static).render())
            assert re.search(r"CR\s+1", counters)
    run(flow())


def test_empty_enter_multiline_paste_and_a_very_long_response(db: Path) -> None:
    async def flow():
        app = make_app(db)
        async with app.run_test(size=(80, 24)) as pilot:
            practice = await open_practice(pilot)
            await pilot.press("enter")
            await say(pilot, "   \n  ")
            assert practice.session.turns == []
            box = practice.query_one(ResponseBox)
            pasted = "It's up again.\nAnd you're worried about it.\n" + "x" * 9_950
            box.focus()
            app.post_message(events.Paste(pasted))  # as the terminal delivers it
            await pilot.pause()
            assert box.text == pasted
            await pilot.press("enter")
            await pilot.pause()
            assert practice.session.turns[0].response == pasted.strip()
            assert len(stored_turns(db, practice.session.session_id)[0].response) == len(pasted.strip())
    run(flow())


def test_hint_shows_an_exemplar_for_the_chosen_skill(db: Path) -> None:
    async def flow():
        app = make_app(db)
        async with app.run_test(size=(100, 30)) as pilot:
            practice = await open_practice(pilot)
            await pilot.press("ctrl+t")
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, HintDialog)
            skills = dialog.query_one("#skills", OptionList)
            assert [o.id for o in skills.options] == ["complex_reflection", "open_question", "simple_reflection"]
            await pilot.press("down", "enter")
            await pilot.pause()
            assert "What do you make" in str(dialog.query_one("#exemplar", Static).render())
            await pilot.click("#use")
            await pilot.pause()
            assert app.screen is practice
            assert practice.query_one(ResponseBox).text == "What do you make of the blood pressure reading?"
    run(flow())


def test_rewind_takes_back_the_turn_in_the_database_too(db: Path) -> None:
    async def flow():
        app = make_app(db)
        async with app.run_test(size=(100, 30)) as pilot:
            practice = await open_practice(pilot)
            await say(pilot, REFLECTION)
            await say(pilot, "You should just stop drinking on Fridays.")
            assert len(stored_turns(db, practice.session.session_id)) == 2
            await pilot.press("ctrl+z")
            await pilot.pause()
            assert len(practice.session.turns) == 1 and practice.session.node_id == "grandson"
            assert len(stored_turns(db, practice.session.session_id)) == 1
            assert practice.query_one(ResponseBox).text == "You should just stop drinking on Fridays."
            assert len(practice.query(TraineeBubble)) == 1 and len(practice.query(ClientBubble)) == 2
            await pilot.press("ctrl+z", "ctrl+z")
            await pilot.pause()
            assert practice.session.turns == [] and stored_turns(db, practice.session.session_id) == []
    run(flow())


def test_guided_choice_is_coded_with_the_exemplar_codes_in_a_seeded_order(db: Path) -> None:
    async def flow():
        app = make_app(db)
        async with app.run_test(size=(100, 30)) as pilot:
            practice = await open_practice(pilot)
            await pilot.press("ctrl+g")
            await pilot.pause()
            choices = practice.query_one(GuidedChoices)
            assert choices.display and not practice.query_one(ResponseBox).display
            texts = [c.text for c in choices.choices]
            assert sorted(texts) == sorted([e.text for e in practice.session.node.exemplars]
                                           + [d.text for d in practice.session.node.distractors])
            persuade = texts.index("You should really cut down, Dave.")
            await pilot.press(str(persuade + 1))
            await pilot.pause()
            turn = practice.session.turns[0]
            assert turn.guided and turn.coding.coder == "guided"
            assert turn.coding.primary is SkillCode.PERSUADE and turn.coding.confidence == 1.0
            assert practice.session.node_id == "defensive"
            assert turn.feedback.judgement.verdict == "righting_reflex"
        return texts

    first = asyncio.run(flow())
    assert first == asyncio.run(flow())  # same seed, same order


def play_to_commitment() -> list[str]:
    return [REFLECTION, "You feel Alfie deserves a grandad who is really there for him.",
            "How would you go about that?"]


async def play_to_summary(pilot) -> PracticeScreen:
    """Play the fixture scenario to its commitment ending and open the summary."""
    practice = await open_practice(pilot)
    for text in play_to_commitment():
        await say(pilot, text)
    await pilot.press("enter")
    await pilot.pause()
    return practice


def test_end_reflect_and_see_the_reflections_saved(db: Path) -> None:
    async def flow():
        app = make_app(db)
        async with app.run_test(size=(100, 30)) as pilot:
            practice = await open_practice(pilot)
            for text in play_to_commitment():
                await say(pilot, text)
            assert practice.session.finished and practice.session.ending.outcome == "commitment"
            await pilot.press("enter")
            await pilot.pause()
            summary = app.screen
            assert isinstance(summary, SummaryScreen)
            assert "Dave makes a plan" in str(summary.query_one("#outcome", Static).render())
            assert "Readiness" in str(summary.query_one("#chart", Static).render())
            summary.query_one("#reflect-went_well").text = "I reflected before asking."
            summary.query_one("#reflect-next_skill").text = "Summaries"
            await pilot.press("ctrl+s")
            await pilot.pause()
            # Typing is saved on its own a moment later, without ctrl+s.
            summary.query_one("#reflect-do_differently").focus()
            await pilot.press(*"Ask less")
            await pilot.pause(1.5)
            sid = practice.session.session_id
        store = SessionStore(db)
        record = store.load_record(sid)
        assert record.reflections == {"went_well": "I reflected before asking.", "next_skill": "Summaries",
                                         "do_differently": "Ask less"}
        assert record.ending.outcome == "commitment" and len(record.turns) == 3
        [row] = store.list_sessions()
        assert row.finished and row.score is not None
        assert store.best_scores() == {"fixture-evenings": row.score}
        store.close()
    run(flow())


def test_ending_early_keeps_the_session_as_ended_early(db: Path) -> None:
    async def flow():
        app = make_app(db)
        async with app.run_test(size=(100, 30)) as pilot:
            practice = await open_practice(pilot)
            await say(pilot, REFLECTION)
            await pilot.press("ctrl+e")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmDialog)
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, SummaryScreen)
            assert "ended the session" in str(app.screen.query_one("#outcome", Static).render())
            # One coded response is too few for the estimates: a dash in the column, said once below.
            from mitrainer.tui.screens.summary import score_table

            table = score_table(app.screen.score)
            assert "not enough coded responses" in str(table.caption)
            you = [str(cell) for cell in table.columns[1].cells]
            assert "—" in you and not any("not enough" in cell for cell in you)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen)
            sid = practice.session.session_id
        store = SessionStore(db)
        [row] = store.list_sessions()
        assert row.id == sid and row.ended_early
        store.close()
    run(flow())


def test_resume_after_an_interrupted_session(db: Path) -> None:
    async def interrupted():
        app = make_app(db)
        async with app.run_test(size=(100, 30)) as pilot:
            practice = await open_practice(pilot)
            await say(pilot, REFLECTION)
            return practice.session.session_id
        # Leaving run_test without ending is the interruption: nothing else is written.

    async def resumed(sid: str):
        app = make_app(db)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_ready(pilot)
            recent = app.screen.query_one("#recent", DataTable)
            assert recent.row_count == 1 and "unfinished" in str(recent.get_row_at(0)[0])
            await pilot.press("ctrl+r")
            await pilot.pause()
            practice = app.screen
            assert isinstance(practice, PracticeScreen)
            assert practice.session.session_id == sid and practice.session.node_id == "grandson"
            assert len(practice.query(TraineeBubble)) == 1
            await say(pilot, "You feel Alfie deserves a grandad who is really there for him.")
            assert [t.index for t in stored_turns(db, sid)] == [0, 1]
            await pilot.press("ctrl+z")  # rewind still works after a resume
            await pilot.pause()
            assert [t.index for t in stored_turns(db, sid)] == [0]

    sid = asyncio.run(interrupted())
    assert len(stored_turns(db, sid)) == 1
    run(resumed(sid))


def test_scenarios_that_fail_validation_are_listed_not_fatal(db: Path) -> None:
    async def flow():
        app = make_app(db, [FIXTURES / "scenarios", FIXTURES / "broken"])
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_ready(pilot)
            broken = app.screen.query_one("#broken", Static)
            assert broken.display
            text = str(broken.render())
            assert "broken.yaml" in text and "error" in text
            assert app.screen.query_one("#library", DataTable).row_count == 2
    run(flow())


def test_chinese_scenario_opens_in_guided_mode_and_fits_80x24(db: Path) -> None:
    async def flow():
        app = make_app(db)
        async with app.run_test(size=(80, 24)) as pilot:
            practice = await open_practice(pilot, "邻居")
            assert practice.guided
            choices = practice.query_one(GuidedChoices)
            assert len(choices.choices) == 4
            await pilot.press("enter")
            await pilot.pause()
            assert len(practice.session.turns) == 1
            for bubble in practice.query(ClientBubble):
                assert bubble.region.right <= 80
    run(flow())


def test_chinese_scenario_opens_in_free_text_when_the_coder_reads_chinese(db: Path) -> None:
    from mitrainer.coding.languages.model import LanguageCoder
    from mitrainer.coding.multilingual import MultilingualCoder
    from mitrainer.coding.rules import RuleBasedCoder

    async def respond(text: str):
        app = make_app(db)
        app.services.coder_factory = lambda: MultilingualCoder({"en": RuleBasedCoder(), "zh": LanguageCoder("zh")})
        async with app.run_test(size=(100, 30)) as pilot:
            practice = await open_practice(pilot, "邻居")
            assert not practice.guided
            await say(pilot, text)
            return practice.session.turns[-1].coding

    coding = asyncio.run(respond("听起来你很担心楼里的人知道。"))
    assert coding.coded and coding.coder == "trained-zh"
    # A line in English stays uncoded, its reason in the scenario's language.
    coding = asyncio.run(respond("So you are worried about it."))
    assert coding.primary is None and "英语" in coding.uncoded_reason and "English" not in coding.uncoded_reason


def test_resizing_down_to_40x12_and_back_never_crashes(db: Path) -> None:
    async def flow():
        app = make_app(db)
        async with app.run_test(size=(100, 30)) as pilot:
            for size in [(40, 12), (80, 24)]:
                await pilot.resize_terminal(*size)
                await pilot.pause()
            practice = await open_practice(pilot)
            sidebar = practice.query_one("#sidebar")
            for size in [(40, 12), (60, 15), (120, 40), (40, 12)]:
                await pilot.resize_terminal(*size)
                await pilot.pause()
                assert sidebar.display == (size[0] >= 72)
            await pilot.press("ctrl+b")
            assert sidebar.display
            await say(pilot, REFLECTION)
            await pilot.press("ctrl+e", "enter")
            await pilot.pause()
            assert isinstance(app.screen, SummaryScreen)
            await pilot.resize_terminal(100, 30)
            await pilot.pause()
    run(flow())


def test_every_practice_action_is_in_the_command_palette(db: Path) -> None:
    async def flow():
        app = make_app(db)
        async with app.run_test(size=(100, 30)) as pilot:
            practice = await open_practice(pilot)
            titles = [c.title for c in app.get_system_commands(practice)]
            for action in ("Hint", "Rewind one turn", "Guided mode on/off", "End the session", "Help"):
                assert action in titles
            await pilot.press("f1")
            await pilot.pause()
            help_text = " ".join(str(s.render()) for s in app.screen.query(Static))
            assert "^z" in help_text and "Rewind" in help_text and "Hint" in help_text
            assert "Focus Next" not in help_text  # only the screen's own keys
    run(flow())


def test_settings_switch_the_interface_language(db: Path) -> None:
    async def flow():
        app = make_app(db)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_ready(pilot)
            await pilot.press("f2")
            await pilot.pause()
            app.screen.query_one("#language").value = "vi"
            await pilot.click("#save")
            await pilot.pause()
            await wait_ready(pilot)
            assert isinstance(app.screen, HomeScreen)
            assert "Kịch bản" in str(app.screen.query_one("#library-status", Static).render())
            assert app.services.preferences().language == "vi"
            assert app.screen.query_one("#filter", Input).placeholder.startswith("Gõ")
    run(flow())


def test_export_from_the_summary_writes_the_reflection_log(db: Path, tmp_path: Path) -> None:
    async def flow():
        app = make_app(db)
        async with app.run_test(size=(100, 30)) as pilot:
            await play_to_summary(pilot)
            app.screen.query_one("#reflect-went_well").text = "Reflected the grandson."
            await pilot.press("ctrl+o")
            await pilot.pause()
            app.screen.query_one("#path", Input).value = str(tmp_path / "log.md")
            await pilot.click("#save")
            await pilot.pause()
        written = tmp_path / "log.md"
        assert written.exists() and (written.stat().st_mode & 0o777) == 0o600
        assert "Reflected the grandson." in written.read_text(encoding="utf-8")
    run(flow())


def test_served_in_a_browser_the_export_writes_only_inside_the_exports_folder(
        db: Path, tmp_path: Path, monkeypatch) -> None:
    # 'mitrainer serve' runs the trainer with --served: whoever types in the browser must
    # not be able to write ~/.ssh/authorized_keys through the Export dialog.
    monkeypatch.setenv("MITRAINER_DATA_DIR", str(tmp_path / "data"))
    exports = tmp_path / "data" / "exports"
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "elsewhere").mkdir()

    async def export_to(pilot, typed: str) -> None:
        await pilot.press("ctrl+o")
        await pilot.pause()
        pilot.app.screen.query_one("#path", Input).value = typed
        await pilot.click("#save")
        await pilot.pause()

    async def flow():
        app = make_app(db)
        app.services.exports_confined = True
        async with app.run_test(size=(100, 30)) as pilot:
            await play_to_summary(pilot)
            for outside in (str(tmp_path / "authorized_keys"), "../elsewhere/log.md", str(exports / ".." / "x.md")):
                await export_to(pilot, outside)
            exports.mkdir(exist_ok=True)
            (exports / "link").symlink_to(tmp_path / "data" / "elsewhere")
            await export_to(pilot, "link/log.md")
            notes = [str(n.message) for n in app._notifications]
            assert sum("exports go only into" in n for n in notes) == 4, notes
            await export_to(pilot, "mine.md")
            await export_to(pilot, str(exports))
        assert not (tmp_path / "authorized_keys").exists() and not (tmp_path / "data" / "x.md").exists()
        assert list((tmp_path / "data" / "elsewhere").iterdir()) == []
        assert (exports / "mine.md").exists()
        assert len(list(exports.glob("*.md"))) == 2  # and a dated file in the folder itself
    run(flow())


def test_a_damaged_database_gives_a_message_and_the_app_starts_on_a_fresh_one(tmp_path: Path) -> None:

    from mitrainer.tui.app import TrainerApp, build_services

    damaged = tmp_path / "sessions.db"
    damaged.write_bytes(b"this is not sqlite" * 50)
    services = build_services(Settings.load(db=damaged, scenarios=[FIXTURES / "scenarios"]))

    async def flow():
        app = TrainerApp(services, warm_up_coder=False)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_ready(pilot)
            messages = [n.message for n in app._notifications]
            assert any("not a SQLite database" in m and "sessions.fresh.db" in m for m in messages)
            practice = await open_practice(pilot)
            await say(pilot, REFLECTION)
            assert len(practice.session.turns) == 1

    run(flow())
    assert damaged.read_bytes() == b"this is not sqlite" * 50
    services.store.close()
    fresh = SessionStore(tmp_path / "sessions.fresh.db")
    [row] = fresh.list_sessions()
    fresh.close()
    assert row.turns == 1


def test_the_theme_chosen_is_kept_for_next_time(db: Path) -> None:
    async def pick():
        app = make_app(db)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_ready(pilot)
            assert app.theme == "nord"
            app.theme = "gruvbox"
            await pilot.pause()

    async def reopen():
        app = make_app(db)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert app.theme == "gruvbox"

    run(pick())
    run(reopen())


def test_recode_the_turns_from_the_summary(db: Path, tmp_path: Path, monkeypatch) -> None:
    """The summary opens the review screen on the session; the codes go to a private file in the data folder."""
    from mitrainer.tui.screens.review import ReviewerDialog, ReviewScreen

    monkeypatch.setenv("MITRAINER_DATA_DIR", str(tmp_path / "data"))

    async def flow():
        app = make_app(db)
        async with app.run_test(size=(110, 36)) as pilot:
            practice = await play_to_summary(pilot)
            await pilot.press("ctrl+t")
            await pilot.pause()
            assert isinstance(app.screen, ReviewerDialog)  # no saved name: the reviewer gives one first
            await pilot.press(*"Mai", "enter")
            await pilot.pause()
            review = app.screen
            assert isinstance(review, ReviewScreen)
            assert "Turn 1 of 3" in str(review.query_one("#turn-title", Static).render())
            assert REFLECTION in str(review.query_one("#response", Static).render())
            await pilot.press("n")
            await pilot.press("m")  # start from the machine's codes on turn 2
            await pilot.pause()
            await pilot.press("q")
            await pilot.pause()
            assert isinstance(app.screen, SummaryScreen)
            return practice.session

    session = asyncio.run(flow())
    files = list((tmp_path / "data" / "reviews").glob("*.review.json"))
    assert [f.name for f in files] == [f"{session.session_id}.review.json"]
    assert files[0].stat().st_mode & 0o777 == 0o600
    saved = json.loads(files[0].read_text(encoding="utf-8"))
    (reviewer,) = saved["reviewers"].values()  # one reviewer, keyed by her id
    codes = reviewer["codes"]
    assert reviewer["name"] == "Mai" and list(codes) == ["1"] and codes["1"][0] == session.turns[1].coding.primary.value  # primary first


def test_the_branch_note_is_shown_with_the_verdict_in_the_sidebar_and_the_summary(db: Path) -> None:
    async def flow():
        app = make_app(db)
        async with app.run_test(size=(120, 40)) as pilot:
            practice = await open_practice(pilot)
            await say(pilot, REFLECTION)
            feedback = practice.session.turns[0].feedback
            assert feedback.note == "A reflection instead of advice lowers his guard."
            shown = str(practice.query_one("#feedback", Static).render())
            assert feedback.judgement.headline in shown
            assert "What happened: A reflection instead of advice lowers his guard." in shown
            await pilot.press("ctrl+e")
            await pilot.pause()
            if isinstance(app.screen, ConfirmDialog):
                await pilot.press("enter")
                await pilot.pause()
            assert isinstance(app.screen, SummaryScreen)
            turns = " ".join(str(app.screen.query_one("#turns", Static).render()).split())
            assert "What happened: A reflection instead of advice lowers his guard." in turns
    run(flow())


def test_below_72_columns_the_footer_says_how_to_show_the_hidden_sidebar(db: Path) -> None:
    from textual.widgets import Footer

    from mitrainer.tui.widgets.sidebar import Sidebar

    def footer_text(app) -> str:
        return " ".join(str(key.render()) for key in app.screen.query_one(Footer).query("FooterKey"))

    async def flow():
        app = make_app(db)
        async with app.run_test(size=(60, 24)) as pilot:
            practice = await open_practice(pilot)
            await pilot.pause()
            assert not practice.query_one(Sidebar).display
            assert "Show sidebar" in footer_text(app)
            await pilot.press("ctrl+b")
            await pilot.pause()
            assert practice.query_one(Sidebar).display
            assert "Show sidebar" not in footer_text(app)
            await pilot.press("ctrl+b")
            await pilot.pause()
            assert not practice.query_one(Sidebar).display and "Show sidebar" in footer_text(app)
    run(flow())


def test_a_rewound_response_can_be_selected_and_cleared_and_the_notice_leaves_the_input_free(db: Path) -> None:
    async def flow():
        app = make_app(db)
        async with app.run_test(size=(100, 30)) as pilot:
            practice = await open_practice(pilot)
            await say(pilot, REFLECTION)
            await pilot.press("ctrl+z")
            await pilot.pause()
            box = practice.query_one(ResponseBox)
            assert box.text == REFLECTION
            assert not app._notifications  # no toast over the input
            help_line = str(practice.query_one("#composer-help", Static).render())
            assert "Rewound one turn" in help_line
            await pilot.press("ctrl+a")
            assert box.selected_text == REFLECTION
            await pilot.press("ctrl+l")
            assert box.text == ""
    run(flow())


def test_guided_choices_wrap_and_are_never_cut_in_a_small_terminal(db: Path) -> None:
    from mitrainer.paths import bundled_scenarios

    async def flow():
        app = make_app(db, [bundled_scenarios()])
        async with app.run_test(size=(50, 16)) as pilot:
            practice = await open_practice(pilot, "shenzhen")
            await pilot.pause()
            choices = practice.query_one(GuidedChoices)
            assert len(choices.choices) == 6
            # Every line fits the width: long choices wrap onto more lines instead of being cut.
            assert choices.max_scroll_x == 0
            assert choices.virtual_size.height > len(choices.choices)
            # Every choice can be reached: the list scrolls to the last one.
            choices.highlighted = len(choices.choices) - 1
            await pilot.pause()
            assert choices.scroll_offset.y + choices.scrollable_content_region.height >= choices.virtual_size.height
    run(flow())


def palette_key(screen) -> str:
    from textual.widgets._footer import FooterKey

    return next(key.description for key in screen.query(FooterKey) if key.has_class("-command-palette"))


def test_a_chinese_session_speaks_chinese_in_an_english_interface(db: Path) -> None:
    """The session speaks its scenario's language from the briefing to the summary (no English
    labels around Chinese feedback); back in the library, the interface language again."""
    from mitrainer.i18n import current_language, text_in

    async def flow():
        app = make_app(db)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_ready(pilot)
            assert current_language() == "en"
            practice = await open_practice(pilot, "邻居")
            assert current_language() == "zh"
            await say(pilot, "你放心，你说的一切我都会绝对保密，谁都不会知道。")
            sidebar = practice.query_one("#sidebar")
            assert sidebar.query_one("#feedback").border_title == text_in("zh", "side.feedback")
            shown = " ".join(str(s.render()) for s in sidebar.query(Static))
            for key in ("side.try", "side.reflections", "side.questions"):
                assert text_in("zh", key) in shown and text_in("en", key) not in shown
            # Textual's own footer key for the palette speaks the session's language too.
            assert palette_key(practice) == text_in("zh", "app.palette")
            app.pop_screen()
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen) and current_language() == "en"
            assert palette_key(app.screen) == "palette"
            assert "Scenario" in str(app.screen.query_one("#library-status", Static).render())
    run(flow())
