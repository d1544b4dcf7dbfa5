"""The coder's small transformer encoder, run in numpy: WordPiece tokens in, head scores out.

A 3-layer cut of MiniLM-L6 (all-MiniLM-L6-v2, Apache-2.0), fine-tuned on AnnoMI and the
project's examples by ``python -m mitrainer_training.train_encoder`` (training needs
PyTorch; running it needs only numpy). It reads the utterance together with the lines
before it (``CODING_BUDGET``), which is what tells a reflection from advice and an answer
from change talk, and its probabilities are averaged with the hashed linear model's
(:class:`mitrainer.coding.model.TrainedCoder`).

The file (``coding/data/coder-encoder.npz``) holds plain arrays and JSON text, loaded
with ``allow_pickle=False``: every weight matrix as int8 with one float32 scale per
output column (per row for the token table), biases and layer norms as float32, the
vocabulary (pruned to the word pieces the training text uses plus every single
character, so tokenising is unchanged for what the model saw), the heads' column layout
shared with the linear model, and a few reference inputs with the scores PyTorch gave
for them, which the test suite checks this numpy forward pass against.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mitrainer.codes import Speaker
from mitrainer.coding.base import Utterance
from mitrainer.coding.modelfile import read_model_file
from mitrainer.errors import ModelFileError

ENCODER_PATH = Path(__file__).resolve().parent / "data" / "coder-encoder.npz"
FORMAT = "mitrainer-encoder/1"


@dataclass(frozen=True)
class InputBudget:
    """How much of a line and of the lines before it the encoder reads (in word pieces)."""

    tokens: int          # the whole sequence, [CLS] and [SEP]s included
    utterance: int       # the line's own first pieces
    context_lines: int   # how many earlier lines may fill the rest


# What the coder reads, by speaker. A counsellor response is coded while the trainee
# waits, so it reads little (one response under the 10 ms the trainer allows,
# benchmarks/bench_coder.py); the encoder is fine-tuned on more (train_encoder's
# TRAINING_BUDGET) and coding with less changed the hold-out macro-F1 by at most 0.009.
# A client line is coded in batches (transcripts, the validator's talk check) and whether
# it is change or sustain talk depends on the conversation, so it reads four lines back.
CODING_BUDGET = {
    Speaker.COUNSELLOR: InputBudget(tokens=32, utterance=24, context_lines=2),
    Speaker.CLIENT: InputBudget(tokens=96, utterance=48, context_lines=4),
}
# Rows of the position table an encoder file must have.
MAX_POSITIONS = max(b.tokens for b in CODING_BUDGET.values())
MAX_WORD_CHARS = 100  # BERT's own limit: a longer "word" is one unknown piece

CLS, SEP, UNK = "[CLS]", "[SEP]", "[UNK]"
_SPEAKER_TAG = {Speaker.CLIENT: "client:", Speaker.COUNSELLOR: "counsellor:"}


def _is_punctuation(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp: int) -> bool:
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


_SPACE = re.compile(r"\s+")


def basic_words(text: str) -> list[str]:
    """BERT's uncased basic tokenisation: clean, lower-case, strip accents, split punctuation."""
    out = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD:
            continue
        cat = unicodedata.category(ch)
        if ch in "\t\n\r" or cat == "Zs":
            out.append(" ")
        elif cat in ("Cc", "Cf"):
            continue
        elif _is_cjk(cp):
            out.append(f" {ch} ")
        else:
            out.append(ch)
    words: list[str] = []
    for token in _SPACE.split("".join(out).lower()):
        if not token:
            continue
        token = "".join(c for c in unicodedata.normalize("NFD", token) if unicodedata.category(c) != "Mn")
        start = 0
        for i, ch in enumerate(token):
            if _is_punctuation(ch):
                if start < i:
                    words.append(token[start:i])
                words.append(ch)
                start = i + 1
        if start < len(token):
            words.append(token[start:])
    return words


