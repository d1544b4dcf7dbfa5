"""Benchmark the coder: cold load, per-utterance latency (p50/p99), model size.

    python benchmarks/bench_coder.py [--n 2000]

Prints figures for the trained coder next to the rule-based coder (a simple baseline)
measured in the same run, and for the Vietnamese and Chinese coders as a session in that
language runs them (the multilingual coder set to read the language: the line's language
is checked, then its coder runs). Cold load is timed in a fresh interpreter, with and
without the numpy import the rest of the app pays anyway. Counsellor responses and client
lines are timed apart: a response is coded while the trainee waits, a client line in
batches (transcripts, the validator), with a longer input (encoder.CODING_BUDGET).
Targets: cold load <= 300 ms, p99 <= 10 ms per English counsellor response and <= 20 ms per
Vietnamese or Chinese one, with context, on one core; model files <= 40 MB together.
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


def latency(coder, n: int, seed: int = 1, language: str = "en") -> dict[str, tuple[float, float, float]]:
    """p50, p99 and max milliseconds per response and per client line, each with context."""
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
    from mitrainer.coding import default_coder, reading
    from mitrainer.coding.languages.model import language_model_path
    from mitrainer.coding.linear import MODEL_PATH
    from mitrainer.coding.model import TrainedCoder
    from mitrainer.coding.rules import RuleBasedCoder

    print(f"python {sys.version.split()[0]}, one core, {args.n} utterances per coder\n")
    print(f"{'coder':<14}{'cold load':>12}{'(w/o numpy)':>13}   {'line':<12}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    multilingual = default_coder()
    for name, module, cls, load_args, coder, language in (
            ("rule-based", "rules", "RuleBasedCoder", "", RuleBasedCoder(), "en"),
            ("trained", "model", "TrainedCoder", "", TrainedCoder(), "en"),
            ("trained (vi)", "languages.model", "LanguageCoder", "'vi'", reading(multilingual, "vi", "vi"), "vi"),
            ("trained (zh)", "languages.model", "LanguageCoder", "'zh'", reading(multilingual, "zh", "zh"), "zh")):
        total, own = cold_load(module, cls, args=load_args)
        for i, (kind, (p50, p99, worst)) in enumerate(latency(coder, args.n, language=language).items()):
            head = f"{name:<14}{total:>10.0f}ms{own:>11.0f}ms" if i == 0 else " " * 38
            print(f"{head}   {kind:<12}{p50:>9.2f}{p99:>9.2f}{worst:>9.2f}")
    long_text = "So you feel tired of the clinic and the queue. " * 430
    coder = TrainedCoder()
    t = time.perf_counter()
    coder.code_response(long_text)
    print(f"\n20 000-character utterance: {(time.perf_counter() - t) * 1000:.1f} ms (trained)")
    from mitrainer.coding.encoder import ENCODER_PATH

    sizes = {path.name: path.stat().st_size / 1e6
             for path in (MODEL_PATH, ENCODER_PATH, language_model_path("vi"), language_model_path("zh"))}
    print(f"model files: {sum(sizes.values()):.1f} MB (" + ", ".join(f"{n} {v:.1f} MB" for n, v in sizes.items())
          + ")")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
