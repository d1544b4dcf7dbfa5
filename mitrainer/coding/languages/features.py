"""Hashed features of a Vietnamese or Chinese line, as :mod:`mitrainer.coding.features` does for English.

Training (``mitrainer_training.train_languages``) and the coder share this module. Units
are Vietnamese syllables in their plain form (:mod:`.vi`) or Chinese characters
(:mod:`.zh`); every feature is hashed with CRC-32 into ``2**bits`` buckets, one namespace
per group, each group L2-normalised.

* ``u``: the line's unit 1-3-grams with start/end markers, its first units, its last ones
  (where question particles sit);
* ``m`` (Vietnamese typed with diacritics): marked syllables and pairs, which tell apart
  what the plain form merges;
* ``k`` (Vietnamese): character 3-5-grams of the plain form across syllables;
* ``p`` (Vietnamese): syllable 2-3-grams with every pronoun of address made one ("anh nên",
  "chị nên", "bác nên"), so that what the examples teach for one pronoun holds for all;
* ``r``: the language's cues (:data:`.vi.CUES`, :data:`.zh.CUES`) in the line and in its
  last sentence;
* ``c``: the other speaker's line just before (what a reflection restates, what a client
  line answers);
* ``x``: how the two relate: overlap of content units, earlier client lines the line
  gathers (a summary), whether the line before asked a question;
* ``t``: the part after the line's last contrast word ("…, nhưng…", "…，但是…"): a
  double-sided reflection counts by the side it ends on;
* ``s``: shape: length, question marks, sentences;
* ``d`` (a counsellor line after a client line): the part of the client's line the response
  takes up most (its units, where it stands), and the part its ending takes up: what a
  reflection or question invites more talk about is the side of that part. The parts are
  the client line's clauses (split at sentence ends and contrast words), or the change and
  sustain parts a scenario marks (:class:`~mitrainer.coding.base.ClientSides`).
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from types import ModuleType

from mitrainer.codes import Speaker
from mitrainer.coding.base import ClientSides, Utterance
from mitrainer.coding.languages import vi, zh

MAX_CHARS = 1500
MAX_CLIENT_CHARS = 600  # of a client line whose parts a response may take up
READERS: dict[str, ModuleType] = {"vi": vi, "zh": zh}
GROUP_WEIGHTS = {"u": 1.0, "m": 0.5, "k": 0.5, "p": 0.5, "r": 0.8, "c": 0.5, "x": 0.6, "t": 0.5, "s": 0.6, "d": 0.6}
_MARKS = frozenset("?!.,;:")


def _bucket(value: float, edges: Sequence[float]) -> int:
    for i, edge in enumerate(edges):
        if value <= edge:
            return i
    return len(edges)


def _units(reader: ModuleType, text: str) -> list[str]:
    return reader.plain_tokens(text, MAX_CHARS) if reader is vi else reader.tokens(text, MAX_CHARS)


class LanguageFeaturizer:
    """Maps (text, context, speaker) to sorted bucket indices and values for one language."""

    def __init__(self, language: str, bits: int = 18, groups: Sequence[str] | None = None):
        self.language = language
        self.reader = READERS[language]
        self.bits = bits
        self.mask = (1 << bits) - 1
        self.groups = tuple(groups) if groups is not None else tuple(GROUP_WEIGHTS)
        self.joiner = " " if self.reader is vi else ""

    def units(self, text: str) -> list[str]:
        """The line's units: plain syllables (Vietnamese) or characters (Chinese), with marks."""
        return _units(self.reader, text)

    def parts(self, client: str, sides: ClientSides | None = None) -> list[list[str]]:
        """The client line's parts as units: the marked sides where given, else its clauses."""
        if sides:
            return [units for units in (self.units(sides.change), self.units(sides.sustain)) if units]
        return self.reader.clauses(self.units(client[:MAX_CLIENT_CHARS]))

    def taken_up(self, units: list[str], parts: list[list[str]]) -> int | None:
        """The index of the part ``units`` shares most content with (None: none shared)."""
        mine = self.reader.content(units)
        best, most = None, 0.0
        for i, part in enumerate(parts):
            theirs = self.reader.content(part)
            if mine and theirs:
                shared = len(mine & theirs) / math.sqrt(len(mine) * len(theirs))
                if shared > most:
                    best, most = i, shared
        return best

    def features(self, text: str, context: Sequence[Utterance], speaker: Speaker,
                 sides: ClientSides | None = None) -> dict[str, list[str]]:
        """The named features of each group (readable; for debugging and tests)."""
        role = "T" if speaker is Speaker.COUNSELLOR else "C"
        j = self.joiner
        units = self.units(text)
        words = [w for w in units if w not in _MARKS]
        groups: dict[str, list[str]] = {g: [] for g in GROUP_WEIGHTS}

        u = groups["u"]
        seq = ["<s>", *units, "</s>"]
        for n in (1, 2, 3):
            u.extend(role + "w" + j.join(seq[i:i + n]) for i in range(len(seq) - n + 1))
        for n in (1, 2, 3):
            if len(words) >= n:
                u.append(role + "f" + j.join(words[:n]))
                u.append(role + "l" + j.join(words[-n:]))

        if self.reader is vi:
            marked = vi.marked_tokens(text, MAX_CHARS)
            mseq = ["<s>", *marked, "</s>"]
            groups["m"].extend(role + "m" + " ".join(mseq[i:i + n]) for n in (1, 2) for i in range(len(mseq) - n + 1))
            padded = " " + " ".join(words) + " "
            groups["k"].extend(role + "k" + padded[i:i + n] for n in (3, 4, 5) for i in range(len(padded) - n + 1))
            # The same syllables with every pronoun of address as one: "anh nên", "chị nên",
            # "bác nên" teach one thing.
            pseq = ["<s>", *(vi.PRONOUN if w in vi.ADDRESS else w for w in units), "</s>"]
            groups["p"].extend(role + "p" + " ".join(pseq[i:i + n]) for n in (2, 3) for i in range(len(pseq) - n + 1))

        cues = self.reader.cue_names(text, MAX_CHARS)
        last = self.reader.sentences(text, MAX_CHARS)
        last_cues = self.reader.cue_names(last[-1], MAX_CHARS) if len(last) > 1 else cues
        groups["r"].extend(role + "r" + c for c in cues)
        groups["r"].extend(role + "rl" + c for c in last_cues)

        other = Speaker.CLIENT if speaker is Speaker.COUNSELLOR else Speaker.COUNSELLOR
        prev, gap = None, 0
        for utt in reversed(context):
            if utt.speaker is other:
                prev = utt
                break
            gap += 1
        c, x = groups["c"], groups["x"]
        mine = self.reader.content(units)
        if prev is None:
            x.append(role + "noprev")
        else:
            prev_units = self.units(prev.text)
            pseq = ["<s>", *prev_units[:80], "</s>"]
            c.extend(role + "p" + j.join(pseq[i:i + n]) for n in (1, 2) for i in range(len(pseq) - n + 1))
            x.append(role + "pq" + str("?" in prev_units))
            x.append(role + "gap" + str(min(gap, 3)))
            theirs = self.reader.content(prev_units)
            if mine:
                shared = len(mine & theirs) / len(mine)
                x.append(role + "ov" + str(_bucket(shared, (0.0, 0.1, 0.2, 0.35, 0.5, 0.7))))
                x.append(role + "ovlen" + str(_bucket(shared, (0.0, 0.2, 0.5))) + str(_bucket(len(words), (6, 15, 30))))
        if speaker is Speaker.COUNSELLOR and mine:
            # A summary gathers several earlier client lines, not only the last one.
            earlier = [utt for utt in context if utt.speaker is Speaker.CLIENT][-6:-1]
            touched = sum(1 for utt in earlier if len(mine & self.reader.content(self.units(utt.text))) >= 2)
            x.append(role + "gathers" + str(min(touched, 3)))

        ending = self.reader.tail(units)
        if ending:
            tseq = [w for w in ending if w not in _MARKS]
            groups["t"].extend(role + "t" + j.join(tseq[i:i + n]) for n in (1, 2) for i in range(len(tseq) - n + 1))
        else:
            groups["t"].append(role + "tnone")

        if speaker is Speaker.COUNSELLOR and prev is not None and "d" in self.groups:
            groups["d"].extend(self._taken_up_features(units, ending, prev.text, sides))

        s = groups["s"]
        s.append(role + "len" + str(_bucket(len(words), (1, 2, 4, 7, 12, 20, 35, 60))))
        s.append(role + "q" + str(min(units.count("?"), 2)))
        s.append(role + "qend" + str(bool(units) and units[-1] == "?"))
        s.append(role + "sent" + str(min(len(last), 4)))
        return {g: feats for g, feats in groups.items() if g in self.groups}

    def _taken_up_features(self, units: list[str], ending: list[str], client: str,
                           sides: ClientSides | None) -> list[str]:
        parts = self.parts(client, sides)
        out = []
        j = self.joiner
        for mark, mine in (("a", units), ("e", ending)):
            if not mine:
                continue
            i = self.taken_up(mine, parts)
            if i is None:
                out.append(f"d{mark}none")
                continue
            where = "only" if len(parts) == 1 else "first" if i == 0 else "last" if i == len(parts) - 1 else "mid"
            out.append(f"d{mark}at{where}")
            words = [w for w in parts[i] if w not in _MARKS]
            out.extend(f"d{mark}w" + j.join(words[k:k + n]) for n in (1, 2) for k in range(len(words) - n + 1))
        return out

    def transform(self, text: str, context: Sequence[Utterance], speaker: Speaker,
                  sides: ClientSides | None = None) -> tuple[list[int], list[float]]:
        """Hashed indices and values (each group L2-normalised, duplicates summed)."""
        acc: dict[int, float] = {}
        for name, feats in self.features(text, context, speaker, sides).items():
            if not feats:
                continue
            counts: dict[int, float] = {}
            for f in feats:
                h = zlib.crc32((name + f).encode("utf-8")) & self.mask
                counts[h] = counts.get(h, 0.0) + 1.0
            weight = GROUP_WEIGHTS[name] / math.sqrt(sum(v * v for v in counts.values()))
            for h, v in counts.items():
                acc[h] = acc.get(h, 0.0) + v * weight
        idx = sorted(acc)
        return idx, [acc[i] for i in idx]
