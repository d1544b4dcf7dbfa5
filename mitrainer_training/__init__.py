"""Training and evaluating mitrainer's coder and scores (run from a checkout; not in the wheel).

* ``python -m mitrainer_training.train`` / ``train_encoder`` — the coder's two model files;
* ``python -m mitrainer_training.evaluate`` — the coder against AnnoMI, the scenarios'
  exemplars and held-out lines;
* ``python -m mitrainer_training.evaluate_scores`` — how well session scores tell high from
  low MI quality.

These serve the people who build the coder, not its users: the installed trainer never
imports them (an import-linter contract in ``pyproject.toml`` keeps it so). They need the
``train`` extra and the AnnoMI data (see docs/coder.md).
"""
