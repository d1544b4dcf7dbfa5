"""Validating the whole bundled library: `mitrainer validate` as an instructor runs it.

Run: python benchmarks/bench_validate.py [--repeat 5] [--rev REV]

Each figure is a whole process (start-up, imports, every scenario and rubric file, the
talk-label check with the coder), median of ``--repeat`` runs, as wall time and as CPU
time (user + system: steadier on a shared machine). Measured in the same run:

- *cold*: an empty cache folder (``MITRAINER_CACHE_DIR``), as on a first run or after the
  coder changed; *warm*: the cache a previous run left, as on every later run;
- baselines: the same command with ``--no-talk-check`` (no coder at all), and
  ``mitrainer --version`` (the floor of starting Python and the command);
- with ``--rev REV``: the same library validated by the code of another revision (a
  temporary git worktree, the same interpreter), e.g. ``--rev HEAD~5`` or ``--rev main``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 1.0


def run_once(argv: list[str], code_root: Path, cache: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one ``python -m mitrainer ...`` process."""
    env = {**os.environ, "PYTHONPATH": str(code_root), "MITRAINER_CACHE_DIR": str(cache)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "mitrainer", *argv], cwd=code_root, env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"mitrainer {' '.join(argv)} failed ({done.returncode}): {done.stderr[-1000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(label: str, argv: list[str], code_root: Path, repeat: int, warm: bool) -> tuple[str, float, float]:
    walls, cpus = [], []
    with tempfile.TemporaryDirectory() as keep:
        for _ in range(repeat):
            if warm:
                cache = Path(keep)
                if not any(cache.iterdir()):
                    run_once(argv, code_root, cache)  # fill it
                wall, cpu = run_once(argv, code_root, cache)
            else:
                with tempfile.TemporaryDirectory() as fresh:
                    wall, cpu = run_once(argv, code_root, Path(fresh))
            walls.append(wall)
            cpus.append(cpu)
    return label, statistics.median(walls), statistics.median(cpus)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rev", help="also validate the same library with the code of this git revision")
    args = parser.parse_args()
    library = [str(ROOT / "scenarios"), str(ROOT / "rubrics")]
    files = sum(1 for folder in library for p in Path(folder).glob("*.y*ml"))
    validate = ["validate", "-q", *library]
    rows = [
        measure("validate, cold cache", validate, ROOT, args.repeat, warm=False),
        measure("validate, warm cache", validate, ROOT, args.repeat, warm=True),
        measure("baseline: validate --no-talk-check", [*validate, "--no-talk-check"], ROOT, args.repeat, warm=True),
        measure("baseline: mitrainer --version", ["--version"], ROOT, args.repeat, warm=True),
    ]
    if args.rev:
        with tempfile.TemporaryDirectory() as tmp:
            tree = Path(tmp) / "rev"
            subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(tree), args.rev], cwd=ROOT, check=True)
            try:
                rows.append(measure(f"revision {args.rev}: validate", validate, tree, args.repeat, warm=True))
            finally:
                subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=True)
    print(f"validating the bundled library: {files} files, median of {args.repeat} runs, "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    width = max(len(r[0]) for r in rows)
    print(f"{'':{width}}  {'wall':>8}  {'cpu':>8}")
    for label, wall, cpu in rows:
        print(f"{label:{width}}  {wall:7.2f}s  {cpu:7.2f}s")
    warm_wall = rows[1][1]
    print(f"target ≤ {TARGET_S:.1f} s (warm wall): {'met' if warm_wall <= TARGET_S else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
