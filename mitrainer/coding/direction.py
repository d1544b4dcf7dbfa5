"""The direction judge: which side of the client's ambivalence a counsellor response strengthens.

What a counsellor reflects, asks about, affirms or summarises is what the client says more
about (MI-REFERENCE, "What you reflect grows"). The judge gives every response coded after a
client line a :class:`~mitrainer.codes.Direction`:

* ``change``: it invites the client to say more for change (a double-sided reflection
  counts by the side it ends on);
* ``sustain``: the same for the status quo, or for discord; a righting reflex *for* the
  status quo ("Forget reducing for now") is sustain;
* ``neutral``: neither (logistics, facts, greetings), and persuasion or confrontation that
  reflects no side of the client: its problem is its form, which the code already shows.

A response with no client line before it is ``neutral``.

How: the client's line is cut into clauses (sentences, and around "but", "though",
"and yet", …) unless the scenario marks its change and sustain parts (:class:`ClientSides`).
A small *side model* (hashed word and character n-grams, a linear softmax trained on
client lines and on counsellor reflections turned into the first person) reads each
clause, the response turned into the first person ("You want to be there for him" → "I
want to be there for him") and the clause it ends on. A *head* (a linear softmax) weighs
those readings with the words the response shares with each clause, the form the coder
found (question, reflection, input) and the response's own n-grams. Training and the
figures: ``python -m mitrainer_training.train_direction`` and docs/coder.md.

The file (``coding/data/coder-direction.npz``) holds plain arrays (int8 weights with a
float32 scale per column, float32 biases and feature scaling) and JSON text, loaded with
``allow_pickle=False``.
"""

from __future__ import annotations

import json
import math
import re
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from mitrainer.codes import Direction, Speaker
from mitrainer.coding.base import ClientSides, Utterance
from mitrainer.coding.features import content_words, normalize, tokens
from mitrainer.coding.modelfile import read_model_file
from mitrainer.errors import ModelFileError

DIRECTION_PATH = Path(__file__).resolve().parent / "data" / "coder-direction.npz"
FORMAT = "mitrainer-direction/1"
CLASSES = (Direction.CHANGE, Direction.NEUTRAL, Direction.SUSTAIN)
# Clauses of a client line read at most (a long line's first ones), and characters of it.
MAX_CLAUSES = 6
MAX_CLIENT_CHARS = 600

# -- the parts of a line ----------------------------------------------------------------

# Where an ambivalent line turns: a sentence end, a semicolon or dash, or a contrast word.
_TURN = re.compile(r"(?<=[.?!;])\s+|\s+-+\s+|,?\s+(?=(?:but|though|although|even though|and yet|yet|however|"
                   r"except|still|whereas|on the other hand)\b)|,\s*(?:though|however)\b[,.]?")


# Where a double-sided reflection joins its two sides ("…, and at the same time you…").
_JOIN = re.compile(r"(?<=[.?!;])\s+|,\s+(?=(?:and|but|yet|while|although|though|whereas|even though|at the same time)\b)|"
                   r"\s+(?=(?:and at the same time|and yet|but at the same time|while at the same time)\b)")


def last_side(text: str) -> str:
    """The part a response ends on: after the last sentence end or the join of a double-sided reflection."""
    parts = [p.strip(" ,.;") for p in _JOIN.split(normalize(text)) if p and p.strip(" ,.;")]
    return parts[-1] if parts else normalize(text)


def first_side(text: str) -> str:
    """The part a response starts with (the first side of a double-sided reflection)."""
    parts = [p.strip(" ,.;") for p in _JOIN.split(normalize(text)) if p and p.strip(" ,.;")]
    return parts[0] if parts else normalize(text)


def two_sided(text: str) -> bool:
    """Whether a response joins two sides (its last part is not the whole of it)."""
    return last_side(text) != normalize(text).strip(" ,.;")


def clauses(text: str) -> list[str]:
    """The parts of a line between its turns ("I want to stop. But it's my only break" → 2)."""
    parts = [p.strip(" ,.;") for p in _TURN.split(normalize(text)) if p and p.strip(" ,.;")]
    return parts or [normalize(text)]


