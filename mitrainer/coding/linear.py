"""The trained coder's linear heads over hashed features: the model file and its arithmetic.

The model file (``coding/data/coder-model.npz``, written by ``python -m
mitrainer_training.train`` in a checkout of the repository) holds plain arrays and JSON text, loaded with
``allow_pickle=False``:

* ``rows`` (int32) and ``weights`` (int8, rows × columns) with ``scale`` (float32, one per
  column): the non-zero rows of the weight matrix over the ``2**bits`` feature buckets;
  ``bias`` (float32, columns);
* ``heads``: JSON list of ``{"name", "classes", "start"}``: which columns each softmax
  head owns;
* ``known_words``: a bit set of the words seen in training, to tell English from text
  the model cannot read;
* ``meta``: JSON with the format version, bits, seed and training figures.

Heads: ``family`` (question / reflection / therapist_input / other), ``has_question`` /
``has_reflection`` / ``has_input`` (several codes in one volley), one head per family
for its codes, ``talk`` (change / neutral / sustain) and ``subtype`` (DARN-CAT).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from mitrainer.codes import Speaker
from mitrainer.coding.base import Utterance
from mitrainer.coding.families import FAMILIES
from mitrainer.coding.features import Featurizer
from mitrainer.coding.modelfile import read_model_file
from mitrainer.errors import ModelFileError

MODEL_PATH = Path(__file__).resolve().parent / "data" / "coder-model.npz"
FORMAT = "mitrainer-coder/1"
KNOWN_WORD_BITS = 20
ENGLISH_HEADS = frozenset({"family", "talk", "subtype", *(f"sub_{f}" for f in FAMILIES)})


class TextFeatures(Protocol):
    """What turns a line and its context into hashed features: :class:`Featurizer` for English,
    :class:`mitrainer.coding.languages.features.LanguageFeaturizer` for Vietnamese and Chinese."""

    bits: int

    def transform(self, text: str, context: Sequence[Utterance], speaker: Speaker) -> tuple[list[int], list[float]]:
        ...


def word_bucket(word: str) -> int:
    """The bit of the known-words set that stands for ``word``."""
    return zlib.crc32(word.encode("utf-8")) & ((1 << KNOWN_WORD_BITS) - 1)


@dataclass(frozen=True)
class Head:
    name: str
    classes: tuple[str, ...]
    start: int

    @property
    def stop(self) -> int:
        return self.start + len(self.classes)


def softmax(z: np.ndarray) -> np.ndarray:
    """Probabilities from one head's raw scores (shifted by the maximum, so it never overflows)."""
    z = z - z.max()
    e = np.exp(z)
    return e / e.sum()


class SparseRows:
    """The non-zero rows of a (2**bits × columns) weight matrix, gathered by bucket index."""

    def __init__(self, rows: np.ndarray, values: np.ndarray):
        self.rows = rows  # sorted bucket indices
        self.values = values  # (len(rows), columns) float32

    def __getitem__(self, idx) -> np.ndarray:
        idx = np.asarray(idx, dtype=np.int64)
        if not len(self.rows):
            return np.zeros((len(idx), self.values.shape[1]), dtype=np.float32)
        pos = np.minimum(np.searchsorted(self.rows, idx), len(self.rows) - 1)
        hit = self.rows[pos] == idx
        out = self.values[pos]
        out[~hit] = 0.0
        return out


