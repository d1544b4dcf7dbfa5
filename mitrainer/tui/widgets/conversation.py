"""The conversation: the client's lines (with nonverbal cues) and the trainee's coded responses.

Every bubble wraps as Chinese is typeset (:class:`~mitrainer.tui.widgets.prose.Prose`)."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.content import Content
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


class Conversation(VerticalScroll):
    """The scrolling transcript. Each turn is two bubbles: the trainee's reply, the client's next line."""

    can_focus = False

    def __init__(self, client_name: str, show_talk: bool = True, min_confidence: float = 0.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.client_name = client_name
        self.show_talk = show_talk
        self.min_confidence = min_confidence  # codes below it are shown dimmed: not counted

    def add_client(self, line: ClientLine) -> ClientBubble:
        bubble = ClientBubble(self.client_name, line, self.show_talk)
        self.mount(bubble)
        return bubble

    def add_response(self, turn: Turn) -> TraineeBubble:
        bubble = TraineeBubble(turn, self.min_confidence)
        self.mount(bubble)
        return bubble

    def add_ending(self, title: str) -> None:
        self.mount(EndingNote(title))

    def clear(self) -> None:
        """Remove every bubble (the conversation is shown again from its record)."""
        self.remove_children()

    def remove_after_last_response(self) -> None:
        """Remove the last trainee bubble and everything after it (a rewound turn)."""
        children = list(self.children)
        for index in range(len(children) - 1, -1, -1):
            if isinstance(children[index], TraineeBubble):
                for child in children[index:]:
                    child.remove()
                return

    def remove_ending(self) -> None:
        for note in self.query(EndingNote):
            note.remove()