class WordPiece:
    """Greedy longest-match-first word pieces over a fixed vocabulary (BERT's scheme)."""

    def __init__(self, vocab: Sequence[str]):
        self.vocab = list(vocab)
        self.ids = {tok: i for i, tok in enumerate(self.vocab)}
        for special in (CLS, SEP, UNK):
            if special not in self.ids:
                raise ValueError(f"vocabulary lacks {special}")
        self.unk = self.ids[UNK]

    def word_ids(self, word: str) -> list[int]:
        if len(word) > MAX_WORD_CHARS:
            return [self.unk]
        pieces: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                found = self.ids.get(piece)
                if found is not None:
                    break
                end -= 1
            if found is None:
                return [self.unk]
            pieces.append(found)
            start = end
        return pieces

    def encode(self, text: str) -> list[int]:
        ids: list[int] = []
        for word in basic_words(text):
            ids.extend(self.word_ids(word))
        return ids


def encoder_inputs(tokenizer: WordPiece, text: str, context: Sequence[Utterance], speaker: Speaker,
                   budget: InputBudget | None = None) -> tuple[list[int], list[int]]:
    """Token ids and segment ids: ``[CLS] earlier lines [SEP] this line [SEP]``.

    Each line starts with its speaker ("client:", "counsellor:"); the utterance keeps its
    first pieces, the context its last ones (the line just before matters most). The
    budget is the speaker's ``CODING_BUDGET`` unless given. Shared by training and
    inference so the two cannot drift apart.
    """
    budget = budget or CODING_BUDGET[speaker]
    utterance = tokenizer.encode(f"{_SPEAKER_TAG[speaker]} {text[:2000]}")[:budget.utterance]
    before: list[int] = []
    for line in list(context)[-budget.context_lines:]:
        before += tokenizer.encode(f"{_SPEAKER_TAG[line.speaker]} {line.text[-2000:]}")
    room = budget.tokens - 3 - len(utterance)
    before = before[-room:] if room > 0 else []
    cls, sep = tokenizer.ids[CLS], tokenizer.ids[SEP]
    ids = [cls, *before, sep, *utterance, sep]
    segments = [0] * (len(before) + 2) + [1] * (len(utterance) + 1)
    return ids, segments


def _layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(-1, keepdims=True)
    return centred / np.sqrt(var + eps) * gamma + beta


def _gelu(x: np.ndarray) -> np.ndarray:
    # The tanh form ("gelu_new"), which the encoder is fine-tuned with.
    return 0.5 * x * (1.0 + np.tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)))


# Arrays every layer has, with their expected shapes in terms of hidden (H) and
# intermediate (I) sizes.
_LAYER_ARRAYS = {
    "qkv_w": ("H", "3H"), "qkv_b": ("3H",), "out_w": ("H", "H"), "out_b": ("H",),
    "ln1_g": ("H",), "ln1_b": ("H",), "ff1_w": ("H", "I"), "ff1_b": ("I",),
    "ff2_w": ("I", "H"), "ff2_b": ("H",), "ln2_g": ("H",), "ln2_b": ("H",),
}


