"""Train the Vietnamese and Chinese coders: ``python -m mitrainer_training.train_languages [--language vi]``.

Needs scikit-learn (the ``train`` extra) and nothing else: the examples ship with the
repository, and the bundled scenarios' exemplars are read too (:mod:`mitrainer_training.languages`). Deterministic for a given seed: it
regenerates the committed ``mitrainer/coding/data/coder-vi.npz`` and ``coder-zh.npz``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from mitrainer_training.languages import SEED, C, fit_language, load_training_examples, model_path


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m mitrainer_training.train_languages",
                                 description=__doc__.split("\n")[0])
    ap.add_argument("--language", choices=("vi", "zh"), action="append",
                    help="the language to train (repeat; default: both)")
    ap.add_argument("--out-dir", metavar="DIR", help="write the model files here instead of mitrainer/coding/data")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--c", type=float, default=C, help="inverse regularisation strength")
    ap.add_argument("--no-scenarios", action="store_true",
                    help="leave the bundled scenarios' exemplars out of training (for comparison)")
    args = ap.parse_args(argv)
    for language in args.language or ["vi", "zh"]:
        examples = load_training_examples(language, scenarios=not args.no_scenarios)
        print(f"{language}: training on {len(examples)} examples", file=sys.stderr)
        model = fit_language(examples, language, seed=args.seed, c=args.c)
        out = Path(args.out_dir) / model_path(language).name if args.out_dir else model_path(language)
        model.save(out)
        print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
