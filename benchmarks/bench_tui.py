"""Trainer responsiveness, measured as a trainee sees it: through a real pseudo-terminal.

    PYTHONPATH=. python benchmarks/bench_tui.py [--runs 5] [--turns 20]

Prints, each with its baseline taken in the same run:

* launch → first screen painted (the library's filter box on screen), for a fresh process,
  against ``python -c "import textual"`` and a minimal Textual app painting one line;
* launch → library rows shown (scenarios parsed and validated in a worker);
* Enter → the client's next line on screen, including coding (the trained coder when its
  model loads), feedback, scoring and the SQLite write; repeated with ctrl+z rewinds.

Targets (issue): first paint within 1.0 s, Enter to next line within 100 ms.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._common import ms, percentile, table  # noqa: E402

FIXTURES = ROOT / "tests" / "trainer" / "fixtures" / "scenarios"
ANSI = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[PX^_].*?\x1b\\|\x1b\][^\x07]*(\x07|\x1b\\)|\x1b.", re.S)
MINIMAL_APP = """
from textual.app import App
from textual.widgets import Static
class Minimal(App):
    def compose(self):
        yield Static("minimal-app-painted")
Minimal().run()
"""


class Terminal:
    """A child process on a pseudo-terminal of a fixed size, with its screen output as text."""

    def __init__(self, argv: list[str], env: dict[str, str], size: tuple[int, int] = (100, 30)) -> None:
        self.start = time.perf_counter()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child
            os.execvpe(argv[0], argv, env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        self.text = b""

    def read_until(self, marker: bytes, timeout: float = 20.0) -> float:
        """Seconds from now until ``marker`` appears in new output (escape codes removed)."""
        began = time.perf_counter()
        seen = b""
        while True:
            left = timeout - (time.perf_counter() - began)
            if left <= 0:
                raise TimeoutError(f"{marker!r} did not appear within {timeout} s; last output: {seen[-300:]!r}")
            ready, _, _ = select.select([self.fd], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                raise TimeoutError(f"the process ended before {marker!r} appeared") from None
            seen += chunk
            if marker in ANSI.sub(b"", seen):
                return time.perf_counter() - began

    def drain(self, seconds: float = 0.4) -> None:
        """Read and drop output for ``seconds`` (cursors blink, so the screen is never quite still)."""
        end = time.perf_counter() + seconds
        while (left := end - time.perf_counter()) > 0:
            if select.select([self.fd], [], [], left)[0]:
                try:
                    os.read(self.fd, 65536)
                except OSError:
                    return

    def since_start(self) -> float:
        return time.perf_counter() - self.start

    def send(self, data: bytes) -> None:
        os.write(self.fd, data)

    def close(self) -> None:
        try:
            os.kill(self.pid, signal.SIGTERM)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(self.fd)


def environment(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MITRAINER_")}
    env.update(TERM="xterm-256color", COLORTERM="truecolor", PYTHONPATH=str(ROOT), MITRAINER_DATA_DIR=str(data),
               MITRAINER_LANG="en")
    return env


def timed_process(code: str, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        samples.append(time.perf_counter() - start)
    return samples


def first_paint(runs: int) -> tuple[list[float], list[float], list[float]]:
    """Seconds from process start to the first screen, to the library rows, and for a minimal app."""
    paint, library, minimal = [], [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as data:
            term = Terminal([sys.executable, "-m", "mitrainer", "--scenarios", str(FIXTURES)], environment(Path(data)))
            try:
                term.read_until(b"Type to filter")
                paint.append(term.since_start())
                term.read_until(b"Evenings at the pub")
                library.append(term.since_start())
            finally:
                term.close()
        with tempfile.TemporaryDirectory() as data:
            term = Terminal([sys.executable, "-c", MINIMAL_APP], environment(Path(data)))
            try:
                term.read_until(b"minimal-app-painted")
                minimal.append(term.since_start())
            finally:
                term.close()
    return paint, library, minimal


def enter_to_next_line(turns: int) -> list[float]:
    samples = []
    with tempfile.TemporaryDirectory() as data:
        term = Terminal([sys.executable, "-m", "mitrainer", "--scenarios", str(FIXTURES)], environment(Path(data)))
        try:
            term.read_until(b"Evenings at the pub")
            term.drain(1.5)  # let the coder load in its worker
            term.send(b"pub")
            term.drain()
            term.send(b"\r")
            term.read_until(b"What to practise")
            term.drain()
            term.send(b"\r")
            term.read_until(b"blood pressure")
            term.drain()
            term.send(b"You feel everyone is waiting to lecture you about it.")
            term.drain()
            for _ in range(turns):
                start = time.perf_counter()
                term.send(b"\r")
                term.read_until(b"grandson")
                samples.append(time.perf_counter() - start)
                term.drain()
                term.send(b"\x1a")  # ctrl+z: rewind, the response comes back into the box
                term.drain(0.5)
        finally:
            term.close()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="launches to time (default 5)")
    parser.add_argument("--turns", type=int, default=20, help="responses to time (default 20)")
    args = parser.parse_args()

    python = timed_process("pass", args.runs)
    textual = timed_process("import textual.app", args.runs)
    paint, library, minimal = first_paint(args.runs)
    turns = enter_to_next_line(args.turns)

    def row(name: str, samples: list[float], target: str = "") -> tuple[str, ...]:
        return (name, ms(statistics.median(samples)), ms(percentile(samples, 0.9)), ms(max(samples)), target)

    print(f"mitrainer trainer through a {100}x{30} pseudo-terminal, {os.cpu_count()} CPU(s), Python {sys.version.split()[0]}")
    print(table([
        row("baseline: python -c pass", python),
        row("baseline: python -c 'import textual.app'", textual),
        row("baseline: minimal Textual app, first paint", minimal),
        row("mitrainer: launch → first screen painted", paint, "≤ 1000 ms"),
        row("mitrainer: launch → library rows shown", library),
        row("mitrainer: Enter → client's next line shown", turns, "≤ 100 ms"),
    ], ("measure", "median", "p90", "max", "target")))
    print(f"first paint over the minimal Textual app: {ms(statistics.median(paint) - statistics.median(minimal))}")


if __name__ == "__main__":
    main()
