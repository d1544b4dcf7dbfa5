"""One trainee turn, taken in one place: code → branch → judge → store.

The trainer's practice screen and ``mitrainer play`` take every response through
:meth:`Practice.take_turn`; the screen only shows what it returns. The order is what keeps
the trainer safe: the turn is coded, the engine takes the branch, the rubric judges it and
the store writes it, all before the client's next line is shown, so a crash after a line
was shown loses no turn. Feedback is produced here once (:func:`mitrainer.scoring.feedback_for_turn`)
and stored on the turn, so the trainer, ``play``, exports and review all read the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from mitrainer.coding.base import ClientSides, ResponseCoding
from mitrainer.engine.session import Session, SessionOver
from mitrainer.errors import MitrainerError, StoreError
from mitrainer.record.model import Feedback, Turn
from mitrainer.scenario.model import Exemplar
from mitrainer.scoring import SessionScore, feedback_for_turn, score_session, session_focus, session_rubric
from mitrainer.scoring.rubric import Rubric
from mitrainer.store.db import SessionStore


@dataclass(frozen=True)
class TakenTurn:
    """What one response led to: the turn (with its feedback) and the session's scores after it.

    ``feedback_problem`` says why the rubric could not judge the turn (the turn is kept,
    with the branch note alone); ``store_problem`` why the store could not keep it (the
    session goes on in memory). Both are "" when all went well.
    """

    turn: Turn
    score: SessionScore
    feedback_problem: str = ""
    store_problem: str = ""


@dataclass(frozen=True)
class Saved:
    """The outcome of a write that is not a turn (a rewind, the end, reflections)."""

    score: SessionScore
    store_problem: str = ""


class Practice:
    """A session being practised, with the rubric that judges it and the store that keeps it.

    ``store`` may be None (``mitrainer play`` without ``--save``): nothing is written.
    """

    def __init__(self, session: Session, store: SessionStore | None = None, rubric: Rubric | None = None):
        self.session = session
        self.store = store
        self.rubric = rubric or session_rubric(session.scenario)
        # The one counting rule's threshold: a code shown below it is counted nowhere.
        self.min_confidence = float(self.rubric.counting.min_confidence or 0.0)
        self.focus = session_focus(session.scenario)

    # -- the turn ------------------------------------------------------------------------
    def code(self, text: str) -> ResponseCoding:
        """The one place a trainee's response meets the coder.

        The coder reads the conversation so far, ending with the client's line at this node
        (``Session.context``), and, where the node's author marked the change and sustain
        parts of a mixed line (``sides``), those parts: the direction judge uses them.

        A node's model response or distractor sent as written (the hint put in the box
        unchanged) is coded as its author coded it, as the same response chosen in guided mode
        is: the trainee is judged on what the scenario modelled, which the validator has checked
        against the rubric (S114) and, for its side, against the direction judge (S113).
        """
        written = self.written_response(text)
        if written is not None:
            return written.coding()
        coder = self.session.coder
        if coder is None:
            raise MitrainerError("this session has no coder; pass a coding with the response")
        marked = self.session.node.sides
        sides = ClientSides(marked.change, marked.sustain) if marked is not None else None
        return coder.code_response(text, self.session.context(), sides)

    def written_response(self, text: str) -> Exemplar | None:
        """The node's exemplar or distractor whose text is ``text`` (spaces around it aside), else None."""
        said = text.strip()
        node = self.session.node
        return next((item for item in (*node.exemplars, *node.distractors) if item.text.strip() == said), None)

    def take_turn(self, text: str, coding: ResponseCoding | None = None, *, guided: bool = False) -> TakenTurn:
        """Code, branch, judge and store one response; raises :class:`SessionOver` after the ending.

        A coding given (guided mode, a person's codes) is used as it is. Feedback that cannot
        be worked out, or a store that cannot write, never loses the turn: the problem is
        returned for the caller to show.
        """
        if self.session.finished:
            raise SessionOver("the session has ended; rewind to respond differently")
        coding = coding if coding is not None else self.code(text)
        turn = self.session.respond(text, coding, guided=guided)
        feedback_problem = ""
        try:
            feedback = feedback_for_turn(self.session, turn, self.rubric)
        except (MitrainerError, KeyError, ValueError) as exc:  # a help, never a reason to lose the turn
            feedback, feedback_problem = Feedback(note=self.session.branch_taken(turn).note), str(exc)
        turn = self.session.attach_feedback(feedback)
        score = self.score()
        store_problem = self._write(lambda store: store.save_turn(self.session.record(), score=score.listed_overall))
        return TakenTurn(turn, score, feedback_problem, store_problem)

    def rewind(self) -> tuple[Turn | None, Saved]:
        """Take back the last turn, in the session and in the store (None when there was none)."""
        turn = self.session.rewind()
        score = self.score()
        if turn is None:
            return None, Saved(score)
        return turn, Saved(score, self._write(lambda store: store.rewind(self.session.record(), score=score.listed_overall)))

    # -- the session ---------------------------------------------------------------------
    def score(self) -> SessionScore:
        """The session's scores so far, with its rubric and a drill's focus skills."""
        return score_session(self.session, self.rubric, focus=self.focus)

    def save(self) -> Saved:
        """Write the whole session (after its reflections changed, or when it ended)."""
        score = self.score()
        return Saved(score, self._write(lambda store: store.save_session(self.session.record(), score=score.listed_overall)))

    def end_early(self, at: str) -> Saved:
        """The trainee ended before an ending: kept as ended early, or forgotten if it has no turn."""
        if not self.session.turns:
            return Saved(self.score(), self._write(lambda store: store.delete_session(self.session.session_id)))
        self.session.ended_at = at
        return self.save()

    def save_reflections(self, reflections: dict[str, str]) -> Saved:
        """Keep the trainee's reflections (empty answers are left out)."""
        self.session.reflections = {key: value for key, value in reflections.items() if value}
        return self.save()

    def _write(self, write) -> str:
        if self.store is None:
            return ""
        try:
            write(self.store)
        except StoreError as exc:
            return str(exc)
        return ""
