"""Group review: step through a shared session read-only and re-code its turns.

``mitrainer review BUNDLE`` opens :class:`ReviewApp`; in the trainer, the summary of a
session pushes :class:`ReviewScreen` on it (``ctrl+t``). The session is never changed: a reviewer's codes go to the
review file next to the bundle (saved after every change, so nothing is lost), and the
agreement panel shows Cohen's kappa against the machine and between reviewers (those of
``--also`` files too).

A code always lands on the turn it was ticked on: the turn shown is one number
(``ReviewScreen.index``) that only the screen's own actions change, the turn list follows it
without echoing back, and the code list posts each change with the turn it showed when the
key was pressed (:class:`CodeChecklist.Chosen`). The reviewer's name is asked once, before
anything can be coded (``--reviewer``, the saved name, or :class:`ReviewerDialog`).
"""

from __future__ import annotations

from pathlib import Path

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, ScrollableContainer, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Footer, Header, Input, OptionList, SelectionList, Static
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from mitrainer.codes import SKILLS, SkillCode
from mitrainer.errors import MitrainerError
from mitrainer.export.review import Review, agreement, kappa_table, load_reviews, machine_codings, save_review
from mitrainer.i18n import skill_label, t
from mitrainer.record.model import ClientLine, ResponseCoding, SessionRecord
from mitrainer.scoring.rubric_load import get_rubric
from mitrainer.tui.screens.base import TrainerModal, TrainerScreen, translate_bindings
from mitrainer.tui.screens.dialogs import HelpScreen


def _chips(codes: tuple[SkillCode, ...] | list[SkillCode]) -> str:
    return " ".join(SKILLS[c].chip for c in codes) or "·"


def _talk(line: ClientLine) -> str:
    """The client line's talk type and DARN-CAT subtype in the interface language ("" if unmarked)."""
    if line.talk is None:
        return ""
    return t(f"talk.{line.talk.value}") + (f" ({t(f'subtype.{line.subtype.value}')})" if line.subtype else "")


def agreement_table(record: SessionRecord, review: Review) -> Table | Text:
    """The agreement (:func:`mitrainer.export.review.kappa_table`, as ``review --agreement``
    prints it) as a rich table in the interface language."""
    summary = agreement(record, review)
    if not summary.pairs:
        return Text(t("review.no_human_codes"), style="dim")
    kappas = kappa_table(summary)
    table = Table(show_edge=False, pad_edge=False, title=t("review.kappa_title"), title_justify="left",
                  caption=t("report.agreement.per_code_title"), caption_justify="left")
    # The pair of names wraps beyond 18 cells, so that every code's column keeps its room.
    for number, (header, width) in enumerate(zip(kappas.headers, kappas.min_widths(names=18), strict=True)):
        table.add_column(header, justify="left" if number == 0 else "right", min_width=width,
                         max_width=18 if number == 0 else None)
    for row in kappas.rows:
        table.add_row(*row)
    return table


class CodeChecklist(SelectionList[str]):
    """The reviewer's codes for one turn. Space (or Enter, or a click) ticks a code at once and
    posts :class:`Chosen` with the turn the list showed at that moment."""

    BINDINGS = [Binding("space", "select", "key.tick_code")]

    class Chosen(Message):
        """The reviewer's codes for ``turn`` are now ``codes`` (primary first)."""

        def __init__(self, checklist: CodeChecklist, turn: int, codes: list[SkillCode]) -> None:
            super().__init__()
            self.checklist = checklist
            self.turn = turn
            self.codes = codes

        @property
        def control(self) -> CodeChecklist:
            return self.checklist

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._bindings = translate_bindings(self._bindings)
        self.turn = 0
        self.order: list[SkillCode] = []  # the order ticked, so the first ticked stays the primary

    def show(self, turn: int, codes: tuple[SkillCode, ...]) -> None:
        """Show ``turn``'s codes, without posting anything."""
        self.turn = turn
        self.order = list(codes)
        with self.prevent(SelectionList.SelectedChanged, SelectionList.SelectionToggled):
            self.deselect_all()
            for code in codes:
                self.select(code.value)

    def action_select(self) -> None:
        """Tick or untick the highlighted code now (SelectionList does it a message later,
        by which time another key may have changed the turn)."""
        if self.highlighted is None:
            return
        code = SkillCode(self.get_option_at_index(self.highlighted).value)
        self.order = [c for c in self.order if c != code] if code in self.order else [*self.order, code]
        self.show(self.turn, tuple(self.order))
        self.post_message(self.Chosen(self, self.turn, list(self.order)))


