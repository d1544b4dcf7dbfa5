"""Turning an utterance and the conversation before it into hashed sparse features.

Training (``mitrainer_training.train``) and inference (``mitrainer.coding.linear``) share
this module, so the two can never drift apart. It is pure Python: words and characters
are hashed with CRC-32 (stable across processes and platforms, unlike ``hash()``) into
``2**bits`` buckets, one namespace per feature group, and every group is L2-normalised
so that long texts do not drown short ones.

Feature groups:

* ``u``: the utterance itself: word 1-3-grams with start/end markers, its first words,
  its last token, character 3-5-grams inside words;
* ``c``: the client's line just before a counsellor response (what a reflection
  restates), or the counsellor's line just before a client line (what it answers);
* ``x``: how the two relate: lexical overlap buckets (a reflection reuses the client's
  words), whether the previous line asked a question, the gap to the last client line;
* ``s``: shape: length, question marks, sentence count, position in the session.
"""

from __future__ import annotations

import math
import re
import unicodedata
import zlib
from collections.abc import Sequence

from mitrainer.codes import Speaker
from mitrainer.coding.base import Utterance
from mitrainer.coding.reasons import Unreadable

# Features are computed from the first MAX_CHARS characters only: a 20 000-character
# paste is coded from its beginning instead of stalling the session.
MAX_CHARS = 1500

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[?!]")
# The words whose knowledge decides whether a line is readable (training records them).
LETTERS = re.compile(r"[a-z']+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_STOPWORDS = frozenset(
    "a an the and or but so if of to in on at for with from by as is are was were be been being "
    "i me my you your he she it we they them his her its our their this that these those "
    "do does did have has had not no yes yeah okay ok um uh mm hmm just really very "
    "what how why when where who which would could should can will there here about like "
    "then than also too well right oh".split()
)


def normalize(text: str) -> str:
    """Lower-case, straighten quotes and dashes, drop control characters, squeeze spaces."""
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS])
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    text = text.replace("\u201c", '"').replace("\u201d", '"')
    text = text.replace("\u2014", " - ").replace("\u2013", " - ")
    text = _CONTROL.sub(" ", text)
    return " ".join(text.lower().split())


def tokens(text: str) -> list[str]:
    """Words (with contractions kept whole) and the ``?``/``!`` marks of normalised text."""
    return _WORD.findall(text)


def content_words(toks: Sequence[str]) -> set[str]:
    return {t for t in toks if t not in _STOPWORDS and t[0].isalpha() and len(t) > 2}


def _bucket(value: float, edges: Sequence[float]) -> int:
    for i, edge in enumerate(edges):
        if value <= edge:
            return i
    return len(edges)


