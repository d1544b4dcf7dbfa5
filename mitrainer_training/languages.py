"""Training data and model fitting for the Vietnamese and Chinese coders.

``python -m mitrainer_training.train_languages`` writes ``coder-vi.npz`` and
``coder-zh.npz``; ``python -m mitrainer_training.evaluate_languages`` cross-validates on the
training examples. Both use this module.

The examples (``mitrainer/coding/data/examples-vi.csv``, ``examples-zh.csv``; columns
``speaker,setting,context,text,codes,talk,subtype,direction``) were written for the coder by
separate native authors. A counsellor line's ``context`` is the client's line it answers, or
for a summary several client lines joined with `` || ``; a client line's ``context`` is the
counsellor's question before it. ``examples-vi-more.csv`` / ``examples-zh-more.csv``, in the
same columns, were written by the coder's developer (see docs/coder.md). The committed models
also learn from the bundled Vietnamese and Chinese scenarios' exemplars and distractors
(:func:`load_scenario_examples`).

Direction labels are read one way (docs/coder.md): the side of the client's ambivalence
the response invites more talk about. Persuading and confronting reflect no side and are
neutral; the Vietnamese author labelled persuasion for change "change" and confrontation
"sustain", so :func:`load_language_examples` normalises those rows to neutral.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from mitrainer.codes import Direction, SkillCode, Speaker, Subtype, TalkType
from mitrainer.coding.base import Utterance
from mitrainer.coding.languages.features import LanguageFeaturizer
from mitrainer.coding.languages.model import HEADS, LANGUAGE_FORMAT, language_model_path
from mitrainer.coding.linear import KNOWN_WORD_BITS, Head, LinearModel, word_bucket

DATA = Path(__file__).resolve().parents[1] / "mitrainer" / "coding" / "data"
SEED = 20261207
BITS = 18
C = 10.0
# Codes whose responses reflect no side of the client's ambivalence (docs/coder.md).
NO_SIDE = frozenset({SkillCode.PERSUADE, SkillCode.PERSUADE_WITH_PERMISSION, SkillCode.CONFRONT,
                     SkillCode.GIVING_INFORMATION, SkillCode.OTHER})


@dataclass(frozen=True)
class LineExample:
    """One labelled line of a language's examples file."""

    speaker: Speaker
    text: str
    context: tuple[Utterance, ...]
    code: SkillCode | None = None
    direction: Direction | None = None
    talk: TalkType | None = None
    subtype: Subtype | None = None
    source: str = ""  # file name: the authors' examples, or the developer's
    setting: str = ""
    row: int = 0


def example_paths(language: str) -> list[Path]:
    """The language's examples files that exist: the authors' first, then the developer's
    (general, then the direction sets: one ambivalent client line, three responses), then the
    second direction sets (adapted from the English ones by native writers)."""
    names = (f"examples-{language}.csv", f"examples-{language}-more.csv", f"examples-{language}-direction.csv",
             f"examples-{language}-direction-2.csv")
    return [DATA / name for name in names if (DATA / name).is_file()]


def direction_path(language: str) -> Path:
    """The developer's direction set of ``language``: each ambivalent client line answered
    once for change, once for sustain and once neutrally."""
    return DATA / f"examples-{language}-direction.csv"


