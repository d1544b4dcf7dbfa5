"""Enter → the client's next line, as a trainee meets it: the trainer in a real terminal (tmux).

    python benchmarks/bench_e2e.py [--turns 36] [--repeats 3] [--baseline main] [--json FILE]

The trainer (``python -m mitrainer``, its own configuration: a temporary data folder and
database, this checkout's code) runs in a tmux pane of 100×30. The script types a response,
presses Enter and times until the client's next line is on tmux's screen. It plays a long
session: a generated scenario (in a temporary ``--scenarios`` folder) whose client lines
each carry their number ("[07] ..."), one node after another, so every turn adds to the
conversation. Each run is made on the machine as it is ("quiet") and with one busy core
beside it (a second process spinning), and, as the floor, a minimal Textual app (an input
whose lines are echoed into a scrolling log of widgets) is measured the same way in the same
run. With ``--baseline REV`` the trainer of that git revision (exported to a temporary
folder) runs too, alternating with this checkout's, so the two are compared under the same
load. Printed: median, p90 and max per condition (all turns of all repeats), the spread of
the repeats' medians and p90s, and the median of each turn, so growth with the length of
the session shows.

How the screen is read: one tmux client in control mode (``tmux -C``) is told of every
output of the pane (``%output``) and captures the pane (``capture-pane``) after each, and at
least every ``--poll`` ms; no process is started per poll. A capture's round trip is
measured and printed: a figure may include up to one capture's delay beyond the moment
the line was drawn.

Threads: unless ``--default-threads``, every app runs with numpy's BLAS limited to one
thread (OPENBLAS_NUM_THREADS=1 and its kin in the environment), as the ``mitrainer``
command sets for itself from the direction work on (mitrainer/threads.py), so a checkout
made before that is measured the same way.

Target (issue 23): beside one busy core, through turn 30, p90 ≤ 100 ms and ≤ 3× the echo
app's median, no turn over 200 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._common import percentile, table  # noqa: E402

SIZE = (100, 30)
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
                    "VECLIB_MAXIMUM_THREADS")

# The client's lines of the generated scenario: long enough to wrap over two or three lines
# of a bubble, as the bundled scenarios' lines do. "{n}" is the line's number.
CLIENT_LINES = [
    "[{n}] I don't know. Work's been mad and a couple of drinks is the only time I get to myself.",
    "[{n}] My wife keeps going on about it. She says I'm not the same person after the third pint, "
    "and maybe she has a point, I don't know.",
    "[{n}] It's not like I'm drinking in the morning or anything. I go to work, I pay the bills.",
    "[{n}] The doctor said my liver numbers were up. That scared me a bit, if I'm honest.",
    "[{n}] I tried stopping once, for a month. I slept better, actually. Then Christmas happened.",
    "[{n}] My dad drank. I always said I'd never be like him, and now I hear myself saying the same things.",
]
CUES = ["looks at the floor", "", "shrugs", "", "rubs his neck", "half smiles"]
TALK = ["sustain reasons", "change reasons", "sustain ability", "change need", "change ability", "change reasons"]
# The trainee's responses, typed one per turn: reflections, questions, an affirmation, a summary.
RESPONSES = [
    "Those drinks are the one part of the day that belongs to you.",
    "What does she notice about you after the third pint?",
    "You're keeping everything going, and the drinking hasn't got in the way of that.",
    "The liver results worried you.",
    "How did that month feel to you?",
    "You've come a long way just by noticing that.",
    "Part of you wants to keep the evenings as they are, and part of you is worried where they're heading.",
    "So far you've said the drinks help you unwind, your wife has noticed a change, and the test scared you.",
]

ECHO_APP = """
from textual.app import App
from textual.containers import VerticalScroll
from textual.widgets import Input, Static

class Echo(App):
    CSS = "Static { margin: 1 0 0 0; padding: 0 1; } VerticalScroll { height: 1fr; }"

    def compose(self):
        yield VerticalScroll(Static("echo-app-ready"), id="log")
        yield Input(id="box")

    def on_mount(self):
        self.turn = 0
        self.query_one(Input).focus()

    def on_input_submitted(self, event):
        self.turn += 1
        log = self.query_one("#log")
        log.mount(Static("you: " + event.value))
        log.mount(Static("[%02d] echo: %s" % (self.turn, event.value)))
        log.scroll_end(animate=False)
        event.input.clear()

