"""For authors: the trainer on a scenario being written (`mitrainer author FILE`), reloaded on
every save, and starting a scenario at any node with some state (:class:`StartAtNodeDialog`).

The app polls the file's modification time (:class:`AuthorWatch`, a Textual timer): for
one file, a stat twice a second (2 µs of CPU each) does what watchfiles would do with a
compiled wheel (458 KB, 1.3 MB installed, plus anyio) and about 90 ms more start-up. A save that loads cleanly carries the conversation
over (:func:`mitrainer.engine.reload.carry_over`); a save with problems lists them above
the conversation, which goes on with the last good version. Nothing here ever stores a
session: an author's tests stay out of history.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.suggester import SuggestFromList
from textual.widgets import Button, Footer, Header, Input, Static

from mitrainer.engine.reload import Carried, carry_over
from mitrainer.engine.start import StartError, parse_start
from mitrainer.errors import Diagnostic, display_path
from mitrainer.i18n import t
from mitrainer.record.model import Start
from mitrainer.scenario.load import LoadedScenario, load_scenario
from mitrainer.scenario.model import Scenario
from mitrainer.tui.screens.base import TrainerModal, TrainerScreen
from mitrainer.tui.screens.practice import PracticeScreen

POLL_SECONDS = 0.5
MAX_SHOWN = 8


@dataclass
class AuthorTarget:
    """The file an author is writing, and where to start testing it."""

    path: Path
    start_node: str | None = None
    assignments: list[str] = field(default_factory=list)


def problem_lines(diagnostics: list[Diagnostic]) -> Content:
    """Diagnostics as the validator prints them (line:col code message), errors first."""
    ordered = sorted(diagnostics, key=lambda d: (not d.is_error, d.position.line, d.position.column))
    lines = [Content.assemble((f"{d.position.line}:{d.position.column} ", "$text-muted"),
                              (d.code, "bold $error" if d.is_error else "bold $warning"), " ", d.message,
                              (f" — {d.hint}" if d.hint else "", "$text-muted"))
             for d in ordered[:MAX_SHOWN]]
    if len(ordered) > MAX_SHOWN:
        lines.append(Content.styled(t("author.more", count=len(ordered) - MAX_SHOWN), "$text-muted"))
    return Content("\n").join(lines)


def start_problem(error: StartError) -> str:
    """What was wrong with --from/--set, in the interface's language."""
    hint = error.fields.get("suggestion", "")
    return t(f"start.{error.kind}", **error.fields) + (t("start.did_you_mean", suggestion=hint) if hint else "")


