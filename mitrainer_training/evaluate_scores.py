"""Do the scores mean something? Separate high- from low-quality counselling in AnnoMI.

``python -m mitrainer_training.evaluate_scores [--annomi CSV] [--labels machine|human] [--folds K] [--json]``

Every AnnoMI transcript (Wu et al., 2022/2023; rated high or low MI quality as a whole) is
scored with the standard rubric exactly as ``mitrainer score`` scores a transcript, and
the ROC AUC of the rubric's overall score for telling high from low quality is reported,
with the AUC of each metric beside it.

``--labels machine`` (the default) codes the therapist and client lines with the coder;
AnnoMI's own labels are not used. The shipped coder was trained on these very
transcripts, so by default (``--folds 5``) each transcript is coded by a coder trained
afresh, with the coder's own training code, on the *other* folds' transcripts (plus the
project's written examples): no transcript is coded by a model that saw it.
``--folds 0`` codes with the shipped ``default_coder()`` instead (in-sample, optimistic).
``--labels human`` scores AnnoMI's expert labels, as a reference for what the rubric can
do with perfect coding. The data is read where it lies (``$MITRAINER_ANNOMI`` or
``../shared/data/annomi/annomi-full-train.csv`` from the repository root); it is never
copied into the project.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from mitrainer.codes import SkillCode
from mitrainer.scoring.rubric import Rubric
from mitrainer.scoring.rubric_load import get_rubric, load_rubric
from mitrainer.scoring.score import SessionScore
from mitrainer.scoring.transcript import Line, score_transcript

ENV_ANNOMI = "MITRAINER_ANNOMI"
DEFAULT_SEED = 20240826  # the coder's training seed
REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ANNOMI = REPO_ROOT / ".." / "shared" / "data" / "annomi" / "annomi-full-train.csv"

_INPUT = {"information": SkillCode.GIVING_INFORMATION, "advice": SkillCode.PERSUADE,
          "negotiation": SkillCode.SEEKING_COLLABORATION, "options": SkillCode.PERSUADE_WITH_PERMISSION}


def annomi_path(path: str | None = None) -> Path:
    """The AnnoMI CSV: ``path``, else ``$MITRAINER_ANNOMI``, else the shared data folder."""
    if path:
        return Path(path)
    return Path(os.environ.get(ENV_ANNOMI) or DEFAULT_ANNOMI).resolve()


def _human_codes(row: dict) -> tuple[str, ...]:
    """AnnoMI's expert labels for a line, as the codes a person would write in a codes column."""
    if row["interlocutor"] != "therapist":
        talk = row["client_talk_type"]
        return (talk,) if talk in ("change", "sustain", "neutral") else ()
    codes: list[SkillCode] = []
    reflection = {"simple": SkillCode.SIMPLE_REFLECTION, "complex": SkillCode.COMPLEX_REFLECTION}
    question = {"open": SkillCode.OPEN_QUESTION, "closed": SkillCode.CLOSED_QUESTION}
    if row["reflection_exists"] == "True" and row["reflection_subtype"] in reflection:
        codes.append(reflection[row["reflection_subtype"]])
    if row["question_exists"] == "True" and row["question_subtype"] in question:
        codes.append(question[row["question_subtype"]])
    if row["therapist_input_exists"] == "True" and row["therapist_input_subtype"] in _INPUT:
        codes.append(_INPUT[row["therapist_input_subtype"]])
    return tuple(c.value for c in codes) or (SkillCode.OTHER.value,)


