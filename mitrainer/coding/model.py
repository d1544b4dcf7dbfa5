"""The trained coder: linear heads over hashed features, inference in numpy only.

The model file (``coding/data/coder-model.npz``, written by ``python -m
mitrainer.coding.train``) holds plain arrays and JSON text, loaded with
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
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mitrainer.codes import SkillCode, Speaker, Subtype, TalkType
from mitrainer.coding.base import ClientCoding, CodeScore, ResponseCoding, Utterance
from mitrainer.coding.dataset import FAMILIES, FAMILY_CODES, FAMILY_OF
from mitrainer.coding.encoder import Encoder
from mitrainer.coding.features import MAX_CHARS, Featurizer, normalize, unreadable_reason
from mitrainer.coding.modelfile import read_model_file
from mitrainer.coding.rules import RuleBasedCoder
from mitrainer.errors import ModelFileError

MODEL_PATH = Path(__file__).resolve().parent / "data" / "coder-model.npz"
FORMAT = "mitrainer-coder/1"
KNOWN_WORD_BITS = 20

# Below this confidence a result is marked uncertain ("not sure" in the UI).
UNCERTAIN_BELOW = 0.5
# A second family joins the codes when its presence head is at least this sure.
SECONDARY_AT = 0.5
# MITI: "when unsure choose GI over Persuade and SR over CR".
PERSUADE_NEEDS = 0.55
COMPLEX_NEEDS = 0.5
# Confront is learned from a few hundred written lines only; a guess below this is "other"
# (a greeting must never be shown to a trainee as confronting).
CONFRONT_NEEDS = 0.6
# A sentence of a longer volley adds its own code when its family is this sure.
SENTENCE_AT = 0.6
# "You have to…" inside a reflective frame is a reflection when the model sees at least
# this much reflection in the line (the frame itself is the rest of the evidence).
FRAMED_REFLECTION_AT = 0.3
# How sure a line made only of housekeeping ("Hi, come in. Have a seat.") is "other".
HOUSEKEEPING_CONFIDENCE = 0.8
_SENTENCE = re.compile(r"(?<=[.?!])\s+")


def word_bucket(word: str) -> int:
    return zlib.crc32(word.encode("utf-8")) & ((1 << KNOWN_WORD_BITS) - 1)


@dataclass(frozen=True)
class Head:
    name: str
    classes: tuple[str, ...]
    start: int

    @property
    def stop(self) -> int:
        return self.start + len(self.classes)


def _softmax(z: np.ndarray) -> np.ndarray:
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

    def __init__(self, weights: np.ndarray, bias: np.ndarray, heads: Sequence[Head], bits: int,
                 known_words: np.ndarray, meta: dict | None = None):
        self.weights = weights  # (2**bits, columns) float32, or SparseRows once loaded
        self.bias = bias
        self.heads = {h.name: h for h in heads}
        self.featurizer = Featurizer(bits)
        self.known_words = known_words
        self.meta = meta or {}

    def known_word(self, word: str) -> bool:
        b = word_bucket(word)
        return bool(self.known_words[b >> 3] & (1 << (b & 7)))

    def scores(self, text: str, context: Sequence[Utterance], speaker: Speaker) -> np.ndarray:
        idx, vals = self.featurizer.transform(text, context, speaker)
        if not idx:
            return self.bias.copy()
        return np.asarray(vals, dtype=np.float32) @ self.weights[idx] + self.bias

    def probs(self, raw: np.ndarray, head: str) -> dict[str, float]:
        h = self.heads[head]
        p = _softmax(raw[h.start:h.stop].astype(np.float64))
        return dict(zip(h.classes, (float(v) for v in p), strict=True))

    # -- file format ----------------------------------------------------------------

    def _quantised(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The non-zero rows, their int8 weights and one float32 scale per column.

        A quarter of float32; the rounding moves the hold-out macro-F1 by a few thousandths
        (0.748 → 0.745 on the counsellor 4-class), so evaluation measures the rounded model.
        """
        nz = np.flatnonzero(np.any(self.weights != 0, axis=1)).astype(np.int32)
        dense = self.weights[nz]
        scale = np.maximum(np.abs(dense).max(axis=0), 1e-12) / 127.0
        return nz, np.round(dense / scale).astype(np.int8), scale.astype(np.float32)

    def shipped(self) -> LinearModel:
        """This freshly fitted model as the app will load it from its file (int8 weights)."""
        rows, packed, scale = self._quantised()
        return LinearModel(SparseRows(rows.astype(np.int64), packed.astype(np.float32) * scale), self.bias,
                           list(self.heads.values()), self.featurizer.bits, self.known_words, self.meta)

    def save(self, path: Path) -> None:
        nz, quantised, scale = self._quantised()
        heads = [{"name": h.name, "classes": list(h.classes), "start": h.start} for h in self.heads.values()]
        meta = {**self.meta, "format": FORMAT, "bits": self.featurizer.bits}
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
    def load(cls, path: Path | str = MODEL_PATH) -> LinearModel:
        """Load a model file; anything wrong with it raises :class:`ModelFileError`."""
        with read_model_file(path, "coder model file", FORMAT, "python -m mitrainer.coding.train") as (data, meta):
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
        missing = {"family", "talk", "subtype", *(f"sub_{f}" for f in FAMILIES)} - names
        if missing:
            raise ModelFileError(f"coder model file {path} lacks heads: {', '.join(sorted(missing))}")
        if not np.all(np.isfinite(scale)) or not np.all(np.isfinite(bias)):
            raise ModelFileError(f"coder model file {path} is corrupt: weights are not finite")
        return cls(SparseRows(rows, packed.astype(np.float32) * scale), bias, heads, bits, known, meta)


