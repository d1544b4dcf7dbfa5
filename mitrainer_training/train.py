"""Train the coder and write its model file: ``python -m mitrainer_training.train``.

Needs the ``train`` extra (scikit-learn) and the AnnoMI CSV (``--annomi PATH``, or
``$MITRAINER_ANNOMI``, default ``../shared/data/annomi/annomi-full-train.csv`` next to
the repository). Deterministic for a given seed: it regenerates the committed
``mitrainer/coding/data/coder-model.npz``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mitrainer.codes import Speaker, Subtype
from mitrainer.coding.families import FAMILIES, FAMILY_CODES
from mitrainer.coding.features import LETTERS, Featurizer, normalize
from mitrainer.coding.linear import KNOWN_WORD_BITS, MODEL_PATH, Head, LinearModel, word_bucket
from mitrainer_training.dataset import (
    TALK_CLASSES,
    Record,
    annomi_path,
    load_annomi,
    load_examples,
    load_exemplar_records,
)

SEED = 20240826
BITS = 18
# Written examples are few next to AnnoMI's thousands of lines, so they count more in the
# heads only they teach (codes within a family, DARN-CAT); in the family and talk heads
# they count less, since AnnoMI's experts code some of them differently (asking
# permission is a question there, seeking collaboration here).
EXAMPLE_WEIGHT = {"family": 0.3, "has_question": 0.3, "has_reflection": 0.3, "has_input": 0.3, "talk": 0.5}
EXAMPLE_WEIGHT_DEFAULT = 2.0
# The scenarios' exemplars and distractors (author-coded, in the app's own settings):
# they count three times in the family head (in-domain lines teach what a trainee's
# affirmation or persuasion looks like) and once elsewhere.
EXEMPLAR_WEIGHT = {"family": 3.0, "has_question": 1.0, "has_reflection": 1.0, "has_input": 1.0}
EXEMPLAR_WEIGHT_DEFAULT = 1.0


def sample_weight(record: Record, head: str) -> float:
    """How much one training line counts in ``head``, by where it comes from."""
    if record.source == "examples":
        return EXAMPLE_WEIGHT.get(head, EXAMPLE_WEIGHT_DEFAULT)
    if record.source == "exemplars":
        return EXEMPLAR_WEIGHT.get(head, EXEMPLAR_WEIGHT_DEFAULT)
    return 1.0


@dataclass(frozen=True)
class HeadSpec:
    name: str
    speaker: Speaker
    classes: tuple[str, ...]
    label: Callable[[Record], str | None]
    c: float = 1.0


def _flag(attr: str) -> Callable[[Record], str | None]:
    def label(r: Record) -> str | None:
        v = getattr(r, attr)
        return None if v is None else ("yes" if v else "no")
    return label


def _sub(family: str) -> Callable[[Record], str | None]:
    attr = {"question": "question", "reflection": "reflection", "therapist_input": "tinput",
            "other": "other"}[family]

    def label(r: Record) -> str | None:
        code = getattr(r, attr)
        return code.value if code is not None else None
    return label


def head_specs(c: float = 1.0) -> list[HeadSpec]:
    specs = [
        HeadSpec("family", Speaker.COUNSELLOR, FAMILIES, lambda r: r.family if r.family in FAMILIES else None, c),
        HeadSpec("has_question", Speaker.COUNSELLOR, ("no", "yes"), _flag("has_question"), c),
        HeadSpec("has_reflection", Speaker.COUNSELLOR, ("no", "yes"), _flag("has_reflection"), c),
        HeadSpec("has_input", Speaker.COUNSELLOR, ("no", "yes"), _flag("has_input"), c),
    ]
    for fam in FAMILIES:
        specs.append(HeadSpec(f"sub_{fam}", Speaker.COUNSELLOR, tuple(x.value for x in FAMILY_CODES[fam]),
                              _sub(fam), c))
    specs.append(HeadSpec("talk", Speaker.CLIENT, tuple(t.value for t in TALK_CLASSES),
                          lambda r: r.talk.value if r.talk else None, c))
    specs.append(HeadSpec("subtype", Speaker.CLIENT, tuple(s.value for s in Subtype),
                          lambda r: r.subtype.value if r.subtype else None, c))
    return specs


def featurize(records: Sequence[Record], featurizer: Featurizer):
    """A CSR matrix of the records' features (scipy comes with scikit-learn)."""
    from scipy.sparse import csr_matrix

    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for r in records:
        idx, vals = featurizer.transform(r.text, r.context, r.speaker)
        indices.extend(idx)
        data.extend(vals)
        indptr.append(len(indices))
    return csr_matrix((np.asarray(data, np.float32), np.asarray(indices, np.int32), np.asarray(indptr)),
                      shape=(len(records), 1 << featurizer.bits))


