"""Practice: the conversation, the response box (or guided choices) and the coaching sidebar.

One response flows top to bottom through :meth:`PracticeScreen.take_turn`:
:meth:`mitrainer.practice.Practice.take_turn` codes it, takes the branch, judges it and
stores it, and only then does the screen show the trainee's bubble, the client's next line
and the feedback it was given.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Footer, Header, Static

from mitrainer.coding.base import ResponseCoding
from mitrainer.errors import MitrainerError
from mitrainer.i18n import t
from mitrainer.practice import Practice
from mitrainer.text import clean_text
from mitrainer.tui.messages import GuidedChoiceMade, ResponseSubmitted
from mitrainer.tui.screens.base import TrainerScreen
from mitrainer.tui.screens.dialogs import ConfirmDialog, HintDialog
from mitrainer.tui.widgets.conversation import Conversation
from mitrainer.tui.widgets.guided import GuidedChoices, guided_choices
from mitrainer.tui.widgets.response_box import MAX_RESPONSE_CHARS, ResponseBox
from mitrainer.tui.widgets.sidebar import ClientMeters, ClientTalk, LastFeedback, Sidebar, SkillCounters

# Below this width the sidebar is hidden unless the trainee asks for it (ctrl+b).
NARROW_WIDTH = 72
# Below this height the line of key reminders under the box is hidden (the footer still shows keys).
SHORT_HEIGHT = 16


def show_content(static: Static, content: Content) -> None:
    """Show ``content`` in ``static`` unless it shows it already (an update lays out the screen again)."""
    shown = static.content
    if isinstance(shown, Content) and shown.plain == content.plain and shown.spans == content.spans:
        return
    static.update(content)


class PracticeScreen(TrainerScreen):
    """The conversation with the simulated client."""

    BINDINGS = [
        # Shown in the footer only while the sidebar is hidden (below 72 columns it hides itself):
        # then the trainee needs to know how to bring it back. First, so that a narrow footer
        # still has room for it.
        Binding("ctrl+b", "show_sidebar", "key.show_sidebar", priority=True),
        Binding("ctrl+t", "hint", "key.hint", priority=True),
        Binding("ctrl+z", "rewind", "key.rewind", priority=True),
        Binding("ctrl+g", "toggle_guided", "key.guided", priority=True),
        Binding("ctrl+e", "end", "key.end", priority=True),
        Binding("f1", "help", "key.help"),
        Binding("ctrl+b", "toggle_sidebar", "key.sidebar", show=False, priority=True),
        Binding("ctrl+r", "toggle_meters", "key.meters", show=False, priority=True),
        Binding("escape", "home", "key.home", show=False),
        Binding("enter", "continue", "key.summary", show=False),
    ]

    def __init__(self, practice: Practice, guided: bool) -> None:
        super().__init__()
        self.practice = practice
        self.session = practice.session
        self.guided = guided
        self.sidebar_wanted: bool | None = None  # None: follow the terminal's width
        self.score = practice.score()

    # -- building ------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="practice-body"):
            with Vertical(id="chat"):
                yield Conversation(self.session.scenario.persona.name, id="conversation",
                                   min_confidence=self.practice.min_confidence)
                with Vertical(id="composer"):
                    yield GuidedChoices(id="choices")
                    yield ResponseBox(t("practice.placeholder"), id="response")
                    yield Static("", id="composer-help")
            yield Sidebar(id="sidebar")
        yield Footer()

    def on_mount(self) -> None:
        self.show_session()
        self.apply_width(self.app.size.width, self.app.size.height)

    def show_session(self) -> None:
        """Show the whole session: its turns so far, the client's line, the meters and scores."""
        s = self.session.scenario
        self.title = s.title
        self.sub_title = t("practice.subtitle", name=s.persona.name)
        realistic = self.services.preferences().realistic_mode
        conversation = self.query_one(Conversation)
        conversation.clear()
        conversation.client_name = s.persona.name
        conversation.show_talk = not realistic
        conversation.show_history(self.session.turns, self.session.current_line, self.ending_title())
        self.query_one("#meters").display = bool(s.meters) and not realistic
        self.show_mode()
        self.update_sidebar()

    def replace_practice(self, practice: Practice) -> None:
        """Go on with another practice of this conversation (``mitrainer author`` after a reload)."""
        self.practice = practice
        self.session = practice.session
        self.score = practice.score()
        self.show_session()

    def on_screen_resume(self) -> None:
        # While the conversation is on screen, the collector's full pass waits for a painted line.
        self.trainer.full_collections.defer()

    def on_screen_suspend(self) -> None:
        self.trainer.full_collections.restore()

    def ending_title(self) -> str | None:
        """The ending's title once the session reached one (None before)."""
        ending = self.session.ending
        if not self.session.finished or ending is None:
            return None
        return ending.title or ending.outcome

    # -- the flow of one response --------------------------------------------------------
    @on(ResponseSubmitted)
    async def response_submitted(self, event: ResponseSubmitted) -> None:
        # Pasted text may carry terminal control codes; they never enter the record.
        text = clean_text(event.text).strip()
        if not text:
            self.query_one(ResponseBox).clear()
            return
        if len(text) > MAX_RESPONSE_CHARS:
            self.notify(t("practice.too_long", limit=MAX_RESPONSE_CHARS), severity="warning")
            return
        await self.take_turn(text)

    @on(GuidedChoiceMade)
    async def guided_choice(self, event: GuidedChoiceMade) -> None:
        await self.take_turn(event.choice.text, event.choice.coding(coder="guided"), guided=True)

    async def take_turn(self, text: str, coding: ResponseCoding | None = None, guided: bool = False) -> bool:
        """Take the response through the practice (code, branch, judge, store), then show it.

        Returns False when the response was not taken.
        """
        if self.session.finished:
            self.notify(t("practice.already_ended"))
            return False
        try:
            taken = self.practice.take_turn(text, coding, guided=guided)
        except MitrainerError as exc:
            self.notify(str(exc), severity="error")
            return False
        # The turn is stored: now show it, in one frame. Nothing is painted until the new
        # bubbles are mounted, and the screen's next update lays it all out (the widgets' own
        # requests arrive one by one, and a paint of the first would put the layout a frame
        # later), so the client's line appears in the first frame; repaint=False: only what
        # moved is drawn again, not the whole screen (a second frame of 17 KB to the terminal).
        # The sidebar follows in the next frame: it is not needed to read the client's line.
        self.score = taken.score
        with self.app.batch_update():
            if not guided:
                self.query_one(ResponseBox).clear()
            await self.query_one(Conversation).add_turn(taken.turn, self.session.current_line, self.ending_title())
            self.show_mode()
            self.refresh(layout=True, repaint=False)
        self.call_after_refresh(self.after_line_painted)
        if taken.feedback_problem:  # the turn was kept; only its feedback is missing
            self.notify(t("practice.feedback_failed", error=taken.feedback_problem), severity="warning")
        self.trainer.store_failed(taken.store_problem)
        return True

    def after_line_painted(self) -> None:
        """What the client's line need not wait for: the sidebar, then (a frame later) the collector."""
        self.update_sidebar()
        self.call_after_refresh(self.trainer.full_collections.collect_if_due)

    def update_sidebar(self) -> None:
        self.query_one(SkillCounters).show(self.score)
        self.query_one(ClientTalk).show(self.score)
        self.query_one(ClientMeters).show(self.session.scenario.meters, self.session.variables)
        feedback = self.session.turns[-1].feedback if self.session.turns else None
        self.query_one(LastFeedback).show(feedback)

    def show_mode(self) -> None:
        """Show the response box or the guided choices (or neither once the session ended)."""
        choices = self.query_one(GuidedChoices)
        box = self.query_one(ResponseBox)
        help_line = self.query_one("#composer-help", Static)
        finished = self.session.finished
        choices.display = self.guided and not finished
        box.display = not self.guided and not finished
        if finished:
            show_content(help_line, Content.styled(t("practice.finished_help"), "bold $success"))
        elif self.guided:
            options = guided_choices(self.session)
            choices.show(options)
            show_content(help_line, Content.styled(
                t("practice.guided_help", count=len(options)) if options else t("practice.no_choices"),
                "$text-muted"))
            choices.focus()
        else:
            show_content(help_line, Content.styled(t("practice.typing_help"), "$text-muted"))
            box.focus()
        # The composer's height may have changed, or the trainee scrolled up to reread: anchor
        # the conversation to its end again, so the next layout shows the client's latest line.
        self.query_one(Conversation).scroll_end(animate=False)

    # -- actions -------------------------------------------------------------------------
    def action_hint(self) -> None:
        if self.session.finished:
            self.notify(t("practice.already_ended"))
            return

        def use(text: str | None) -> None:
            if text and not self.guided:
                box = self.query_one(ResponseBox)
                box.text = text
                box.move_cursor(box.document.end)
                box.focus()

        self.app.push_screen(HintDialog(list(self.session.node.exemplars)), use)

    def action_rewind(self) -> None:
        turn, saved = self.practice.rewind()
        if turn is None:
            self.notify(t("practice.nothing_to_rewind"))
            return
        self.score = saved.score
        self.trainer.store_failed(saved.store_problem)
        conversation = self.query_one(Conversation)
        conversation.remove_after_last_response()
        self.update_sidebar()
        self.show_mode()
        if not turn.guided and not self.guided:
            box = self.query_one(ResponseBox)
            box.text = turn.response
            box.move_cursor(box.document.end)
        # In the composer's own help line, not a toast: a toast sits over the input box.
        self.query_one("#composer-help", Static).update(Content.styled(t("practice.rewound"), "bold $warning"))

    def action_toggle_guided(self) -> None:
        self.guided = not self.guided
        self.show_mode()

    def action_toggle_sidebar(self) -> None:
        sidebar = self.query_one(Sidebar)
        self.sidebar_wanted = not sidebar.display
        sidebar.display = self.sidebar_wanted
        self.refresh_bindings()

    def action_show_sidebar(self) -> None:
        self.action_toggle_sidebar()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "show_sidebar":
            # False passes ctrl+b on to toggle_sidebar and keeps it out of the footer.
            sidebars = self.query(Sidebar)
            return bool(sidebars) and not sidebars.first().display
        return True

    def action_toggle_meters(self) -> None:
        realistic = not self.services.preferences().realistic_mode
        self.trainer.save_preferences(realistic_mode=realistic)
        self.query_one("#meters").display = bool(self.session.scenario.meters) and not realistic
        self.notify(t("practice.meters_hidden") if realistic else t("practice.meters_shown"), timeout=2)

    def action_end(self) -> None:
        if self.session.finished:
            self.trainer.show_summary(self.practice)
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.trainer.end_early(self.practice)

        self.app.push_screen(ConfirmDialog(t("practice.end_confirm"), t("practice.end_yes"), t("practice.end_no")),
                             confirmed)

    def action_continue(self) -> None:
        # Enter reaches the screen only when nothing focused takes it: after the ending.
        if self.session.finished:
            self.trainer.show_summary(self.practice)

    def action_home(self) -> None:
        if self.session.turns and not self.session.finished:
            self.notify(t("practice.saved_for_later"), timeout=3)
        self.app.pop_screen()

    def action_help(self) -> None:
        self.trainer.open_help()

    def on_resize(self, event) -> None:
        self.apply_width(event.size.width, event.size.height)
        self.query_one(Conversation).scroll_end(animate=False)

    def apply_width(self, width: int, height: int) -> None:
        """Fit the layout to the terminal: the sidebar and the key reminder give way first."""
        sidebar = self.query_one(Sidebar)
        sidebar.display = self.sidebar_wanted if self.sidebar_wanted is not None else width >= NARROW_WIDTH
        self.query_one("#composer-help").display = height >= SHORT_HEIGHT
        self.refresh_bindings()

    def palette_commands(self) -> list[tuple[str, str, object]]:
        return [
            (t("cmd.hint"), t("cmd.hint.help"), self.action_hint),
            (t("cmd.rewind"), t("cmd.rewind.help"), self.action_rewind),
            (t("cmd.guided"), t("cmd.guided.help"), self.action_toggle_guided),
            (t("cmd.end"), t("cmd.end.help"), self.action_end),
            (t("cmd.sidebar"), t("cmd.sidebar.help"), self.action_toggle_sidebar),
            (t("cmd.meters"), t("cmd.meters.help"), self.action_toggle_meters),
            (t("cmd.home"), t("cmd.home.help"), self.action_home),
            (t("cmd.help"), t("cmd.help.help"), self.action_help),
        ]