_SHIPPED = object()
# The encoder's share when its probabilities are averaged with the linear model's: an
# even split, not tuned on the evaluation data (see docs/coder.md for what each part
# reaches alone).
ENCODER_SHARE = 0.5


class TrainedCoder:
    """The coder trained on AnnoMI and the project's examples (see docs/coder.md).

    Two models read every line: hashed n-gram linear heads (``model``) and a small
    fine-tuned transformer (``encoder``, :mod:`mitrainer.coding.encoder`); each head's
    probabilities are their average. ``encoder=None`` runs the linear model alone.
    """

    name = "trained"

    def __init__(self, model: LinearModel | None = None, path: Path | str = MODEL_PATH,
                 encoder: Encoder | None | object = _SHIPPED):
        self.model = model if model is not None else LinearModel.load(path)
        self.encoder: Encoder | None = Encoder.load() if encoder is _SHIPPED else encoder  # type: ignore[assignment]
        self._encoder_heads = ({h["name"]: (int(h["start"]), tuple(h["classes"])) for h in self.encoder.heads}
                               if self.encoder is not None else {})
        self._rules = RuleBasedCoder()

    def _probs(self, raw: np.ndarray, enc: np.ndarray | None, head: str) -> dict[str, float]:
        """One head's probabilities: the linear model's, averaged with the encoder's."""
        p = self.model.probs(raw, head)
        if enc is None or head not in self._encoder_heads:
            return p
        start, classes = self._encoder_heads[head]
        q = _softmax(enc[start:start + len(classes)].astype(np.float64))
        mixed = dict(p)
        for cls, qv in zip(classes, q, strict=True):
            if cls in mixed:
                mixed[cls] = (1 - ENCODER_SHARE) * mixed[cls] + ENCODER_SHARE * float(qv)
        return mixed

    # -- counsellor -------------------------------------------------------------------

    def response_probabilities(self, text: str, context: Sequence[Utterance] = (),
                               encoder: bool = True) -> dict[str, dict[str, float]]:
        """Every head's probabilities for a counsellor utterance (for evaluation and tools).

        ``encoder=False`` skips the transformer (single sentences of a volley, where the
        linear model's view is enough and speed matters).
        """
        m = self.model
        raw = m.scores(text, context, Speaker.COUNSELLOR)
        enc = (self.encoder.scores(text, context, Speaker.COUNSELLOR)
               if encoder and self.encoder is not None else None)
        out = {"family": self._probs(raw, enc, "family")}
        for fam in FAMILIES:
            out[f"sub_{fam}"] = self._probs(raw, enc, f"sub_{fam}")
        for flag in ("has_question", "has_reflection", "has_input"):
            if flag in m.heads:
                out[flag] = self._probs(raw, enc, flag)
        return out

    def code_response(self, text: str, context: Sequence[Utterance] = ()) -> ResponseCoding:
        reason = unreadable_reason(text, self.model.known_word)
        if reason:
            return ResponseCoding(primary=None, uncoded_reason=reason, coder=self.name)
        probs = self.response_probabilities(text, context)
        learned = decode_response(probs, self.name, self._sentence_codes(text, context))
        merged = merge_cues(learned, self._rules.code_response(text, context), probs["family"])
        return _praise_is_other(_housekeeping_is_other(_reflection_not_persuade(merged, text, probs), text), text)

    def _sentence_codes(self, text: str, context: Sequence[Utterance]) -> dict[SkillCode, float]:
        """Codes that single sentences of a volley carry on their own.

        "So the trips wear you out. What would make them easier?" is a reflection and a
        question; coded whole, the question drowns the reflection.
        """
        sentences = [s for s in _SENTENCE.split(text[:MAX_CHARS].strip()) if len(s.split()) >= 3]
        if len(sentences) < 2:
            return {}
        found: dict[SkillCode, float] = {}
        for sentence in sentences[:6]:
            probs = self.response_probabilities(sentence, context, encoder=False)
            family, p = _best(probs["family"])
            if p >= SENTENCE_AT:
                code, sub = _choose_code(family, probs[f"sub_{family}"])
                found[code] = max(found.get(code, 0.0), p * sub)
        return found

    # -- client -----------------------------------------------------------------------

    def could_doubt(self, text: str, talk: TalkType, at_most: float) -> bool:
        """Whether coding ``text`` could give ``talk`` a probability of ``at_most`` or less.

        An exact, cheap bound for the validator's talk-label check: the coder's probability
        is at least the linear model's share of it, so where the linear model alone gives
        ``talk`` more than ``at_most / (1 - ENCODER_SHARE)`` the transformer need not run.
        """
        if self.encoder is None or unreadable_reason(text, self.model.known_word):
            return True
        linear = self.model.probs(self.model.scores(text, (), Speaker.CLIENT), "talk")
        return linear.get(talk.value, 0.0) * (1 - ENCODER_SHARE) <= at_most

    def code_client(self, text: str, context: Sequence[Utterance] = ()) -> ClientCoding:
        reason = unreadable_reason(text, self.model.known_word)
        if reason:
            return ClientCoding(talk=None, uncoded_reason=reason, coder=self.name)
        m = self.model
        raw = m.scores(text, context, Speaker.CLIENT)
        enc = self.encoder.scores(text, context, Speaker.CLIENT) if self.encoder is not None else None
        talk_p = self._probs(raw, enc, "talk")
        talk = TalkType(max(talk_p, key=talk_p.__getitem__))
        subtype = None
        if talk.has_subtype:
            sub_p = self._probs(raw, enc, "subtype")
            subtype = Subtype(max(sub_p, key=sub_p.__getitem__))
        conf = talk_p[talk.value]
        return ClientCoding(talk=talk, subtype=subtype, confidence=conf, scores=talk_p,
                            uncertain=conf < UNCERTAIN_BELOW, coder=self.name)