class LinearModel:
    """The arrays of a model file and the arithmetic over them."""

    def __init__(self, weights: np.ndarray | SparseRows, bias: np.ndarray, heads: Sequence[Head], bits: int,
                 known_words: np.ndarray, meta: dict | None = None, featurizer: TextFeatures | None = None):
        self.weights = weights  # (2**bits, columns) float32, or SparseRows once loaded
        self.bias = bias
        self.heads = {h.name: h for h in heads}
        # English by default; the Vietnamese and Chinese models bring their own featurizer.
        self.featurizer: TextFeatures = featurizer if featurizer is not None else Featurizer(bits)
        self.known_words = known_words
        self.meta = meta or {}

    def known_word(self, word: str) -> bool:
        b = word_bucket(word)
        return bool(self.known_words[b >> 3] & (1 << (b & 7)))

    def scores(self, text: str, context: Sequence[Utterance], speaker: Speaker) -> np.ndarray:
        return self.scores_of(*self.featurizer.transform(text, context, speaker))

    def scores_of(self, idx: Sequence[int], vals: Sequence[float]) -> np.ndarray:
        """The raw scores of every head for a line's hashed features."""
        if not idx:
            return self.bias.copy()
        return np.asarray(vals, dtype=np.float32) @ self.weights[idx] + self.bias

    def probs(self, raw: np.ndarray, head: str) -> dict[str, float]:
        h = self.heads[head]
        p = softmax(raw[h.start:h.stop].astype(np.float64))
        return dict(zip(h.classes, (float(v) for v in p), strict=True))

    # -- file format ----------------------------------------------------------------

    def _quantised(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The non-zero rows, their int8 weights and one float32 scale per column.

        A quarter of float32; the rounding moves the hold-out macro-F1 by a few thousandths
        (0.748 → 0.745 on the counsellor 4-class), so evaluation measures the rounded model.
        """
        assert isinstance(self.weights, np.ndarray), "only a freshly fitted (dense) model is quantised"
        nz = np.flatnonzero(np.any(self.weights != 0, axis=1)).astype(np.int32)
        dense = self.weights[nz]
        scale = np.maximum(np.abs(dense).max(axis=0), 1e-12) / 127.0
        return nz, np.round(dense / scale).astype(np.int8), scale.astype(np.float32)

    def shipped(self) -> LinearModel:
        """This freshly fitted model as the app will load it from its file (int8 weights)."""
        rows, packed, scale = self._quantised()
        return LinearModel(SparseRows(rows.astype(np.int64), packed.astype(np.float32) * scale), self.bias,
                           list(self.heads.values()), self.featurizer.bits, self.known_words, self.meta,
                           self.featurizer)

    def save(self, path: Path) -> None:
        nz, quantised, scale = self._quantised()
        heads = [{"name": h.name, "classes": list(h.classes), "start": h.start} for h in self.heads.values()]
        meta = {"format": FORMAT, **self.meta, "bits": self.featurizer.bits}
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as fh:
            # Not compressed: loading (the app's cold start) matters more than file size.
            np.savez(
                fh,
                rows=nz,
                weights=quantised,
                scale=scale,
                bias=self.bias.astype(np.float32),
                heads=np.array(json.dumps(heads)),
                known_words=self.known_words.astype(np.uint8),
                meta=np.array(json.dumps(meta, sort_keys=True)),
            )

    @classmethod
    def load(cls, path: Path | str = MODEL_PATH, *, fmt: str = FORMAT,
             required: frozenset[str] | None = None, command: str = "python -m mitrainer_training.train",
             featurizer: Callable[[dict], TextFeatures] | None = None) -> LinearModel:
        """Load a model file; anything wrong with it raises :class:`ModelFileError`.

        The defaults read the English model; the Vietnamese and Chinese models pass their
        format, heads, the command that regenerates them and a featurizer built from the
        file's ``meta``.
        """
        required = ENGLISH_HEADS if required is None else required
        with read_model_file(path, "coder model file", fmt, command) as (data, meta):
            bits = int(meta["bits"])
            heads = [Head(h["name"], tuple(h["classes"]), int(h["start"]))
                     for h in json.loads(str(data["heads"]))]
            rows = data["rows"].astype(np.int64)
            packed = data["weights"]
            scale = data["scale"].astype(np.float32)
            bias = data["bias"].astype(np.float32)
            known = data["known_words"].astype(np.uint8)
        columns = bias.shape[0] if bias.ndim == 1 else -1
        if (packed.ndim != 2 or packed.shape != (rows.shape[0], columns) or not 8 <= bits <= 24
                or packed.dtype != np.int8 or scale.shape != (columns,)
                or (rows.size > 1 and np.any(np.diff(rows) <= 0))
                or (rows.size and (rows.min() < 0 or rows.max() >= 1 << bits))
                or known.shape != ((1 << KNOWN_WORD_BITS) // 8,)
                or any(h.stop > columns for h in heads)):
            raise ModelFileError(f"coder model file {path} is corrupt: arrays do not fit together")
        names = {h.name for h in heads}
        missing = required - names
        if missing:
            raise ModelFileError(f"coder model file {path} lacks heads: {', '.join(sorted(missing))}")
        if not np.all(np.isfinite(scale)) or not np.all(np.isfinite(bias)):
            raise ModelFileError(f"coder model file {path} is corrupt: weights are not finite")
        try:
            made = featurizer(meta) if featurizer is not None else Featurizer(bits)
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelFileError(f"coder model file {path} is corrupt: its meta does not say how to read text ({exc})") from exc
        return cls(SparseRows(rows, packed.astype(np.float32) * scale), bias, heads, bits, known, meta, made)
