"""Guided mode: choose among the node's model responses and common mistakes instead of typing."""

from __future__ import annotations

import random

from rich.cells import cell_len
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from mitrainer.engine.session import Session
from mitrainer.scenario.model import Exemplar
from mitrainer.tui.messages import GuidedChoiceMade
from mitrainer.tui.widgets.prose import Prose


def guided_choices(session: Session) -> list[Exemplar]:
    """The node's exemplars and distractors, shuffled the same way for the same session and visit."""
    node = session.node
    choices = [*node.exemplars, *node.distractors]
    random.Random(f"{session.seed}:guided:{session.node_id}:{session.visits(session.node_id)}").shuffle(choices)
    return choices


def number(n: int, text: str) -> str:
    """"1. " before text; "1." alone before Chinese, which has no spaces to wrap at.

    Wrapping breaks at spaces: after "1. " a long unspaced line would start on a line of its own.
    """
    return f"{n}." if text and cell_len(text[0]) == 2 else f"{n}. "


class GuidedChoices(OptionList):
    """The choices as a numbered list; Enter, a click or the digit picks one."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.choices: list[Exemplar] = []

    def show(self, choices: list[Exemplar]) -> None:
        self.choices = choices
        self.clear_options()
        self.add_options([Option(Prose(Content.assemble((number(n, choice.text), "bold $text-accent"), choice.text)),
                                 id=str(n - 1)) for n, choice in enumerate(choices, start=1)])
        if choices:
            self.highlighted = 0

    def on_key(self, event) -> None:
        if event.character and event.character.isdigit() and event.character != "0":
            index = int(event.character) - 1
            if index < len(self.choices):
                event.stop()
                self.post_message(GuidedChoiceMade(self.choices[index]))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(GuidedChoiceMade(self.choices[int(event.option.id or 0)]))