def load_language_examples(language: str, paths: Sequence[Path] | None = None) -> list[LineExample]:
    """Every labelled line of the language's examples files (direction labels normalised)."""
    out: list[LineExample] = []
    for path in paths if paths is not None else example_paths(language):
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            for row in reader:
                where = f"{path.name}:{reader.line_num}"
                speaker = Speaker.parse(row["speaker"])
                if speaker is None:
                    raise ValueError(f"{where}: unknown speaker {row['speaker']!r}")
                lines = [c.strip() for c in (row.get("context") or "").split("||") if c.strip()]
                if speaker is Speaker.COUNSELLOR:
                    context = tuple(Utterance(Speaker.CLIENT, line) for line in lines)
                    codes = [SkillCode.parse(c) for c in row["codes"].split(";") if c.strip()]
                    if not codes or codes[0] is None:
                        raise ValueError(f"{where}: bad codes {row['codes']!r}")
                    code = codes[0]
                    direction = Direction(row["direction"].strip()) if row.get("direction", "").strip() else None
                    if code in NO_SIDE:
                        direction = Direction.NEUTRAL
                    out.append(LineExample(speaker, row["text"], context, code=code, direction=direction,
                                           source=path.name, setting=row.get("setting", ""), row=reader.line_num))
                else:
                    context = tuple(Utterance(Speaker.COUNSELLOR, line) for line in lines[-1:])
                    sub = (row.get("subtype") or "").strip()
                    out.append(LineExample(speaker, row["text"], context, talk=TalkType(row["talk"].strip()),
                                           subtype=Subtype(sub) if sub else None, source=path.name,
                                           setting=row.get("setting", ""), row=reader.line_num))
    return out


def load_scenario_examples(language: str) -> list[LineExample]:
    """The bundled scenarios' exemplars and distractors in ``language`` as counsellor lines.

    Their authors wrote them for the trainer, not for the coder: in-domain lines in a third
    hand. The first stated code is the line's code; they carry no direction label.
    """
    from mitrainer_training.exemplars import load_exemplar_cases

    return [LineExample(Speaker.COUNSELLOR, case.text, case.context, code=case.codes[0],
                        source=f"scenario:{case.file}", setting=case.scenario)
            for case in load_exemplar_cases(language=language)]


def load_training_examples(language: str, scenarios: bool = True) -> list[LineExample]:
    """Everything the committed model of ``language`` learns from: the examples files and,
    unless ``scenarios`` is False, the bundled scenarios' exemplars."""
    return load_language_examples(language) + (load_scenario_examples(language) if scenarios else [])


def label(example: LineExample, head: str) -> str | None:
    """The example's class for ``head`` (None when the head does not learn from it)."""
    if head == "code":
        return example.code.value if example.code else None
    if head == "direction":
        return example.direction.value if example.direction and example.code else None
    if head == "talk":
        return example.talk.value if example.talk and example.speaker is Speaker.CLIENT else None
    if head == "subtype":
        return example.subtype.value if example.subtype else None
    raise KeyError(head)


def with_earlier_lines(examples: Sequence[LineExample], seed: int = SEED) -> list[LineExample]:
    """Copies of the single-context counsellor lines with two earlier client lines (same setting) before them.

    In the examples only summaries have several client lines before them; in a session every
    response after the first few has. The copies teach the model that a summary *gathers*
    earlier lines, not that earlier lines exist.
    """
    rng = random.Random(seed)
    by_setting: dict[str, list[str]] = {}
    for ex in examples:
        if ex.speaker is Speaker.COUNSELLOR and len(ex.context) == 1:
            by_setting.setdefault(ex.setting, []).append(ex.context[0].text)
    copies = []
    for ex in examples:
        if ex.speaker is not Speaker.COUNSELLOR or len(ex.context) != 1 or ex.code is SkillCode.SUMMARY:
            continue
        pool = [line for line in by_setting.get(ex.setting, []) if line != ex.context[0].text]
        if len(pool) < 2:
            continue
        earlier = tuple(Utterance(Speaker.CLIENT, line) for line in rng.sample(pool, 2))
        copies.append(replace(ex, context=(*earlier, *ex.context), source=ex.source + "+earlier"))
    return copies


def without_marks(example: LineExample, language: str) -> LineExample:
    """The example as typed without diacritics (Vietnamese) or without final punctuation (Chinese)."""
    from mitrainer.coding.languages import vi

    def plain(text: str) -> str:
        if language == "vi":
            return vi.strip_marks(text)
        return text.rstrip("。？！?!.，, ")

    return replace(example, text=plain(example.text),
                   context=tuple(Utterance(u.speaker, plain(u.text)) for u in example.context))


