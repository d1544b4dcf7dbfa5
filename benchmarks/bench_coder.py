"""Benchmark the coder as the app runs it: cold load, per-utterance latency (p50/p99), model size.

    python benchmarks/bench_coder.py [--n 1000]

Each measurement runs in a fresh interpreter started the way the ``mitrainer`` command
starts (its thread setting made before numpy loads, mitrainer/threads.py), with no
pinning to a core, twice: on the machine as it is, and with one busy core beside it (a
second process spinning). For comparison the same runs are made with numpy's default
threads (one per core), the configuration the app had before it set its own. Reported:

* p50/p99/max milliseconds per counsellor response (with context, direction judged), and
  what the direction judge adds to it (the judge timed alone on the same responses);
* p50/p99 per client line (coded in batches: transcripts, the validator);
* cold load (fresh interpreter, with and without the numpy import) and model file sizes;
* the rule-based coder as a baseline.

Targets (issue 16): p99 <= 20 ms per response on one core as the app runs it; the
direction adds <= 3 ms p99; model files <= 40 MB in all.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LOAD_SNIPPET = """
import time, sys
t0 = time.perf_counter()
import numpy
t1 = time.perf_counter()
from mitrainer.coding.{module} import {cls}
c = {cls}()
t2 = time.perf_counter()
print(t2 - t0, t2 - t1)
"""

CLIENT_LINES = [
    "The daily trips to the clinic wear me out.",
    "My wife keeps nagging me about the methadone.",
    "I don't know, I guess I drink a bit more than I used to, mostly at weekends with my mates.",
    "I haven't used for nine days but the cravings at night are really bad.",
    "Nobody in my family knows I'm coming here, and the neighbours would talk.",
    "I want to be there for my son in the mornings. But the beers with the team are the only time I relax.",
    "I know I should cut down, my liver results were bad. Still, everyone at work drinks like I do.",
]
RESPONSES = [
    "What would make the trips easier?",
    "So the trips wear you out. What would make them easier?",
    "You should stop drinking before it damages your liver.",
    "It sounds like part of you wonders whether she's right, and part of you feels pushed.",
    "Mm-hmm.",
    "It's your choice what you do next.",
    "Would it be OK if I shared what other people in the programme have found helpful?",
    "Let me see if I've got this: the trips are exhausting, you're afraid methadone is another "
    "drug, and you want your daughter to see you well. What else?",
    "Being there for your boy at the start of his day is what you're really missing.",
    "The beers with the team matter more to you right now than the mornings with your son.",
]


def cold_load(module: str, cls: str, runs: int = 5) -> tuple[float, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    totals, own = [], []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", LOAD_SNIPPET.format(module=module, cls=cls)],
                             capture_output=True, text=True, env=env, check=True).stdout.split()
        totals.append(float(out[0]))
        own.append(float(out[1]))
    return statistics.median(totals) * 1000, statistics.median(own) * 1000


def _stats(seconds: list[float]) -> tuple[float, float, float]:
    ms = sorted(x * 1000 for x in seconds)
    return statistics.median(ms), ms[int(0.99 * (len(ms) - 1))], ms[-1]


def _timed(fn, wall: list[float], cpu: list[float]) -> None:
    """Run ``fn``, adding its wall-clock and its process CPU time (every thread) to the lists."""
    t, c = time.perf_counter(), time.process_time()
    fn()
    wall.append(time.perf_counter() - t)
    cpu.append(time.process_time() - c)


def latency(coder, n: int, seed: int = 1) -> dict[str, tuple[float, float, float]]:
    """Per response, per direction judgement and per client line: wall-clock p50, p99 and max
    milliseconds, then CPU-time p50 and p99 (what the work costs, whatever else runs)."""
    from mitrainer.codes import Speaker
    from mitrainer.coding.base import Utterance

    rng = random.Random(seed)
    conversations = []
    for _ in range(n):
        ctx = [Utterance(Speaker.CLIENT, rng.choice(CLIENT_LINES)), Utterance(Speaker.COUNSELLOR, rng.choice(RESPONSES)),
               Utterance(Speaker.CLIENT, rng.choice(CLIENT_LINES))]
        conversations.append((ctx, rng.choice(RESPONSES), rng.choice(CLIENT_LINES)))
    # Each kind in its own loop, as the app codes them (a response at a time while the
    # trainee waits; client lines in a batch), so neither evicts the other's caches.
    kinds = ("response", "direction", "client line")
    wall: dict[str, list[float]] = {k: [] for k in kinds}
    cpu: dict[str, list[float]] = {k: [] for k in kinds}
    judge = getattr(coder, "direction", None)
    for ctx, response, _ in conversations:
        _timed(lambda: coder.code_response(response, ctx), wall["response"], cpu["response"])  # noqa: B023
        if judge is not None:
            # The judge alone (the family probabilities the coder hands it change no cost).
            _timed(lambda: judge.judge(response, ctx, None, {}), wall["direction"], cpu["direction"])  # noqa: B023
    for ctx, response, client in conversations:
        context = [*ctx, Utterance(Speaker.COUNSELLOR, response)]
        _timed(lambda: coder.code_client(client, context), wall["client line"], cpu["client line"])  # noqa: B023
    return {kind: (*_stats(wall[kind]), *_stats(cpu[kind])[:2]) for kind in kinds if wall[kind]}


def child(coder_name: str, n: int) -> int:
    """Run in a fresh interpreter, started as the app starts: print the latencies as JSON."""
    import mitrainer.cli  # noqa: F401  (the app's start: its thread setting, before numpy)
    from mitrainer.coding.model import TrainedCoder
    from mitrainer.coding.rules import RuleBasedCoder

    coder = TrainedCoder() if coder_name == "trained" else RuleBasedCoder()
    latency(coder, min(n, 50), seed=2)  # warm caches and the BLAS threads
    threads = "default"
    try:
        from threadpoolctl import threadpool_info

        threads = ",".join(str(i["num_threads"]) for i in threadpool_info() if i["user_api"] == "blas") or threads
    except ImportError:
        pass
    print(json.dumps({"threads": threads, "latency": latency(coder, n)}))
    return 0


class BusyCore:
    """A second process spinning on one core for as long as the block runs."""

    def __enter__(self):
        self.proc = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        time.sleep(0.3)
        return self

    def __exit__(self, *exc):
        self.proc.kill()
        self.proc.wait()


def run_child(coder_name: str, n: int, app_threads: bool) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    from mitrainer.threads import BLAS_THREAD_VARIABLES

    for name in BLAS_THREAD_VARIABLES:
        env.pop(name, None)
    if not app_threads:  # numpy's own default: one thread per core (set, so the app keeps it)
        for name in BLAS_THREAD_VARIABLES:
            env[name] = str(os.cpu_count() or 1)
    out = subprocess.run([sys.executable, __file__, "--child", coder_name, "--n", str(n)],
                         capture_output=True, text=True, env=env, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1000, help="utterances to time per run")
    ap.add_argument("--child", choices=("trained", "rule-based"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args.child, args.n)
    from mitrainer.coding.direction import DIRECTION_PATH
    from mitrainer.coding.encoder import ENCODER_PATH
    from mitrainer.coding.linear import MODEL_PATH
    from mitrainer.coding.model import TrainedCoder

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"python {sys.version.split()[0]}, {cores} cores, no pinning, {args.n} utterances per run\n")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average before the runs: {load:.1f}")
    print(f"{'coder':<12}{'threads':<18}{'beside it':<11}{'line':<12}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"
          f"{'cpu p50':>9}{'cpu p99':>9}")
    runs = [("rule-based", True), ("trained", True), ("trained", False)]
    for coder_name, app_threads in runs:
        for busy in (False, True):
            if busy:
                with BusyCore():
                    result = run_child(coder_name, args.n, app_threads)
            else:
                result = run_child(coder_name, args.n, app_threads)
            label = ("app (" if app_threads else "numpy default (") + result["threads"] + ")"
            for i, (kind, (p50, p99, worst, cpu50, cpu99)) in enumerate(result["latency"].items()):
                head = f"{coder_name:<12}{label:<18}{('busy core' if busy else 'as is'):<11}" if i == 0 else " " * 41
                print(f"{head}{kind:<12}{p50:>9.2f}{p99:>9.2f}{worst:>9.2f}{cpu50:>9.2f}{cpu99:>9.2f}")
    print("\n'direction' is the direction judge alone (included in 'response'). 'as is': the machine as it is "
          "(other programs included); 'busy core': one more process spinning. cpu: the process's CPU time "
          "(all its threads) per utterance.")
    print("\ncold load (fresh interpreter; with / without the numpy import):")
    for name, module, cls in (("rule-based", "rules", "RuleBasedCoder"), ("trained", "model", "TrainedCoder")):
        total, own = cold_load(module, cls)
        print(f"  {name:<12}{total:>8.0f} ms{own:>8.0f} ms")
    long_text = "So you feel tired of the clinic and the queue. " * 430
    coder = TrainedCoder()
    t = time.perf_counter()
    coder.code_response(long_text)
    print(f"\n20 000-character utterance: {(time.perf_counter() - t) * 1000:.1f} ms (trained, this process)")
    sizes = {path.name: path.stat().st_size / 1e6 for path in (MODEL_PATH, ENCODER_PATH, DIRECTION_PATH)}
    print(f"model files: {sum(sizes.values()):.1f} MB (" + ", ".join(f"{n} {v:.2f} MB" for n, v in sizes.items())
          + ")")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
