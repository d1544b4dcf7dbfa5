"""Labelled Vietnamese and Chinese lines (three parts) and the coder's agreement with them.

``python -m mitrainer_training.evaluate --lines FILE`` reads a file in the columns
``part,setting,context,text,label,subtype`` plus ``diacritics`` (Vietnamese: ``yes``/``no``)
or ``punct`` (Chinese: ``full``/``half``) through :func:`evaluate_language_lines`:

* part A: counsellor lines, ``label`` their code, ``context`` the client line they answer
  (several joined with `` || `` for a summary) — primary-code accuracy and recall per code;
* part B: client lines, ``label`` change / sustain / neutral and ``subtype`` the DARN-CAT
  type, ``context`` the counsellor's line before (if any) — talk accuracy;
* part C: responses to an ambivalent client line, ``label`` their direction — direction
  accuracy.

Each figure is also given for the rows typed without diacritics (Vietnamese) or with
half-width or no final punctuation (Chinese). The lines are coded as a session in their
language codes them: with the committed models, the coder set to read that language.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mitrainer.codes import Direction, SkillCode, Speaker, Subtype, TalkType
from mitrainer.coding.base import Coder, Utterance
from mitrainer.coding.languages.detect import detect_language

COLUMNS = ("part", "setting", "context", "text", "label", "subtype")
# The column that marks how a row was typed, and the value of the plain form.
TYPING = {"diacritics": "no", "punct": "half"}
PLAIN_NAME = {"diacritics": "typed without diacritics", "punct": "half-width or no final punctuation"}


@dataclass(frozen=True)
class LabelledLine:
    part: str  # "A", "B" or "C"
    row: int
    context: tuple[Utterance, ...]
    text: str
    label: str
    subtype: str
    plain: bool  # typed without diacritics / with half-width punctuation


def is_language_lines(path: Path) -> bool:
    """Whether the file has the columns of the Vietnamese and Chinese labelled lines."""
    with path.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh), [])
    return "part" in header and "label" in header


def load_language_lines(path: Path) -> tuple[list[LabelledLine], str]:
    """The file's lines and the name of its typing column; ValueError naming the row of a problem."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        names = reader.fieldnames or []
        missing = [c for c in COLUMNS if c not in names]
        typing = next((c for c in TYPING if c in names), "")
        if missing or not typing:
            need = ", ".join(missing + ([] if typing else ["diacritics or punct"]))
            raise ValueError(f"{path.name}: missing column(s) {need}")
        lines = []
        for row in reader:
            where = f"{path.name}, row {reader.line_num}"
            part = (row["part"] or "").strip().upper()
            label = (row["label"] or "").strip().lower()
            if part not in ("A", "B", "C"):
                raise ValueError(f"{where}: part must be A, B or C, not {row['part']!r}")
            valid = {"A": {c.value for c in SkillCode}, "B": {"change", "sustain", "neutral"},
                     "C": {d.value for d in Direction}}[part]
            if label not in valid:
                raise ValueError(f"{where}: unknown label {row['label']!r} for part {part}")
            if not (row["text"] or "").strip():
                raise ValueError(f"{where}: empty text")
            earlier = [c.strip() for c in (row["context"] or "").split(" || ") if c.strip()]
            speaker = Speaker.COUNSELLOR if part == "B" else Speaker.CLIENT
            context = tuple(Utterance(speaker, line) for line in (earlier[-1:] if part == "B" else earlier))
            lines.append(LabelledLine(part, reader.line_num, context, row["text"], label,
                                      (row["subtype"] or "").strip().lower(),
                                      (row[typing] or "").strip().lower() == TYPING[typing]))
    return lines, typing


def language_of(lines: Sequence[LabelledLine]) -> str | None:
    """The language most of the lines are in."""
    found = Counter(detect_language(line.text) for line in lines)
    found.pop(None, None)
    return found.most_common(1)[0][0] if found else None


