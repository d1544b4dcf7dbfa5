"""A conversation as the scorer sees it: client lines and coded counsellor utterances.

Live sessions, session records and transcripts all become a list of :class:`ClientMoment`
and :class:`CounsellorUtterance`; the per-turn feedback and the session score read the same
list with the same rules (which codes count, when advice had permission, how a response
fits the client's talk), so the two never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mitrainer.codes import Direction, SkillCode, Subtype, TalkType, Verdict
from mitrainer.coding.base import ResponseCoding
from mitrainer.record.model import ClientLine
from mitrainer.scoring.rubric import Rubric
from mitrainer.scoring.vocabulary import Category, Situation, base_situation


@dataclass(frozen=True, slots=True)
class ClientMoment:
    """A client line, the kind of talk it is (None when unknown), and whether it asks the
    counsellor a direct question (:func:`mitrainer.codes.asks_a_question`)."""

    talk: TalkType | None
    subtype: Subtype | None = None
    asks: bool = False

    @property
    def situation(self) -> Situation:
        """The situation the line sets up for the response after it."""
        return base_situation(self.talk, self.asks)


def client_moment(line: ClientLine) -> ClientMoment:
    """A recorded client line as the scorer sees it."""
    return ClientMoment(line.talk, line.subtype, line.asks)


@dataclass(frozen=True, slots=True)
class CounsellorUtterance:
    """A counsellor utterance with its coding (machine or human)."""

    coding: ResponseCoding
    text: str = ""


Moment = ClientMoment | CounsellorUtterance

_VERDICT_RANK = {Verdict.GOOD: 2, Verdict.FAIR: 1, Verdict.MISSED: 0}


def with_permission(codes: tuple[SkillCode, ...], rubric: Rubric, permission_recent: bool,
                    client_asked: bool = False) -> tuple[SkillCode, ...]:
    """Advice with permission is persuading with permission (MITI 4.2.1): when the client asked
    for it, when the counsellor asked permission (in this utterance or within the window), or
    when it is framed with the client's autonomy in the same utterance."""
    advice = rubric.codes(Category.ADVICE)
    permission = rubric.codes(Category.PERMISSION) | rubric.codes(Category.AUTONOMY)
    if not (client_asked or permission_recent or any(c in permission for c in codes)):
        return codes
    if not any(c in advice for c in codes):
        return codes
    converted: list[SkillCode] = []
    for code in codes:
        code = SkillCode.PERSUADE_WITH_PERMISSION if code in advice else code
        if code not in converted:
            converted.append(code)
    return tuple(converted)


def judge(situation: Situation, codes: Sequence[SkillCode], rubric: Rubric,
          direction: Direction | None = None) -> Verdict:
    """The verdict for a response with ``codes`` (strengthening ``direction``) to a moment judged
    by code lists: the righting reflex first, then the situation's rule for the side the
    response strengthens (``by_direction``), then the best of the codes."""
    if any(c in rubric.codes(Category.NON_ADHERENT) for c in codes):
        return Verdict.RIGHTING_REFLEX
    spec = rubric.situation(situation)
    rule = spec.direction_rule(codes, direction)
    if rule is not None:
        return rule.verdict
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
    direction: Direction | None = None


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
        raw = moment.coding.counted(min_confidence)
        codes = with_permission(raw, rubric, since_permission <= window, pending is not None and pending.asks)
        utterances.append(CountedUtterance(codes, pending, moment.coding.coded, moment.coding.uncertain,
                                           moment.coding.direction))
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
