"""How long score_session and feedback_for_turn take on a 60-turn session.

``PYTHONPATH=. python benchmarks/scoring_speed.py``

The TUI calls score_session after every turn for the live counters; the budget is 5 ms
for 60 turns. Prints the median of repeated runs for a live session and for its record,
and the budget beside them.
"""

from __future__ import annotations

import statistics
import time

from mitrainer.codes import SkillCode
from mitrainer.coding.base import ResponseCoding
from mitrainer.engine.session import Session
from mitrainer.scenario.load import parse_scenario
from mitrainer.scoring import feedback_for_turn, get_rubric, score_session

BUDGET_MS = 5.0
SCENARIO = """
schema_version: 1
id: bench
title: Bench
topic: t
setting: s
difficulty: beginner
minutes: 5
learning_goals: [g]
author: bench
persona: {name: Sam, background: b, stage: contemplation}
start: a
nodes:
  a:
    client: "I want to change."
    talk: change
    responses: [{goto: b}]
    exemplars: [{text: "You want to change.", codes: [simple_reflection], why: w}]
  b:
    client: "But it is hard."
    talk: sustain
    responses: [{goto: a}]
    exemplars: [{text: "It is hard.", codes: [simple_reflection], why: w}]
"""
CYCLE = [SkillCode.COMPLEX_REFLECTION, SkillCode.OPEN_QUESTION, SkillCode.PERSUADE, SkillCode.SIMPLE_REFLECTION,
         SkillCode.CLOSED_QUESTION, SkillCode.AFFIRMATION]


def median_ms(fn, repeat: int = 200) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    scenario = parse_scenario(SCENARIO).require()
    session = Session(scenario)
    for i in range(60):
        session.respond(f"response {i}", ResponseCoding.manual(CYCLE[i % len(CYCLE)]))
    get_rubric()  # loading the rubric is a one-off, not part of the per-turn cost
    record = session.record()
    live = median_ms(lambda: score_session(session))
    stored = median_ms(lambda: score_session(record))
    feedback = median_ms(lambda: feedback_for_turn(session, session.turns[-1]))
    print(f"score_session, live session, 60 turns:  {live:.3f} ms (budget {BUDGET_MS} ms)")
    print(f"score_session, session record, 60 turns: {stored:.3f} ms (budget {BUDGET_MS} ms)")
    print(f"feedback_for_turn, turn 60:              {feedback:.3f} ms")
    print("within budget" if max(live, stored) < BUDGET_MS else "OVER BUDGET")


if __name__ == "__main__":
    main()