def load_transcripts(path: Path, labels: str) -> dict[str, tuple[str, list[Line]]]:
    """transcript id → (mi_quality, lines), lines in conversation order."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    grouped: dict[str, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row["transcript_id"], []).append(row)
    transcripts = {}
    for tid, trows in grouped.items():
        trows.sort(key=lambda r: int(r["utterance_id"]))
        lines = [Line(*_speaker_text(r), (_human_codes(r) or None) if labels == "human" else None) for r in trows]
        transcripts[tid] = (trows[0]["mi_quality"], lines)
    return transcripts


def _speaker_text(row: dict):
    from mitrainer.codes import Speaker

    return (Speaker.COUNSELLOR if row["interlocutor"] == "therapist" else Speaker.CLIENT), row["utterance_text"] or ""


def roc_auc(positive: Sequence[float], negative: Sequence[float]) -> float:
    """P(a positive scores above a negative), ties counting one half (Mann–Whitney)."""
    if not positive or not negative:
        raise ValueError("the AUC needs at least one case of each class")
    wins = 0.0
    for p in positive:
        for n in negative:
            wins += 1.0 if p > n else 0.5 if p == n else 0.0
    return wins / (len(positive) * len(negative))


METRIC_VALUES: dict[str, Callable[[SessionScore], float | None]] = {
    "overall": lambda s: s.overall,
    "relational": lambda s: s.relational,
    "technical": lambda s: s.technical,
    "cultivating_change_talk": lambda s: s.globals["cultivating_change_talk"],
    "softening_sustain_talk": lambda s: s.globals["softening_sustain_talk"],
    "partnership": lambda s: s.globals["partnership"],
    "empathy": lambda s: s.globals["empathy"],
    "rq_ratio": lambda s: s.rq_ratio,
    "pct_complex": lambda s: s.pct_complex,
    "pct_open": lambda s: s.pct_open,
    "non_adherent (lower is better)": lambda s: -s.non_adherent / max(1, s.turns),
}


def fold_of(path: Path, folds: int, seed: int) -> dict[str, int]:
    """transcript id → its fold, with the coder evaluation's split (shuffled ids, every k-th)."""
    import random

    from mitrainer_training.dataset import groups_of, load_annomi

    groups = groups_of(load_annomi(path))
    random.Random(seed).shuffle(groups)
    return {tid: k for k in range(folds) for tid in groups[k::folds]}


def _score_fold(path: Path, fold: int, folds: int, seed: int, rubric: Rubric, encoder: bool = True,
                cache: Path | None = None) -> dict[str, tuple[str, SessionScore]]:
    """Train a coder without fold ``fold`` and score that fold's transcripts with it.

    ``encoder``: fine-tune the transformer on the same lines too (as the shipped coder
    has one); ``cache``: a folder where those encoders are kept for the next run.
    """
    from mitrainer.coding.model import TrainedCoder
    from mitrainer_training.dataset import load_annomi, load_examples
    from mitrainer_training.train import fit

    held_out = {tid for tid, k in fold_of(path, folds, seed).items() if k == fold}
    train = [r for r in load_annomi(path) if r.group not in held_out] + load_examples()
    model = fit(train, seed=seed).shipped()  # int8 weights, as the app loads them
    trained_encoder = None
    if encoder:
        from mitrainer_training.train_encoder import train_split_encoder

        trained_encoder = train_split_encoder(train, cache, seed=seed)
    coder = TrainedCoder(model, encoder=trained_encoder)
    transcripts = load_transcripts(path, "machine")
    return {tid: (quality, score_transcript(lines, rubric, coder=coder))
            for tid, (quality, lines) in transcripts.items() if tid in held_out}


def cross_fitted_scores(path: Path, folds: int, seed: int, rubric: Rubric, jobs: int, encoder: bool = True,
                        cache: Path | None = None) -> dict[str, tuple[str, SessionScore]]:
    """Every transcript scored with codes from a coder that did not see it.

    Folds run in parallel processes when only linear models are trained; fine-tuning
    encoders runs one fold at a time (PyTorch uses every core, or the GPU, by itself).
    """
    scores: dict[str, tuple[str, SessionScore]] = {}
    if jobs <= 1 or encoder:
        for k in range(folds):
            print(f"  fold {k + 1}/{folds}: training the coder…", file=sys.stderr)
            scores.update(_score_fold(path, k, folds, seed, rubric, encoder, cache))
        return scores
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=min(jobs, folds)) as pool:
        jobs_args = [(path, k, folds, seed, rubric, encoder, cache) for k in range(folds)]
        for part in pool.map(_score_fold, *zip(*jobs_args, strict=True)):
            scores.update(part)
    return scores


def bootstrap_auc(high: Sequence[float], low: Sequence[float], seed: int, rounds: int = 2000,
                  ) -> tuple[float, float]:
    """A 95% percentile interval for the AUC, resampling transcripts within each class."""
    import random

    rng = random.Random(seed)
    values = sorted(roc_auc(rng.choices(high, k=len(high)), rng.choices(low, k=len(low))) for _ in range(rounds))
    return values[int(0.025 * rounds)], values[int(0.975 * rounds) - 1]


