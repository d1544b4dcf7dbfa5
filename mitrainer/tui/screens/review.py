"""Group review: step through a shared session read-only and re-code its turns.

``mitrainer review BUNDLE`` opens :class:`ReviewApp`; in the trainer, the summary of a
session pushes :class:`ReviewScreen` on it (``ctrl+t``). The session is never changed: a reviewer's codes go to the
review file next to the bundle (saved after every change, so nothing is lost), and the
agreement panel shows Cohen's kappa against the machine and between reviewers.
"""

from __future__ import annotations

from pathlib import Path

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, OptionList, SelectionList, Static
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from mitrainer.codes import SKILLS, SkillCode
from mitrainer.errors import MitrainerError
from mitrainer.export.review import Review, agreement, coder_name, load_review, machine_codings, save_review
from mitrainer.i18n import skill_label, t
from mitrainer.record.model import ClientLine, SessionRecord
from mitrainer.tui.screens.base import translate_bindings


def _chips(codes: tuple[SkillCode, ...] | list[SkillCode]) -> str:
    return " ".join(SKILLS[c].chip for c in codes) or "·"


def _talk(line: ClientLine) -> str:
    """The client line's talk type and DARN-CAT subtype in the interface language ("" if unmarked)."""
    if line.talk is None:
        return ""
    return t(f"talk.{line.talk.value}") + (f" ({t(f'subtype.{line.subtype.value}')})" if line.subtype else "")


def agreement_table(record: SessionRecord, review: Review) -> Table | Text:
    """Kappa per pair of coders, overall (primary code) and per code, as a rich table."""
    summary = agreement(record, review)
    if not summary.pairs:
        return Text(t("review.no_human_codes"), style="dim")

    def k(value: float | None) -> str:
        return "—" if value is None else f"{value:.2f}"

    table = Table(show_edge=False, pad_edge=False, expand=True, title=t("review.kappa_title"),
                  title_justify="left")
    table.add_column(t("review.col.code"))
    for pair in summary.pairs:
        table.add_column(f"{coder_name(pair.first)}–{coder_name(pair.second)} ({pair.report.utterances})",
                         justify="right")
    table.add_row(t("review.primary"), *(k(p.report.kappa) for p in summary.pairs), style="bold")
    for code in summary.codes():
        table.add_row(skill_label(code), *(k(p.report.per_code[code]) if code in p.report.per_code else ""
                                            for p in summary.pairs))
    return table