def known_word_bits(records: Sequence[Record]) -> np.ndarray:
    counts: dict[str, int] = {}
    for r in records:
        for w in LETTERS.findall(normalize(r.text)):
            w = w.strip("'")
            if w:
                counts[w] = counts.get(w, 0) + 1
    bits = np.zeros((1 << KNOWN_WORD_BITS) // 8, dtype=np.uint8)
    for w, n in counts.items():
        if n >= 2:
            b = word_bucket(w)
            bits[b >> 3] |= np.uint8(1 << (b & 7))
    return bits


def fit(records: Sequence[Record], seed: int = SEED, bits: int = BITS, c: float = 1.0,
        matrix=None, verbose: bool = False) -> LinearModel:
    """Fit every head on ``records`` and return the model (not saved)."""
    from sklearn.linear_model import LogisticRegression

    featurizer = Featurizer(bits)
    X = matrix if matrix is not None else featurize(records, featurizer)
    specs = head_specs(c)
    columns = sum(len(s.classes) for s in specs)
    weights = np.zeros((1 << bits, columns), dtype=np.float32)
    bias = np.zeros(columns, dtype=np.float32)
    heads: list[Head] = []
    start = 0
    for spec in specs:
        rows = [i for i, r in enumerate(records) if r.speaker is spec.speaker and spec.label(r) in spec.classes]
        y = np.array([spec.classes.index(spec.label(records[i])) for i in rows])
        sw = np.array([sample_weight(records[i], spec.name) for i in rows])
        present = sorted(set(y.tolist()))
        if len(present) < 2:
            raise SystemExit(f"head {spec.name}: fewer than two classes in the training data")
        clf = LogisticRegression(C=spec.c, class_weight="balanced", max_iter=2000, random_state=seed)
        # Only the buckets these lines use can get a weight (L2 keeps the rest at zero);
        # fitting on them alone is the same model, several times faster.
        Xh = X[rows]
        cols = np.unique(Xh.indices)
        clf.fit(Xh[:, cols], y, sample_weight=sw)
        coef = np.zeros((clf.coef_.shape[0], X.shape[1]), dtype=np.float64)
        coef[:, cols] = clf.coef_
        inter = clf.intercept_
        if len(clf.classes_) == 2:  # binary: one weight vector for the second class
            coef = np.vstack([np.zeros_like(coef[0]), coef[0]])
            inter = np.array([0.0, inter[0]])
        for j, cls in enumerate(clf.classes_):
            weights[:, start + int(cls)] = coef[j]
            bias[start + int(cls)] = inter[j]
        for k in set(range(len(spec.classes))) - set(present):
            bias[start + k] = -30.0  # a class never seen in training is never predicted
        if verbose:
            print(f"  head {spec.name}: {len(rows)} lines", file=sys.stderr)
        heads.append(Head(spec.name, spec.classes, start))
        start += len(spec.classes)
    return LinearModel(weights, bias, heads, bits, known_word_bits(records),
                       {"seed": seed, "c": c, "lines": len(records)})


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m mitrainer_training.train", description=__doc__.split("\n")[0])
    ap.add_argument("--annomi", metavar="CSV", help="AnnoMI CSV (default: $MITRAINER_ANNOMI or "
                    "../shared/data/annomi/annomi-full-train.csv)")
    ap.add_argument("--out", metavar="NPZ", default=str(MODEL_PATH), help="where to write the model file")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--c", type=float, default=1.0, help="inverse regularisation strength")
    args = ap.parse_args(argv)
    path = annomi_path(args.annomi)
    if not path.is_file():
        print(f"AnnoMI CSV not found: {path} (pass --annomi or set $MITRAINER_ANNOMI)", file=sys.stderr)
        return 2
    records = load_annomi(path) + load_examples() + load_exemplar_records()
    print(f"training on {len(records)} lines ({path})", file=sys.stderr)
    model = fit(records, seed=args.seed, c=args.c, verbose=True)
    out = Path(args.out)
    model.save(out)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