_SUFFIXES = ("ing", "ed", "es", "s", "ly", "er")


def _stem(word: str) -> str:
    word = word.removesuffix("'s")
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def stems(text: str) -> frozenset[str]:
    """Content words of ``text`` with light stemming ("drinking", "drinks" → "drink")."""
    return frozenset(_stem(w) for w in content_words(tokens(normalize(text))))


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Shared content words, scaled by both lengths (cosine of the two word sets)."""
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


# -- the response in the client's voice -------------------------------------------------

_FRAME = re.compile(r"^(so,? |and |but )?(it sounds like|sounds like|it seems like|it seems|you'?re saying|"
                    r"what i'?m hearing is|i hear that|i'?m hearing that)( that)?,? ")
_SECOND_PERSON = (
    (re.compile(r"\byou'?re\b"), "i'm"), (re.compile(r"\byou are\b"), "i am"), (re.compile(r"\byou were\b"), "i was"),
    (re.compile(r"\byou'?ve\b"), "i've"), (re.compile(r"\byou'?d\b"), "i'd"), (re.compile(r"\byou'?ll\b"), "i'll"),
    (re.compile(r"\byourself\b"), "myself"), (re.compile(r"\byours\b"), "mine"), (re.compile(r"\byour\b"), "my"),
)
# After these, "you" is a subject ("because you want…" → "because I want…"); elsewhere an
# object ("pulling you" → "pulling me").
_SUBJECT_AFTER = frozenset("that if when because and but so how what why where whether while though since until "
                           "as once".split())


def mirror(text: str) -> str:
    """The response said by the client: second person to first, a reflective frame dropped.

    "It sounds like you want to be there for him" → "i want to be there for him", which a
    reader of client talk can place on a side.
    """
    s = _FRAME.sub("", normalize(text))
    for pattern, first in _SECOND_PERSON:
        s = pattern.sub(first, s)
    words = s.split(" ")
    for i, word in enumerate(words):
        if word.strip(",.?!;:") == "you":
            before = words[i - 1] if i else ""
            subject = not before or before.endswith((",", ".", ";", ":", "?", "!")) or before in _SUBJECT_AFTER
            words[i] = word.replace("you", "i" if subject else "me", 1)
    return " ".join(words)


# -- hashed n-grams -----------------------------------------------------------------------


def ngram_features(text: str, bits: int) -> tuple[list[int], list[float]]:
    """Hashed word 1-3-grams and in-word character 4-grams of ``text``, L2-normalised."""
    mask = (1 << bits) - 1
    toks = ["<s>", *tokens(normalize(text)), "</s>"]
    counts: dict[int, float] = {}
    for n in (1, 2, 3):
        for i in range(len(toks) - n + 1):
            h = zlib.crc32(("w" + " ".join(toks[i:i + n])).encode("utf-8")) & mask
            counts[h] = counts.get(h, 0.0) + 1.0
    for word in set(toks[1:-1]):
        padded = f" {word} "
        for i in range(len(padded) - 3):
            h = zlib.crc32(("c" + padded[i:i + 4]).encode("utf-8")) & mask
            counts[h] = counts.get(h, 0.0) + 0.5
    norm = math.sqrt(sum(v * v for v in counts.values())) or 1.0
    idx = sorted(counts)
    return idx, [counts[i] / norm for i in idx]


class SparseLinear:
    """A linear softmax over hashed features (plus, for the head, a few dense ones)."""

    def __init__(self, rows: np.ndarray, weights: np.ndarray, bias: np.ndarray, bits: int):
        self.rows = rows          # sorted bucket indices with a non-zero weight
        self.weights = weights    # (len(rows) + dense, classes) float32; dense rows last
        self.bias = bias
        self.bits = bits

    def raw(self, idx: Sequence[int], vals: Sequence[float], dense: np.ndarray | None = None) -> np.ndarray:
        out = self.bias.astype(np.float64).copy()
        if idx:
            pos = np.searchsorted(self.rows, idx)
            pos = np.minimum(pos, len(self.rows) - 1)
            hit = self.rows[pos] == np.asarray(idx)
            if hit.any():
                out += np.asarray(vals, dtype=np.float64)[hit] @ self.weights[pos[hit]]
        if dense is not None:
            out += dense @ self.weights[len(self.rows):]
        return out

    def probs(self, idx, vals, dense=None) -> np.ndarray:
        z = self.raw(idx, vals, dense)
        e = np.exp(z - z.max())
        return e / e.sum()


def side_of(p: np.ndarray) -> float:
    """How far a reading leans to change (+1) or sustain (−1): P(change) − P(sustain)."""
    return float(p[0] - p[2])


# The names of the dense features, in order (the file records them; loading checks them).
DENSE = ("toward", "toward_end", "best_part", "end_side", "whole_side", "most_change_part", "most_sustain_part",
         "match", "match_end", "question", "reflection", "input", "other", "toward_x_reflection",
         "end_x_reflection", "whole_x_question", "toward_x_question", "client_side", "client_x_question",
         "two_clauses", "start_side", "toward_start", "end_minus_start")


def dense_features(side: SparseLinear, text: str, client: str, sides: ClientSides | None,
                   family: Mapping[str, float]) -> np.ndarray:
    """The readings the head weighs (names in :data:`DENSE`).

    ``toward`` is the side of the client's parts the response shares words with, weighted
    by how much it shares with each; ``toward_end`` the same for its last clause (the side
    a double-sided reflection ends on); ``end_side`` and ``whole_side`` are the side model's
    reading of the response in the client's voice.
    """
    client = client[:MAX_CLIENT_CHARS]
    if sides:
        parts = [(p, v) for p, v in ((sides.change, 1.0), (sides.sustain, -1.0)) if p.strip()]
    else:
        parts = [(p, side_of(side.probs(*ngram_features(p, side.bits)))) for p in clauses(client)[:MAX_CLAUSES]]
    ending = last_side(text)
    opening = first_side(text)
    mine, end, start = stems(text), stems(ending), stems(opening)
    shared = [overlap(mine, stems(p)) for p, _ in parts]
    shared_end = [overlap(end, stems(p)) for p, _ in parts]
    shared_start = [overlap(start, stems(p)) for p, _ in parts]
    values = [v for _, v in parts]

    def toward(weights: list[float]) -> float:
        total = sum(weights)
        return sum(w * v for w, v in zip(weights, values, strict=True)) / total if total > 0 else 0.0

    t, t_end, t_start = toward(shared), toward(shared_end), toward(shared_start)
    best = values[int(np.argmax(shared))] if parts and max(shared) > 0 else 0.0
    two = two_sided(text)
    end_side = side_of(side.probs(*ngram_features(mirror(ending), side.bits)))
    whole = side_of(side.probs(*ngram_features(mirror(text), side.bits))) if two else end_side
    start_side = side_of(side.probs(*ngram_features(mirror(opening), side.bits))) if two else end_side
    client_side = side_of(side.probs(*ngram_features(client, side.bits))) if client else 0.0
    q, r = family.get("question", 0.0), family.get("reflection", 0.0)
    return np.array([
        t, t_end, best, end_side, whole, max(values, default=0.0), min(values, default=0.0),
        max(shared, default=0.0), max(shared_end, default=0.0), q, r, family.get("therapist_input", 0.0),
        family.get("other", 0.0), t * r, end_side * r, whole * q, t * q, client_side, client_side * q,
        float(two), start_side, t_start, end_side - start_side,
    ])


def last_client_line(context: Sequence[Utterance]) -> str:
    """The client's line the response answers ("" when the client has not spoken)."""
    for utt in reversed(context):
        if utt.speaker is Speaker.CLIENT:
            return utt.text
    return ""