class Encoder:
    """The fine-tuned transformer: ``scores(text, context, speaker)`` gives raw head scores."""

    def __init__(self, arrays: dict[str, np.ndarray], vocab: Sequence[str], heads: list[dict],
                 layers: int, attention_heads: int, meta: dict | None = None):
        self.a = arrays
        self.tokenizer = WordPiece(vocab)
        self.heads = heads
        self.layers = layers
        self.attention_heads = attention_heads
        self.meta = meta or {}

    def forward(self, ids: Sequence[int], segments: Sequence[int]) -> np.ndarray:
        """Raw scores of every head column for one sequence."""
        a = self.a
        n = len(ids)
        x = a["word"][np.asarray(ids)] + a["position"][:n] + a["segment"][np.asarray(segments)]
        x = _layer_norm(x, a["emb_ln_g"], a["emb_ln_b"])
        hidden = x.shape[1]
        nh = self.attention_heads
        dh = hidden // nh
        scale = np.float32(1.0 / np.sqrt(dh))
        for i in range(self.layers):
            p = f"l{i}."
            qkv = x @ a[p + "qkv_w"] + a[p + "qkv_b"]
            q = qkv[:, :hidden].reshape(n, nh, dh).transpose(1, 0, 2)
            k = qkv[:, hidden:2 * hidden].reshape(n, nh, dh).transpose(1, 2, 0)
            v = qkv[:, 2 * hidden:].reshape(n, nh, dh).transpose(1, 0, 2)
            att = (q @ k) * scale
            att = np.exp(att - att.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            ctx = (att @ v).transpose(1, 0, 2).reshape(n, hidden)
            x = _layer_norm(x + ctx @ a[p + "out_w"] + a[p + "out_b"], a[p + "ln1_g"], a[p + "ln1_b"])
            h = _gelu(x @ a[p + "ff1_w"] + a[p + "ff1_b"])
            x = _layer_norm(x + h @ a[p + "ff2_w"] + a[p + "ff2_b"], a[p + "ln2_g"], a[p + "ln2_b"])
        pooled = np.concatenate([x[0], x.mean(0)])
        return pooled @ a["head_w"] + a["head_b"]

    def scores(self, text: str, context: Sequence[Utterance], speaker: Speaker) -> np.ndarray:
        ids, segments = encoder_inputs(self.tokenizer, text, context, speaker)
        return self.forward(ids, segments)

    # -- file format ----------------------------------------------------------------

    @classmethod
    def load(cls, path: Path | str = ENCODER_PATH) -> Encoder:
        """Load an encoder file; anything wrong with it raises :class:`ModelFileError`."""
        with read_model_file(path, "coder encoder file", FORMAT,
                             "python -m mitrainer_training.train_encoder") as (data, meta):
            vocab = str(data["vocab"]).split("\n")
            heads = json.loads(str(data["heads"]))
            arrays: dict[str, np.ndarray] = {}
            for key in data.files:
                if key.startswith("q:"):
                    name = key[2:]
                    arrays[name] = np.ascontiguousarray(
                        data[key].astype(np.float32) * data["s:" + name].astype(np.float32))
                elif key.startswith("f:"):
                    arrays[key[2:]] = np.ascontiguousarray(data[key], dtype=np.float32)
            layers = int(meta["layers"])
            nh = int(meta["attention_heads"])
        problem = _check_shapes(arrays, vocab, heads, layers, nh)
        if problem:
            raise ModelFileError(f"coder encoder file {path} is corrupt: {problem}")
        return cls(arrays, vocab, heads, layers, nh, meta)


def _check_shapes(a: dict[str, np.ndarray], vocab: list[str], heads: list[dict], layers: int,
                  nh: int) -> str | None:
    """Why the arrays cannot run together, or None."""
    need = {"word", "position", "segment", "emb_ln_g", "emb_ln_b", "head_w", "head_b"}
    need |= {f"l{i}.{k}" for i in range(layers) for k in _LAYER_ARRAYS}
    missing = need - set(a)
    if missing:
        return f"missing arrays {', '.join(sorted(missing)[:5])}"
    if not 1 <= layers <= 24 or a["word"].ndim != 2:
        return "bad layer count or token table"
    hidden = a["word"].shape[1]
    inter = a["l0.ff1_w"].shape[1] if a["l0.ff1_w"].ndim == 2 else -1
    dims = {"H": hidden, "3H": 3 * hidden, "I": inter}
    if nh < 1 or hidden % nh or a["word"].shape[0] != len(vocab):
        return "vocabulary or attention heads do not fit the token table"
    for i in range(layers):
        for k, shape in _LAYER_ARRAYS.items():
            if a[f"l{i}.{k}"].shape != tuple(dims[d] for d in shape):
                return f"l{i}.{k} has shape {a[f'l{i}.{k}'].shape}"
    columns = a["head_b"].shape[0] if a["head_b"].ndim == 1 else -1
    if (a["position"].ndim != 2 or a["position"].shape[0] < MAX_POSITIONS or a["position"].shape[1] != hidden
            or a["segment"].shape != (2, hidden) or a["head_w"].shape != (2 * hidden, columns)
            or any(int(h["start"]) + len(h["classes"]) > columns for h in heads)):
        return "embedding or head arrays do not fit together"
    if not all(np.all(np.isfinite(v)) for v in a.values()):
        return "weights are not finite"
    return None