class Featurizer:
    """Maps (text, context, speaker) to sorted unique bucket indices and their values."""

    def __init__(self, bits: int = 18):
        self.bits = bits
        self.mask = (1 << bits) - 1

    def _h(self, feature: str) -> int:
        return zlib.crc32(feature.encode("utf-8")) & self.mask

    def features(self, text: str, context: Sequence[Utterance], speaker: Speaker) -> dict[str, list[str]]:
        """The named features of each group (readable; used for debugging and tests)."""
        role = "T" if speaker is Speaker.COUNSELLOR else "C"
        norm = normalize(text)
        toks = tokens(norm)
        groups: dict[str, list[str]] = {"u": [], "c": [], "x": [], "s": []}

        u = groups["u"]
        seq = ["<s>", *toks, "</s>"]
        for n in (1, 2, 3):
            for i in range(len(seq) - n + 1):
                u.append(role + "w" + " ".join(seq[i:i + n]))
        words = [t for t in toks if t not in ("?", "!")]
        for n in (1, 2, 3):
            if len(words) >= n:
                u.append(role + "f" + " ".join(words[:n]))
        if toks:
            u.append(role + "l" + toks[-1])
        for word in set(words):
            padded = f" {word} "
            for n in (3, 4, 5):
                for i in range(len(padded) - n + 1):
                    u.append(role + "c" + padded[i:i + n])

        # The line this one answers: the client's last line before a counsellor response,
        # the counsellor's last line before a client line.
        other = Speaker.CLIENT if speaker is Speaker.COUNSELLOR else Speaker.COUNSELLOR
        prev = None
        gap = 0
        for utt in reversed(context):
            if utt.speaker is other:
                prev = utt
                break
            gap += 1
        c = groups["c"]
        x = groups["x"]
        if prev is None:
            x.append(role + "noprev")
            prev_toks: list[str] = []
        else:
            prev_norm = normalize(prev.text)
            prev_toks = tokens(prev_norm)
            pseq = ["<s>", *prev_toks[:60], "</s>"]
            for n in (1, 2):
                for i in range(len(pseq) - n + 1):
                    c.append(role + "p" + " ".join(pseq[i:i + n]))
            if prev_toks:
                c.append(role + "pl" + prev_toks[-1])
            x.append(role + "plen" + str(_bucket(len(prev_toks), (2, 5, 10, 20, 40))))
            x.append(role + "pq" + str("?" in prev_toks))
            x.append(role + "gap" + str(min(gap, 3)))
            mine = content_words(toks)
            theirs = content_words(prev_toks)
            if mine:
                shared = len(mine & theirs)
                ratio = shared / len(mine)
                x.append(role + "ov" + str(_bucket(ratio, (0.0, 0.15, 0.3, 0.5, 0.75))))
                x.append(role + "ovn" + str(min(shared, 4)))
                first = words[0] if words else ""
                x.append(role + "ovf" + first + str(_bucket(ratio, (0.0, 0.3))))
            x.append(role + "pq-f" + str("?" in prev_toks) + (words[0] if words else ""))
        # The counsellor's own previous line matters for client talk, and the client line
        # two back for summaries; a few unigrams of it are enough.
        if speaker is Speaker.COUNSELLOR:
            earlier = [utt for utt in context if utt.speaker is Speaker.CLIENT]
            x.append(role + "nclient" + str(_bucket(len(earlier), (0, 1, 3, 6, 12))))
            if len(earlier) >= 2:
                mine = content_words(toks)
                older: set[str] = set()
                for utt in earlier[-6:-1]:
                    older |= content_words(tokens(normalize(utt.text)))
                if mine:
                    x.append(role + "ovold" + str(_bucket(len(mine & older) / len(mine), (0.0, 0.15, 0.3, 0.5))))

        s = groups["s"]
        s.append(role + "len" + str(_bucket(len(words), (1, 2, 3, 5, 8, 12, 20, 35, 60))))
        s.append(role + "q" + str(min(toks.count("?"), 2)))
        s.append(role + "qend" + str(bool(toks) and toks[-1] == "?"))
        sentences = max(1, len(re.findall(r"[.?!]+(?:\s|$)", norm)))
        s.append(role + "sent" + str(min(sentences, 5)))
        s.append(role + "pos" + str(_bucket(len(context), (0, 1, 3, 8, 20))))
        return groups

    def transform(self, text: str, context: Sequence[Utterance], speaker: Speaker) -> tuple[list[int], list[float]]:
        """Hashed indices and values (each group L2-normalised, duplicates summed)."""
        acc: dict[int, float] = {}
        for name, feats in self.features(text, context, speaker).items():
            if not feats:
                continue
            counts: dict[int, float] = {}
            for f in feats:
                h = self._h(name + f)
                counts[h] = counts.get(h, 0.0) + 1.0
            weight = GROUP_WEIGHTS[name] / math.sqrt(sum(v * v for v in counts.values()))
            for h, v in counts.items():
                acc[h] = acc.get(h, 0.0) + v * weight
        idx = sorted(acc)
        return idx, [acc[i] for i in idx]


GROUP_WEIGHTS = {"u": 1.0, "c": 0.5, "x": 0.6, "s": 0.6}


# -- readability ---------------------------------------------------------------------

def unreadable_reason(text: str, known_word) -> Unreadable | None:
    """Why ``text`` cannot be coded as English (empty, another language, gibberish), or None.

    ``known_word`` tells whether a lower-case word was seen in the training data.
    """
    stripped = _CONTROL.sub("", text).strip()
    if not stripped:
        return Unreadable.EMPTY
    letters = [ch for ch in stripped[:MAX_CHARS] if ch.isalpha()]
    if not letters:
        return Unreadable.SYMBOLS
    ascii_letters = sum(1 for ch in letters if ch.isascii())
    if ascii_letters / len(letters) < 0.6:
        return Unreadable.NOT_LANGUAGE
    words = LETTERS.findall(normalize(stripped))
    words = [w.strip("'") for w in words if w.strip("'")]
    if not words:
        return Unreadable.SYMBOLS
    known = sum(1 for w in words if known_word(w))
    ratio = known / len(words)
    accented = (len(letters) - ascii_letters) / len(letters)
    if len(words) >= 3 and (ratio < 0.5 or (accented > 0.08 and ratio < 0.8)):
        return Unreadable.NOT_LANGUAGE
    if len(words) < 3 and known == 0:
        return Unreadable.UNKNOWN_WORDS
    return None