# Codes a guessed feeling is mistaken for: "must" read as advice, "you must feel…" read
# as praise or as nothing. A question, a reflection or a confrontation ("you must be
# joking") keeps its code.
_GUESS_MISREAD_AS = (SkillCode.PERSUADE, SkillCode.OTHER, SkillCode.AFFIRMATION, SkillCode.GIVING_INFORMATION)


def _reflection_not_persuade(coding: ResponseCoding, text: str,
                              probs: dict[str, dict[str, float]]) -> ResponseCoding:
    """A reflection whose words look like advice is that reflection.

    Two shapes: "you have to / need to / must" inside a reflection of the client's
    experience ("part of you feels like…", "you feel you must keep going"), taken when the
    model also sees a reflection in the line, whether it read the rest as advice, praise or
    information; and a guess at the feeling under what the client said ("you
    must be exhausted", "it must be hard", "I wonder if you're tired of it"), which is a
    complex reflection however little the model, which learned "must" as advice, sees one.
    Either way the words that look like an order describe the client, not the
    counsellor's push, and no sentence of the line urges outside them.
    """
    from mitrainer.coding.rules import GUESSED_FEELING, PERSUADE, REFLECTIVE_FRAME, RuleBasedCoder

    if coding.primary not in _GUESS_MISREAD_AS:
        return coding
    norm = [normalize(s) for s in _SENTENCE.split(text[:MAX_CHARS].strip()) if s]
    if RuleBasedCoder._persuades(norm):
        return coding
    present = max(probs.get("has_reflection", {}).get("yes", 0.0), probs["family"]["reflection"])
    if any(GUESSED_FEELING.search(s) for s in norm):
        code, conf = SkillCode.COMPLEX_REFLECTION, max(present, FRAMED_REFLECTION_AT)
    elif (any(PERSUADE.search(s) for s in norm)
          and any(REFLECTIVE_FRAME.search(s) for s in norm) and present >= FRAMED_REFLECTION_AT):
        code, sub = _choose_code("reflection", probs["sub_reflection"])
        conf = present * sub
    else:
        return coding
    return _recoded(coding, code, conf)


