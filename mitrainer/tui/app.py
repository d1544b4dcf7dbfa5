"""The trainer application: navigation between screens, and how a failing store is told.

Screens ask the app to move on (``open_briefing``, ``start_session``, ``show_summary`` …).
Sessions are written by :class:`mitrainer.practice.Practice`, which returns a store's
problem rather than raising it; the app shows it (``store_failed``) in one clear message,
and the conversation goes on.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import App, SystemCommand
from textual.screen import Screen

from mitrainer.errors import MitrainerError, StoreError
from mitrainer.i18n import current_language, normalise_language, resolve_language, set_language, t
from mitrainer.settings import Preferences, Settings
from mitrainer.text import visible
from mitrainer.tui.collector import FullCollections
from mitrainer.tui.screens.dialogs import HelpScreen, SettingsDialog
from mitrainer.tui.screens.home import HomeScreen
from mitrainer.tui.services import Services, _default_coder, coder_note

if TYPE_CHECKING:
    # Imported where used: the engine, scoring and the other screens load after the first paint.
    from mitrainer.practice import Practice
    from mitrainer.record.model import SessionRecord, Start
    from mitrainer.scenario.model import Scenario
    from mitrainer.tui.screens.author import AuthorTarget


DEFAULT_THEME = "nord"


class TrainerApp(App):
    """mitrainer's trainer: library → briefing → practice → summary."""

    CSS_PATH = "mitrainer.tcss"
    TITLE = "mitrainer"
    ENABLE_COMMAND_PALETTE = True

    def __init__(self, services: Services, *, warm_up_coder: bool = True, author: AuthorTarget | None = None) -> None:
        super().__init__()
        self.services = services
        self.warm_up_coder = warm_up_coder
        self.author = author
        self._coder_started = False
        self._started = False
        self.full_collections = FullCollections()
        # The language the trainee chose; a session speaks its scenario's language instead.
        self.interface_language = current_language()
        self._name_the_palette()
        saved = services.preferences().theme
        self.theme = saved if saved in self.available_themes else DEFAULT_THEME

    def _fatal_error(self) -> None:
        # Textual's handler of an unhandled exception leaves a full traceback (with locals) on
        # the screen. Like the command line (mitrainer.cli.main), the trainer says it in one
        # line unless MITRAINER_DEBUG asks for the details; the exit code is 1 either way.
        if os.environ.get("MITRAINER_DEBUG"):
            super()._fatal_error()
            return
        error = self._exception
        self.panic(Text(f"mitrainer: internal error ({type(error).__name__}: {visible(str(error))[:300]}). "
                        "This is a bug in mitrainer; your session is saved up to its last turn. Run again with "
                        "MITRAINER_DEBUG=1 to see the traceback and please report it."))

    def on_mount(self) -> None:
        self._started = True
        self.push_screen(HomeScreen())
        if self.author is not None:
            from mitrainer.tui.screens.author import POLL_SECONDS, AuthorWatch

            watch = AuthorWatch(self, self.author)
            watch.open()
            self.set_interval(POLL_SECONDS, watch.check)
        if self.services.store_problem:
            self.notify(t("app.store_problem", problem=self.services.store_problem), severity="error",
                        timeout=30)

    def on_unmount(self) -> None:
        # Leaving while a conversation is on screen: CPython decides full passes again.
        self.full_collections.restore()

    def library_ready(self) -> None:
        """Called by the home screen once the library is shown: now load the coder's model.

        Loading it takes about half a second; doing it after the first paint, while the
        trainee reads the library, keeps both the launch and the first response fast.
        """
        # Everything built so far (Textual, the library) lives as long as the app: moving it out
        # of the collector's reach keeps garbage collection from pausing a response.
        gc.freeze()
        if self.warm_up_coder and not self._coder_started:
            self._coder_started = True
            self.run_worker(self._load_coder, thread=True, exclusive=True, group="coder")

    def _load_coder(self) -> None:
        self.services.coder()
        # The coder's model lives as long as the app too: out of the collector's reach (a
        # full pass walked it at every collection).
        gc.freeze()
        note = coder_note() if self.services.coder_factory is _default_coder else ""
        if note:
            self.call_from_thread(self.notify, t("app.coder_fallback", note=note), severity="warning", timeout=10)

    def watch_theme(self, theme: str) -> None:
        # A theme picked in the command palette is kept for next time.
        if self._started and theme != (self.services.preferences().theme or DEFAULT_THEME):
            self.save_preferences(theme=theme)

    # -- navigation ----------------------------------------------------------------------
    def speak_scenario_language(self, scenario: Scenario) -> None:
        """From the briefing to the summary a session speaks its scenario's language (a
        Vietnamese scenario is practised in Vietnamese whatever the interface language), where
        mitrainer has a catalog for it; screens built from now on use it."""
        set_language(normalise_language(scenario.language) or self.interface_language)
        self._name_the_palette()

    def speak_interface_language(self) -> None:
        """Back in the library: the language the trainee chose."""
        set_language(self.interface_language)
        self._name_the_palette()

    def _name_the_palette(self) -> None:
        """Textual names its command-palette key "palette" in the footer, in English, whatever
        the language: give that binding the words of the language spoken now. (Textual keeps
        the binding in ``App._bindings``, with no public way to rename it.)"""
        for key, bindings in self._bindings.key_to_bindings.items():
            renamed = [replace(binding, description=t("app.palette"), tooltip=t("help.palette"))
                       if binding.action in ("command_palette", "app.command_palette") else binding
                       for binding in bindings]
            if renamed != bindings:
                self._bindings.key_to_bindings[key] = renamed
        if self.is_running:
            self.refresh_bindings()

    def open_briefing(self, scenario_id: str) -> None:
        loaded = self.services.scenario(scenario_id)
        if loaded is None or loaded.scenario is None:
            self.notify(t("app.no_scenario", id=scenario_id), severity="error")
            return
        from mitrainer.tui.screens.briefing import BriefingScreen

        self.speak_scenario_language(loaded.scenario)

        self.push_screen(BriefingScreen(loaded.scenario, self.guided_by_default(loaded.scenario)))

    def guided_by_default(self, scenario: Scenario) -> bool:
        """Guided when the trainee asked for it, or when the coder cannot read the scenario's language."""
        return self.services.preferences().guided_default or not self.coder_reads(scenario.language)

    def coder_reads(self, language: str) -> bool:
        """Whether the coder reads the scenario's language (English, Vietnamese and Chinese
        with the shipped models); a coder that does not say reads English."""
        from mitrainer.i18n import base_language

        languages = getattr(self.services.coder(), "languages", None) or ("en",)
        return base_language(language) in {base_language(lang) for lang in languages}

    def start_session(self, scenario: Scenario, guided: bool, start: Start | None = None) -> None:
        """Practise ``scenario``; with ``start``, an author's test from that node (not saved)."""
        from mitrainer.tui.screens.practice import PracticeScreen

        session = self.services.new_session(scenario, start)
        self.speak_scenario_language(scenario)
        self.switch_screen(PracticeScreen(self.services.practice(session), guided))
        if start is not None:
            self.notify(t("start.notice", node=start.node), timeout=6)

    def play_again(self, scenario: Scenario) -> None:
        from mitrainer.tui.screens.briefing import BriefingScreen

        self.speak_scenario_language(scenario)
        self.switch_screen(BriefingScreen(scenario, self.guided_by_default(scenario)))

    def open_session(self, session_id: str) -> None:
        """Resume an unfinished session, or show a finished one's summary."""
        try:
            record = self.services.store.load_record(session_id)
        except MitrainerError as exc:  # the database cannot be read, or the stored record is damaged
            self.notify(str(exc), severity="error")
            return
        if record is None:
            self.notify(t("app.no_session"), severity="error")
            return
        if self.services.store.was_imported(session_id):
            self.open_imported(record)
            return
        scenario_id = record.scenario.id
        loaded = self.services.scenario(scenario_id)
        if loaded is None or loaded.scenario is None:
            self.notify(t("app.no_scenario", id=scenario_id), severity="error")
            return
        try:
            session = self.services.resume(loaded.scenario, record)
        except (MitrainerError, KeyError, ValueError) as exc:
            self.notify(t("app.cannot_resume", error=str(exc)), severity="error", timeout=10)
            return
        from mitrainer.tui.screens.practice import PracticeScreen
        from mitrainer.tui.screens.summary import SummaryScreen

        practice = self.services.practice(session)
        self.speak_scenario_language(loaded.scenario)
        if session.ended_at:
            self.push_screen(SummaryScreen(practice))
        else:
            self.push_screen(PracticeScreen(practice, self.guided_by_default(loaded.scenario)))

    def open_imported(self, record: SessionRecord) -> None:
        """Another member's session (imported from a bundle): read-only on the review screen,
        never resumed, its summary never written to."""
        from mitrainer.export.review import ReviewError, stored_review_path
        from mitrainer.paths import data_dir, ensure_private_dir
        from mitrainer.tui.screens.review import ReviewScreen

        found = self.services.store.find_sessions(record.session_id, limit=1)
        member = (found[0].trainee if found else "") or t("home.unnamed_member")
        try:
            folder = ensure_private_dir(data_dir() / "reviews")
            screen = ReviewScreen(record, member, stored_review_path(record.session_id, folder),
                                  self.services.preferences().trainee_name or "")
        except (ReviewError, OSError) as exc:
            self.notify(t("review.load_failed", error=str(exc)), severity="error", timeout=10)
            return
        self.notify(t("app.imported_read_only", member=member))
        self.push_screen(screen)

    def show_summary(self, practice: Practice) -> None:
        from mitrainer.tui.screens.summary import SummaryScreen

        self.switch_screen(SummaryScreen(practice))

    def end_early(self, practice: Practice) -> None:
        """The trainee ended before an ending: keep the session (if it has turns) as ended early."""
        saved = practice.end_early(self.services.now().isoformat(timespec="seconds"))
        self.store_failed(saved.store_problem)
        if practice.session.turns:
            self.show_summary(practice)
        else:
            self.pop_screen()

    def open_help(self) -> None:
        keys = [(self.get_key_display(binding), binding.description)
                for binding in getattr(self.screen, "help_bindings", []) if binding.action not in ("move(1)", "move(-1)")]
        self.push_screen(HelpScreen(list(dict.fromkeys(keys))))

    def open_settings(self) -> None:
        def apply(chosen: Preferences | None) -> None:
            if chosen is None:
                return
            if self.save_preferences(**{k: v for k, v in chosen.to_values().items() if k != "theme"}):
                self.interface_language = set_language(chosen.language)
                self._name_the_palette()
                # Screens translate themselves when built: rebuild the home screen.
                self.switch_screen(HomeScreen())

        self.push_screen(SettingsDialog(), apply)

    # -- the store -----------------------------------------------------------------------
    def store_failed(self, problem: str) -> bool:
        """Tell the trainee that the store could not write (``problem``, "" when it could)."""
        if problem:
            self.notify(t("app.store_failed", error=problem), severity="error", timeout=15)
        return not problem

    def save_preferences(self, **changes: object) -> bool:
        """Keep the trainee's choices; a store that cannot write is told, and they hold for this run."""
        try:
            self.services.save_preferences(**changes)
        except StoreError as exc:
            return self.store_failed(str(exc))
        return True

    # -- command palette -----------------------------------------------------------------
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for title, help_text, callback in getattr(screen, "palette_commands", list)():
            yield SystemCommand(title, help_text, callback)
        yield from super().get_system_commands(screen)


