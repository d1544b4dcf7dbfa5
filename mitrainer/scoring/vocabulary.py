"""The words a rubric is written in, each defined once: situations, categories, global ratings,
indicators, metrics and message placeholders.

The rubric's schema (:mod:`mitrainer.scoring.rubric`) types its keys with these enumerations,
so a rubric file that names something else gets a positioned diagnostic; the scorer and the
checks iterate over them. Skill codes, talk types and verdicts are MI's own vocabulary and
live in :mod:`mitrainer.codes`.
"""

from __future__ import annotations

from enum import StrEnum

from mitrainer.codes import TalkType, Verdict


class Situation(StrEnum):
    """A kind of moment a response is judged in."""

    CHANGE_TALK = "change_talk"
    SUSTAIN_TALK = "sustain_talk"
    DISCORD = "discord"
    NEUTRAL = "neutral"
    CLIENT_QUESTION = "client_question"
    QUESTION_RUN = "question_run"
    ADVICE_WITHOUT_PERMISSION = "advice_without_permission"
    SUMMARY = "summary"
    UNCODED = "uncoded"
    # A drill's own skill (its ``focus``), done where the moment alone would judge it less than good.
    DRILL_TASK = "drill_task"


# Situations whose verdict comes from the code lists (the others are fixed moments).
JUDGED_SITUATIONS = (Situation.CHANGE_TALK, Situation.SUSTAIN_TALK, Situation.DISCORD, Situation.NEUTRAL,
                     Situation.CLIENT_QUESTION)
# The situation a client line of each talk type sets up.
TALK_SITUATION: dict[TalkType, Situation] = {
    TalkType.CHANGE: Situation.CHANGE_TALK,
    TalkType.SUSTAIN: Situation.SUSTAIN_TALK,
    TalkType.DISCORD: Situation.DISCORD,
    TalkType.NEUTRAL: Situation.NEUTRAL,
}


def base_situation(talk: TalkType | None, asks: bool = False) -> Situation:
    """The situation a client line sets up: a direct question to the counsellor (``asks``), else
    its kind of talk (a line without a talk type is neutral)."""
    if asks:
        return Situation.CLIENT_QUESTION
    return TALK_SITUATION[talk or TalkType.NEUTRAL]
# The verdicts each situation can give, hence the messages it needs.
SITUATION_VERDICTS: dict[Situation, tuple[Verdict, ...]] = {
    **{situation: tuple(Verdict) for situation in JUDGED_SITUATIONS},
    Situation.QUESTION_RUN: (Verdict.FAIR,),
    Situation.ADVICE_WITHOUT_PERMISSION: (Verdict.RIGHTING_REFLEX,),
    Situation.SUMMARY: (Verdict.GOOD,),
    Situation.UNCODED: (Verdict.FAIR,),
    Situation.DRILL_TASK: (Verdict.GOOD,),
}
# Situations a rubric may leave out (written before they existed): without one, its rule does not apply.
OPTIONAL_SITUATIONS = (Situation.DRILL_TASK,)


class Category(StrEnum):
    """A group of codes the scores count together."""

    REFLECTION = "reflection"
    COMPLEX_REFLECTION = "complex_reflection"
    QUESTION = "question"
    OPEN_QUESTION = "open_question"
    ADHERENT = "adherent"
    NON_ADHERENT = "non_adherent"
    PERMISSION = "permission"
    AUTONOMY = "autonomy"
    ADVICE = "advice"


class GlobalRating(StrEnum):
    """The MITI 4.2.1 global ratings the scores estimate."""

    CULTIVATING_CHANGE_TALK = "cultivating_change_talk"
    SOFTENING_SUSTAIN_TALK = "softening_sustain_talk"
    PARTNERSHIP = "partnership"
    EMPATHY = "empathy"


class OverallPart(StrEnum):
    """What the overall score may weigh: a global rating or one of the two summary scores."""

    CULTIVATING_CHANGE_TALK = "cultivating_change_talk"
    SOFTENING_SUSTAIN_TALK = "softening_sustain_talk"
    PARTNERSHIP = "partnership"
    EMPATHY = "empathy"
    TECHNICAL = "technical"
    RELATIONAL = "relational"


class Indicator(StrEnum):
    """A turn-level measure the global-rating formulas combine (docs/scoring.md)."""

    REFLECTION_RATE = "reflection_rate"
    COMPLEX_SHARE = "complex_share"
    RQ_BALANCE = "rq_balance"
    OPEN_SHARE = "open_share"
    ADHERENT_RATE = "adherent_rate"
    NON_ADHERENT_RATE = "non_adherent_rate"
    INPUT_RATE = "input_rate"
    CT_RESPONSE = "ct_response"
    ST_RESPONSE = "st_response"
    ST_RIGHTING = "st_righting"
    CT_PROPORTION = "ct_proportion"
    QUESTION_RUN_SHARE = "question_run_share"


class MetricKey(StrEnum):
    """A line of the score table."""

    RQ_RATIO = "rq_ratio"
    PCT_COMPLEX = "pct_complex"
    PCT_OPEN = "pct_open"
    ADHERENT = "adherent"
    NON_ADHERENT = "non_adherent"
    CT_PROPORTION = "ct_proportion"
    CULTIVATING_CHANGE_TALK = "cultivating_change_talk"
    SOFTENING_SUSTAIN_TALK = "softening_sustain_talk"
    PARTNERSHIP = "partnership"
    EMPATHY = "empathy"
    TECHNICAL = "technical"
    RELATIONAL = "relational"
    OVERALL = "overall"
    FOCUS_HIT_RATE = "focus_hit_rate"


# Placeholders a feedback message may use ({name}); filled in by feedback.py.
PLACEHOLDERS = frozenset({"code", "codes", "talk", "subtype", "run", "situation", "reason", "change_side",
                          "sustain_side"})
