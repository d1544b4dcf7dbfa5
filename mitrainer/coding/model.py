"""The trained coder: two models read every line, their probabilities averaged.

Hashed n-gram linear heads (:mod:`mitrainer.coding.linear`) and a small fine-tuned
transformer (:mod:`mitrainer.coding.encoder`) each give every head's probabilities; the
coder averages them, decodes a coding (:mod:`mitrainer.coding.decode`) and applies the
rule-based coder's cues and the MITI coding rules on top. Inference needs numpy only.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from mitrainer.codes import SkillCode, Speaker, Subtype, TalkType
from mitrainer.coding.base import ClientCoding, ClientSides, ResponseCoding, Utterance
from mitrainer.coding.decode import (
    UNCERTAIN_BELOW,
    Probabilities,
    apply_miti_rules,
    best,
    choose_code,
    decode_response,
    merge_cues,
    sentences,
)
from mitrainer.coding.direction import DirectionJudge
from mitrainer.coding.encoder import Encoder
from mitrainer.coding.families import FAMILIES
from mitrainer.coding.features import unreadable_reason
from mitrainer.coding.linear import MODEL_PATH, LinearModel, softmax
from mitrainer.coding.reasons import Unreadable, reason_text
from mitrainer.coding.rules import RuleBasedCoder, change_talk_cue

# The encoder's share when its probabilities are averaged with the linear model's: an
# even split, not tuned on the evaluation data (see docs/coder.md for what each part
# reaches alone).
ENCODER_SHARE = 0.5
# A sentence of a longer volley adds its own code when its family is this sure.
SENTENCE_AT = 0.6
# A client line that plainly states change talk ("I'll call the doctor tomorrow", "I want
# to be awake for my son": rules.change_talk_cue) is change talk with at least this
# probability, unless the model reads it as sustain talk at least as surely as
# CHANGE_CUE_UNLESS_SUSTAIN (a mixed line the model hears as sustain stays sustain).
CHANGE_CUE_CONFIDENCE = 0.7
CHANGE_CUE_UNLESS_SUSTAIN = 0.5


class _Shipped:
    """The default of ``TrainedCoder(encoder=...)``: load the encoder shipped with mitrainer."""


SHIPPED = _Shipped()


class TrainedCoder:
    """The coder trained on AnnoMI and the project's examples (see docs/coder.md).

    Two models read every line: hashed n-gram linear heads (``model``) and a small
    fine-tuned transformer (``encoder``); each head's probabilities are their average.
    ``encoder=None`` runs the linear model alone. ``direction`` judges the side of the
    client's ambivalence a response strengthens (``None``: not judged, direction stays null).
    """

    name = "trained"
    languages = ("en",)

    def __init__(self, model: LinearModel | None = None, path: Path | str = MODEL_PATH,
                 encoder: Encoder | None | _Shipped = SHIPPED, direction: DirectionJudge | None | _Shipped = SHIPPED):
        self.model = model if model is not None else LinearModel.load(path)
        self.encoder: Encoder | None = Encoder.load() if isinstance(encoder, _Shipped) else encoder
        self.direction: DirectionJudge | None = (DirectionJudge.load() if isinstance(direction, _Shipped)
                                                 else direction)
        self._encoder_heads = ({h["name"]: (int(h["start"]), tuple(h["classes"])) for h in self.encoder.heads}
                               if self.encoder is not None else {})
        self._rules = RuleBasedCoder()

    def _probs(self, raw: np.ndarray, enc: np.ndarray | None, head: str) -> dict[str, float]:
        """One head's probabilities: the linear model's, averaged with the encoder's."""
        p = self.model.probs(raw, head)
        if enc is None or head not in self._encoder_heads:
            return p
        start, classes = self._encoder_heads[head]
        q = softmax(enc[start:start + len(classes)].astype(np.float64))
        mixed = dict(p)
        for cls, qv in zip(classes, q, strict=True):
            if cls in mixed:
                mixed[cls] = (1 - ENCODER_SHARE) * mixed[cls] + ENCODER_SHARE * float(qv)
        return mixed

    # -- counsellor -------------------------------------------------------------------

    def response_probabilities(self, text: str, context: Sequence[Utterance] = (),
                               encoder: bool = True) -> Probabilities:
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

    def unreadable(self, text: str) -> Unreadable | None:
        """Why the line cannot be coded as English, or None when it can."""
        return unreadable_reason(text, self.model.known_word)

    def code_response(self, text: str, context: Sequence[Utterance] = (),
                      sides: ClientSides | None = None) -> ResponseCoding:
        reason = self.unreadable(text)
        if reason:
            return ResponseCoding(primary=None, uncoded_reason=reason_text(reason, self.languages), coder=self.name)
        probs = self.response_probabilities(text, context)
        learned = decode_response(probs, self.name, self.sentence_codes(text, context))
        merged = merge_cues(learned, self._rules.code_response(text, context), probs["family"])
        coding = apply_miti_rules(merged, text, probs)
        if self.direction is None:
            return coding
        return coding.model_copy(update={"direction": self.direction.judge(text, context, sides, probs["family"])})

    def sentence_codes(self, text: str, context: Sequence[Utterance]) -> dict[SkillCode, float]:
        """Codes that single sentences of a volley carry on their own.

        "So the trips wear you out. What would make them easier?" is a reflection and a
        question; coded whole, the question drowns the reflection.
        """
        parts = [s for s in sentences(text) if len(s.split()) >= 3]
        if len(parts) < 2:
            return {}
        found: dict[SkillCode, float] = {}
        for sentence in parts[:6]:
            probs = self.response_probabilities(sentence, context, encoder=False)
            family, p = best(probs["family"])
            if p >= SENTENCE_AT:
                code, sub = choose_code(family, probs[f"sub_{family}"])
                found[code] = max(found.get(code, 0.0), p * sub)
        return found

    # -- client -----------------------------------------------------------------------

    def could_doubt(self, text: str, talk: TalkType, at_most: float) -> bool:
        """Whether coding ``text`` could give ``talk`` a probability of ``at_most`` or less.

        An exact, cheap bound for the validator's talk-label check: the coder's probability
        is at least the linear model's share of it, so where the linear model alone gives
        ``talk`` more than ``at_most / (1 - ENCODER_SHARE)`` the transformer need not run.
        """
        if self.encoder is None or self.unreadable(text) or change_talk_cue(text):
            return True
        linear = self.model.probs(self.model.scores(text, (), Speaker.CLIENT), "talk")
        return linear.get(talk.value, 0.0) * (1 - ENCODER_SHARE) <= at_most

    def code_client(self, text: str, context: Sequence[Utterance] = ()) -> ClientCoding:
        reason = self.unreadable(text)
        if reason:
            return ClientCoding(talk=None, uncoded_reason=reason_text(reason, self.languages), coder=self.name)
        m = self.model
        raw = m.scores(text, context, Speaker.CLIENT)
        enc = self.encoder.scores(text, context, Speaker.CLIENT) if self.encoder is not None else None
        talk_p = self._probs(raw, enc, "talk")
        cue = change_talk_cue(text)
        if cue is not None and talk_p.get("sustain", 0.0) < CHANGE_CUE_UNLESS_SUSTAIN:
            talk_p = _lifted(talk_p, "change", CHANGE_CUE_CONFIDENCE)
        talk = TalkType(max(talk_p, key=talk_p.__getitem__))
        subtype = None
        if talk is TalkType.CHANGE and cue is not None:
            subtype = cue
        elif talk.has_subtype:
            sub_p = self._probs(raw, enc, "subtype")
            subtype = Subtype(max(sub_p, key=sub_p.__getitem__))
        conf = talk_p[talk.value]
        return ClientCoding(talk=talk, subtype=subtype, confidence=conf, scores=talk_p,
                            uncertain=conf < UNCERTAIN_BELOW, coder=self.name)


def _lifted(p: dict[str, float], cls: str, at_least: float) -> dict[str, float]:
    """``p`` with ``cls`` raised to ``at_least`` and the other classes scaled to fill the rest."""
    if p[cls] >= at_least:
        return p
    rest = 1.0 - p[cls]
    return {k: (at_least if k == cls else v * (1.0 - at_least) / rest if rest > 0 else 0.0) for k, v in p.items()}