def _recoded(coding: ResponseCoding, code: SkillCode, conf: float) -> ResponseCoding:
    """``coding`` with ``code`` (at least ``conf``) in place of its primary; its other codes kept."""
    codes = {c.code: c.confidence for c in coding.codes if c.code is not coding.primary}
    codes[code] = max(codes.get(code, 0.0), conf)
    ordered = sorted(codes.items(), key=lambda kv: (kv[0] is not code, -kv[1]))
    return ResponseCoding(primary=code, codes=tuple(CodeScore(c, round(float(p), 4)) for c, p in ordered),
                          uncertain=codes[code] < UNCERTAIN_BELOW, coder=coding.coder)


def _housekeeping_is_other(coding: ResponseCoding, text: str) -> ResponseCoding:
    """Greetings, seating, the phone, the clock, booking: "other", whatever the model says.

    The model, which learned imperatives as advice, reads "Have a seat, I'll just grab your
    file" as persuade; a line whose every sentence is housekeeping carries no behaviour
    (AnnoMI's coders put 99% of such lines under "other").
    """
    from mitrainer.coding.rules import is_housekeeping

    if coding.primary in (None, SkillCode.OTHER) or not is_housekeeping(text):
        return coding
    return ResponseCoding(primary=SkillCode.OTHER, codes=(CodeScore(SkillCode.OTHER, HOUSEKEEPING_CONFIDENCE),),
                          uncertain=False, coder=coding.coder)


def _praise_is_other(coding: ResponseCoding, text: str) -> ResponseCoding:
    """Praise that names nothing of the person ("Well done! Keep it up.") is no affirmation.

    The model learned "well done" and "good for you" from affirmations that also name a
    strength; on their own they grade the client from above, which MI does not count as
    affirming (the affirmation drill's own distractors). The line is "other", its other
    codes kept.
    """
    from mitrainer.coding.rules import is_bare_praise

    if coding.primary is not SkillCode.AFFIRMATION or not is_bare_praise(text):
        return coding
    return _recoded(coding, SkillCode.OTHER, coding.codes[0].confidence)


def _best(p: dict[str, float]) -> tuple[str, float]:
    key = max(p, key=p.__getitem__)
    return key, p[key]


def _choose_code(family: str, sub: dict[str, float]) -> tuple[SkillCode, float]:
    """The code within a family, with the MITI tie rules (GI over Persuade, SR over CR),
    and "other" over an unsure Confront."""
    code, p = _best(sub)
    if code == SkillCode.PERSUADE.value and p < PERSUADE_NEEDS:
        code = SkillCode.GIVING_INFORMATION.value
    if code == SkillCode.COMPLEX_REFLECTION.value and p < COMPLEX_NEEDS:
        code = SkillCode.SIMPLE_REFLECTION.value
    if code == SkillCode.CONFRONT.value and p < CONFRONT_NEEDS:
        code = SkillCode.OTHER.value
    return SkillCode(code), sub[code]


