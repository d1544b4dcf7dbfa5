"""Benchmark the coder: cold load, per-utterance latency (p50/p99), model size.

    python benchmarks/bench_coder.py [--n 2000]

Prints figures for the trained coder next to the rule-based coder (a simple baseline)
measured in the same run. Cold load is timed in a fresh interpreter, with and without
the numpy import the rest of the app pays anyway. Counsellor responses and client lines
are timed apart: a response is coded while the trainee waits, a client line in batches
(transcripts, the validator), with a longer input (encoder.CODING_BUDGET). Targets: cold
load <= 300 ms, p99 <= 10 ms per counsellor response with context on one core, model files
<= 20 MB together.
"""

from __future__ import annotations

import argparse
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


def latency(coder, n: int, seed: int = 1) -> dict[str, tuple[float, float, float]]:
    """p50, p99 and max milliseconds per response and per client line, each with context."""
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
    times: dict[str, list[float]] = {"response": [], "client line": []}
    for ctx, response, _ in conversations:
        t = time.perf_counter()
        coder.code_response(response, ctx)
        times["response"].append(time.perf_counter() - t)
    for ctx, response, client in conversations:
        context = [*ctx, Utterance(Speaker.COUNSELLOR, response)]
        t = time.perf_counter()
        coder.code_client(client, context)
        times["client line"].append(time.perf_counter() - t)
    out = {}
    for kind, values in times.items():
        ms = sorted(x * 1000 for x in values)
        out[kind] = (statistics.median(ms), ms[int(0.99 * (len(ms) - 1))], ms[-1])
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=2000, help="utterances to time per coder")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    from mitrainer.coding.linear import MODEL_PATH
    from mitrainer.coding.model import TrainedCoder
    from mitrainer.coding.rules import RuleBasedCoder

    print(f"python {sys.version.split()[0]}, one core, {args.n} utterances per coder\n")
    print(f"{'coder':<12}{'cold load':>12}{'(w/o numpy)':>13}   {'line':<12}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for name, module, cls, coder in (("rule-based", "rules", "RuleBasedCoder", RuleBasedCoder()),
                                     ("trained", "model", "TrainedCoder", TrainedCoder())):
        total, own = cold_load(module, cls)
        for i, (kind, (p50, p99, worst)) in enumerate(latency(coder, args.n).items()):
            head = f"{name:<12}{total:>10.0f}ms{own:>11.0f}ms" if i == 0 else " " * 36
            print(f"{head}   {kind:<12}{p50:>9.2f}{p99:>9.2f}{worst:>9.2f}")
    long_text = "So you feel tired of the clinic and the queue. " * 430
    coder = TrainedCoder()
    t = time.perf_counter()
    coder.code_response(long_text)
    print(f"\n20 000-character utterance: {(time.perf_counter() - t) * 1000:.1f} ms (trained)")
    from mitrainer.coding.encoder import ENCODER_PATH

    sizes = {path.name: path.stat().st_size / 1e6 for path in (MODEL_PATH, ENCODER_PATH)}
    print(f"model files: {sum(sizes.values()):.1f} MB (" + ", ".join(f"{n} {v:.1f} MB" for n, v in sizes.items())
          + ")")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
