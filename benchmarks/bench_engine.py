"""Validator and engine figures: a generated 5 000-node scenario, engine step time, playtest.

Run: python benchmarks/bench_engine.py [--nodes 5000]

Baselines measured in the same run so the figures survive a noisy machine:
- validating the scenario is compared with plain ``yaml.safe_load`` of the same text
  (C loader when available), the floor any YAML-based validator pays;
- an engine step is compared with a bare dict lookup + function call loop.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml  # noqa: E402

from benchmarks._common import ms, peak_memory, summary, table, time_calls  # noqa: E402
from mitrainer.codes import SkillCode  # noqa: E402
from mitrainer.coding.base import ResponseCoding  # noqa: E402
from mitrainer.engine.playtest import playtest  # noqa: E402
from mitrainer.engine.session import Session  # noqa: E402
from mitrainer.scenario.load import load_scenario  # noqa: E402


def generate(nodes: int, seed: int = 0) -> str:
    """A valid scenario with ``nodes`` nodes: a long chain with side branches and 3 endings."""
    rng = random.Random(seed)
    lines = [
        "schema_version: 1", "id: generated", "title: Generated", "topic: t", "setting: s",
        "difficulty: beginner", "minutes: 5", "learning_goals: [g]", "author: bench",
        "persona: {name: A, background: b, stage: contemplation}",
        "variables:", "  rapport: {type: int, default: 0, min: 0, max: 10, meter: true}",
        "  readiness: {type: int, default: 0, min: 0, max: 10, meter: true}",
        "start: n0", "nodes:",
    ]
    body = nodes - 3
    for i in range(body):
        nxt = f"n{i + 1}" if i + 1 < body else "end_commit"
        side = f"n{rng.randrange(body)}"
        lines += [
            f"  n{i}:",
            f"    client: \"Line {i}: I'm not sure about any of this, to be honest.\"",
            "    talk: sustain", "    subtype: reasons",
            "    responses:",
            "      - when: {skills: [complex_reflection, simple_reflection], if: \"rapport >= 1 or readiness > 2\"}",
            "        effects: {add: {rapport: 1, readiness: 1}}",
            f"        goto: {nxt}",
            "      - when: {skills: [persuade, confront]}",
            "        effects: {add: {rapport: -1}}",
            f"        goto: {'end_gone' if i % 50 == 49 else side}",
            "      - when: {keywords: [family, daughter]}",
            f"        goto: {'end_partial' if i % 97 == 96 else nxt}",
            f"      - goto: {nxt}",
            "    exemplars:",
            "      - {text: \"You're not sure.\", codes: [simple_reflection], why: \"Stays close.\"}",
            "      - {text: \"What worries you most?\", codes: [open_question], why: \"Opens up.\"}",
        ]
    for nid, outcome in (("end_commit", "commitment"), ("end_partial", "partial"), ("end_gone", "disengaged")):
        lines += [f"  {nid}:", "    client: Okay.", "    talk: neutral",
                  f"    ending: {{outcome: {outcome}, debrief: Done.}}"]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=5000)
    args = parser.parse_args()

    text = generate(args.nodes)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "generated.yaml"
        path.write_text(text, encoding="utf-8")
        loaded = load_scenario(path)
        assert loaded.ok, loaded.diagnostics[:3]
        validate = time_calls(lambda: load_scenario(path), 3)
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        baseline = time_calls(lambda: yaml.load(text, Loader=loader), 3)  # noqa: S506 - safe loader
        _, validate_mem = peak_memory(lambda: load_scenario(path))
    scenario = loaded.scenario

    session = Session(scenario, seed=1)
    coding = ResponseCoding.manual(SkillCode.COMPLEX_REFLECTION)

    def step() -> None:
        if session.finished:
            session.rewind()
        session.respond("You're not sure.", coding)

    steps = time_calls(step, 3000)
    table_lookup = {f"n{i}": i for i in range(args.nodes)}
    base_steps = time_calls(lambda: table_lookup.get("n42"), 3000)

    walks = 10_000
    start = time.perf_counter()
    demo = _demo_scenario()
    report = playtest(demo, walks, seed=0)
    playtest_s = time.perf_counter() - start

    rows = [
        (f"validate {args.nodes}-node scenario ({len(text) / 1e6:.1f} MB)", summary(validate), f"{validate_mem:.0f} MiB",
         f"yaml.load alone: {summary(baseline)}"),
        ("engine step (respond)", summary(steps), "", f"dict lookup: {summary(base_steps)}"),
        (f"playtest {walks} walks (template scenario)", ms(playtest_s), "",
         f"{walks / playtest_s:,.0f} walks/s, {report.turns_total / playtest_s:,.0f} steps/s"),
    ]
    print(table(rows, ("benchmark", "time", "peak mem", "baseline")))


def _demo_scenario():
    from mitrainer.scenario.load import parse_scenario
    from mitrainer.scenario.template import render

    return parse_scenario(render("bench")).require()


if __name__ == "__main__":
    main()
