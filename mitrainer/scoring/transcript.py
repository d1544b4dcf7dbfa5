"""Scoring transcripts: machine-coded, human-coded, or both (human codes win).

A transcript is any sequence of rows with a speaker, a text and optionally codes given by
a person — :class:`mitrainer.transcripts.TranscriptRow` objects, dicts, or
``(speaker, text, codes)`` tuples. Counsellor codes are skill codes
(``complex_reflection``, ``CR``, …); client codes are a talk type (``change``,
``sustain``, ``neutral``, ``discord``) optionally followed by a DARN-CAT subtype. Several
codes in one cell are separated by ``;``, ``,`` or ``|``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from mitrainer.codes import SkillCode, Speaker, Subtype, TalkType, asks_a_question
from mitrainer.coding.base import Coder, ResponseCoding, Utterance
from mitrainer.errors import InputError, did_you_mean
from mitrainer.scoring.agreement import agreement_report
from mitrainer.scoring.moments import ClientMoment, CounsellorUtterance, Moment
from mitrainer.scoring.rubric import Rubric
from mitrainer.scoring.rubric_load import get_rubric
from mitrainer.scoring.score import SessionScore, score_moments

CONTEXT_LINES = 8
_SPLIT = re.compile(r"[;,|]")
_TALK_ALIASES = {"ct": TalkType.CHANGE, "change_talk": TalkType.CHANGE, "st": TalkType.SUSTAIN,
                 "sustain_talk": TalkType.SUSTAIN, "fn": TalkType.NEUTRAL, "follow_neutral": TalkType.NEUTRAL}
_DEPTH = (SkillCode.SUMMARY, SkillCode.COMPLEX_REFLECTION, SkillCode.SIMPLE_REFLECTION)


@dataclass(frozen=True)
class Line:
    """One transcript line as the scorer needs it."""

    speaker: Speaker
    text: str
    codes: tuple[str, ...] | None  # codes given by a person, None when not coded by hand


def as_line(row: Any, number: int) -> Line:
    """Adapt a transcript row (object with speaker/text/codes, dict, or tuple) to a :class:`Line`."""
    if isinstance(row, Line):
        return row
    if isinstance(row, dict):
        speaker, text, codes = row.get("speaker"), row.get("text"), row.get("codes")
    elif isinstance(row, (tuple, list)):
        speaker, text = row[0], row[1]
        codes = row[2] if len(row) > 2 else None
    else:
        speaker, text, codes = getattr(row, "speaker", None), getattr(row, "text", None), getattr(row, "codes", None)
        # mitrainer.transcripts rows keep a client line's human coding in talk/subtype.
        talk, subtype = getattr(row, "talk", None), getattr(row, "subtype", None)
        if talk is not None:
            codes = (talk.value, *((subtype.value,) if subtype is not None else ()))
    parsed = speaker if isinstance(speaker, Speaker) else Speaker.parse(str(speaker or ""))
    if parsed is None:
        raise InputError(f"line {number}: unknown speaker {speaker!r} (use counsellor or client)")
    if isinstance(codes, str):
        codes = tuple(part.strip() for part in _SPLIT.split(codes) if part.strip())
    elif codes is not None:
        codes = tuple(c.value if hasattr(c, "value") else str(c) for c in codes)
    return Line(parsed, str(text or ""), codes or None)


def human_coding(codes: Sequence[str], number: int) -> ResponseCoding:
    """A person's codes for a counsellor line; the primary follows MITI (the deepest reflection
    wins over a question)."""
    parsed: list[SkillCode] = []
    for text in codes:
        code = SkillCode.parse(text)
        if code is None:
            hint = did_you_mean(text.strip().lower(), [c.value for c in SkillCode])
            raise InputError(f"line {number}: '{text}' is not a skill code" + (f" ({hint})" if hint else ""))
        if code not in parsed:
            parsed.append(code)
    reflections = [c for c in _DEPTH if c in parsed]
    if reflections:
        parsed.remove(reflections[0])
        parsed.insert(0, reflections[0])
    return ResponseCoding.manual(*parsed, coder="human")


def human_talk(codes: Sequence[str], number: int) -> tuple[TalkType, Subtype | None]:
    """A person's coding of a client line: the talk type, then optionally a DARN-CAT subtype."""
    key = codes[0].strip().lower().replace("-", "_").replace(" ", "_")
    talk = _TALK_ALIASES.get(key) or TalkType._value2member_map_.get(key)
    if talk is None:
        hint = did_you_mean(key, [t.value for t in TalkType])
        raise InputError(f"line {number}: '{codes[0]}' is not a client talk type (change, sustain, neutral, "
                         "discord)" + (f"; {hint}" if hint else ""))
    subtype = None
    for text in codes[1:]:
        subtype = Subtype._value2member_map_.get(text.strip().lower().replace(" ", "_")) or subtype
    return TalkType(talk), (Subtype(subtype) if subtype is not None else None)


def transcript_moments(rows: Iterable[Any], coder: Coder, rubric: Rubric,
                       ) -> tuple[list[Moment], list[tuple[ResponseCoding, ResponseCoding]], int]:
    """Moments for a transcript, plus (human, machine) codings of the hand-coded counsellor
    lines and the number of counsellor lines."""
    moments: list[Moment] = []
    pairs: list[tuple[ResponseCoding, ResponseCoding]] = []
    context: list[Utterance] = []
    counsellor_lines = 0
    for number, row in enumerate(rows, start=1):
        line = as_line(row, number)
        if line.speaker is Speaker.COUNSELLOR:
            counsellor_lines += 1
            machine = coder.code_response(line.text, context[-CONTEXT_LINES:])
            if line.codes:
                human = human_coding(line.codes, number)
                pairs.append((human, machine))
                moments.append(CounsellorUtterance(human, line.text))
            else:
                moments.append(CounsellorUtterance(machine, line.text))
        else:
            talk: TalkType | None
            subtype: Subtype | None
            if line.codes:
                talk, subtype = human_talk(line.codes, number)
            else:
                coding = coder.code_client(line.text, context[-CONTEXT_LINES:])
                talk, subtype = coding.talk, coding.subtype
            moments.append(ClientMoment(talk, subtype, asks_a_question(line.text, talk)))
        context.append(Utterance(line.speaker, line.text))
    return moments, pairs, counsellor_lines


def score_transcript(rows: Iterable[Any], rubric: Rubric | None = None, *, coder: Coder | None = None,
                     focus: Sequence[SkillCode] = ()) -> SessionScore:
    """Score a transcript: human codes where a person gave them, machine codes elsewhere.

    When some counsellor lines carry human codes, ``agreement`` holds Cohen's kappa between
    the person and the machine on those lines (per code and on the primary code).
    Raises :class:`~mitrainer.errors.InputError` for a row it cannot read.
    """
    rubric = rubric or get_rubric()
    if coder is None:
        from mitrainer.coding import default_coder

        coder = default_coder()
    moments, pairs, counsellor_lines = transcript_moments(rows, coder, rubric)
    if not pairs:
        source = "machine"
    elif len(pairs) == counsellor_lines:
        source = "human"
    else:
        source = "mixed"
    score = score_moments(moments, rubric, focus=focus, source=source)
    if not pairs:
        return score
    min_confidence = float(rubric.counting.min_confidence or 0.0)
    report = agreement_report(
        [(h.primary, h.counted(min_confidence)) for h, _ in pairs],
        [(m.primary, m.counted(min_confidence)) for _, m in pairs],
    )
    return replace(score, agreement=report)
