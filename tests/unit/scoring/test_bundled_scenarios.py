"""Feedback and scores on every bundled scenario: random walks never fail and stay in range."""

from __future__ import annotations

import random

import pytest

from mitrainer.codes import SkillCode, Verdict
from mitrainer.coding.base import ResponseCoding
from mitrainer.engine.session import Session
from mitrainer.paths import bundled_scenarios
from mitrainer.record.model import Feedback
from mitrainer.scenario.load import load_library
from mitrainer.scoring import feedback_for_turn, score_session
from mitrainer.scoring.rubric_load import rubric_for

LIBRARY = load_library([bundled_scenarios()])


@pytest.mark.parametrize("scenario_id", sorted(LIBRARY.scenarios))
def test_random_walks_get_feedback_and_scores(scenario_id):
    scenario = LIBRARY.scenarios[scenario_id].scenario
    rubric_for(scenario.rubric)  # the named rubric resolves (or falls back) without error
    rng = random.Random(scenario_id)
    for walk in range(5):
        session = Session(scenario, seed=walk)
        while not session.finished and len(session.turns) < 25:
            node = session.node
            if node.exemplars and rng.random() < 0.5:
                exemplar = rng.choice(node.exemplars)
                codes = [c for c in (SkillCode.parse(x) for x in exemplar.codes) if c]
                text = exemplar.text
            else:
                codes = [rng.choice(list(SkillCode))]
                text = "a response"
            turn = session.respond(text, ResponseCoding.manual(*codes))
            feedback = feedback_for_turn(session, turn).judgement
            assert feedback.verdict in Verdict and feedback.headline and feedback.rationale
            assert "{" not in feedback.headline + feedback.rationale
            if feedback.verdict != "good" and node.exemplars:
                assert feedback.better is None or feedback.better.text in [e.text for e in node.exemplars]
            session.attach_feedback(Feedback(judgement=feedback, note=session.branch_taken(turn).note))
        score = score_session(session)
        assert score.turns == len(session.turns)
        assert all(1 <= v <= 5 for v in score.globals.values())
        assert score_session(session.record(), focus=scenario.focus if scenario.kind == "drill" else ()
                             ).to_json() == score.to_json()
        if scenario.kind == "drill":
            assert score.focus and score.metric("focus_hit_rate") is not None
