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
* the rule-based coder as a baseline;
* a Vietnamese and a Chinese session's coder (``trained-vi``, ``trained-zh``): the
  multilingual coder set to read the scenario's language, as ``Practice`` runs it (the
  line's language checked, then the language's coder, whose direction is one of its heads).

Targets (issues 16 and 18): p99 <= 20 ms per response, in every language, on one core as
the app runs it; the English direction adds <= 3 ms p99; model files <= 40 MB in all.
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
c = {cls}({args})
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


# Vietnamese lines, a third typed without diacritics or in phone shorthand, as trainees type.
VI_CLIENT_LINES = [
    "Uống methadone thì đỡ thật, nhưng ngày nào cũng phải đi, phiền lắm.",
    "Vợ tôi cứ nhắc chuyện điều trị, tôi chán lắm rồi.",
    "toi cung muon bot uong, ma ngoi voi anh em ko uong thi ky",
    "Em chín ngày nay không chơi đá, mà tối nào cũng thèm.",
    "Nhà tôi chẳng ai biết tôi đến đây, hàng xóm mà biết thì họ bàn tán.",
]
VI_RESPONSES = [
    "Điều gì sẽ giúp anh đỡ vất vả khi đi lại?",
    "Nghe như việc đi lại làm anh mệt. Điều gì sẽ giúp anh dễ hơn?",
    "Anh nên bỏ rượu ngay trước khi gan hỏng.",
    "Một phần trong anh thấy vợ nói đúng, một phần lại thấy bị ép.",
    "Vâng.",
    "Quyết định là của anh.",
    "em chia se vai dieu nguoi khac thay huu ich dc ko anh?",
    "Để em tóm lại nhé: đi lại thì mệt, anh sợ methadone cũng là một thứ nghiện, và anh muốn con "
    "thấy bố khỏe mạnh. Còn gì nữa không anh?",
]
# Chinese lines, half of them with half-width or no final punctuation.
ZH_CLIENT_LINES = [
    "每天跑门诊喝药，真的把我拖垮了。",
    "我老婆天天念叨美沙酮的事",
    "我也不知道，好像比以前喝得多了点，主要是周末跟朋友一起.",
    "我九天没碰了，可晚上那种想要的感觉特别难熬。",
    "家里没人知道我来这儿，邻居知道了会说闲话",
]
ZH_RESPONSES = [
    "怎样能让来回跑轻松一点？",
    "听起来来回跑让你很累。什么能让它容易一些?",
    "你应该马上把酒戒了，不然肝就坏了。",
    "你一部分觉得老婆说得对，一部分又觉得被逼着",
    "嗯。",
    "接下来怎么做，由你自己决定。",
    "我可以跟你说说其他人觉得有用的办法吗?",
    "我来总结一下：来回跑很累，你担心美沙酮是另一种毒品，你也想让女儿看到你好好的。还有别的吗？",
]
LINES = {"en": (CLIENT_LINES, RESPONSES), "vi": (VI_CLIENT_LINES, VI_RESPONSES), "zh": (ZH_CLIENT_LINES, ZH_RESPONSES)}


def cold_load(module: str, cls: str, runs: int = 5, args: str = "") -> tuple[float, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    totals, own = [], []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", LOAD_SNIPPET.format(module=module, cls=cls, args=args)],
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


def latency(coder, n: int, seed: int = 1, language: str = "en") -> dict[str, tuple[float, float, float]]:
    """Per response, per direction judgement and per client line: wall-clock p50, p99 and max
    milliseconds, then CPU-time p50 and p99 (what the work costs, whatever else runs)."""
    from mitrainer.codes import Speaker
    from mitrainer.coding.base import Utterance

    client_lines, responses = LINES[language]
    rng = random.Random(seed)
    conversations = []
    for _ in range(n):
        ctx = [Utterance(Speaker.CLIENT, rng.choice(client_lines)), Utterance(Speaker.COUNSELLOR, rng.choice(responses)),
               Utterance(Speaker.CLIENT, rng.choice(client_lines))]
        conversations.append((ctx, rng.choice(responses), rng.choice(client_lines)))
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
    from mitrainer.coding import default_coder, reading
    from mitrainer.coding.model import TrainedCoder
    from mitrainer.coding.rules import RuleBasedCoder

    language = LANGUAGE_OF[coder_name]
    if coder_name == "rule-based":
        coder = RuleBasedCoder()
    elif coder_name == "trained":
        coder = TrainedCoder()
    else:  # as a session in the language runs it: the line's language checked, then its coder
        coder = reading(default_coder(), language, language)
    latency(coder, min(n, 50), seed=2, language=language)  # warm caches and the BLAS threads
    threads = "default"
    try:
        from threadpoolctl import threadpool_info

        threads = ",".join(str(i["num_threads"]) for i in threadpool_info() if i["user_api"] == "blas") or threads
    except ImportError:
        pass
    print(json.dumps({"threads": threads, "latency": latency(coder, n, language=language)}))
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


# The coders timed: English alone (and its rule-based fallback), and a Vietnamese and a
# Chinese session's multilingual coder.
LANGUAGE_OF = {"rule-based": "en", "trained": "en", "trained-vi": "vi", "trained-zh": "zh"}


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
    ap.add_argument("--child", choices=tuple(LANGUAGE_OF), help=argparse.SUPPRESS)
    ap.add_argument("--only", metavar="CODERS",
                    help="comma-separated runs to make (of rule-based, trained, trained-numpy-default, trained-vi, "
                         "trained-zh; default: all)")
    args = ap.parse_args()
    if args.child:
        return child(args.child, args.n)
    from mitrainer.coding.direction import DIRECTION_PATH
    from mitrainer.coding.encoder import ENCODER_PATH
    from mitrainer.coding.languages.model import language_model_path
    from mitrainer.coding.linear import MODEL_PATH
    from mitrainer.coding.model import TrainedCoder

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"python {sys.version.split()[0]}, {cores} cores, no pinning, {args.n} utterances per run\n")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average before the runs: {load:.1f}")
    print(f"{'coder':<12}{'threads':<18}{'beside it':<11}{'line':<12}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"
          f"{'cpu p50':>9}{'cpu p99':>9}")
    runs = [("rule-based", True), ("trained", True), ("trained", False), ("trained-vi", True), ("trained-zh", True)]
    if args.only:
        wanted = set(args.only.split(","))
        runs = [(name, app) for name, app in runs if (name if app else f"{name}-numpy-default") in wanted]
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
    for name, module, cls, load_args in (("rule-based", "rules", "RuleBasedCoder", ""),
                                         ("trained", "model", "TrainedCoder", ""),
                                         ("trained-vi", "languages.model", "LanguageCoder", "'vi'"),
                                         ("trained-zh", "languages.model", "LanguageCoder", "'zh'")):
        total, own = cold_load(module, cls, args=load_args)
        print(f"  {name:<12}{total:>8.0f} ms{own:>8.0f} ms")
    long_text = "So you feel tired of the clinic and the queue. " * 430
    coder = TrainedCoder()
    t = time.perf_counter()
    coder.code_response(long_text)
    print(f"\n20 000-character utterance: {(time.perf_counter() - t) * 1000:.1f} ms (trained, this process)")
    sizes = {path.name: path.stat().st_size / 1e6 for path in (MODEL_PATH, ENCODER_PATH, DIRECTION_PATH,
                                                              language_model_path("vi"), language_model_path("zh"))}
    print(f"model files: {sum(sizes.values()):.1f} MB (" + ", ".join(f"{n} {v:.2f} MB" for n, v in sizes.items())
          + ")")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
