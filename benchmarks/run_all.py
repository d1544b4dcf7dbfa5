"""Run every benchmark script in this folder and print their figures in one place.

Run: python benchmarks/run_all.py [--only NAME ...]

Each ``bench_*.py`` prints its own table (with a baseline measured in the same run); this
runner adds the machine description and the wall time of each script, so the README can
quote the figures with the machine they ran on.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=[], help="run only benchmarks whose name contains one of these")
    args = parser.parse_args()
    scripts = sorted(HERE.glob("bench_*.py"))
    if args.only:
        scripts = [s for s in scripts if any(word in s.stem for word in args.only)]
    print(f"machine: {machine()}\n")
    failed = 0
    for script in scripts:
        print(f"== {script.stem}")
        start = time.perf_counter()
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            child = subprocess.Popen([sys.executable, str(script)], cwd=HERE.parent, text=True, stdout=out,
                                     stderr=err, env={**os.environ, "PYTHONPATH": str(HERE.parent)})
            # wait4 gives this child's own resource usage: its peak resident memory.
            _, status, usage = os.wait4(child.pid, 0)
            child.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            err.seek(0)
            sys.stdout.write(out.read())
            if child.returncode != 0:
                failed += 1
                sys.stdout.write(f"FAILED (exit {child.returncode}):\n{err.read()[-2000:]}\n")
        print(f"({time.perf_counter() - start:.1f} s, peak memory {usage.ru_maxrss / 1024:.0f} MiB)\n")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