class ReviewerDialog(TrainerModal[str | None]):
    """Who is reviewing: asked once, before the first code. Escape leaves the review."""

    BINDINGS = [Binding("escape", "cancel", "key.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(t("review.who_title"), classes="dialog-title")
            yield Static(t("review.who_text"), classes="dialog-text")
            yield Input(placeholder=t("review.name_placeholder"), id="reviewer-name")
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("review.who_ok"), id="ok", variant="primary")
                yield Button(t("review.who_cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#reviewer-name", Input).focus()

    @on(Input.Submitted, "#reviewer-name")
    @on(Button.Pressed, "#ok")
    def accept(self) -> None:
        name = self.query_one("#reviewer-name", Input).value.strip()
        if not name:
            self.notify(t("review.name_first"), severity="warning")
            self.query_one("#reviewer-name", Input).focus()
            return
        self.dismiss(name)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class CommentDialog(TrainerModal[str | None]):
    """The reviewer's comment on one turn, for the group's discussion. Enter keeps it (empty:
    removes it), Escape leaves it as it was."""

    BINDINGS = [Binding("escape", "cancel", "key.cancel")]

    def __init__(self, turn: int, comment: str) -> None:
        super().__init__()
        self.turn = turn
        self.comment = comment

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(t("review.comment_title", number=self.turn + 1), classes="dialog-title")
            yield Input(self.comment, placeholder=t("review.comment_placeholder"), id="comment", max_length=2000)
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("review.comment_keep"), id="keep", variant="primary")
                yield Button(t("key.cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#comment", Input).focus()

    @on(Input.Submitted, "#comment")
    @on(Button.Pressed, "#keep")
    def keep(self) -> None:
        self.dismiss(self.query_one("#comment", Input).value.strip())

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ReviewScreen(TrainerScreen):
    """One session, turn by turn: what the client said, the response, the machine's codes and
    feedback, and the reviewer's own codes."""

    DEFAULT_CSS = """
    ReviewScreen #review-body { height: 1fr; }
    ReviewScreen #turns { width: 28; border: round $primary-darken-2; }
    ReviewScreen #detail { width: 1fr; padding: 0 1; }
    ReviewScreen #reviewer { color: $text-muted; }
    ReviewScreen .label { color: $text-muted; margin-top: 1; }
    ReviewScreen #codes { height: auto; max-height: 16; border: round $accent; }
    ReviewScreen #agreement { height: auto; max-height: 50%; padding: 0 1; border: round $secondary;
                              overflow-x: auto; }
    ReviewScreen #agreement-table { width: 100%; }
    ReviewScreen #agreement.hidden { display: none; }
    """

    BINDINGS = [
        Binding("n,right", "turn(1)", "key.next_turn"),
        Binding("p,left", "turn(-1)", "key.previous_turn"),
        Binding("m", "copy_machine", "key.machine_codes"),
        Binding("x", "clear", "key.clear_codes"),
        Binding("c", "comment", "key.comment"),
        Binding("a", "toggle_agreement", "key.agreement"),
        Binding("f1", "help", "key.help"),
        Binding("q,escape", "close", "key.close"),
    ]

    def __init__(self, record: SessionRecord, member: str, review_file: Path, reviewer: str = "",
                 also: tuple[Path, ...] = ()) -> None:
        super().__init__()
        self.record = record
        self.member = member
        self.review_file = review_file
        self.reviewer = reviewer.strip()
        self.also = also
        self.review = load_reviews(review_file, (), record)
        self.combined = self._combine()  # with the --also files: what the agreement panel compares
        # The codes the scores count: below this confidence a machine code is shown dimmed.
        self.min_confidence = float(get_rubric().counting.min_confidence or 0.0)
        self.machine = machine_codings(record, self.min_confidence)
        self.index = 0

    def _machine_line(self, coding: ResponseCoding) -> Text:
        """The machine's codes with their confidences; a code below the counting threshold is
        dimmed and said to be not counted, as the trainer's chips and the exports show it (it
        is not the machine's code in the agreement either: :func:`machine_codings`)."""
        if coding.primary is None:
            return Text(t("review.machine_uncoded", reason=coding.uncoded_reason), style="cyan")
        counted = coding.counted(self.min_confidence)
        before, _, after = t("review.machine", codes="\0").partition("\0")
        line = Text(before, style="cyan")
        for i, score in enumerate(coding.codes):
            if i:
                line.append(", ", style="cyan")
            if score.code in counted:
                line.append(f"{skill_label(score.code)} {score.confidence:.2f}", style="cyan")
            else:
                line.append(f"{skill_label(score.code)} {score.confidence:.2f} ({t('report.not_counted')})",
                            style="dim italic")
        line.append(after + (t("review.not_sure") if coding.uncertain else ""), style="cyan")
        return line

    def _combine(self) -> Review:
        combined = Review(self.record.session_id, list(self.review.reviewers), self.review.created_by)
        extra = load_reviews(self.review_file, self.also, self.record) if self.also else None
        if extra is not None:  # the other files' reviewers, as load_reviews merged them
            combined.reviewers += [r for r in extra.reviewers if r.source]
            combined.clashes = extra.clashes
        return combined

    # -- layout ------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="review-body"):
            yield OptionList(*self._turn_options(), id="turns")
            with VerticalScroll(id="detail"):
                yield Static(id="reviewer")
                yield Static(id="turn-title", classes="label")
                yield Static(id="client")
                yield Static(id="response")
                yield Static(id="machine")
                yield Static(id="feedback")
                yield Static(t("review.your_codes"), classes="label")
                yield CodeChecklist(*(Selection(f"{info.chip:<4} {skill_label(code)}", code.value)
                                      for code, info in SKILLS.items()), id="codes")
                yield Static(id="mine")
        # Across the whole width, under the turn: the table has a column per code. A terminal
        # narrower than the table scrolls it sideways (Tab to the panel, then ← →).
        with ScrollableContainer(id="agreement", classes="hidden"):
            yield Static(id="agreement-table")
        yield Footer()

    def on_mount(self) -> None:
        ending = self.record.ending
        self.title = t("review.title", member=self.member, title=self.record.scenario.title)
        self.sub_title = t("review.subtitle", turns=len(self.record.turns),
                           ending=(ending.title or ending.outcome if ending else "") or t("review.not_finished"))
        if self.record.turns:
            self.show_turn(0)
        else:
            self.query_one("#turn-title", Static).update(t("review.no_turns"))
        self.query_one("#codes", CodeChecklist).focus()
        self._show_reviewer()
        if self.combined.clashes:
            self.notify(t("review.kept_apart", names=", ".join(self.combined.clashes)), timeout=15)
        if not self.reviewer:
            self.app.push_screen(ReviewerDialog(), self._named)

    def _named(self, name: str | None) -> None:
        if not name:
            self.action_close()
            return
        self.reviewer = name
        self._show_reviewer()
        if self.record.turns:
            self.show_turn(self.index)
            for turn in self.record.turns:
                self._refresh_turn_label(turn.index)

    def _show_reviewer(self) -> None:
        text = t("review.reviewing_as", reviewer=self.reviewer) if self.reviewer else ""
        self.query_one("#reviewer", Static).update(Text(text))

    def _mine(self) -> dict[int, tuple[SkillCode, ...]]:
        return self.review.codes_of(self.reviewer) if self.reviewer else {}

    def _turn_prompt(self, index: int) -> str:
        primary, _ = self.machine[index]
        mine = self._mine().get(index, ())
        machine_chip = SKILLS[primary].chip if primary else "?"
        return f"{index + 1:>3}  {machine_chip:<4} {'→ ' + _chips(mine) if mine else ''}"

    def _turn_options(self) -> list[Option]:
        return [Option(self._turn_prompt(turn.index), id=str(turn.index)) for turn in self.record.turns]

    # -- showing a turn ----------------------------------------------------------------------
    def show_turn(self, index: int) -> None:
        """Show turn ``index`` (0-based, clamped): everything on the screen follows at once."""
        turns = self.record.turns
        self.index = max(0, min(index, len(turns) - 1))
        turn = turns[self.index]
        client = turn.client
        talk = _talk(client)
        self.query_one("#turn-title", Static).update(t("review.turn", number=self.index + 1, count=len(turns)))
        line = Text.assemble((t("review.client"), "bold magenta"), client.text)
        if client.cue:
            line.append(f" ({client.cue})", style="italic dim")
        if talk:
            line.append(f" [{talk}]", style="dim")
        self.query_one("#client", Static).update(line)
        self.query_one("#response", Static).update(Text.assemble((t("review.response"), "bold blue"), turn.response))
        self.query_one("#machine", Static).update(self._machine_line(turn.coding))
        judgement = turn.feedback.judgement if turn.feedback is not None else None
        if judgement is not None:
            label = t(f"verdict.{judgement.verdict.value}")
            self.query_one("#feedback", Static).update(
                Text(t("review.feedback", label=label, headline=judgement.headline)))
        else:
            self.query_one("#feedback", Static).update("")
        self.query_one("#codes", CodeChecklist).show(self.index, self._mine().get(self.index, ()))
        self._show_mine()
        turns_list = self.query_one("#turns", OptionList)
        if turns_list.highlighted != self.index:
            # The list follows the screen; its highlight message must not come back as a turn change.
            with self.prevent(OptionList.OptionHighlighted):
                turns_list.highlighted = self.index

    def _show_mine(self) -> None:
        mine = self._mine().get(self.index, ())
        text = (t("review.mine", reviewer=self.reviewer or t("review.you"), codes=", ".join(map(skill_label, mine)),
                  chip=SKILLS[mine[0]].chip) if mine else t("review.not_recoded"))
        me = self.review.reviewer(self.reviewer) if self.reviewer else None
        others = [f"{label}: {_chips(r.codes[self.index])}" for label, r in self.combined.labelled()
                  if r is not me and self.index in r.codes]
        if others:
            text += "\n" + t("review.others", codes=" · ".join(others))
        comments = [f"{label}: {r.comments[self.index]}" for label, r in self.combined.labelled()
                    if self.index in r.comments]
        if comments:
            text += "\n" + t("review.comments", comments=" · ".join(comments))
        self.query_one("#mine", Static).update(Text(text, style="bold" if mine else "dim"))
        table = agreement_table(self.record, self.combined)
        panel = self.query_one("#agreement-table", Static)
        if isinstance(table, Table):
            # As wide as the table: Rich would otherwise drop the last codes' columns to fit;
            # a terminal narrower than that scrolls the panel sideways instead.
            console = self.app.console
            panel.styles.min_width = console.measure(table, options=console.options.update_width(1000)).maximum
        panel.update(table)

    # -- changing codes ----------------------------------------------------------------------
    def _save_codes(self, turn: int, codes: list[SkillCode]) -> None:
        """Save ``codes`` as the reviewer's for ``turn``, the turn they were chosen on."""
        if not self.reviewer:  # the name dialog is still open: nothing can be coded yet
            return
        known = self.review.reviewer(self.reviewer) is not None
        try:
            self.review.set_codes(self.reviewer, turn, codes)
            save_review(self.review_file, self.review)
        except (MitrainerError, OSError) as exc:
            self.notify(t("review.save_failed", error=str(exc)), severity="error")
            return
        if not known:  # a new reviewer in this file: the combined view takes them in
            self.combined = self._combine()
        self._refresh_turn_label(turn)
        if turn == self.index:
            self._show_mine()

    def _refresh_turn_label(self, turn: int) -> None:
        self.query_one("#turns", OptionList).replace_option_prompt(str(turn), self._turn_prompt(turn))

    @on(CodeChecklist.Chosen, "#codes")
    def codes_chosen(self, event: CodeChecklist.Chosen) -> None:
        self._save_codes(event.turn, event.codes)

    @on(OptionList.OptionHighlighted, "#turns")
    def turn_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        # The reviewer moved in the turn list: show where the list is now (not where the event
        # was raised: several quick moves arrive after the list has moved on).
        highlighted = event.option_list.highlighted
        if highlighted is not None and highlighted != self.index:
            self.show_turn(highlighted)

    # -- actions -----------------------------------------------------------------------------
    def action_turn(self, step: int) -> None:
        if self.record.turns:
            self.show_turn(self.index + step)

    def action_copy_machine(self) -> None:
        """Start from the machine's codes (primary first), then adjust."""
        if not self.record.turns:
            return
        primary, codes = self.machine[self.index]
        ordered = ([primary] if primary else []) + [c for c in SkillCode if c in codes and c != primary]
        self._save_codes(self.index, ordered)
        self.show_turn(self.index)

    def action_clear(self) -> None:
        if self.record.turns:
            self._save_codes(self.index, [])
            self.show_turn(self.index)

    def action_comment(self) -> None:
        """Write (or change) your comment on the turn shown; it is saved against that turn."""
        if not self.record.turns or not self.reviewer:
            return
        turn = self.index
        mine = self.review.reviewer(self.reviewer)

        def keep(comment: str | None) -> None:
            if comment is None:
                return
            try:
                self.review.set_comment(self.reviewer, turn, comment)
                save_review(self.review_file, self.review)
            except (MitrainerError, OSError) as exc:
                self.notify(t("review.save_failed", error=str(exc)), severity="error")
                return
            if mine is None:
                self.combined = self._combine()
            if turn == self.index:
                self._show_mine()

        self.app.push_screen(CommentDialog(turn, mine.comments.get(turn, "") if mine else ""), keep)

    def action_toggle_agreement(self) -> None:
        self.query_one("#agreement", ScrollableContainer).toggle_class("hidden")

    def action_help(self) -> None:
        """The keys of this screen (Space included, which the code list owns)."""
        checklist = self.query_one("#codes", CodeChecklist)
        bindings = [*checklist._bindings.key_to_bindings.get("space", []), *self.help_bindings]
        keys = [(self.app.get_key_display(b), b.description) for b in bindings]
        self.app.push_screen(HelpScreen(list(dict.fromkeys(keys))))

    def action_close(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.app.exit()


class ReviewApp(App):
    """A stand-alone app around :class:`ReviewScreen` (``mitrainer review BUNDLE``)."""

    TITLE = "mitrainer review"
    CSS_PATH = "../mitrainer.tcss"  # the trainer's stylesheet: its dialogs (the name, F1 help) look the same here

    def __init__(self, record: SessionRecord, member: str, review_file: Path, reviewer: str = "",
                 also: tuple[Path, ...] = ()) -> None:
        super().__init__()
        self.review_screen = ReviewScreen(record, member, review_file, reviewer, also)

    def on_mount(self) -> None:
        self.theme = "nord"
        self.push_screen(self.review_screen)


def run_review(record: SessionRecord, member: str, review_file: Path, reviewer: str = "",
               also: tuple[Path, ...] = ()) -> int:
    """Open the review app (with the reviewers of the ``also`` files in its agreement panel);
    returns the exit code."""
    ReviewApp(record, member, review_file, reviewer, also).run()
    return 0
