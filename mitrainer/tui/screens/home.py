"""Home: the scenario library (filter as you type), recent sessions, scenarios with problems."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, Footer, Header, Input, Static

from mitrainer.i18n import t
from mitrainer.tui.coaching import listed_score
from mitrainer.tui.screens.base import TrainerScreen

if TYPE_CHECKING:
    from mitrainer.scenario.load import Library, LoadedScenario
    from mitrainer.store.db import SessionSummary

RECENT_LIMIT = 30


def matches(loaded: LoadedScenario, words: list[str]) -> bool:
    s = loaded.scenario
    assert s is not None
    haystack = " ".join([s.title, s.topic, s.id, s.language, t(f"difficulty.{s.difficulty.value}"),
                         s.difficulty.value, s.persona.name]).lower()
    return all(word in haystack for word in words)


def fit(text: str, width: int) -> Text:
    """``text`` cut to ``width`` terminal cells with an ellipsis (wide characters count double)."""
    shown = Text(text, no_wrap=True, overflow="ellipsis")
    shown.truncate(width, overflow="ellipsis")
    return shown


def short_time(stamp: str) -> str:
    """An ISO timestamp as local 'YYYY-MM-DD HH:MM' (the raw text if it does not parse)."""
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp[:16]


class HomeScreen(TrainerScreen):
    """The first screen: pick a scenario or resume a session."""

    BINDINGS = [
        Binding("enter", "open", "key.open", priority=True),
        Binding("down", "move(1)", "key.down", show=False),
        Binding("up", "move(-1)", "key.up", show=False),
        Binding("tab", "switch_table", "key.switch", show=False, priority=True),
        Binding("ctrl+r", "resume_latest", "key.resume"),
        Binding("f2", "settings", "key.settings"),
        Binding("f1", "help", "key.help"),
        Binding("escape", "clear_filter", "key.clear", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._library: Library | None = None
        self._best: dict[str, float] = {}
        self._active = "library"  # the table that Enter and the arrows act on
        self._widths: tuple[int, int] | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Vertical(id="home"):
            yield Input(placeholder=t("home.filter"), id="filter")
            yield Static(t("home.loading"), id="library-status", classes="section-title")
            yield DataTable(id="library", cursor_type="row", zebra_stripes=True)
            yield Static(t("home.recent"), id="recent-title", classes="section-title")
            yield DataTable(id="recent", cursor_type="row")
            yield Static("", id="broken")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "mitrainer"
        self.sub_title = t("home.subtitle")
        library = self.query_one("#library", DataTable)
        recent = self.query_one("#recent", DataTable)
        recent.add_column(t("home.col.status"), key="status")
        recent.add_column(t("home.col.scenario"), key="scenario")
        recent.add_column(t("home.col.started"), key="started")
        recent.add_column(t("home.col.turns"), key="turns")
        recent.add_column(t("home.col.score"), key="score")
        library.can_focus = recent.can_focus = True
        self.query_one("#filter", Input).focus()
        self.refresh_sessions()
        # Parse the scenarios after the first paint, so the screen appears at once.
        self.call_after_refresh(self.load_library)

    def on_screen_resume(self) -> None:
        # Back in the library, the trainee's language again; but not when another screen was
        # pushed over this one before its first resume was handled (``mitrainer author`` opens
        # a practice screen straight away, already speaking its scenario's language).
        if self.app.screen is self:
            self.trainer.speak_interface_language()
        if self._library is not None:
            self.refresh_sessions()
            self.fill_library()

    # -- loading -------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="library")
    def load_library(self) -> None:
        # Parsing and validating every scenario takes a moment: do it after the first paint.
        library = self.services.library()
        self.app.call_from_thread(self.library_loaded, library)

    def library_loaded(self, library: Library) -> None:
        self._library = library
        self.fill_library()
        self.show_broken(library)
        self.trainer.library_ready()

    def column_widths(self) -> tuple[int, int]:
        """Widths of the title and topic columns: what the terminal leaves after the short columns."""
        fixed = sum(cell_len(t(f"home.col.{key}")) + 2 for key in ("lang", "minutes", "best")) + 14 + 12
        free = max(self.app.size.width - fixed, 16)
        if free < 50:
            return free, 0  # narrow: the topic column goes, the title keeps what room there is
        return free * 3 // 5, free - free * 3 // 5

    def fill_library(self) -> None:
        assert self._library is not None
        table = self.query_one("#library", DataTable)
        words = self.query_one("#filter", Input).value.lower().split()
        shown = [loaded for loaded in self._library.ordered() if matches(loaded, words)]
        widths = self.column_widths()
        cursor = table.cursor_row
        table.clear(columns=widths != self._widths)
        if widths != self._widths:
            self._widths = widths
            table.add_column(t("home.col.title"), key="title", width=widths[0])
            if widths[1]:
                table.add_column(t("home.col.topic"), key="topic", width=widths[1])
            table.add_column(t("home.col.level"), key="level")
            table.add_column(t("home.col.lang"), key="lang")
            table.add_column(t("home.col.minutes"), key="minutes")
            table.add_column(t("home.col.best"), key="best")
        for loaded in shown:
            s = loaded.scenario
            assert s is not None
            best = self._best.get(s.id)
            cells = [fit(s.title, widths[0])] + ([fit(s.topic, widths[1])] if widths[1] else [])
            table.add_row(*cells, t(f"difficulty.{s.difficulty.value}"), s.language, str(s.minutes),
                          "–" if best is None else f"{best:.1f}", key=s.id)
        if shown:
            table.move_cursor(row=min(max(cursor, 0), len(shown) - 1))
        total = len(self._library.scenarios)
        status = self.query_one("#library-status", Static)
        if not total:
            status.update(t("home.no_scenarios"))
        elif len(shown) == total:
            status.update(t("home.library", count=total))
        else:
            status.update(t("home.filtered", shown=len(shown), count=total))

    def on_resize(self) -> None:
        if self._library is not None and self.column_widths() != self._widths:
            self.fill_library()

    def show_broken(self, library: Library) -> None:
        broken = self.query_one("#broken", Static)
        if not library.broken:
            broken.display = False
            return
        lines = [Content.styled(t("home.broken", count=len(library.broken)), "bold $warning")]
        for loaded in library.broken:
            first = loaded.errors[0] if loaded.errors else (loaded.diagnostics[0] if loaded.diagnostics else None)
            lines.append(Content.assemble(("• ", "$warning"), str(first) if first else str(loaded.path)))
        broken.update(Content("\n").join(lines))
        broken.display = True

    def refresh_sessions(self) -> None:
        store = self.services.store
        try:
            self._best = store.best_scores()
            sessions = store.list_sessions(limit=RECENT_LIMIT)
        except Exception as exc:  # a damaged store must not take the home screen down
            self.notify(str(exc), severity="error")
            self._best, sessions = {}, []
        table = self.query_one("#recent", DataTable)
        table.clear()
        # Whose session: a column as soon as one of them was imported from another member's bundle.
        if any(s.imported for s in sessions) and "trainee" not in table.columns:
            table.add_column(t("home.col.trainee"), key="trainee")
        whose = "trainee" in table.columns
        for summary in sessions:
            cells = [self.status_of(summary), fit(summary.scenario_title or summary.scenario_id,
                                                  max(self.app.size.width - 60 - (16 if whose else 0), 16)),
                     short_time(summary.started_at), str(summary.turns), listed_score(summary.score, summary.turns)]
            if whose:
                cells.append(self.owner_of(summary))
            table.add_row(*cells, key=summary.id)
        self.query_one("#recent-title", Static).update(
            t("home.recent") if sessions else t("home.no_recent"))
        table.display = bool(sessions)

    @staticmethod
    def owner_of(summary: SessionSummary) -> Text:
        """Yours, or the member whose bundle it came from."""
        if not summary.imported:
            return Text(t("home.yours"), "dim")
        return fit("↓ " + (summary.trainee or t("home.unnamed_member")), 16)

    @staticmethod
    def status_of(summary: SessionSummary) -> Text:
        # Rich Text, not Content: DataTable sizes its columns from Rich renderables.
        if not summary.finished:
            return Text("● " + t("home.status.unfinished"), "bold yellow")
        if summary.ended_early:
            return Text("■ " + t("home.status.ended_early"), "dim")
        done = Text("✓ " + (summary.ending_title or summary.outcome), "green")
        done.truncate(28, overflow="ellipsis")
        return done

    # -- reacting ------------------------------------------------------------------------
    @on(Input.Changed, "#filter")
    def filter_changed(self) -> None:
        if self._library is not None:
            self.fill_library()
            self._active = "library"

    @on(Input.Submitted, "#filter")
    def filter_submitted(self) -> None:
        self.action_open()

    @on(DataTable.RowSelected, "#library")
    def library_selected(self, event: DataTable.RowSelected) -> None:
        self._active = "library"
        self.open_scenario(str(event.row_key.value))

    @on(DataTable.RowSelected, "#recent")
    def recent_selected(self, event: DataTable.RowSelected) -> None:
        self._active = "recent"
        self.app.open_session(str(event.row_key.value))

    @on(DataTable.RowHighlighted)
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.has_focus:
            self._active = event.data_table.id or "library"

    def active_table(self) -> DataTable:
        return self.query_one(f"#{self._active}", DataTable)

    def open_scenario(self, scenario_id: str) -> None:
        self.app.open_briefing(scenario_id)

    def action_open(self) -> None:
        table = self.active_table()
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if self._active == "library":
            self.open_scenario(str(key))
        else:
            self.app.open_session(str(key))

    def action_move(self, step: int) -> None:
        table = self.active_table()
        if table.has_focus:
            table.action_cursor_down() if step > 0 else table.action_cursor_up()
            return
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    def action_switch_table(self) -> None:
        recent = self.query_one("#recent", DataTable)
        self._active = "recent" if self._active == "library" and recent.display and recent.row_count else "library"
        if self._active == "recent":
            recent.focus()
        else:
            self.query_one("#filter", Input).focus()
        table = self.active_table()
        if table.row_count and table.cursor_row < 0:
            table.move_cursor(row=0)

    def action_clear_filter(self) -> None:
        self.query_one("#filter", Input).value = ""
        self.query_one("#filter", Input).focus()
        self._active = "library"

    def action_resume_latest(self) -> None:
        # Your own: an imported session is another member's, never continued as yours.
        unfinished = self.services.store.list_sessions(limit=1, unfinished=True, imported=False)
        if unfinished:
            self.app.open_session(unfinished[0].id)
        else:
            self.notify(t("home.nothing_to_resume"))

    def action_settings(self) -> None:
        self.app.open_settings()

    def action_help(self) -> None:
        self.app.open_help()

    def palette_commands(self) -> list[tuple[str, str, object]]:
        return [
            (t("cmd.resume"), t("cmd.resume.help"), self.action_resume_latest),
            (t("cmd.settings"), t("cmd.settings.help"), self.action_settings),
            (t("cmd.help"), t("cmd.help.help"), self.action_help),
            (t("cmd.clear_filter"), t("cmd.clear_filter.help"), self.action_clear_filter),
        ]