class StartAtNodeDialog(TrainerModal[Start | None]):
    """For authors: the node to start at and the values to set (``VAR=VALUE ...``).

    What is typed is read as ``mitrainer play --from/--set`` reads it; a mistake is shown
    in the dialog, with the name that was probably meant. Returns the start, or None.
    """

    BINDINGS = [Binding("escape", "cancel", "key.cancel")]

    def __init__(self, scenario: Scenario) -> None:
        super().__init__()
        self.scenario = scenario

    def compose(self) -> ComposeResult:
        s = self.scenario
        variables = ", ".join(f"{name} ({var.type}, {var.default})" for name, var in s.variables.items())
        with Vertical(classes="dialog wide"):
            yield Static(Content.styled(t("start.title"), "bold"), classes="dialog-title")
            yield Static(t("start.explain"), classes="dialog-text muted")
            yield Static(t("start.node"), classes="field-label")
            yield Input(placeholder=s.start, id="node",
                        suggester=SuggestFromList([n for n, node in s.nodes.items() if not node.is_ending]))
            yield Static(t("start.values"), classes="field-label")
            example = " ".join(f"{name}={var.default}" for name, var in list(s.variables.items())[:2])
            yield Input(placeholder=example, id="values")
            yield Static(Content.styled(t("start.variables", names=variables or "—"), "$text-muted"),
                         classes="dialog-text")
            yield Static("", id="start-problem", classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("start.go"), id="go", variant="primary")
                yield Button(t("settings.cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#node", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#go")
    def go(self) -> None:
        values = self.query_one("#values", Input).value
        try:
            assignments = shlex.split(values)
        except ValueError:
            self.show_problem(t("start.bad_assignment", text=values))
            return
        try:
            start = parse_start(self.scenario, self.query_one("#node", Input).value, assignments)
        except StartError as exc:
            self.show_problem(start_problem(exc))
            return
        self.dismiss(start)

    def show_problem(self, text: str) -> None:
        self.query_one("#start-problem", Static).update(Content.styled(text, "bold $error"))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class AuthorPracticeScreen(PracticeScreen):
    """The practice screen, with the problems of the file's last save above the conversation."""

    def __init__(self, practice, guided: bool, target: AuthorTarget, warnings: list[Diagnostic] | None = None) -> None:
        super().__init__(practice, guided)
        self.target = target
        self.warnings = warnings or []

    def on_mount(self) -> None:
        self.query_one("#chat").mount(Static("", id="author-problems"), before=0)
        super().on_mount()
        self.show_warnings(self.warnings)

    def show_warnings(self, warnings: list[Diagnostic]) -> None:
        self.show_problems(warnings, t("author.warnings", count=len(warnings)) if warnings else "")

    def show_problems(self, diagnostics: list[Diagnostic], header: str = "") -> None:
        panel = self.query_one("#author-problems", Static)
        panel.display = bool(diagnostics or header)
        if panel.display:
            parts = [Content.styled(header, "bold")] if header else []
            if diagnostics:
                parts.append(problem_lines(diagnostics))
            panel.update(Content("\n").join(parts))

    def scenario_changed(self, loaded: LoadedScenario) -> None:
        """The file was saved: go on with its new version, or list why it cannot be used."""
        name = display_path(self.target.path)
        if not loaded.ok or loaded.scenario is None:
            self.show_problems(loaded.diagnostics, t("author.broken", file=name, count=len(loaded.errors)))
            self.notify(t("author.broken", file=name, count=len(loaded.errors)), severity="error", timeout=4)
            return
        carried = carry_over(self.session, loaded.scenario)
        self.replace_practice(self.services.practice(carried.session))
        self.show_warnings(loaded.warnings)
        turns = len(carried.session.turns)
        message = {Carried.REPLAYED: t("author.replayed", file=name, turns=turns, node=carried.session.node_id),
                   Carried.CONTINUED: t("author.continued", file=name, node=carried.session.node_id),
                   Carried.RESTARTED: t("author.restarted", file=name)}[carried.how]
        self.notify(message, timeout=4)


class AuthorWaitScreen(TrainerScreen):
    """The file does not load yet: its problems, until a save fixes them."""

    BINDINGS = [Binding("escape", "home", "key.home")]

    def __init__(self, target: AuthorTarget, diagnostics: list[Diagnostic], problem: str = "") -> None:
        super().__init__()
        self.target = target
        self.diagnostics = diagnostics
        self.problem = problem

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="author-wait"):
            yield Static("", id="author-wait-title")
            yield Static("", id="author-wait-problems")
        yield Footer()

    def on_mount(self) -> None:
        self.title = display_path(self.target.path)
        self.sub_title = t("author.subtitle")
        self.show(self.diagnostics, self.problem)

    def show(self, diagnostics: list[Diagnostic], problem: str = "") -> None:
        self.query_one("#author-wait-title", Static).update(Content.styled(
            t("author.waiting", file=display_path(self.target.path)), "bold"))
        body = problem_lines(diagnostics) if diagnostics else Content(problem)
        self.query_one("#author-wait-problems", Static).update(body)

    def action_home(self) -> None:
        self.app.pop_screen()


class AuthorWatch:
    """Polls the author's file and hands each new version to the screen showing it."""

    def __init__(self, app, target: AuthorTarget) -> None:
        self.app = app
        self.target = target
        self.stamp: tuple[int, int, int] | None = None

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            info = os.stat(self.target.path)
        except OSError:
            return None
        return (info.st_mtime_ns, info.st_size, info.st_ino)

    def open(self) -> None:
        """Show the file: the practice screen if it loads (at the start asked for), else its problems."""
        self.stamp = self._stat()
        loaded = load_scenario(self.target.path)
        if not loaded.ok or loaded.scenario is None:
            self.app.push_screen(AuthorWaitScreen(self.target, loaded.diagnostics))
            return
        screen = self._practice_screen(loaded, self.target.start_node, self.target.assignments)
        self.app.push_screen(screen)

    def _practice_screen(self, loaded: LoadedScenario, node: str | None, assignments: list[str]) -> TrainerScreen:
        scenario = loaded.scenario
        assert scenario is not None
        try:
            start = parse_start(scenario, node, assignments)
        except StartError as exc:
            return AuthorWaitScreen(self.target, [], start_problem(exc))
        services = self.app.services
        practice = services.practice(services.new_session(scenario, start))
        self.app.speak_scenario_language(scenario)
        return AuthorPracticeScreen(practice, self.app.guided_by_default(scenario), self.target, loaded.warnings)

    def check(self) -> None:
        """Called by the app's timer: reload when the file changed since the last look."""
        stamp = self._stat()
        if stamp == self.stamp:
            return
        self.stamp = stamp
        try:
            self._reload()
        except Exception as exc:  # a reload must never take the trainer down: the last version goes on
            self.app.notify(t("author.failed", error=str(exc)), severity="error")

    def _reload(self) -> None:
        loaded = load_scenario(self.target.path)
        screen = self.app.screen
        if isinstance(screen, AuthorPracticeScreen):
            screen.scenario_changed(loaded)
        elif isinstance(screen, AuthorWaitScreen):
            if loaded.ok:
                # The first good save: test it from the start asked for (a bad --from stays shown).
                self.app.switch_screen(self._practice_screen(loaded, self.target.start_node, self.target.assignments))
            else:
                screen.show(loaded.diagnostics)
