"""Summary: scores against thresholds, the client's progress, every turn, the ending, reflection."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from pathlib import Path

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Button, Footer, Header, Static, TextArea

from mitrainer.engine.session import Session
from mitrainer.errors import MitrainerError
from mitrainer.i18n import t
from mitrainer.paths import data_dir, ensure_private_dir
from mitrainer.practice import Practice
from mitrainer.tui import coaching
from mitrainer.tui.screens.base import TrainerScreen
from mitrainer.tui.screens.dialogs import ExportDialog
from mitrainer.tui.widgets.chart import ProgressChart
from mitrainer.tui.widgets.chips import coding_chips, verdict

REFLECTION_PROMPTS = ("went_well", "do_differently", "next_skill")
AUTOSAVE_SECONDS = 1.0
BAND_RICH = {"good": "bold green", "fair": "bold yellow", "below": "bold red"}


def export_function() -> tuple[Callable, list[str]] | None:
    """``mitrainer.export.export_session`` and its formats, when the export module exists."""
    if importlib.util.find_spec("mitrainer.export") is None:
        return None
    module = importlib.import_module("mitrainer.export")
    function = getattr(module, "export_session", None)
    if function is None:
        return None
    return function, list(module.FORMATS)


def score_table(score: coaching.SessionScore) -> Table:
    table = Table(expand=True, box=None, pad_edge=False, show_edge=False, header_style="bold")
    table.add_column(t("summary.col.measure"), ratio=3)
    table.add_column(t("summary.col.you"), justify="right", ratio=1)
    table.add_column(t("summary.col.band"), ratio=1)
    table.add_column(t("summary.col.fair"), justify="right", ratio=1)
    table.add_column(t("summary.col.good"), justify="right", ratio=1)
    own = withheld = False
    for metric in score.metrics:
        style = BAND_RICH.get(metric.band or "", "")
        band = Text(t(f"band.{metric.band}") if metric.band else "", style)
        label = coaching.metric_label(metric)
        if metric.bands_from == "mitrainer" and (metric.fair is not None or metric.good is not None):
            own, label = True, label + " †"
        # A withheld estimate is a dash here and explained once under the table (the
        # explanation would not fit the narrow column).
        withheld = withheld or metric.withheld
        table.add_row(label, Text("—" if metric.withheld else coaching.metric_display(metric), style), band,
                      "" if metric.fair is None else metric.show(metric.fair),
                      "" if metric.good is None else metric.show(metric.good))
    notes = [t("score.not_enough")] if withheld else []
    if own:
        notes.append(t("summary.own_bands"))
    if notes:
        table.caption = "\n".join(notes)
        table.caption_justify = "left"
    return table


def turn_lines(session: Session, min_confidence: float = 0.0) -> Content:
    lines: list[Content] = []
    name = session.scenario.persona.name
    for turn in session.turns:
        lines.append(Content.assemble((f"{turn.index + 1:>2}. ", "bold"), (f"{name}: ", "$text-secondary"),
                                      (turn.client.text, "$text-muted")))
        lines.append(Content.assemble("    ", (t("practice.you") + ": ", "$text-primary"), turn.response, "  ",
                                      coding_chips(turn.coding, min_confidence)))
        if turn.feedback is not None and turn.feedback.judgement is not None:
            lines.append(Content.assemble("    ", verdict(turn.feedback.judgement)))
        if turn.feedback is not None and turn.feedback.note:
            lines.append(Content.assemble("    ", (t("side.note") + " ", "bold $text-secondary"),
                                          (turn.feedback.note, "$text-muted")))
    if not lines:
        lines.append(Content.styled(t("summary.no_turns"), "italic $text-muted"))
    return Content("\n").join(lines)


class SummaryScreen(TrainerScreen):
    """After the session: how it went, and what you make of it."""

    BINDINGS = [
        Binding("ctrl+s", "save", "key.save", priority=True),
        Binding("ctrl+o", "export", "key.export", priority=True),
        Binding("ctrl+n", "again", "key.again", priority=True),
        Binding("ctrl+t", "review", "key.review", priority=True),
        Binding("escape", "home", "key.home"),
        Binding("f1", "help", "key.help"),
    ]

    def __init__(self, practice: Practice) -> None:
        super().__init__()
        self.practice = practice
        self.session = practice.session
        self.score = practice.score()
        self.exporter = export_function()
        self._autosave: Timer | None = None

    def compose(self) -> ComposeResult:
        s = self.session
        yield Header()
        with VerticalScroll(id="summary"):
            yield Static(self.outcome(), id="outcome", classes="panel")
            yield Static(score_table(self.score), id="scores", classes="panel")
            yield ProgressChart(id="chart", classes="panel")
            yield Static(turn_lines(s, self.practice.min_confidence), id="turns", classes="panel")
            for key in REFLECTION_PROMPTS:
                yield Static(t(f"summary.prompt.{key}"), classes="field-label")
                yield TextArea(s.reflections.get(key, ""), id=f"reflect-{key}", classes="reflection",
                               soft_wrap=True, tab_behavior="focus")
            with Horizontal(id="summary-actions"):
                yield Button(t("summary.save"), id="save", variant="primary")
                if self.exporter is not None:
                    yield Button(t("summary.export"), id="export")
                yield Button(t("summary.review"), id="review")
                yield Button(t("summary.again"), id="again")
                yield Button(t("summary.home"), id="home")
        yield Footer()

    def on_mount(self) -> None:
        self.title = self.session.scenario.title
        self.sub_title = t("summary.subtitle")
        self.query_one("#outcome").border_title = t("summary.outcome")
        self.query_one("#scores").border_title = t("summary.scores")
        self.query_one("#chart").border_title = t("summary.progress")
        self.query_one("#turns").border_title = t("summary.turns")
        self.query_one(ProgressChart).show(self.session)
        # Start at the top (the outcome); Tab moves on to the reflection boxes.
        self.query_one("#summary", VerticalScroll).focus()

    def outcome(self) -> Content:
        ending = self.session.ending
        if ending is None:
            return Content.assemble((t("summary.ended_early"), "bold $warning"), "\n",
                                    (t("summary.ended_early_help"), "$text-muted"))
        return Content.assemble((ending.title or ending.outcome, "bold $success"), "\n", self.session.debrief)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "export":
            return self.exporter is not None
        return True

    def collect_reflections(self) -> dict[str, str]:
        return {key: self.query_one(f"#reflect-{key}", TextArea).text.strip() for key in REFLECTION_PROMPTS}

    @on(TextArea.Changed, ".reflection")
    def reflection_changed(self) -> None:
        # Saved a moment after typing stops, so quitting the app loses nothing.
        if self._autosave is not None:
            self._autosave.stop()
        self._autosave = self.set_timer(AUTOSAVE_SECONDS, self.store_reflections)

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        if self._autosave is not None:
            self._autosave.stop()
        if self.store_reflections():
            self.notify(t("summary.saved"), timeout=2)

    def store_reflections(self) -> bool:
        reflections = self.collect_reflections()
        if reflections == {k: self.session.reflections.get(k, "") for k in REFLECTION_PROMPTS}:
            return True
        return self.trainer.store_failed(self.practice.save_reflections(reflections).store_problem)

    @on(Button.Pressed, "#export")
    def action_export(self) -> None:
        if self.exporter is None:
            return
        self.store_reflections()
        function, formats = self.exporter
        folder = data_dir() / "exports"

        def chosen(result: tuple[str, Path] | None) -> None:
            if result is None:
                return
            fmt, path = result
            if self.services.exports_confined:  # served in a browser: only inside the exports folder
                from mitrainer.export.output import within_folder

                inside = within_folder(path, ensure_private_dir(folder))
                if inside is None:
                    self.notify(t("export.outside_folder", folder=str(folder)), severity="error", timeout=10)
                    return
                path = folder if inside == folder.resolve() else inside
            try:
                if path == folder:
                    ensure_private_dir(folder)  # the export names a dated file in a folder that exists
                written = function(self.session.record(), fmt, path, scenario=self.session.scenario,
                                   trainee=self.services.preferences().trainee_name or "")
            except (MitrainerError, OSError) as exc:
                self.notify(t("summary.export_failed", error=str(exc)), severity="error", timeout=10)
                return
            self.notify(t("summary.exported", path=str(written)), timeout=10)

        self.app.push_screen(ExportDialog(formats, folder), chosen)

    @on(Button.Pressed, "#review")
    def action_review(self) -> None:
        """Step through the turns and code them yourself (the group-review screen, on this session)."""
        from mitrainer.export.review import ReviewError, stored_review_path
        from mitrainer.tui.screens.review import ReviewScreen

        self.store_reflections()
        record = self.session.record()
        trainee = self.services.preferences().trainee_name or ""
        try:
            folder = ensure_private_dir(data_dir() / "reviews")
            screen = ReviewScreen(record, trainee or t("review.you"), stored_review_path(record.session_id, folder), trainee)
        except (ReviewError, OSError) as exc:  # a damaged review file: say so, keep the summary
            self.notify(t("review.load_failed", error=str(exc)), severity="error", timeout=10)
            return
        self.app.push_screen(screen)

    @on(Button.Pressed, "#again")
    def action_again(self) -> None:
        self.store_reflections()
        self.trainer.play_again(self.session.scenario)

    @on(Button.Pressed, "#home")
    def action_home(self) -> None:
        self.store_reflections()
        self.app.pop_screen()

    def action_help(self) -> None:
        self.trainer.open_help()

    def palette_commands(self) -> list[tuple[str, str, object]]:
        commands = [(t("cmd.save"), t("cmd.save.help"), self.action_save)]
        if self.exporter is not None:
            commands.append((t("cmd.export"), t("cmd.export.help"), self.action_export))
        commands += [
            (t("cmd.review"), t("cmd.review.help"), self.action_review),
            (t("cmd.again"), t("cmd.again.help"), self.action_again),
            (t("cmd.home"), t("cmd.home.help"), self.action_home),
        ]
        return commands