def training_set(examples: Sequence[LineExample], language: str, seed: int = SEED) -> list[LineExample]:
    """The examples plus their variants: typed plain, and with earlier client lines before them."""
    plain = [without_marks(ex, language) for ex in examples if without_marks(ex, language).text != ex.text]
    return [*examples, *plain, *with_earlier_lines(examples, seed)]


def known_units(examples: Sequence[LineExample], featurizer: LanguageFeaturizer) -> np.ndarray:
    """A bit set of the units (plain syllables, characters) seen in the examples."""
    bits = np.zeros((1 << KNOWN_WORD_BITS) // 8, dtype=np.uint8)
    for ex in examples:
        for lines in (ex.text, *(u.text for u in ex.context)):
            for unit in featurizer.units(lines):
                b = word_bucket(unit)
                bits[b >> 3] |= np.uint8(1 << (b & 7))
    return bits


def fit_language(examples: Sequence[LineExample], language: str, seed: int = SEED, bits: int = BITS,
                 c: float = C, groups: Sequence[str] | None = None, augment: bool = True,
                 featurizer: LanguageFeaturizer | None = None) -> LinearModel:
    """Fit the language's heads (code, direction, talk, subtype) on ``examples``; not saved.

    ``featurizer`` (default: a new one for ``bits`` and ``groups``) lets cross-validation
    reuse one that remembers the lines it has read.
    """
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    featurizer = featurizer or LanguageFeaturizer(language, bits, groups)
    bits = featurizer.bits
    train = training_set(examples, language, seed) if augment else list(examples)
    indptr, indices, data = [0], [], []
    for ex in train:
        idx, vals = featurizer.transform(ex.text, ex.context, ex.speaker)
        indices.extend(idx)
        data.extend(vals)
        indptr.append(len(indices))
    X = csr_matrix((np.asarray(data, np.float32), np.asarray(indices, np.int32), np.asarray(indptr)),
                   shape=(len(train), 1 << bits))
    columns = sum(len(classes) for classes in HEADS.values())
    weights = np.zeros((1 << bits, columns), dtype=np.float32)
    bias = np.zeros(columns, dtype=np.float32)
    heads, start = [], 0
    for name, classes in HEADS.items():
        rows = [i for i, ex in enumerate(train) if label(ex, name) in classes]
        y = np.array([classes.index(label(train[i], name)) for i in rows])
        if len(set(y.tolist())) < 2:
            raise SystemExit(f"{language} head {name}: fewer than two classes in the training data")
        clf = LogisticRegression(C=c, class_weight="balanced", max_iter=3000, random_state=seed)
        Xh = X[rows]
        cols = np.unique(Xh.indices)  # only the buckets these lines use can get a weight
        clf.fit(Xh[:, cols], y)
        coef = np.zeros((clf.coef_.shape[0], X.shape[1]))
        coef[:, cols] = clf.coef_
        inter = clf.intercept_
        if len(clf.classes_) == 2:
            coef, inter = np.vstack([np.zeros_like(coef[0]), coef[0]]), np.array([0.0, inter[0]])
        for j, cls in enumerate(clf.classes_):
            weights[:, start + int(cls)] = coef[j]
            bias[start + int(cls)] = inter[j]
        for k in set(range(len(classes))) - set(y.tolist()):
            bias[start + k] = -30.0  # never predicted
        heads.append(Head(name, classes, start))
        start += len(classes)
    meta = {"language": language, "seed": seed, "c": c, "lines": len(examples),
            "groups": list(featurizer.groups), "format": LANGUAGE_FORMAT}
    return LinearModel(weights, bias, heads, bits, known_units(train, featurizer), meta, featurizer=featurizer)


def model_path(language: str) -> Path:
    return language_model_path(language)
