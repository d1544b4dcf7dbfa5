"""The box the trainee types in: Enter sends, pasted text keeps its lines."""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.widgets import TextArea

from mitrainer.text import MAX_RESPONSE_CHARS
from mitrainer.tui.messages import ResponseSubmitted

__all__ = ["MAX_RESPONSE_CHARS", "ResponseBox"]


class ResponseBox(TextArea):
    """A multi-line input: Enter submits, ctrl+j (or shift+enter) starts a new line.

    A TextArea rather than an Input so that a pasted multi-line answer arrives whole.
    """

    # Select all and clear: what a rewound turn, back in the box, needs to start afresh.
    BINDINGS = [
        Binding("ctrl+j,shift+enter", "newline", "New line", show=False),
        Binding("ctrl+a", "select_all", "Select all", show=False),
        Binding("ctrl+l", "clear_text", "Clear", show=False),
    ]

    def __init__(self, placeholder: str = "", **kwargs) -> None:
        super().__init__(soft_wrap=True, show_line_numbers=False, compact=True, tab_behavior="focus",
                         placeholder=placeholder, **kwargs)

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.post_message(ResponseSubmitted(self.text))
            return
        await super()._on_key(event)

    def action_newline(self) -> None:
        self.insert("\n")

    def action_clear_text(self) -> None:
        self.clear()
