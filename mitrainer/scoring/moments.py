"""A conversation as the scorer sees it: client lines and coded counsellor utterances.

Live sessions, session records and transcripts all become a list of :class:`ClientMoment`
and :class:`CounsellorUtterance`; the per-turn feedback and the session score read the same
list with the same rules (which codes count, when advice had permission, how a response
fits the client's talk), so the two never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mitrainer.codes import SkillCode, Subtype, TalkType, Verdict
from mitrainer.coding.base import ResponseCoding
from mitrainer.scoring.rubric import Rubric
from mitrainer.scoring.vocabulary import Category, Situation


@dataclass(frozen=True, slots=True)
class ClientMoment:
    """A client line and the kind of talk it is (None when unknown)."""

    talk: TalkType | None
    subtype: Subtype | None = None


@dataclass(frozen=True, slots=True)
class CounsellorUtterance:
    """A counsellor utterance with its coding (machine or human)."""

    coding: ResponseCoding
    text: str = ""


Moment = ClientMoment | CounsellorUtterance

_REFLECTION_DEPTH = (SkillCode.SUMMARY, SkillCode.COMPLEX_REFLECTION, SkillCode.SIMPLE_REFLECTION)
_QUESTION_PREFERENCE = (SkillCode.OPEN_QUESTION, SkillCode.CLOSED_QUESTION)
_VERDICT_RANK = {Verdict.GOOD: 2, Verdict.FAIR: 1, Verdict.MISSED: 0}


def raw_codes(coding: ResponseCoding, min_confidence: float) -> tuple[SkillCode, ...]:
    """The codes an utterance is counted with, before the permission rule.

    The primary code always counts; another code counts when the coder gave it at least
    ``min_confidence``. As in MITI 4.2.1, one utterance gives at most one reflection (the
    deepest) and one question (open over closed).
    """
    if coding.primary is None:
        return ()
    codes = [coding.primary]
    for score in coding.codes:
        if score.code is not coding.primary and score.confidence >= min_confidence and score.code not in codes:
            codes.append(score.code)
    if len(codes) == 1:
        return (codes[0],)
    reflections = [c for c in _REFLECTION_DEPTH if c in codes]
    questions = [c for c in _QUESTION_PREFERENCE if c in codes]
    allowed = set(reflections[:1]) | set(questions[:1])
    # Order kept as the coder gave it, so the primary stays first unless a deeper
    # reflection replaced it.
    return tuple(c for c in codes if c in allowed or (c not in _REFLECTION_DEPTH and c not in _QUESTION_PREFERENCE))


def with_permission(codes: tuple[SkillCode, ...], rubric: Rubric, permission_recent: bool) -> tuple[SkillCode, ...]:
    """Advice after asking permission (now or in the last turns) is persuading with permission."""
    advice = rubric.codes(Category.ADVICE)
    permission = rubric.codes(Category.PERMISSION)
    if not (permission_recent or any(c in permission for c in codes)):
        return codes
    if not any(c in advice for c in codes):
        return codes
    converted: list[SkillCode] = []
    for code in codes:
        code = SkillCode.PERSUADE_WITH_PERMISSION if code in advice else code
        if code not in converted:
            converted.append(code)
    return tuple(converted)


def judge(situation: Situation, codes: Sequence[SkillCode], rubric: Rubric) -> Verdict:
    """The verdict for a response with ``codes`` to a moment judged by code lists."""
    if any(c in rubric.codes(Category.NON_ADHERENT) for c in codes):
        return Verdict.RIGHTING_REFLEX
    spec = rubric.situation(situation)
    good = spec.good or ()
    fair = spec.fair or ()
    best = Verdict.MISSED
    for code in codes:
        verdict = Verdict.GOOD if code in good else Verdict.FAIR if code in fair else Verdict.MISSED
        if _VERDICT_RANK[verdict] > _VERDICT_RANK[best]:
            best = verdict
    return best


@dataclass(frozen=True, slots=True)
class CountedUtterance:
    """A counsellor utterance with its counted codes and the client moment it answers."""

    codes: tuple[SkillCode, ...]
    answers: ClientMoment | None  # the client line it directly follows, else None
    coded: bool
    uncertain: bool


def count_utterances(moments: Iterable[Moment], rubric: Rubric) -> tuple[list[CountedUtterance], list[ClientMoment]]:
    """Walk a conversation once: counted codes per counsellor utterance (with the permission
    rule applied) and the client moments."""
    min_confidence = float(rubric.counting.min_confidence or 0.0)
    window = int(rubric.counting.permission_window or 0)
    permission = rubric.codes(Category.PERMISSION)
    utterances: list[CountedUtterance] = []
    clients: list[ClientMoment] = []
    pending: ClientMoment | None = None
    since_permission = window + 1  # counsellor utterances since permission was last asked
    for moment in moments:
        if isinstance(moment, ClientMoment):
            clients.append(moment)
            pending = moment
            continue
        raw = raw_codes(moment.coding, min_confidence)
        codes = with_permission(raw, rubric, since_permission <= window)
        utterances.append(CountedUtterance(codes, pending, moment.coding.coded, moment.coding.uncertain))
        pending = None
        since_permission = 1 if any(c in permission for c in raw) else since_permission + 1
    return utterances, clients


def question_run(utterances: Sequence[CountedUtterance], rubric: Rubric) -> int:
    """How many questions in a row (with no reflection) end the list of utterances."""
    reflection = rubric.codes(Category.REFLECTION)
    question = rubric.codes(Category.QUESTION)
    run = 0
    for utterance in reversed(utterances):
        if any(c in reflection for c in utterance.codes) or not any(c in question for c in utterance.codes):
            break
        run += 1
    return run
