"""Messages the trainer's widgets post to their screens (one place to find the data flow).

A response travels: ResponseSubmitted (from the ResponseBox) or GuidedChoiceMade (from the
GuidedChoices) → PracticeScreen.take_turn → Practice.take_turn (code, branch, judge, store) →
Conversation and Sidebar updates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from mitrainer.scenario.model import Exemplar


class ResponseSubmitted(Message):
    """The trainee pressed Enter in the response box."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class GuidedChoiceMade(Message):
    """The trainee picked one of the guided-mode responses."""

    def __init__(self, choice: Exemplar) -> None:
        super().__init__()
        self.choice = choice


class ScenarioPicked(Message):
    """A scenario was chosen in the library table."""

    def __init__(self, scenario_id: str) -> None:
        super().__init__()
        self.scenario_id = scenario_id


class SessionPicked(Message):
    """A session was chosen in the recent sessions table."""

    def __init__(self, session_id: str) -> None:
        super().__init__()
        self.session_id = session_id
