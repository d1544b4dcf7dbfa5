"""One turn, taken in one place: code → branch → judge → store, for the trainer and ``play`` alike."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mitrainer.cli import main
from mitrainer.codes import SkillCode, Verdict
from mitrainer.coding.base import ResponseCoding
from mitrainer.coding.rules import RuleBasedCoder
from mitrainer.engine.session import Session, SessionOver
from mitrainer.errors import StoreError
from mitrainer.practice import Practice
from mitrainer.scenario.load import load_scenario
from mitrainer.store.db import SessionStore

ROOT = Path(__file__).resolve().parents[3]
FIXTURE = ROOT / "tests" / "unit" / "export" / "fixtures" / "scenarios" / "evening-drinks.yaml"
REFLECTION = ResponseCoding.manual(SkillCode.COMPLEX_REFLECTION, coder="test")


@pytest.fixture
def scenario():
    return load_scenario(FIXTURE).require()


@pytest.fixture
def store(tmp_path):
    store = SessionStore(tmp_path / "sessions.db")
    yield store
    store.close()


def test_a_turn_is_coded_judged_noted_and_stored_before_it_is_returned(scenario, store):
    practice = Practice(Session(scenario, seed=7), store)
    taken = practice.take_turn("So the wine is your way to unwind.", REFLECTION)
    feedback = taken.turn.feedback
    # The rubric's judgement and the author's note on the branch taken, together.
    assert feedback.judgement.verdict is Verdict.GOOD and feedback.judgement.headline
    assert feedback.note == practice.session.branch_taken(taken.turn).note == "A reflection shows you heard her."
    # Stored, with its feedback, by the time the caller shows the client's next line.
    assert store.load_record(practice.session.session_id).turns == (taken.turn,)
    assert taken.score.turns == 1 and not taken.feedback_problem and not taken.store_problem


def test_a_store_that_cannot_write_never_loses_the_turn(scenario, store, monkeypatch):
    practice = Practice(Session(scenario, seed=7), store)

    def full(*args, **kwargs):
        raise StoreError("database or disk is full")

    monkeypatch.setattr(store, "save_turn", full)
    taken = practice.take_turn("So the wine is your way to unwind.", REFLECTION)
    assert taken.store_problem == "database or disk is full" and len(practice.session.turns) == 1


def test_feedback_that_cannot_be_worked_out_keeps_the_turn_and_its_note(scenario, monkeypatch):
    import mitrainer.practice

    def broken(*args, **kwargs):
        raise ValueError("no such situation")

    monkeypatch.setattr(mitrainer.practice, "feedback_for_turn", broken)
    practice = Practice(Session(scenario, seed=7))
    taken = practice.take_turn("So the wine is your way to unwind.", REFLECTION)
    assert taken.feedback_problem == "no such situation"
    assert taken.turn.feedback.judgement is None and taken.turn.feedback.note == "A reflection shows you heard her."


def test_rewind_and_end_early_reach_the_store(scenario, store):
    practice = Practice(Session(scenario, seed=7), store)
    practice.take_turn("So the wine is your way to unwind.", REFLECTION)
    practice.take_turn("What worries you about it?", ResponseCoding.manual(SkillCode.OPEN_QUESTION))
    turn, saved = practice.rewind()
    assert turn.response == "What worries you about it?" and not saved.store_problem
    assert len(store.load_record(practice.session.session_id).turns) == 1
    practice.end_early("2026-03-02T18:10:00+00:00")
    [row] = store.list_sessions()
    # One coded response is below the rubric's minimum: the session is kept without a score.
    assert row.ended_early and row.turns == 1 and row.score is None


def test_ending_a_session_without_a_turn_forgets_it(scenario, store):
    practice = Practice(Session(scenario, seed=7), store)
    store.save_session(practice.session.record())
    practice.end_early("2026-03-02T18:10:00+00:00")
    assert store.count_sessions() == 0


def test_no_turn_after_the_ending(scenario):
    practice = Practice(Session(scenario, seed=7, coder=RuleBasedCoder()))
    while not practice.session.finished:
        practice.take_turn("So: wine helps you unwind and you want more energy. What next?",
                           ResponseCoding.manual(SkillCode.SUMMARY))
    with pytest.raises(SessionOver):
        practice.take_turn("One more thing.")


def test_play_records_feedback_and_save_keeps_the_session(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MITRAINER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("MITRAINER_DB", raising=False)
    answers = tmp_path / "answers.txt"
    answers.write_text("So the wine is your way to unwind.\nWhat worries you about it?\n", encoding="utf-8")
    db = tmp_path / "mine.db"
    out = tmp_path / "session.json"
    assert main(["--db", str(db), "--scenarios", str(FIXTURE.parent), "play", "evening-drinks",
                 "--responses", str(answers), "--out", str(out), "--save"]) == 0
    assert "saved in" in capsys.readouterr().out
    record = json.loads(out.read_text(encoding="utf-8"))
    assert all(t["feedback"]["judgement"]["verdict"] for t in record["turns"])
    assert main(["--db", str(db), "history", "--json"]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert listed["id"] == record["session_id"] and listed["turns"] == 2
    assert not (tmp_path / "data" / "sessions.db").exists()  # --db, not the default database


def test_play_without_save_leaves_no_database(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MITRAINER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("MITRAINER_DB", raising=False)
    answers = tmp_path / "answers.txt"
    answers.write_text("So the wine is your way to unwind.\n", encoding="utf-8")
    assert main(["--scenarios", str(FIXTURE.parent), "play", "evening-drinks", "--responses", str(answers)]) == 0
    assert not (tmp_path / "data").exists()


class CountingCoder(RuleBasedCoder):
    """The rule-based coder, counting the responses it is asked to read."""

    def __init__(self) -> None:
        super().__init__()
        self.read: list[str] = []

    def code_response(self, text, context=(), sides=None):
        self.read.append(text)
        return super().code_response(text, context, sides)


def test_a_model_response_sent_as_written_is_coded_as_its_author_coded_it(scenario):
    # The hint put in the box unchanged is judged as the same guided choice is (#17): on the
    # author's codes and stated direction, which the validator checks (S114, S113).
    coder = CountingCoder()
    practice = Practice(Session(scenario, seed=7, coder=coder))
    exemplar = practice.session.node.exemplars[0]
    coding = practice.code(f"  {exemplar.text} ")
    assert coding.coder == "author" and coding.counted(0.0) == exemplar.skill_codes
    assert coding.direction == exemplar.direction and coder.read == []
    # Anything else is the coder's to read.
    practice.code(exemplar.text + " Tell me more.")
    assert coder.read == [exemplar.text + " Tell me more."]