Echo().run()
"""


def marker(n: int) -> str:
    return f"[{n:02d}]"


def write_long_scenario(folder: Path, turns: int) -> str:
    """A scenario of ``turns`` + 1 client lines, one after another; returns a word of its title."""
    lines = [
        "schema_version: 1", "id: bench-long-session", 'title: "Benchmark long session"', "language: en",
        'topic: "Drinking after work"', 'setting: "A GP practice nurse, a long appointment."',
        "difficulty: beginner", "minutes: 30", "learning_goals: [Reflect before you ask]",
        'author: "benchmarks/bench_e2e.py"', 'version: "1"',
        "persona:", "  name: Mark", "  age: 47", '  background: "Drinks most evenings."',
        "  stage: contemplation", "  values: [his family]", "  fears: [being lectured]",
        "variables:", "  rapport: {type: int, default: 1, min: 0, max: 10, label: Rapport, meter: true}",
        "start: n00", "nodes:",
    ]
    for n in range(turns + 1):
        i = n % len(CLIENT_LINES)
        lines += [f"  n{n:02d}:", f"    client: {json.dumps(CLIENT_LINES[i].format(n=f'{n:02d}'))}",
                  f"    talk: {TALK[i].split()[0]}", f"    subtype: {TALK[i].split()[1]}"]
        if CUES[i]:
            lines.append(f"    cue: {json.dumps(CUES[i])}")
        if n == turns:
            lines += ["    ending:", "      outcome: engaged", '      title: "The end of the benchmark"',
                      '      debrief: "Generated."']
            continue
        lines += ["    responses:",
                  "      - when: {skills: [complex_reflection, simple_reflection]}",
                  "        effects: {add: {rapport: 1}}", f"        goto: n{n + 1:02d}",
                  '        note: "A reflection keeps him talking."',
                  f"      - goto: n{n + 1:02d}",
                  "    exemplars:",
                  f"      - text: {json.dumps(RESPONSES[n % len(RESPONSES)])}",
                  "        codes: [complex_reflection]",
                  '        why: "Stays with what he said."']
    (folder / "bench-long-session.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return "Benchmark"


def tmux_quote(text: str) -> str:
    """``text`` as one argument of a tmux command line."""
    return '"' + re.sub(r'([\\"$~;#])', r"\\\1", text) + '"'


class Pane:
    """One process in a tmux pane, watched through a control-mode client."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path, poll: float) -> None:
        self.socket = f"mitrainer-bench-{os.getpid()}-{time.monotonic_ns()}"
        self.poll = poll
        setenv = [arg for name, value in env.items() for arg in ("-e", f"{name}={value}")]
        # A server of our own (-L, no configuration file), a window of a fixed size that no
        # client resizes, and the process started in it.
        subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", "new-session", "-d", "-s", "bench",
                        "-x", str(SIZE[0]), "-y", str(SIZE[1]), "-c", str(cwd), *setenv, *argv, ";",
                        "set-option", "-g", "window-size", "manual", ";",
                        "set-option", "-g", "default-terminal", "tmux-256color", ";",
                        "set-option", "-g", "remain-on-exit", "on"], check=True)
        self.client = subprocess.Popen(["tmux", "-L", self.socket, "-C", "attach", "-t", "bench"],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
        self.buffer = b""
        self.lines: list[bytes] = []

    # -- the control-mode protocol -----------------------------------------------------
    def _read_lines(self, timeout: float) -> bool:
        """Read what the client has sent within ``timeout`` s; True when anything came."""
        assert self.client.stdout is not None
        ready, _, _ = select.select([self.client.stdout], [], [], max(timeout, 0))
        if not ready:
            return False
        chunk = os.read(self.client.stdout.fileno(), 1 << 20)
        if not chunk:
            raise RuntimeError("the tmux control client ended")
        self.buffer += chunk
        *complete, self.buffer = self.buffer.split(b"\n")
        self.lines += complete
        return True

    def command(self, line: str) -> list[bytes]:
        """Run one tmux command; its output lines (notifications that came first are dropped)."""
        assert self.client.stdin is not None
        self.client.stdin.write(line.encode() + b"\n")
        out: list[bytes] = []
        inside = False
        while True:
            while self.lines:
                item = self.lines.pop(0)
                if not inside:
                    # Flags 1: the reply to a command of this client (the attach's own reply has 0).
                    inside = item.startswith(b"%begin") and item.endswith(b" 1")
                elif item.startswith((b"%end", b"%error")):
                    if item.startswith(b"%error"):
                        raise RuntimeError(f"tmux: {line!r}: {b' '.join(out).decode(errors='replace')}")
                    return out
                else:
                    out.append(item)
            self._read_lines(5.0)

    def screen(self) -> str:
        return b"\n".join(self.command("capture-pane -p -t bench")).decode("utf-8", errors="replace")

    def send_text(self, text: str) -> None:
        self.command(f"send-keys -t bench -l {tmux_quote(text)}")

    def send_key(self, key: str) -> None:
        self.command(f"send-keys -t bench {key}")

    # -- waiting for the screen --------------------------------------------------------
    def wait_for(self, text: str, since: float, timeout: float = 20.0) -> float:
        """Seconds from ``since`` until ``text`` is on the screen (captured after each output)."""
        while True:
            if text in self.screen():
                return time.perf_counter() - since
            if time.perf_counter() - since > timeout:
                raise TimeoutError(f"{text!r} not on screen after {timeout} s:\n{self.screen()}")
            # Wait for the pane's next output (or the poll interval), then capture again.
            self._read_lines(self.poll)
            self.lines = [item for item in self.lines if not item.startswith(b"%output")]

    def settle(self, quiet: float = 0.15, least: float = 0.3, timeout: float = 10.0) -> str:
        """Wait at least ``least`` s, then until the screen's text is unchanged for ``quiet`` s."""
        time.sleep(least)
        began, last = time.perf_counter(), self.screen()
        while time.perf_counter() - began < timeout:
            time.sleep(quiet)
            now = self.screen()
            if now == last:
                return now
            last = now
        return last

    def capture_cost(self, n: int = 40) -> float:
        """Median seconds of one capture's round trip."""
        samples = []
        for _ in range(n):
            start = time.perf_counter()
            self.screen()
            samples.append(time.perf_counter() - start)
        return statistics.median(samples)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], check=False, capture_output=True)
        try:
            self.client.wait(5)
        except subprocess.TimeoutExpired:
            self.client.kill()


