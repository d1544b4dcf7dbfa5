"""The conversation: the client's lines (with nonverbal cues) and the trainee's coded responses.

Every bubble wraps as Chinese is typeset (:class:`~mitrainer.tui.widgets.prose.Prose`)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widget import AwaitMount
from textual.widgets import Static

from mitrainer.cjk import is_cjk
from mitrainer.codes import TalkType
from mitrainer.i18n import t
from mitrainer.record.model import ClientLine, Turn
from mitrainer.tui.widgets.chips import coding_chips
from mitrainer.tui.widgets.prose import Prose

TALK_MARK = {
    TalkType.CHANGE: ("talk.change", "$success"),
    TalkType.SUSTAIN: ("talk.sustain", "$warning"),
    TalkType.DISCORD: ("talk.discord", "$error"),
}


class ClientBubble(Static):
    """One client line: name, words, and the cue (what the client does) set apart in italics."""

    def __init__(self, name: str, line: ClientLine, show_talk: bool = True) -> None:
        parts: list[Content | tuple[str, str]] = [(name, "bold $text-secondary")]
        if show_talk and line.talk is not None and line.talk in TALK_MARK:
            # Naming the client's talk teaches the trainee to hear it (hidden in realistic mode).
            key, style = TALK_MARK[line.talk]
            parts += ["  ", (t(key), style)]
        parts += ["\n", line.text]
        if line.cue:
            # A Chinese cue takes Chinese brackets.
            cue = f"（{line.cue}）" if is_cjk(line.cue[0]) else f"({line.cue})"
            parts += ["\n", (cue, "italic $text-muted")]
        super().__init__(Prose(Content.assemble(*parts)), classes="bubble client")


class TraineeBubble(Static):
    """One trainee response with its code chips."""

    def __init__(self, turn: Turn, min_confidence: float = 0.0) -> None:
        body = Content.assemble((t("practice.you"), "bold $text-primary"), "  ",
                                coding_chips(turn.coding, min_confidence),
                                "\n", turn.response)
        classes = "bubble trainee" + (" guided" if turn.guided else "")
        super().__init__(Prose(body), classes=classes)


class EndingNote(Static):
    """Shown under the client's last line when the conversation reached an ending."""

    def __init__(self, title: str) -> None:
        super().__init__(Prose(Content.assemble((t("practice.ending_reached", title=title), "bold $success"), "\n",
                                                (t("practice.ending_next"), "$text-muted"))), classes="ending-note")


class Transcript(Vertical):
    """The bubbles, at least as tall as the view: a short conversation starts at the view's top."""

    DEFAULT_CSS = "Transcript { height: auto; min-height: 100%; }"


class Conversation(VerticalScroll):
    """The scrolling transcript. Each turn is two bubbles: the trainee's reply, the client's next line.

    The conversation is anchored to its end: a turn's bubbles are laid out already scrolled
    into view, in the same frame (a scroll after the layout would cost a second frame of the
    whole screen). Scrolling up to reread releases the anchor; the next turn (``scroll_end``)
    sets it again. The bubbles sit in a :class:`Transcript` at least as tall as the view, so
    a short conversation stays at the top (anchored, Textual would otherwise scroll it below
    zero, to the bottom of the view).
    """

    can_focus = False

    def __init__(self, client_name: str, show_talk: bool = True, min_confidence: float = 0.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.client_name = client_name
        self.show_talk = show_talk
        self.min_confidence = min_confidence  # codes below it are shown dimmed: not counted

    def compose(self) -> ComposeResult:
        yield Transcript()

    def on_mount(self) -> None:
        self.anchor()

    def show_history(self, turns: list[Turn], line: ClientLine, ending_title: str | None = None) -> AwaitMount:
        """Every turn so far, then the client's current line (and the ending, if reached), mounted at once."""
        bubbles: list[Static] = []
        for turn in turns:
            bubbles += [self._client(turn.client), TraineeBubble(turn, self.min_confidence)]
        return self.query_one(Transcript).mount_all([*bubbles, *self._next(line, ending_title)])

    def add_turn(self, turn: Turn, line: ClientLine, ending_title: str | None = None) -> AwaitMount:
        """The trainee's response, the client's next line (and the ending, if reached), mounted at once.

        Awaiting the result lets the screen lay them out in one pass once they are mounted.
        """
        return self.query_one(Transcript).mount_all([TraineeBubble(turn, self.min_confidence), *self._next(line, ending_title)])

    def _client(self, line: ClientLine) -> ClientBubble:
        return ClientBubble(self.client_name, line, self.show_talk)

    def _next(self, line: ClientLine, ending_title: str | None) -> list[Static]:
        return [self._client(line)] + ([EndingNote(ending_title)] if ending_title is not None else [])

    def clear(self) -> None:
        """Remove every bubble (the conversation is shown again from its record)."""
        self.query_one(Transcript).remove_children()

    def remove_after_last_response(self) -> None:
        """Remove the last trainee bubble and everything after it (a rewound turn)."""
        children = list(self.query_one(Transcript).children)
        for index in range(len(children) - 1, -1, -1):
            if isinstance(children[index], TraineeBubble):
                for child in children[index:]:
                    child.remove()
                return

    def remove_ending(self) -> None:
        for note in self.query(EndingNote):
            note.remove()