def build_services(settings: Settings) -> Services:
    """Services from this run's settings: the store (with its fallback) and the scenario folders."""
    from mitrainer.paths import bundled_scenarios
    from mitrainer.store.db import open_store

    opened = open_store(settings.db_path)
    # A missing bundled folder is not the trainee's problem; a missing --scenarios folder is.
    bundled = [bundled_scenarios()] if bundled_scenarios().is_dir() else []
    return Services(store=opened.store, scenario_folders=[*bundled, *settings.scenario_folders],
                    store_problem=opened.problem, exports_confined=settings.served)


def run_app(settings: Settings) -> int:
    """Open the trainer (bare ``mitrainer``); returns the exit code (1 when it failed)."""
    services = build_services(settings)
    try:
        set_language(resolve_language(settings.language, services.preferences().language))
        app = TrainerApp(services)
        app.run()
    finally:
        services.store.close()
    return app.return_code or 0


def run_author(settings: Settings, target: AuthorTarget) -> int:
    """Open the trainer on a scenario file being written (``mitrainer author``); nothing is stored."""
    services = build_services(settings)
    services.authoring = True
    try:
        set_language(resolve_language(settings.language, services.preferences().language))
        app = TrainerApp(services, author=target)
        app.run()
    finally:
        services.store.close()
    return app.return_code or 0


__all__ = ["TrainerApp", "build_services", "run_app", "run_author"]