def decode_response(probs: dict[str, dict[str, float]], coder: str,
                    sentence_codes: dict[SkillCode, float] | None = None) -> ResponseCoding:
    """Turn head probabilities into a primary code and every code that applies.

    ``sentence_codes`` are codes single sentences of the volley carry (see
    :meth:`TrainedCoder._sentence_codes`); one joins unless its family is already there.
    """
    fam_p = probs["family"]
    family, fam_conf = _best(fam_p)
    presence = {
        "question": probs.get("has_question", {}).get("yes", 0.0),
        "reflection": probs.get("has_reflection", {}).get("yes", 0.0),
        "therapist_input": probs.get("has_input", {}).get("yes", 0.0),
    }
    codes: dict[SkillCode, float] = {}
    code, sub_conf = _choose_code(family, probs[f"sub_{family}"])
    codes[code] = fam_conf * sub_conf if len(FAMILY_CODES[family]) > 1 else fam_conf
    for other, present in presence.items():
        if other == family:
            continue
        p_other = max(present, fam_p[other]) if present >= SECONDARY_AT else 0.0
        if p_other >= SECONDARY_AT:
            c2, s2 = _choose_code(other, probs[f"sub_{other}"])
            if p_other * s2 >= SECONDARY_AT * 0.6:
                codes.setdefault(c2, p_other * s2)
    for c3, p3 in (sentence_codes or {}).items():
        if all(FAMILY_OF[c] != FAMILY_OF[c3] for c in codes):
            codes[c3] = p3
    # The primary code is the family the model finds main, as AnnoMI's experts chose the
    # main behaviour of a volley ("So it wears you out. What would help?" is mostly coded
    # a question there); the reflection stays in ``codes`` and counts in the scores.
    primary = code
    ordered = sorted(codes.items(), key=lambda kv: (kv[0] is not primary, -kv[1]))
    conf = codes[primary]
    return ResponseCoding(
        primary=primary,
        codes=tuple(CodeScore(c, round(float(p), 4)) for c, p in ordered),
        uncertain=conf < UNCERTAIN_BELOW,
        coder=coder,
    )



# Codes AnnoMI does not label: the model learns them from a few hundred written examples
# only, so an explicit cue found by the rule-based coder ("you're just making excuses",
# "it's up to you", "would it be OK if I shared") is trusted alongside it.
CUE_CODES = frozenset({
    SkillCode.CONFRONT,
    SkillCode.PERSUADE,
    SkillCode.PERSUADE_WITH_PERMISSION,
    SkillCode.EMPHASIZING_AUTONOMY,
    SkillCode.AFFIRMATION,
    SkillCode.SEEKING_COLLABORATION,
    SkillCode.SUMMARY,
})
CUE_AT = 0.7
# A righting-reflex cue from another family takes over a primary the model is sure of
# only when the model itself gives the cue's family at least this much: a keyword must
# not overrule a confident model that reads the line as something else entirely. Confront
# is the exception: its cues are labels, sarcasm and blame that AnnoMI never codes, so the
# model, which has seen few confrontations, reads them as reflections or information; so
# is a cue the rules are this sure of (an order: "you must tell him").
CUE_FAMILY_FLOOR = 0.15
CUE_ALWAYS_AT = 0.85


def merge_cues(learned: ResponseCoding, rules: ResponseCoding,
               family_probs: dict[str, float] | None = None) -> ResponseCoding:
    """Add the rule-based coder's strong cues for codes AnnoMI lacks to the model's coding.

    A cue within the model's primary family replaces it (the model said "therapist
    input", the words say persuade); a cue from another family is added as a further
    code, and becomes primary only when the model itself was unsure, or when the cue is
    a righting-reflex code the trainee must see and the model gives its family at least
    ``CUE_FAMILY_FLOOR`` (``family_probs``, the model's family head).
    """
    if not learned.coded:
        return learned
    cues = {s.code: s.confidence for s in rules.codes if s.code in CUE_CODES and s.confidence >= CUE_AT}
    if not cues:
        return learned
    codes = {s.code: s.confidence for s in learned.codes}
    primary = learned.primary
    fam = FAMILY_OF[primary]
    for cue, conf in sorted(cues.items(), key=lambda kv: -kv[1]):
        in_family = FAMILY_OF[cue] == fam
        if in_family and primary not in cues:
            codes[cue] = max(codes.pop(primary), conf)
            primary = cue
        else:
            codes[cue] = max(codes.get(cue, 0.0), conf)
            backed = (cue is SkillCode.CONFRONT or conf >= CUE_ALWAYS_AT or family_probs is None
                      or family_probs.get(FAMILY_OF[cue], 0.0) >= CUE_FAMILY_FLOOR)
            if learned.uncertain or (cue.righting_reflex and backed):
                primary = cue if primary not in cues or cue is SkillCode.CONFRONT else primary
        fam = FAMILY_OF[primary]
    if primary is not learned.primary:  # the model's own weak guesses no longer apply
        codes = {c: p for c, p in codes.items() if c is primary or c in cues or p >= 0.3}
    ordered = sorted(codes.items(), key=lambda kv: (kv[0] is not primary, -kv[1]))
    return ResponseCoding(
        primary=primary,
        codes=tuple(CodeScore(c, round(float(p), 4)) for c, p in ordered),
        uncertain=codes[primary] < UNCERTAIN_BELOW,
        coder=learned.coder,
    )
