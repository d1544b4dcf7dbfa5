"""Session store figures: history listing with 10 000 stored sessions, and one turn's write.

Run: python benchmarks/bench_store.py [--sessions 10000]

Baselines in the same run: listing is compared with a bare ``SELECT id FROM sessions``
over the same database (the least a listing pays); a turn's write (one transaction,
synchronous=FULL so a turn survives a crash) with a bare ``INSERT`` + ``COMMIT`` of the
same bytes into a scratch table.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._common import ms, summary, table, time_calls  # noqa: E402
from mitrainer.codes import SkillCode  # noqa: E402
from mitrainer.coding.base import ResponseCoding  # noqa: E402
from mitrainer.engine.session import Session  # noqa: E402
from mitrainer.paths import bundled_scenarios  # noqa: E402
from mitrainer.record.model import SessionRecord  # noqa: E402
from mitrainer.scenario.load import load_scenario  # noqa: E402
from mitrainer.store.db import SessionStore  # noqa: E402


def sample_records(count: int) -> list[SessionRecord]:
    scenario = load_scenario(bundled_scenarios() / "methadone-retention.yaml").require()
    codes = [SkillCode.COMPLEX_REFLECTION, SkillCode.OPEN_QUESTION, SkillCode.AFFIRMATION, SkillCode.PERSUADE]
    templates = []
    for seed in range(20):
        session = Session(scenario, seed=seed)
        for i in range(12):
            if session.finished:
                break
            session.respond(f"response {i}", ResponseCoding.manual(codes[(seed + i) % len(codes)]))
        templates.append(session.record())
    records = []
    for i in range(count):
        records.append(templates[i % len(templates)].model_copy(update={
            "session_id": f"bench{i:06d}",
            "started_at": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T10:{i % 60:02d}:00+00:00"}))
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    args = parser.parse_args()

    records = sample_records(args.sessions)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "sessions.db"
        store = SessionStore(db)
        start = time.perf_counter()
        store.import_sessions([(r, "bench", 3.0) for r in records])
        fill_s = time.perf_counter() - start
        listing = time_calls(lambda: store.list_sessions(limit=50), 50)
        listing_all = time_calls(lambda: store.list_sessions(limit=None), 5)
        bare = time_calls(lambda: store._conn.execute("SELECT id FROM sessions").fetchall(), 5)

        turn_record = records[0]
        writes = time_calls(lambda: store.save_turn(turn_record), 200)
        store._conn.execute("CREATE TABLE scratch (data TEXT)")
        payload = turn_record.turns[-1].model_dump_json()

        def bare_write() -> None:
            store._conn.execute("BEGIN IMMEDIATE")
            store._conn.execute("INSERT INTO scratch VALUES (?)", (payload,))
            store._conn.execute("COMMIT")

        bare_writes = time_calls(bare_write, 200)
        store.close()

        env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "mitrainer", "--db", str(db), "history", "--limit", "50"],
                                cwd=ROOT, capture_output=True, text=True, env=env)
        history_s = time.perf_counter() - start
        assert result.returncode == 0, result.stderr

    rows = [
        (f"fill {args.sessions} sessions (one transaction)", ms(fill_s), ""),
        ("list 50 most recent", summary(listing), f"bare SELECT id (all): {summary(bare)}"),
        (f"list all {args.sessions}", summary(listing_all), ""),
        ("`mitrainer history` process, 50 rows", ms(history_s), "includes Python start-up and imports"),
        ("save one turn (synchronous=FULL)", summary(writes), f"bare INSERT+COMMIT: {summary(bare_writes)}"),
    ]
    print(table(rows, ("benchmark", "time", "baseline")))


if __name__ == "__main__":
    main()
