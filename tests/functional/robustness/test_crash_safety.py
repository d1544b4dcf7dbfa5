"""A session killed with SIGKILL at any point loses no completed turn (issue: crash safety).

A child process plays a bundled scenario the way the trainer does — respond, store the
turn, then announce it — and is killed at several points, some between turns and some in
the middle of writing one. Afterwards the database passes ``PRAGMA integrity_check``, holds
every turn the child announced, and the session resumes from it.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from mitrainer.engine.session import Session
from mitrainer.paths import bundled_scenarios
from mitrainer.scenario.load import load_scenario
from mitrainer.store.db import SessionStore

pytestmark = pytest.mark.slow  # child processes killed mid-write, again and again

ROOT = Path(__file__).resolve().parents[3]
SCENARIO = bundled_scenarios() / "methadone-retention.yaml"

CHILD = textwrap.dedent("""
    import sys
    from mitrainer.codes import SkillCode
    from mitrainer.coding.base import ResponseCoding
    from mitrainer.engine.session import Session
    from mitrainer.scenario.load import load_scenario
    from mitrainer.store.db import SessionStore

    scenario = load_scenario(sys.argv[1]).require()
    store = SessionStore(sys.argv[2])
    codes = [SkillCode.COMPLEX_REFLECTION, SkillCode.OPEN_QUESTION, SkillCode.AFFIRMATION]
    while True:  # play again and again until killed
        session = Session(scenario, seed=7)
        store.save_session(session.record())
        i = 0
        while not session.finished:
            session.respond("response %d" % i, ResponseCoding.manual(codes[i % 3]))
            store.save_turn(session.record())
            print(session.session_id, len(session.turns), flush=True)  # announced only once stored
            i += 1
""")


def _run_and_kill(db: Path, after_lines: int, extra_delay: float) -> list[tuple[str, int]]:
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(SCENARIO), str(db)], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    announced: list[tuple[str, int]] = []
    try:
        assert child.stdout is not None
        while len(announced) < after_lines:
            line = child.stdout.readline()
            assert line, "the child stopped before it was killed"
            session_id, turns = line.split()
            announced.append((session_id, int(turns)))
        time.sleep(extra_delay)  # lands between turns or in the middle of the next write
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    return announced


@pytest.mark.parametrize("after_lines, extra_delay", [(1, 0.0), (5, 0.003), (17, 0.0007), (40, 0.012)])
def test_sigkill_loses_no_announced_turn(tmp_path: Path, after_lines: int, extra_delay: float):
    db = tmp_path / "sessions.db"
    announced = _run_and_kill(db, after_lines, extra_delay)

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    store = SessionStore(db)
    scenario = load_scenario(SCENARIO).require()
    last_per_session: dict[str, int] = {}
    for session_id, turns in announced:
        last_per_session[session_id] = turns
    for session_id, turns in last_per_session.items():
        record = store.load_record(session_id)
        assert record is not None
        assert len(record.turns) >= turns  # nothing announced is lost (a later turn may be there too)
        resumed = Session.resume(scenario, record)
        assert len(resumed.turns) == len(record.turns)
    store.close()
