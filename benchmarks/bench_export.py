"""Export figures: a 60-turn reflection log in every format, and a group report of 500 bundles.

Run: python benchmarks/bench_export.py [--bundles 500] [--repeat 20]

Targets (docs/export.md): a 60-turn session exported in under 0.3 s; a group report of 500
bundles in under 3 s. Baselines measured in the same run:
- an export is compared with ``json.dumps`` of the same record (the least any export pays);
- the group report is compared with ``json.loads`` of the same 500 files.
The 60-turn session is played on the test fixture scenario (tests/unit/export/fixtures), the
500 bundles are random walks over it and the bundled scenarios.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._common import ms, summary, table, time_calls  # noqa: E402
from mitrainer.codes import SkillCode  # noqa: E402
from mitrainer.coding.base import ResponseCoding  # noqa: E402
from mitrainer.engine.playtest import choices_for  # noqa: E402
from mitrainer.engine.session import Session  # noqa: E402
from mitrainer.export import export_session, render_session  # noqa: E402
from mitrainer.export.bundles import bundle_text, make_bundle, read_bundles  # noqa: E402
from mitrainer.export.group import group_report  # noqa: E402
from mitrainer.export.library import ScenarioIndex  # noqa: E402
from mitrainer.export.render import render_template  # noqa: E402
from mitrainer.paths import bundled_scenarios  # noqa: E402
from mitrainer.record.model import Feedback, ScenarioRef, SessionRecord  # noqa: E402
from mitrainer.scenario.load import load_library, load_scenario  # noqa: E402
from mitrainer.scoring import feedback_for_turn  # noqa: E402

FIXTURES = ROOT / "tests" / "unit" / "export" / "fixtures" / "scenarios"


def clock_from(start: datetime):
    now = [start]

    def clock() -> datetime:
        now[0] += timedelta(seconds=25)
        return now[0]

    return clock


def sixty_turn_record(scenario) -> SessionRecord:
    """60 turns looping at 'explore' (reflections and questions), ending with a summary; feedback stored."""
    session = Session(scenario, seed=1, clock=clock_from(datetime(2026, 4, 1, tzinfo=UTC)))
    for i in range(60):
        if i == 59:
            text, code = "So, to sum up what you've said so far … what next?", SkillCode.SUMMARY
        elif i % 3 == 0:
            text, code = f"What else matters to you about this, part {i}?", SkillCode.OPEN_QUESTION
        else:
            text, code = f"You want to feel rested for your children, reason {i}.", SkillCode.COMPLEX_REFLECTION
        turn = session.respond(text, ResponseCoding.manual(code, coder="bench"))
        session.attach_feedback(feedback_for_turn(session, turn))
    session.reflections = {"went_well": "Kept reflecting.", "do_differently": "Summarise earlier."}
    assert session.finished and len(session.turns) == 60
    return session.record()


def random_walk(scenario, rng: random.Random, n: int) -> SessionRecord:
    session = Session(scenario, seed=n, clock=clock_from(datetime(2026, 4, 1, tzinfo=UTC) + timedelta(hours=n)),
                      session_id=f"{n:032x}")
    limit = rng.randrange(10, 60)
    while not session.finished and len(session.turns) < limit:
        options = choices_for(session.node)
        for attempt in range(8):  # prefer responses that keep the conversation going until the limit
            choice = rng.choice(options)
            session.respond(choice.text, choice.coding)
            if not session.finished or len(session.turns) >= limit or attempt == 7:
                break
            session.rewind()
    return session.record()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundles", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    fixture = load_scenario(FIXTURES / "evening-drinks.yaml").require()
    record = sixty_turn_record(fixture)
    index = ScenarioIndex([FIXTURES])
    rows = []
    data = record.to_json()
    baseline = time_calls(lambda: json.dumps(data, ensure_ascii=False, indent=2), args.repeat)
    rows.append(("baseline: json.dumps(record)", summary(baseline)))
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("md", "html", "json", "csv", "bundle"):
            samples = time_calls(lambda f=fmt: render_session(record, f, trainee="Bench", scenario=fixture),
                                 args.repeat)
            rows.append((f"render {fmt} (60 turns)", summary(samples)))
        stripped = record.model_copy(update={"turns": tuple(
            t.model_copy(update={"feedback": Feedback(note=t.feedback.note)}) for t in record.turns)})
        samples = time_calls(lambda: render_session(stripped, "html", trainee="Bench", scenario=fixture), args.repeat)
        rows.append(("render html, feedback recomputed", summary(samples)))
        counter = iter(range(10**6))
        samples = time_calls(lambda: export_session(record, "html", Path(tmp) / f"log-{next(counter)}.html",
                                                    trainee="Bench", scenarios=index), args.repeat)
        rows.append(("export_session html (lookup + write)", summary(samples)))
        source = Path(tmp) / "session.json"
        source.write_text(json.dumps(data), encoding="utf-8")
        cli = []
        for i in range(3):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "mitrainer", "--scenarios", str(FIXTURES), "export", str(source),
                            "--format", "html", "--name", "Bench", "-o", str(Path(tmp) / f"cli-{i}.html")],
                           check=True, cwd=ROOT, capture_output=True)
            cli.append(time.perf_counter() - start)
        rows.append(("CLI export html, whole process", summary(cli)))
    print(f"60-turn session ({len(record.turns)} turns, {len(json.dumps(data)) // 1024} KiB record); "
          f"target < 300 ms")
    print(table(rows, ("measure", "time")))

    # -- group report ----------------------------------------------------------------------
    library = load_library([bundled_scenarios(), FIXTURES])
    scenarios = [loaded.scenario for loaded in library.scenarios.values()]
    rng = random.Random(0)
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for n in range(args.bundles):
            walk = random_walk(scenarios[n % len(scenarios)], rng, n)
            path = Path(tmp) / f"member-{n:03d}.bundle.json"
            path.write_text(bundle_text(make_bundle(walk, trainee=f"Member {n}")), encoding="utf-8")
            paths.append(path)
        group_index = ScenarioIndex([FIXTURES])
        for scenario in scenarios:  # load the scenarios outside the timings, as a long-lived process would
            ref = ScenarioRef(id=scenario.id, title=scenario.title, content_hash=scenario.content_hash())
            assert group_index.find(ref) is not None, f"{scenario.id}: not found by the group report's index"

        def baseline_loads():
            return [json.loads(p.read_text(encoding="utf-8")) for p in paths]

        def report_only():
            bundles, problems = read_bundles(paths)
            assert not problems
            return group_report(bundles, group_index)

        def full(fmt: str):
            report = report_only()
            return render_template(fmt, f"group.{fmt}.j2", {"g": report, "problems": []})

        repeat = max(3, args.repeat // 5)
        rows = [("baseline: json.loads of every file", summary(time_calls(baseline_loads, repeat))),
                ("read + check + score (no rendering)", summary(time_calls(report_only, repeat))),
                ("group report md", summary(time_calls(lambda: full("md"), repeat))),
                ("group report html", summary(time_calls(lambda: full("html"), repeat)))]
        cli = []
        for fmt in ("html", "csv"):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "mitrainer", "group", "report", *map(str, paths), "--format", fmt,
                            "-o", str(Path(tmp) / f"group.{fmt}")], check=True, cwd=ROOT, capture_output=True)
            cli.append((fmt, time.perf_counter() - start))
        for fmt, seconds in cli:
            rows.append((f"CLI group report {fmt}, whole process", ms(seconds)))
        turns = statistics.mean(len(json.loads(p.read_text(encoding="utf-8"))["record"]["turns"]) for p in paths)
        print(f"\n{len(paths)} bundles over {len(scenarios)} scenarios, {turns:.1f} turns on average; target < 3 s")
        print(table(rows, ("measure", "time")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