class DirectionJudge:
    """The side model and the head, loaded from the direction file."""

    def __init__(self, side: SparseLinear, head: SparseLinear, mean: np.ndarray, scale: np.ndarray,
                 meta: dict | None = None):
        self.side = side
        self.head = head
        self.mean = mean
        self.scale = scale
        self.meta = meta or {}

    def scores(self, text: str, context: Sequence[Utterance], sides: ClientSides | None,
               family: Mapping[str, float]) -> dict[Direction, float]:
        """The probability of each direction for ``text`` after the client's last line."""
        client = last_client_line(context)
        dense = (dense_features(self.side, text, client, sides, family) - self.mean) / self.scale
        p = self.head.probs(*ngram_features(mirror(text), self.head.bits), dense)
        return dict(zip(CLASSES, (float(v) for v in p), strict=True))

    def judge(self, text: str, context: Sequence[Utterance], sides: ClientSides | None = None,
              family: Mapping[str, float] | None = None) -> Direction:
        """The side ``text`` strengthens; ``neutral`` when no client line comes before it."""
        if not last_client_line(context) and not sides:
            return Direction.NEUTRAL
        p = self.scores(text, context, sides, family or {})
        return max(p, key=p.__getitem__)

    # -- file format ----------------------------------------------------------------

    @classmethod
    def load(cls, path: Path | str = DIRECTION_PATH) -> DirectionJudge:
        """Load a direction file; anything wrong with it raises :class:`ModelFileError`."""
        with read_model_file(path, "coder direction file", FORMAT,
                             "python -m mitrainer_training.train_direction") as (data, meta):
            models = {}
            for name in ("side", "head"):
                rows = data[f"{name}_rows"].astype(np.int64)
                packed = data[f"{name}_weights"]
                scale = data[f"{name}_scale"].astype(np.float32)
                bias = data[f"{name}_bias"].astype(np.float32)
                models[name] = (rows, packed, scale, bias)
            mean = data["dense_mean"].astype(np.float64)
            spread = data["dense_scale"].astype(np.float64)
        bits = int(meta.get("bits", 0))
        built = {}
        for name, (rows, packed, scale, bias) in models.items():
            dense = len(DENSE) if name == "head" else 0
            if (packed.dtype != np.int8 or packed.ndim != 2 or packed.shape != (len(rows) + dense, len(CLASSES))
                    or scale.shape != (len(CLASSES),) or bias.shape != (len(CLASSES),) or not 8 <= bits <= 24
                    or (rows.size > 1 and np.any(np.diff(rows) <= 0))
                    or (rows.size and (rows.min() < 0 or rows.max() >= 1 << bits))):
                raise ModelFileError(f"coder direction file {path} is corrupt: the {name} arrays do not fit together")
            built[name] = SparseLinear(rows, packed.astype(np.float64) * scale, bias, bits)
        if (tuple(meta.get("dense", ())) != DENSE or mean.shape != (len(DENSE),) or spread.shape != (len(DENSE),)
                or not np.all(np.isfinite(spread)) or np.any(spread <= 0) or not np.all(np.isfinite(mean))):
            raise ModelFileError(f"coder direction file {path} was written for other features; retrain it")
        return cls(built["side"], built["head"], mean, spread, meta)

    def save(self, path: Path, meta: dict) -> None:
        """Write the judge's file: int8 weights with a float32 scale per column, the rest float32."""
        arrays: dict[str, Any] = {}  # np.savez's keywords: the arrays by name
        for name, model in (("side", self.side), ("head", self.head)):
            col_scale = np.maximum(np.abs(model.weights).max(axis=0), 1e-12) / 127.0
            arrays[f"{name}_rows"] = model.rows.astype(np.int32)
            arrays[f"{name}_weights"] = np.round(model.weights / col_scale).astype(np.int8)
            arrays[f"{name}_scale"] = col_scale.astype(np.float32)
            arrays[f"{name}_bias"] = model.bias.astype(np.float32)
        arrays["dense_mean"] = self.mean.astype(np.float32)
        arrays["dense_scale"] = self.scale.astype(np.float32)
        meta = {**meta, "format": FORMAT, "bits": self.side.bits, "dense": list(DENSE)}
        arrays["meta"] = np.array(json.dumps(meta, sort_keys=True))
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as fh:
            np.savez(fh, **arrays)