def evaluate(path: Path, labels: str, rubric: Rubric, folds: int = 0, seed: int = DEFAULT_SEED,
             jobs: int = 1, encoder: bool = True, cache: Path | None = None) -> dict:
    """Score every transcript and return the AUC of each metric (overall first, with a 95% interval)."""
    result: dict = {"data": str(path), "labels": labels, "rubric": rubric.id, "auc": {}}
    if labels == "machine" and folds > 1:
        scores = cross_fitted_scores(path, folds, seed, rubric, jobs, encoder, cache)
        result["coder"] = (f"trained, {folds}-fold cross-fitted by transcript (seed {seed}), "
                           + ("linear model and encoder" if encoder else "linear model only"))
    else:
        if labels == "machine":
            from mitrainer.coding import default_coder

            result["coder"] = f"{default_coder().name} (the shipped model; it may have seen these transcripts)"
        scores = {tid: (quality, score_transcript(lines, rubric))
                  for tid, (quality, lines) in load_transcripts(path, labels).items()}
    result["transcripts"] = {"high": sum(q == "high" for q, _ in scores.values()),
                             "low": sum(q == "low" for q, _ in scores.values())}
    for key, value in METRIC_VALUES.items():
        # A transcript where a metric is undefined (no questions for R:Q …) ranks at the bottom.
        high = [_or_low(value(s)) for q, s in scores.values() if q == "high"]
        low = [_or_low(value(s)) for q, s in scores.values() if q == "low"]
        result["auc"][key] = round(roc_auc(high, low), 4)
        if key == "overall":
            result["overall_auc_95"] = [round(v, 4) for v in bootstrap_auc(high, low, seed)]
    # Transcripts with too few coded responses have no overall score: the means leave them out.
    overalls = {quality: [s.overall for q, s in scores.values() if q == quality and s.overall is not None]
                for quality in ("high", "low")}
    result["mean_overall"] = {quality: round(sum(values) / max(1, len(values)), 3)
                              for quality, values in overalls.items()}
    return result


def _or_low(value: float | None) -> float:
    return float("-inf") if value is None else value


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m mitrainer_training.evaluate_scores", description=__doc__.split("\n")[0])
    ap.add_argument("--annomi", help="the AnnoMI CSV (default: $MITRAINER_ANNOMI or ../shared/data/annomi/)")
    ap.add_argument("--labels", choices=("machine", "human"), default="machine",
                    help="code with the coder (default) or use AnnoMI's expert labels")
    ap.add_argument("--folds", type=int, default=5,
                    help="machine labels: train the coder afresh k times, each transcript coded by the model that "
                    "did not see it (default: 5; 0: use the shipped coder)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed for the folds and the training")
    ap.add_argument("--jobs", type=int, default=min(5, os.cpu_count() or 1),
                    help="folds trained in parallel (default: up to 5, one per CPU)")
    ap.add_argument("--no-encoder", action="store_true",
                    help="cross-fit the linear model alone (no PyTorch needed; the shipped coder also has an encoder)")
    ap.add_argument("--encoder-cache", metavar="DIR",
                    help="keep the fine-tuned fold encoders here and reuse them in the next run")
    ap.add_argument("--rubric", help="a rubric file (default: the bundled standard rubric)")
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    args = ap.parse_args(argv)
    path = annomi_path(args.annomi)
    if not path.is_file():
        print(f"AnnoMI not found at {path}; pass --annomi or set {ENV_ANNOMI}", file=sys.stderr)
        return 2
    rubric = load_rubric(args.rubric).require() if args.rubric else get_rubric()
    if args.labels == "machine" and args.folds > 1:
        try:
            import sklearn  # noqa: F401  (training the fold coders needs it)
        except ImportError:
            print("cross-fitting trains the coder and needs scikit-learn (pip install 'mitrainer[train]'); "
                  "or pass --folds 0 to use the shipped coder", file=sys.stderr)
            return 2
        if not args.no_encoder:
            try:
                import torch  # noqa: F401  (fine-tuning the fold encoders needs it)
            except ImportError:
                print("cross-fitting fine-tunes the coder's encoder and needs PyTorch (pip install "
                      "'mitrainer[train]'); or pass --no-encoder to cross-fit the linear model alone",
                      file=sys.stderr)
                return 2
    cache = Path(args.encoder_cache) if args.encoder_cache else None
    result = evaluate(path, args.labels, rubric, args.folds, args.seed, args.jobs, not args.no_encoder, cache)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"AnnoMI: {result['transcripts']['high']} high- and {result['transcripts']['low']} low-quality "
          f"transcripts; labels: {args.labels}" + (f" (coder: {result['coder']})" if "coder" in result else "")
          + f"; rubric: {result['rubric']}")
    print(f"mean overall score: high {result['mean_overall']['high']}, low {result['mean_overall']['low']}")
    low, high = result["overall_auc_95"]
    print(f"ROC AUC of the overall score: {result['auc']['overall']:.3f} (95% bootstrap interval {low:.3f}–{high:.3f})")
    print("ROC AUC (high vs low quality) per measure:")
    for key, auc in result["auc"].items():
        print(f"  {key:<34} {auc:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