@contextmanager
def busy_core(on: bool) -> Iterator[None]:
    """One other process keeping a core busy (spinning), for the duration."""
    if not on:
        yield
        return
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.3)
        yield
    finally:
        spinner.kill()
        spinner.wait()


@dataclass
class App:
    """One thing measured: the echo app, this checkout's trainer or a baseline revision's."""

    name: str
    root: Path | None  # the checkout whose trainer runs; None: the echo app
    samples: dict[str, list[list[float]]] = field(default_factory=dict)  # condition → runs → turn seconds


def environment(root: Path | None, data: Path, default_threads: bool) -> dict[str, str]:
    env = {"MITRAINER_DATA_DIR": str(data), "MITRAINER_LANG": "en", "COLORTERM": "truecolor",
           "PYTHONPATH": str(root) if root else ""}
    if not default_threads:
        env.update(dict.fromkeys(THREAD_VARIABLES, "1"))
    return env


def run_trainer(app: App, turns: int, poll: float, default_threads: bool, costs: list[float]) -> list[float]:
    """Play the long scenario through; seconds from Enter to the client's next line, per turn."""
    assert app.root is not None
    with tempfile.TemporaryDirectory() as tmp:
        folder, data = Path(tmp) / "scenarios", Path(tmp) / "data"
        folder.mkdir()
        data.mkdir()
        word = write_long_scenario(folder, turns)
        argv = [sys.executable, "-m", "mitrainer", "--db", str(data / "bench.sqlite3"), "--scenarios", str(folder)]
        pane = Pane(argv, environment(app.root, data, default_threads), app.root, poll)
        try:
            pane.wait_for("Benchmark long session", time.perf_counter(), timeout=60)
            pane.settle(least=1.5)  # the coder loads in a worker after the library is shown
            pane.send_text(word)
            pane.settle()
            pane.send_key("Enter")
            pane.wait_for("What to practise", time.perf_counter())
            pane.settle()
            pane.send_key("Enter")
            pane.wait_for(marker(0), time.perf_counter())
            return play(pane, turns, costs)
        finally:
            pane.close()


def run_echo(app: App, turns: int, poll: float, default_threads: bool, costs: list[float]) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        pane = Pane([sys.executable, "-c", ECHO_APP], environment(None, Path(tmp), default_threads), Path(tmp), poll)
        try:
            pane.wait_for("echo-app-ready", time.perf_counter(), timeout=60)
            return play(pane, turns, costs)
        finally:
            pane.close()


def play(pane: Pane, turns: int, costs: list[float]) -> list[float]:
    pane.settle()
    costs.append(pane.capture_cost())
    samples = []
    for n in range(1, turns + 1):
        pane.send_text(RESPONSES[(n - 1) % len(RESPONSES)])
        pane.settle(least=0.1)
        start = time.perf_counter()
        pane.send_key("Enter")
        samples.append(pane.wait_for(marker(n), start))
        pane.settle(least=0.2)
    return samples


