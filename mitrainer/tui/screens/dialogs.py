"""Dialogs: confirm, hint, help, settings, export."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Input, OptionList, Select, Static, Switch
from textual.widgets.option_list import Option

from mitrainer.codes import SkillCode
from mitrainer.i18n import LANGUAGES, current_language, skill_label, t
from mitrainer.settings import Preferences
from mitrainer.tui.screens.base import TrainerModal
from mitrainer.tui.widgets.chips import chip

if TYPE_CHECKING:
    from mitrainer.scenario.model import Exemplar


class ConfirmDialog(TrainerModal[bool]):
    """A yes/no question. Enter confirms, Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "key.cancel"), Binding("y", "confirm", show=False)]

    def __init__(self, question: str, yes: str, no: str) -> None:
        super().__init__()
        self.question, self.yes, self.no = question, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.yes, id="yes", variant="primary")
                yield Button(self.no, id="no")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    @on(Button.Pressed, "#yes")
    def action_confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def action_cancel(self) -> None:
        self.dismiss(False)


class HintDialog(TrainerModal[str | None]):
    """Pick a skill; see a model response using it, and why it works. Returns text to use, or None."""

    BINDINGS = [Binding("escape", "close", "key.close")]

    def __init__(self, exemplars: list[Exemplar]) -> None:
        super().__init__()
        self.by_skill: dict[SkillCode, Exemplar] = {}
        for exemplar in exemplars:
            codes = exemplar.skill_codes
            if codes and codes[0] not in self.by_skill:
                self.by_skill[codes[0]] = exemplar
        self.chosen: Exemplar | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(Content.styled(t("hint.title"), "bold"), classes="dialog-title")
            if not self.by_skill:
                yield Static(t("hint.none"), classes="dialog-text")
            else:
                yield Static(t("hint.pick"), classes="dialog-text muted")
                yield OptionList(*[Option(Content.assemble(chip(code), " ", skill_label(code)), id=code.value)
                                   for code in self.by_skill], id="skills")
                yield Static("", id="exemplar", classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                if self.by_skill:
                    yield Button(t("hint.use"), id="use", variant="primary", disabled=True)
                yield Button(t("hint.close"), id="close")

    def on_mount(self) -> None:
        if self.by_skill:
            self.query_one("#skills", OptionList).focus()
        else:
            self.query_one("#close", Button).focus()

    @on(OptionList.OptionHighlighted, "#skills")
    @on(OptionList.OptionSelected, "#skills")
    def skill_chosen(self, event: OptionList.OptionHighlighted | OptionList.OptionSelected) -> None:
        self.chosen = self.by_skill[SkillCode(event.option.id)]
        self.query_one("#exemplar", Static).update(Content.assemble(
            (f"“{self.chosen.text}”", "bold italic"), "\n", (self.chosen.why, "$text-muted")))
        self.query_one("#use", Button).disabled = False
        if isinstance(event, OptionList.OptionSelected):
            self.query_one("#use", Button).focus()

    @on(Button.Pressed, "#use")
    def use(self) -> None:
        self.dismiss(self.chosen.text if self.chosen else None)

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)


class HelpScreen(TrainerModal[None]):
    """Keys of the screen underneath, and a one-screen reminder of OARS."""

    BINDINGS = [Binding("escape,f1,q", "close", "key.close")]

    def __init__(self, keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self.keys = keys

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide tall"):
            yield Static(Content.styled(t("help.title"), "bold"), classes="dialog-title")
            with VerticalScroll():
                rows = [Content.assemble((key.ljust(12), "bold $text-accent"), description)
                        for key, description in self.keys]
                rows.append(Content.assemble(("ctrl+p".ljust(12), "bold $text-accent"), t("help.palette")))
                rows.append(Content.assemble(("ctrl+q".ljust(12), "bold $text-accent"), t("help.quit")))
                yield Static(Content("\n").join(rows), classes="dialog-text")
                yield Static(Content.styled(t("help.oars_title"), "bold"), classes="dialog-title")
                yield Static(t("help.oars"), classes="dialog-text")
                yield Static(Content.styled(t("help.dimmed"), "$text-muted"), classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("hint.close"), id="close", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)


class SettingsDialog(TrainerModal[Preferences | None]):
    """Language, trainee name, realistic mode, guided by default. Returns the new preferences or None."""

    BINDINGS = [Binding("escape", "cancel", "key.cancel")]

    def compose(self) -> ComposeResult:
        services = self.services
        preferences = services.preferences()
        with Vertical(classes="dialog wide"):
            yield Static(Content.styled(t("settings.title"), "bold"), classes="dialog-title")
            yield Static(t("settings.language"), classes="field-label")
            yield Select([(name, code) for code, name in LANGUAGES.items()], value=current_language(),
                         allow_blank=False, id="language")
            yield Static(t("settings.trainee"), classes="field-label")
            yield Input(preferences.trainee_name or "", placeholder=t("settings.trainee_placeholder"),
                        id="trainee", max_length=80)
            with Horizontal(classes="switch-row"):
                yield Switch(preferences.realistic_mode, id="realistic")
                yield Static(t("settings.realistic"), classes="switch-label")
            with Horizontal(classes="switch-row"):
                yield Switch(preferences.guided_default, id="guided")
                yield Static(t("settings.guided"), classes="switch-label")
            yield Static(Content.styled(t("settings.data", path=str(services.store.path)), "$text-muted"),
                         classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("settings.save"), id="save", variant="primary")
                yield Button(t("settings.cancel"), id="cancel")

    @on(Button.Pressed, "#save")
    def save(self) -> None:
        self.dismiss(self.services.preferences().changed(
            language=str(self.query_one("#language", Select).value),
            trainee_name=self.query_one("#trainee", Input).value.strip(),
            realistic_mode=self.query_one("#realistic", Switch).value,
            guided_default=self.query_one("#guided", Switch).value,
        ))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ExportDialog(TrainerModal[tuple[str, Path] | None]):
    """Where to write the reflection log (a file, or a folder for a dated file), and in which format."""

    BINDINGS = [Binding("escape", "cancel", "key.cancel")]

    def __init__(self, formats: list[str], default_path: Path) -> None:
        super().__init__()
        self.formats = formats
        self.default_path = default_path

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(Content.styled(t("export.title"), "bold"), classes="dialog-title")
            yield Static(t("export.format"), classes="field-label")
            yield Select([(f, f) for f in self.formats], value=self.formats[0], allow_blank=False, id="format")
            yield Static(t("export.path"), classes="field-label")
            yield Input(str(self.default_path), id="path")
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("export.save"), id="save", variant="primary")
                yield Button(t("settings.cancel"), id="cancel")

    @on(Input.Submitted, "#path")
    @on(Button.Pressed, "#save")
    def save(self) -> None:
        path = self.query_one("#path", Input).value.strip()
        if path:
            self.dismiss((str(self.query_one("#format", Select).value), Path(path).expanduser()))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