class ReviewScreen(Screen):
    """One session, turn by turn: what the client said, the response, the machine's codes and
    feedback, and the reviewer's own codes."""

    DEFAULT_CSS = """
    ReviewScreen #review-body { height: 1fr; }
    ReviewScreen #turns { width: 28; border: round $primary-darken-2; }
    ReviewScreen #detail { width: 1fr; padding: 0 1; }
    ReviewScreen #reviewer { margin: 0 0 1 0; }
    ReviewScreen .label { color: $text-muted; margin-top: 1; }
    ReviewScreen #codes { height: auto; max-height: 16; border: round $accent; }
    ReviewScreen #agreement { height: auto; margin-top: 1; padding: 0 1; border: round $secondary; }
    ReviewScreen #agreement.hidden { display: none; }
    """

    BINDINGS = [
        Binding("n,right", "turn(1)", "key.next_turn"),
        Binding("p,left", "turn(-1)", "key.previous_turn"),
        Binding("m", "copy_machine", "key.machine_codes"),
        Binding("x", "clear", "key.clear_codes"),
        Binding("a", "toggle_agreement", "key.agreement"),
        Binding("q,escape", "close", "key.close"),
    ]

    def __init__(self, record: SessionRecord, member: str, review_file: Path, reviewer: str = "") -> None:
        super().__init__()
        self._bindings = translate_bindings(self._bindings)
        self.record = record
        self.member = member
        self.review_file = review_file
        self.reviewer = reviewer.strip()
        self.review = load_review(review_file, record)
        self.machine = machine_codings(record)
        self.index = 0
        self._loading = False

    # -- layout ------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="review-body"):
            yield OptionList(*self._turn_options(), id="turns")
            with VerticalScroll(id="detail"):
                yield Input(self.reviewer, placeholder=t("review.name_placeholder"), id="reviewer")
                yield Static(id="turn-title", classes="label")
                yield Static(id="client")
                yield Static(id="response")
                yield Static(id="machine")
                yield Static(id="feedback")
                yield Static(t("review.your_codes"), classes="label")
                yield SelectionList[str](*(Selection(f"{info.chip:<4} {skill_label(code)}", code.value)
                                           for code, info in SKILLS.items()), id="codes")
                yield Static(id="mine")
                with Vertical(id="agreement", classes="hidden"):
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
        if not self.reviewer:
            self.query_one("#reviewer", Input).focus()

    def _turn_options(self) -> list[Option]:
        options = []
        for turn in self.record.turns:
            i = turn.index
            primary, _ = self.machine[i]
            mine = self.review.codes.get(self.reviewer, {}).get(i, ())
            machine_chip = SKILLS[primary].chip if primary else "?"
            options.append(Option(f"{i + 1:>3}  {machine_chip:<4} {'→ ' + _chips(mine) if mine else ''}", id=str(i)))
        return options

    # -- showing a turn ----------------------------------------------------------------------
    def show_turn(self, index: int) -> None:
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
        coding = turn.coding
        if coding.primary is not None:
            codes = ", ".join(f"{skill_label(c.code)} {c.confidence:.2f}" for c in coding.codes)
            machine = t("review.machine", codes=codes) + (t("review.not_sure") if coding.uncertain else "")
        else:
            machine = t("review.machine_uncoded", reason=coding.uncoded_reason)
        self.query_one("#machine", Static).update(Text(machine, style="cyan"))
        judgement = turn.feedback.judgement if turn.feedback is not None else None
        if judgement is not None:
            label = t(f"verdict.{judgement.verdict.value}")
            self.query_one("#feedback", Static).update(
                Text(t("review.feedback", label=label, headline=judgement.headline)))
        else:
            self.query_one("#feedback", Static).update("")
        self._loading = True
        try:
            selection = self.query_one("#codes", SelectionList)
            selection.deselect_all()
            for code in self.review.codes.get(self.reviewer, {}).get(self.index, ()):
                selection.select(code.value)
        finally:
            self._loading = False
        self._show_mine()
        turns_list = self.query_one("#turns", OptionList)
        if turns_list.highlighted != self.index:
            turns_list.highlighted = self.index

    def _show_mine(self) -> None:
        mine = self.review.codes.get(self.reviewer, {}).get(self.index, ())
        text = (t("review.mine", reviewer=self.reviewer or t("review.you"), codes=", ".join(map(skill_label, mine)),
                  chip=SKILLS[mine[0]].chip) if mine else t("review.not_recoded"))
        self.query_one("#mine", Static).update(Text(text, style="bold" if mine else "dim"))
        others = [f"{name}: {_chips(codes[self.index])}" for name, codes in sorted(self.review.codes.items())
                  if name != self.reviewer and self.index in codes]
        if others:
            self.query_one("#mine", Static).update(Text(text + "\n" + t("review.others", codes=" · ".join(others))))
        self.query_one("#agreement-table", Static).update(agreement_table(self.record, self.review))

    # -- changing codes ----------------------------------------------------------------------
    def _set_codes(self, codes: list[SkillCode]) -> None:
        if not self.reviewer:
            self.notify(t("review.name_first"), severity="warning")
            self.query_one("#reviewer", Input).focus()
            return
        try:
            self.review.set_codes(self.reviewer, self.index, codes)
            save_review(self.review_file, self.review)
        except (MitrainerError, OSError) as exc:
            self.notify(t("review.save_failed", error=str(exc)), severity="error")
            return
        self._refresh_turn_label()
        self._show_mine()

    def _refresh_turn_label(self) -> None:
        turns_list = self.query_one("#turns", OptionList)
        highlighted = turns_list.highlighted
        turns_list.clear_options()
        turns_list.add_options(self._turn_options())
        turns_list.highlighted = highlighted

    @on(SelectionList.SelectedChanged, "#codes")
    def codes_changed(self, event: SelectionList.SelectedChanged) -> None:
        if self._loading:
            return
        self._set_codes([SkillCode(value) for value in event.selection_list.selected])

    @on(Input.Submitted, "#reviewer")
    @on(Input.Changed, "#reviewer")
    def reviewer_changed(self, event: Input.Changed | Input.Submitted) -> None:
        self.reviewer = event.value.strip()
        if self.record.turns:
            self.show_turn(self.index)
            self._refresh_turn_label()
        if isinstance(event, Input.Submitted):
            self.query_one("#codes", SelectionList).focus()

    @on(OptionList.OptionHighlighted, "#turns")
    def turn_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None and int(event.option.id) != self.index:
            self.show_turn(int(event.option.id))

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
        self._set_codes(ordered)
        self.show_turn(self.index)

    def action_clear(self) -> None:
        if self.record.turns:
            self._set_codes([])
            self.show_turn(self.index)

    def action_toggle_agreement(self) -> None:
        self.query_one("#agreement", Vertical).toggle_class("hidden")

    def action_close(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.app.exit()


class ReviewApp(App):
    """A stand-alone app around :class:`ReviewScreen` (``mitrainer review BUNDLE``)."""

    TITLE = "mitrainer review"

    def __init__(self, record: SessionRecord, member: str, review_file: Path, reviewer: str = "") -> None:
        super().__init__()
        self.review_screen = ReviewScreen(record, member, review_file, reviewer)

    def on_mount(self) -> None:
        self.theme = "nord"
        self.push_screen(self.review_screen)


def run_review(record: SessionRecord, member: str, review_file: Path, reviewer: str = "") -> int:
    """Open the review app; returns the exit code."""
    ReviewApp(record, member, review_file, reviewer).run()
    return 0