class Score:
    """Right and total, overall and for the plain-typed rows."""

    def __init__(self) -> None:
        self.pairs: list[tuple[str, str, bool]] = []

    def add(self, gold: str, coded: str | None, plain: bool) -> None:
        self.pairs.append((gold, coded or "uncoded", plain))

    @staticmethod
    def _fmt(pairs: list[tuple[str, str, bool]]) -> str:
        right = sum(g == c for g, c, _ in pairs)
        return f"{right / len(pairs):.3f} ({right}/{len(pairs)})" if pairs else "—"

    def line(self) -> str:
        return self._fmt(self.pairs)

    def plain_line(self) -> str:
        return self._fmt([p for p in self.pairs if p[2]])

    def other_line(self) -> str:
        return self._fmt([p for p in self.pairs if not p[2]])

    @property
    def accuracy(self) -> float:
        return sum(g == c for g, c, _ in self.pairs) / max(1, len(self.pairs))

    def recall(self) -> dict[str, tuple[int, int]]:
        n = Counter(g for g, _, _ in self.pairs)
        ok = Counter(g for g, c, _ in self.pairs if g == c)
        return {g: (ok[g], n[g]) for g in n}

    def precision(self) -> dict[str, tuple[int, int]]:
        n = Counter(c for _, c, _ in self.pairs)
        ok = Counter(c for g, c, _ in self.pairs if g == c)
        return {c: (ok[c], n[c]) for c in n}

    def confusions(self, top: int = 10) -> list[tuple[tuple[str, str], int]]:
        return Counter((g, c) for g, c, _ in self.pairs if g != c).most_common(top)


def score_lines(coder: Coder, lines: Sequence[LabelledLine]) -> dict[str, Score]:
    """Part A's codes, part B's talk (and subtype where the talk agrees), part C's directions."""
    scores = {name: Score() for name in ("A", "B", "B subtype", "C")}
    for line in lines:
        if line.part == "B":
            client = coder.code_client(line.text, line.context)
            scores["B"].add(line.label, client.talk.value if client.talk else None, line.plain)
            if line.subtype and client.talk is TalkType(line.label) and line.label != "neutral":
                scores["B subtype"].add(Subtype(line.subtype).value,
                                        client.subtype.value if client.subtype else None, line.plain)
            continue
        coding = coder.code_response(line.text, line.context)
        if line.part == "A":
            scores["A"].add(line.label, coding.primary.value if coding.primary else None, line.plain)
        else:
            scores["C"].add(line.label, coding.direction.value if coding.direction else None, line.plain)
    return scores


def render(scores: dict[str, Score], title: str, typing: str) -> str:
    plain = PLAIN_NAME[typing]
    out = [f"## {title}", "",
           "| measure | all rows | " + plain + " | the other rows |", "|---|---|---|---|"]
    names = {"A": "part A: primary code (13 codes)", "B": "part B: client talk (change / sustain / neutral)",
             "B subtype": "part B: DARN-CAT subtype (where the talk agrees)", "C": "part C: direction"}
    for key, name in names.items():
        s = scores[key]
        if s.pairs:
            out.append(f"| {name} | {s.line()} | {s.plain_line()} | {s.other_line()} |")
    recall, precision = scores["A"].recall(), scores["A"].precision()
    out += ["", "part A per code:", "", "| code | recall | precision |", "|---|---|---|"]
    for code in SkillCode:
        ok, n = recall.get(code.value, (0, 0))
        pok, pn = precision.get(code.value, (0, 0))
        if n or pn:
            out.append(f"| {code.value} | {ok}/{n} | {pok}/{pn} |")
    out += ["", "part A commonest disagreements (label → coded):"]
    out += [f"  {gold} → {coded}: {n}" for (gold, coded), n in scores["A"].confusions()]
    for key in ("B", "C"):
        if scores[key].pairs:
            out += ["", f"part {key} by label (right/total): "
                    + ", ".join(f"{g} {ok}/{n}" for g, (ok, n) in sorted(scores[key].recall().items()))]
    return "\n".join(out)


def evaluate_language_lines(path: Path, coder: Coder | None = None) -> tuple[str, dict[str, Score]]:
    """The committed coder (or ``coder``) on the file's lines: the report and the scores.

    The coder reads the language most of the file's lines are in, as a session in that
    language does. Raises ValueError for a file it cannot read.
    """
    from mitrainer.coding import default_coder, reading

    lines, typing = load_language_lines(path)
    language = language_of(lines)
    if language is None:
        raise ValueError(f"{path.name}: the lines are in no language the coder reads")
    read = reading(coder or default_coder(), language)
    scores = score_lines(read, lines)
    counts = Counter(line.part for line in lines)
    title = (f"committed models on {path.name} ({language}: {counts['A']} counsellor lines, "
             f"{counts['B']} client lines, {counts['C']} direction items)")
    return render(scores, title, typing), scores