def export_revision(revision: str, into: Path) -> Path:
    """The files of ``revision`` of this repository, written to ``into``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", revision], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def report(apps: list[App], conditions: list[str], turns: int, within: int) -> None:
    rows = []
    for condition in conditions:
        for app in apps:
            runs = app.samples.get(condition, [])
            if not runs:
                continue
            every = [s for run in runs for s in run[:within]]
            medians = [statistics.median(run[:within]) for run in runs]
            p90s = [percentile(run[:within], 0.9) for run in runs]
            echo = next((other.samples.get(condition) for other in apps if other.root is None), None)
            floor = statistics.median([s for run in echo for s in run[:within]]) if echo else float("nan")
            rows.append((condition, app.name, ms(statistics.median(every)), ms(percentile(every, 0.9)),
                         ms(max(every)), f"{ms(min(medians))}–{ms(max(medians))}", f"{ms(min(p90s))}–{ms(max(p90s))}",
                         f"{statistics.median(every) / floor:.1f}×" if app.root else "", str(len(runs))))
    print(f"\nEnter → next line on screen, turns 1–{within}, milliseconds (all turns of all runs):")
    print(table(rows, ("condition", "app", "median", "p90", "max", "run medians", "run p90s", "× echo", "runs")))

    print("\nper turn: median over the runs, milliseconds")
    header = ["turn"] + [f"{app.name} {condition}" for condition in conditions for app in apps
                         if app.samples.get(condition)]
    per_turn = []
    for n in range(turns):
        row = [str(n + 1)]
        for condition in conditions:
            for app in apps:
                runs = app.samples.get(condition)
                if runs:
                    row.append(ms(statistics.median(run[n] for run in runs)))
        per_turn.append(tuple(row))
    print(table(per_turn, tuple(header)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=36, help="responses per session (default 36)")
    parser.add_argument("--within", type=int, default=30, help="turns the summary counts (default 30: the target's)")
    parser.add_argument("--repeats", type=int, default=3, help="sessions per app and condition (default 3)")
    parser.add_argument("--baseline", metavar="REV", help="also measure the trainer of this git revision (e.g. main)")
    parser.add_argument("--conditions", nargs="+", default=["quiet", "busy"], choices=["quiet", "busy"])
    parser.add_argument("--only", nargs="+", choices=["echo", "trainer", "baseline"],
                        help="measure only these apps")
    parser.add_argument("--poll", type=float, default=3.0, help="capture at least every POLL ms (default 3)")
    parser.add_argument("--default-threads", action="store_true",
                        help="leave numpy's BLAS threads as the app sets them (default: one, in the environment)")
    parser.add_argument("--json", type=Path, help="write every sample to this file")
    args = parser.parse_args()
    # Stopped (kill, timeout): leave no spinner and no tmux server behind (the finally blocks run).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if shutil.which("tmux") is None:
        print("bench_e2e needs tmux", file=sys.stderr)
        return 2
    if args.turns < args.within:
        args.within = args.turns

    with tempfile.TemporaryDirectory() as tmp:
        apps = [App("echo", None), App("trainer", ROOT)]
        if args.baseline:
            apps.append(App(f"trainer@{args.baseline}", export_revision(args.baseline, Path(tmp))))
        if args.only:
            keep = {"echo": 0, "trainer": 1, "baseline": 2}
            apps = [app for i, app in enumerate(apps) if any(keep[o] == i for o in args.only)]
        costs: list[float] = []
        print(f"{os.cpu_count()} CPU(s), Python {sys.version.split()[0]}, pane {SIZE[0]}x{SIZE[1]}, "
              f"{args.turns} turns, {args.repeats} repeats, BLAS threads: "
              f"{'as the app sets them' if args.default_threads else '1 (environment)'}; load at start {load()}")
        for repeat in range(args.repeats):
            for condition in args.conditions:
                for app in apps:
                    with busy_core(condition == "busy"):
                        runner = run_echo if app.root is None else run_trainer
                        samples = runner(app, args.turns, args.poll / 1000, args.default_threads, costs)
                    app.samples.setdefault(condition, []).append(samples)
                    print(f"  run {repeat + 1} {condition:5} {app.name:16} median {ms(statistics.median(samples))} ms,"
                          f" p90 {ms(percentile(samples, 0.9))}, max {ms(max(samples))}; load {load()}", flush=True)
        print(f"load at end {load()}; one screen capture's round trip: {statistics.median(costs) * 1000:.1f} ms "
              "median (a figure may include up to one)")
        report(apps, args.conditions, args.turns, args.within)
        if args.json:
            args.json.write_text(json.dumps({app.name: app.samples for app in apps}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
