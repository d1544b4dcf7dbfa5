"""Training data for the coder: AnnoMI transcripts plus the project's own examples.

AnnoMI (Wu et al., ICASSP 2022; Future Internet 2023) is read from the shared data
folder, never copied into the project. Its labels are mapped onto the package codes:

* ``main_therapist_behaviour`` → the four families the evaluation reports
  (question / reflection / therapist_input / other);
* ``question_subtype`` → open / closed question, ``reflection_subtype`` → simple /
  complex reflection;
* ``therapist_input_subtype``: information → giving information, advice → persuade,
  negotiation → seeking collaboration, options → persuade with permission;
* ``client_talk_type`` → change / neutral / sustain.

AnnoMI has no labels for affirmation, summary, seeking collaboration, emphasising
autonomy, confront, persuade-with-permission or DARN-CAT subtypes; those come from
``mitrainer/coding/data/examples.csv`` (written for this project, see docs/coder.md).
This module needs only the standard library.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from mitrainer.codes import SkillCode, Speaker, Subtype, TalkType
from mitrainer.coding.base import Utterance
from mitrainer.coding.families import FAMILY_OF

ENV_ANNOMI = "MITRAINER_ANNOMI"
REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ANNOMI = REPO_ROOT / ".." / "shared" / "data" / "annomi" / "annomi-full-train.csv"
EXAMPLES_PATH = REPO_ROOT / "mitrainer" / "coding" / "data" / "examples.csv"

# How many earlier lines a record keeps as context.
CONTEXT_LINES = 8

_INPUT_SUBTYPE = {
    "information": SkillCode.GIVING_INFORMATION,
    "advice": SkillCode.PERSUADE,
    "negotiation": SkillCode.SEEKING_COLLABORATION,
    "options": SkillCode.PERSUADE_WITH_PERMISSION,
}

TALK_CLASSES = (TalkType.CHANGE, TalkType.NEUTRAL, TalkType.SUSTAIN)


@dataclass
class Record:
    """One labelled utterance with the conversation before it.

    Counsellor records carry ``family`` and whichever sub-codes are known, plus the
    multi-label flags ``has_question`` / ``has_reflection`` / ``has_input`` (None when
    unknown). Client records carry ``talk`` and, for written examples, ``subtype``.
    """

    group: str  # transcript id (AnnoMI) or "examples": splits never cut a group
    speaker: Speaker
    text: str
    context: tuple[Utterance, ...] = ()
    family: str | None = None
    question: SkillCode | None = None
    reflection: SkillCode | None = None
    tinput: SkillCode | None = None
    other: SkillCode | None = None
    has_question: bool | None = None
    has_reflection: bool | None = None
    has_input: bool | None = None
    talk: TalkType | None = None
    subtype: Subtype | None = None
    source: str = "annomi"
    extra: dict = field(default_factory=dict)


def annomi_path(path: str | os.PathLike | None = None) -> Path:
    """The AnnoMI CSV: ``path``, else ``$MITRAINER_ANNOMI``, else the shared data folder."""
    if path:
        return Path(path)
    env = os.environ.get(ENV_ANNOMI)
    if env:
        return Path(env)
    return DEFAULT_ANNOMI.resolve()


def load_annomi(path: str | os.PathLike | None = None) -> list[Record]:
    """Every utterance of the AnnoMI CSV as a :class:`Record`, in conversation order."""
    csv_path = annomi_path(path)
    with open(csv_path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    by_transcript: dict[str, list[dict]] = {}
    for row in rows:
        by_transcript.setdefault(row["transcript_id"], []).append(row)
    records: list[Record] = []
    for tid, trows in by_transcript.items():
        trows.sort(key=lambda r: int(r["utterance_id"]))
        history: list[Utterance] = []
        for row in trows:
            speaker = Speaker.parse(row["interlocutor"]) or Speaker.CLIENT
            text = row["utterance_text"] or ""
            rec = Record(group=tid, speaker=speaker, text=text, context=tuple(history[-CONTEXT_LINES:]),
                         extra={"mi_quality": row["mi_quality"]})
            if speaker is Speaker.COUNSELLOR:
                rec.family = row["main_therapist_behaviour"]
                rec.has_question = row["question_exists"] == "True"
                rec.has_reflection = row["reflection_exists"] == "True"
                rec.has_input = row["therapist_input_exists"] == "True"
                rec.question = {"open": SkillCode.OPEN_QUESTION, "closed": SkillCode.CLOSED_QUESTION}.get(
                    row["question_subtype"])
                rec.reflection = {"simple": SkillCode.SIMPLE_REFLECTION,
                                  "complex": SkillCode.COMPLEX_REFLECTION}.get(row["reflection_subtype"])
                rec.tinput = _INPUT_SUBTYPE.get(row["therapist_input_subtype"])
                if rec.family == "other":
                    rec.other = SkillCode.OTHER
            else:
                rec.talk = {"change": TalkType.CHANGE, "neutral": TalkType.NEUTRAL,
                            "sustain": TalkType.SUSTAIN}.get(row["client_talk_type"])
            records.append(rec)
            history.append(Utterance(speaker, text))
    return records


def load_examples(path: str | os.PathLike | None = None) -> list[Record]:
    """The project's own labelled examples (``coding/data/examples.csv``).

    Columns: ``speaker`` (counsellor|client), ``context`` (the other speaker's line just
    before, may be empty; several earlier lines separated by `` || ``), ``text``,
    ``codes`` (counsellor: skill codes separated by ``;``, the first is primary),
    ``talk`` and ``subtype`` (client), ``setting`` (free text, for reviewers).
    """
    csv_path = Path(path) if path else EXAMPLES_PATH
    with open(csv_path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    records: list[Record] = []
    for n, row in enumerate(rows, start=2):
        speaker = Speaker.parse(row["speaker"])
        if speaker is None:
            raise ValueError(f"{csv_path}:{n}: unknown speaker {row['speaker']!r}")
        other = Speaker.CLIENT if speaker is Speaker.COUNSELLOR else Speaker.COUNSELLOR
        context_lines = [c.strip() for c in (row.get("context") or "").split("||") if c.strip()]
        # Earlier lines alternate speakers, ending with the other speaker's line.
        context: list[Utterance] = []
        for i, line in enumerate(reversed(context_lines)):
            context.insert(0, Utterance(other if i % 2 == 0 else speaker, line))
        rec = Record(group="examples", speaker=speaker, text=row["text"], context=tuple(context),
                     source="examples", extra={"setting": row.get("setting", "")})
        if speaker is Speaker.COUNSELLOR:
            codes = [SkillCode.parse(c) for c in row["codes"].split(";") if c.strip()]
            if not codes or any(c is None for c in codes):
                raise ValueError(f"{csv_path}:{n}: bad codes {row['codes']!r}")
            _label_counsellor(rec, codes)  # type: ignore[arg-type]
        else:
            rec.talk = TalkType(row["talk"].strip())
            sub = (row.get("subtype") or "").strip()
            rec.subtype = Subtype(sub) if sub else None
        records.append(rec)
    return records


def load_exemplar_records(cases=None) -> list[Record]:
    """The bundled English scenarios' exemplars and distractors as counsellor records.

    ``cases`` defaults to :func:`mitrainer_training.exemplars.load_exemplar_cases`. Each
    record's group is ``scenario:<file name>``, so splits keep a scenario file whole.
    """
    from mitrainer_training.exemplars import load_exemplar_cases

    records = []
    for case in (load_exemplar_cases() if cases is None else cases):
        rec = Record(group=f"scenario:{case.file}", speaker=Speaker.COUNSELLOR, text=case.text,
                     context=case.context, source="exemplars",
                     extra={"scenario": case.scenario, "node": case.node})
        _label_counsellor(rec, list(case.codes))
        records.append(rec)
    return records


def _label_counsellor(rec: Record, codes: list[SkillCode]) -> None:
    primary = codes[0]
    rec.family = FAMILY_OF[primary]
    families = {FAMILY_OF[c] for c in codes}
    rec.has_question = "question" in families
    rec.has_reflection = "reflection" in families
    rec.has_input = "therapist_input" in families
    for code in codes:
        fam = FAMILY_OF[code]
        if fam == "question" and rec.question is None:
            rec.question = code
        elif fam == "reflection" and rec.reflection is None:
            rec.reflection = code
        elif fam == "therapist_input" and rec.tinput is None:
            rec.tinput = code
        elif fam == "other" and rec.other is None:
            rec.other = code


def groups_of(records: Iterable[Record]) -> list[str]:
    """The AnnoMI transcript ids among ``records`` (written examples and scenarios left out)."""
    return sorted({r.group for r in records if r.source == "annomi"}, key=lambda g: (len(g), g))
