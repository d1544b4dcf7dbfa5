"""The Vietnamese and Chinese coders: linear heads over hashed units, then the language's rules.

One model file per language (``coding/data/coder-vi.npz``, ``coder-zh.npz``, written by
``python -m mitrainer_training.train_languages``) in the English linear model's format
(:mod:`mitrainer.coding.linear`: int8 weights of the rows in use, ``allow_pickle=False``)
with four heads: ``code`` (the 13 counsellor codes), ``direction`` (change / neutral /
sustain), ``talk`` and ``subtype`` (DARN-CAT) for client lines. Its ``meta`` names the
language and the feature groups (:mod:`.features`). The coding rules of
:mod:`.decode` are applied after the model. Inference is numpy and the standard library.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from mitrainer.codes import Direction, SkillCode, Speaker, Subtype, TalkType
from mitrainer.coding.base import ClientCoding, ClientSides, ResponseCoding, Utterance
from mitrainer.coding.languages import detect
from mitrainer.coding.languages.decode import decode_client, decode_response
from mitrainer.coding.languages.features import READERS, LanguageFeaturizer
from mitrainer.coding.linear import LinearModel
from mitrainer.coding.reasons import Unreadable, reason_text

DATA = Path(__file__).resolve().parents[1] / "data"
LANGUAGE_FORMAT = "mitrainer-coder-language/1"
COMMAND = "python -m mitrainer_training.train_languages"
HEADS: dict[str, tuple[str, ...]] = {
    "code": tuple(c.value for c in SkillCode),
    "direction": tuple(d.value for d in Direction),
    "talk": (TalkType.CHANGE.value, TalkType.NEUTRAL.value, TalkType.SUSTAIN.value),
    "subtype": tuple(s.value for s in Subtype),
}
# A Vietnamese line whose syllables the model mostly never saw is not coded ("asdf qwer", a
# Latin line in another language the detector took for plain Vietnamese).
KNOWN_AT_LEAST = 0.5


def language_model_path(language: str) -> Path:
    """Where the coder of ``language`` ("vi", "zh") keeps its model file."""
    return DATA / f"coder-{language}.npz"


def _featurizer_for(language: str):
    def make(meta: dict) -> LanguageFeaturizer:
        if meta.get("language") != language:
            raise ValueError(f"the file is for {meta.get('language')!r}, not {language!r}")
        return LanguageFeaturizer(language, int(meta["bits"]), meta.get("groups"))
    return make


class LanguageCoder:
    """The coder of one language other than English ("vi" or "zh"); see docs/coder.md."""

    def __init__(self, language: str, model: LinearModel | None = None, path: Path | str | None = None):
        if language not in READERS:
            raise ValueError(f"no coder for language {language!r}")
        self.language = language
        self.languages = (language,)
        self.name = f"trained-{language}"
        self.model = model if model is not None else LinearModel.load(
            path or language_model_path(language), fmt=LANGUAGE_FORMAT, required=frozenset(HEADS),
            command=COMMAND, featurizer=_featurizer_for(language))
        self.reader = READERS[language]
        featurizer = self.model.featurizer
        if not isinstance(featurizer, LanguageFeaturizer):
            raise ValueError(f"the model of {language!r} needs the language's featurizer")
        self.featurizer = featurizer

    def unreadable(self, text: str) -> Unreadable | None:
        """Why the line cannot be coded in this language, or None when it can."""
        stripped = "".join(ch for ch in text[:1500] if ch.isprintable() or ch.isspace()).strip()
        if not stripped:
            return Unreadable.EMPTY
        if not any(ch.isalpha() for ch in stripped):
            return Unreadable.SYMBOLS
        found = detect.detect_language(stripped, default=self.language)
        if found is None:
            return Unreadable.SCRIPT
        if found != self.language:
            return Unreadable.NOT_LANGUAGE
        if self.language == "zh":
            return None  # the detector found Han characters: a rare one is still Chinese
        units = [u for u in self.featurizer.units(stripped) if u[0].isalpha()]
        if not units:
            return Unreadable.SYMBOLS
        known = sum(1 for u in units if self.model.known_word(u)) / len(units)
        return Unreadable.UNKNOWN_WORDS if known < KNOWN_AT_LEAST else None

    def _reason(self, reason: Unreadable) -> str:
        return reason_text(reason, self.languages)

    def probabilities(self, text: str, context: Sequence[Utterance], speaker: Speaker,
                      sides: ClientSides | None = None) -> dict[str, dict[str, float]]:
        """Every head's probabilities for a line (for evaluation and tools)."""
        raw = self.model.scores_of(*self.featurizer.transform(text, context, speaker, sides))
        return {name: self.model.probs(raw, name) for name in self.model.heads}

    def code_response(self, text: str, context: Sequence[Utterance] = (),
                      sides: ClientSides | None = None) -> ResponseCoding:
        """Code a response: its codes, and its direction from the ``direction`` head, which
        reads the part of the client's line the response takes up (the marked ``sides``
        where the scenario gives them). With no client line before it, it is neutral, as
        the English direction judge has it."""
        reason = self.unreadable(text)
        if reason:
            return ResponseCoding(primary=None, uncoded_reason=self._reason(reason), coder=self.name)
        probs = self.probabilities(text, context, Speaker.COUNSELLOR, sides)
        sentences = self.reader.sentences(text)
        sentence_probs = [self.probabilities(s, context, Speaker.COUNSELLOR)["code"]
                          for s in sentences[:6]] if len(sentences) > 1 else []
        coding = decode_response(self.reader, text, probs, sentence_probs, self.name)
        if not sides and not any(u.speaker is Speaker.CLIENT for u in context):
            return coding.model_copy(update={"direction": Direction.NEUTRAL})
        return coding

    def code_client(self, text: str, context: Sequence[Utterance] = ()) -> ClientCoding:
        reason = self.unreadable(text)
        if reason:
            return ClientCoding(talk=None, uncoded_reason=self._reason(reason), coder=self.name)
        return decode_client(self.probabilities(text, context, Speaker.CLIENT), self.name)

