"""Per-turn feedback: does the response fit the moment, why, and what would fit better.

The moment is read from the client's line (change talk, sustain talk, discord, neutral)
and from the counsellor's own pattern (a run of questions, advice without permission, a
summary after enough turns). Verdicts and messages come from the rubric; the better
alternative is one of the node's exemplars, chosen by the situation's ``better`` codes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from mitrainer.codes import Direction, SkillCode, TalkType, Verdict
from mitrainer.i18n import text_in
from mitrainer.record.model import BetterResponse, Feedback, Judgement, Turn
from mitrainer.scoring.moments import (
    ClientMoment,
    CounsellorUtterance,
    CountedUtterance,
    Moment,
    client_moment,
    count_utterances,
    judge,
    question_run,
)
from mitrainer.scoring.rubric import Rubric
from mitrainer.scoring.rubric_load import session_focus, session_rubric
from mitrainer.scoring.vocabulary import Category, Situation

if TYPE_CHECKING:
    from mitrainer.engine.session import Session
    from mitrainer.scenario.model import Exemplar, Sides

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def feedback_for_turn(session: Session, turn: Turn, rubric: Rubric | None = None) -> Feedback:
    """The feedback on ``turn`` of ``session`` (usually the one just played: ``session.turns[-1]``).

    The one producer of a turn's feedback: the rubric's judgement of the response and the
    scenario author's note on the branch it took. The rubric defaults to the one the
    scenario names; the words are in the scenario's language where the rubric has a
    translation for it (``translations``), else English.
    """
    return Feedback(judgement=judge_turn(session, turn, rubric), note=session.branch_taken(turn).note)


def judge_turn(session: Session, turn: Turn, rubric: Rubric | None = None) -> Judgement:
    """The rubric's judgement of ``turn``'s response, given the turns before it."""
    rubric = rubric or session_rubric(session.scenario)
    moments: list[Moment] = []
    for earlier in session.turns[:turn.index]:
        moments.append(client_moment(earlier.client))
        moments.append(CounsellorUtterance(earlier.coding, earlier.response))
    moments.append(client_moment(turn.client))
    moments.append(CounsellorUtterance(turn.coding, turn.response))
    utterances, _ = count_utterances(moments, rubric)
    node = session.scenario.nodes.get(turn.client.node)
    return judge_response(
        utterances[-1], utterances[:-1], client_moment(turn.client),
        node.exemplars if node is not None else (), rubric,
        response=turn.response, uncoded_reason=turn.coding.uncoded_reason, uncertain=turn.coding.uncertain,
        language=session.scenario.language, sides=node.sides if node is not None else None,
        focus=session_focus(session.scenario),
    )


def _is_exemplar(response: str, exemplars: Sequence[Exemplar]) -> bool:
    """Whether ``response`` is one of the node's model responses as written (a guided choice, or
    a hint put in the box and sent unchanged)."""
    said = response.strip()
    return any(e.text.strip() == said for e in exemplars)


def judge_response(current: CountedUtterance, previous: Sequence[CountedUtterance], client: ClientMoment,
                   exemplars: Sequence[Exemplar], rubric: Rubric, *, response: str = "",
                   uncoded_reason: str = "", uncertain: bool = False, language: str | None = None,
                   sides: Sides | None = None, focus: Sequence[SkillCode] = ()) -> Judgement:
    """The feedback for one counted response to the ``client``'s line, given the utterances before it (pure).

    In order: a response that could not be coded; the righting reflex; the situation's rule for
    the side of the client's ambivalence the response strengthens (``by_direction``); a
    well-timed summary; else the best of its codes, a question that makes a run being fair.
    ``language`` is the scenario's: the rubric's words and the placeholders' values (skill
    and DARN-CAT names) are given in it where there is a translation. ``sides`` are the
    author's change and sustain parts of the client's line, which the direction messages quote.
    ``focus`` is a drill's skills: a response that does what the drill asks is good
    (``drill_task``) unless the righting reflex or the rule for its direction says otherwise.
    """
    talk, subtype = client.talk, client.subtype
    base = client.situation
    codes = current.codes
    run = 0
    key_code: SkillCode | None = codes[0] if codes else None
    rule_direction: Direction | None = None
    situation: Situation
    if not current.coded:
        situation, verdict = Situation.UNCODED, Verdict.FAIR
    else:
        verdict = judge(base, codes, rubric, current.direction)
        situation = base
        rule = rubric.situation(base).direction_rule(codes, current.direction)
        if verdict is Verdict.RIGHTING_REFLEX:
            key_code = next(c for c in codes if c in rubric.codes(Category.NON_ADHERENT))
            if base is Situation.NEUTRAL and any(c in rubric.codes(Category.ADVICE) for c in codes):
                situation = Situation.ADVICE_WITHOUT_PERMISSION
        elif rule is not None:
            rule_direction = current.direction
            key_code = next(c for c in codes if c in rule.codes)
        elif SkillCode.SUMMARY in codes and _turns_since_summary(previous) >= (rubric.feedback.summary_after or 1):
            situation, verdict = Situation.SUMMARY, Verdict.GOOD
        elif any(c in focus for c in codes):
            # A drill asks for its skill: doing it is never marked down by the moment's code lists
            # (an open question after sustain talk in the open-question drill), nor by a run of it.
            if verdict is not Verdict.GOOD and Situation.DRILL_TASK in rubric.situations:
                situation, verdict = Situation.DRILL_TASK, Verdict.GOOD
                key_code = next(c for c in codes if c in focus)
        elif not _is_exemplar(response, exemplars):
            # A model response offered at this node is never marked down for a run of questions:
            # the trainee who chose it could not have avoided the rule.
            run = question_run([*previous, current], rubric)
            if run >= (rubric.feedback.question_run or 0) > 0 and verdict in (Verdict.GOOD, Verdict.FAIR):
                situation, verdict = Situation.QUESTION_RUN, Verdict.FAIR

    spec = rubric.situation(situation)
    message = rubric.message(situation, verdict, key_code, language, direction=rule_direction)

    def said(key: str) -> str:
        return text_in(language, key)

    def side(part: str, key: str) -> str:
        # The author's words where the node marks them, else a plain naming of that side.
        return said("feedback.quoted").replace("{text}", part) if part else said(key)

    values = {
        # "your other leaves it unexplored" reads badly: a response with no skill is named so.
        "code": (said("feedback.other_code") if key_code is SkillCode.OTHER
                 else said(f"skill.{key_code.value}").lower() if key_code else said("feedback.response")),
        "codes": ", ".join(said(f"skill.{c.value}").lower() for c in codes) or said("feedback.no_codes"),
        "talk": rubric.situation_label(base, language).lower() or base.replace("_", " "),
        "subtype": said(f"subtype.{subtype.value}") if subtype else said(f"talk.{(talk or TalkType.NEUTRAL).value}"),
        "run": str(run),
        "situation": rubric.situation_label(situation, language) or situation.replace("_", " "),
        "reason": uncoded_reason or said("feedback.not_recognised"),
        "change_side": side(sides.change if sides else "", "feedback.change_side"),
        "sustain_side": side(sides.sustain if sides else "", "feedback.sustain_side"),
    }
    # In a drill the better alternative shows the drill's own skill first, then the moment's.
    better = None if verdict is Verdict.GOOD else choose_exemplar(exemplars, (*focus, *(spec.better or ())), response)
    return Judgement(
        verdict=verdict,
        headline=_fill(message.headline or "", values),
        rationale=_fill(message.rationale or "", values),
        codes=codes,
        situation=situation,
        better=better,
        uncertain=uncertain or not current.coded,
    )


def _turns_since_summary(previous: Sequence[CountedUtterance]) -> int:
    count = 0
    for utterance in reversed(previous):
        if SkillCode.SUMMARY in utterance.codes:
            break
        count += 1
    return count


def choose_exemplar(exemplars: Sequence[Exemplar], preferred: Sequence[SkillCode],
                    response: str = "") -> BetterResponse | None:
    """The exemplar whose codes come earliest in ``preferred`` (first in the node on ties).

    Exemplars that model the righting reflex, or repeat the trainee's own words, are never
    offered.
    """
    rank: dict[SkillCode, int] = {}
    for i, code in enumerate(preferred):
        rank.setdefault(code, i)  # a code named twice ranks where it comes first
    best: tuple[int, int] | None = None
    chosen = None
    for index, exemplar in enumerate(exemplars):
        codes = exemplar.skill_codes
        if any(c.righting_reflex for c in codes) or exemplar.text.strip() == response.strip():
            continue
        key = (min((rank[c] for c in codes if c in rank), default=len(rank)), index)
        if best is None or key < best:
            best, chosen = key, exemplar
    if chosen is None:
        return None
    return BetterResponse(text=chosen.text, codes=tuple(chosen.codes), why=chosen.why)


def _fill(template: str, values: dict[str, str]) -> str:
    # Plain {name} substitution; str.format would let a rubric file reach object attributes.
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)
