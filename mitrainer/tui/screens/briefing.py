"""Briefing: who the client is, where the conversation happens, what to practise; then start."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Checkbox, Footer, Header, Static

from mitrainer.codes import SkillCode
from mitrainer.i18n import skill_label, t
from mitrainer.scenario.model import Scenario
from mitrainer.tui.screens.base import TrainerScreen
from mitrainer.tui.widgets.prose import Prose


def persona_card(scenario: Scenario) -> Content:
    p = scenario.persona
    facts = [p.name]
    if p.age is not None:
        facts.append(t("brief.age", age=p.age))
    if p.pronouns:
        facts.append(p.pronouns)
    colon, separator = t("report.colon"), t("report.list_separator")  # "：" and "、" in Chinese
    parts: list = [(" · ".join(facts), "bold $text-secondary"), "\n",
                   (t("brief.stage") + colon, "$text-muted"), t(f"stage.{p.stage.value}"), "\n\n", p.background]
    for label, items in (("brief.values", p.values), ("brief.fears", p.fears)):
        if items:
            parts += ["\n", (t(label) + colon, "$text-muted"), separator.join(items)]
    return Content.assemble(*parts)


class BriefingScreen(TrainerScreen):
    """Read before you start. Enter starts, Escape goes back."""

    BINDINGS = [
        Binding("enter", "start", "key.start", priority=True),
        Binding("ctrl+g", "toggle_guided", "key.guided"),
        Binding("ctrl+n", "start_at", "key.start_at", show=False),
        Binding("escape", "back", "key.back"),
        Binding("f1", "help", "key.help"),
    ]

    def __init__(self, scenario: Scenario, guided: bool) -> None:
        super().__init__()
        self.scenario = scenario
        self.guided = guided

    def compose(self) -> ComposeResult:
        s = self.scenario
        yield Header()
        with VerticalScroll(id="briefing"):
            yield Static(Content.styled(s.title, "bold"), id="brief-title")
            yield Static(Content.assemble(
                (t(f"difficulty.{s.difficulty.value}"), "$text-accent"), " · ",
                t("brief.minutes", minutes=s.minutes), " · ", s.language, " · ", s.topic), id="brief-meta")
            # Scenario text wraps as its language is typeset (no "。" at the start of a line).
            yield Static(Prose(persona_card(s)), id="persona", classes="panel")
            yield Static(Prose(Content(s.setting)), id="setting", classes="panel")
            goals = [Content.assemble(("• ", "$accent"), goal) for goal in s.learning_goals]
            if s.kind == "drill" and s.focus:
                goals.append(Content.assemble(("• ", "$accent"), t("brief.focus"), " ",
                                              t("report.list_separator").join(skill_label(SkillCode(c))
                                                                              for c in s.focus)))
            yield Static(Prose(Content("\n").join(goals)), id="goals", classes="panel")
            with Horizontal(id="brief-actions"):
                yield Button(t("brief.start"), id="start", variant="primary")
                yield Checkbox(t("brief.guided"), self.guided, id="guided")
                yield Button(t("brief.back"), id="back")
        yield Footer()

    def on_mount(self) -> None:
        self.title = self.scenario.title
        self.sub_title = t("brief.subtitle")
        self.query_one("#persona").border_title = t("brief.client")
        self.query_one("#setting").border_title = t("brief.setting")
        self.query_one("#goals").border_title = t("brief.goals")
        self.query_one("#start", Button).focus(scroll_visible=False)

    @on(Checkbox.Changed, "#guided")
    def guided_changed(self, event: Checkbox.Changed) -> None:
        self.guided = event.value

    @on(Button.Pressed, "#start")
    def action_start(self) -> None:
        self.trainer.start_session(self.scenario, self.guided)

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        self.app.pop_screen()

    def action_toggle_guided(self) -> None:
        box = self.query_one("#guided", Checkbox)
        box.value = not box.value

    def action_help(self) -> None:
        self.trainer.open_help()

    def action_start_at(self) -> None:
        """For authors: start at a node with some variables set (a test, not saved)."""
        from mitrainer.tui.screens.author import StartAtNodeDialog

        def start(chosen) -> None:
            if chosen is not None:
                self.trainer.start_session(self.scenario, self.guided, chosen)

        self.app.push_screen(StartAtNodeDialog(self.scenario), start)

    def palette_commands(self) -> list[tuple[str, str, object]]:
        return [
            (t("cmd.start"), t("cmd.start.help"), self.action_start),
            (t("cmd.guided"), t("cmd.guided.help"), self.action_toggle_guided),
            (t("cmd.back"), t("cmd.back.help"), self.action_back),
            (t("cmd.start_at"), t("cmd.start_at.help"), self.action_start_at),
        ]
