"""Messages the trainer's widgets post to their screens (one place to find the data flow).

A response travels: ResponseBox.Submitted or GuidedChoices.Chosen → PracticeScreen (code,
branch, feedback, store) → Conversation and Sidebar updates.
"""

from __future__ import annotations

from textual.message import Message

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
