"""The vocabulary of MI coding, defined once for the whole package.

Counsellor behaviour is coded with :class:`SkillCode` (OARS practice plus MITI 4.2.1
behaviour codes); client language with :class:`TalkType` and :class:`Subtype`
(DARN-CAT). Everything else — scenarios, the coder, rubrics, the TUI — refers to these
enumerations and never spells a code as a bare string of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum


class Adherence(str, Enum):
    """Where a behaviour stands against the MITI's MI-adherence totals."""

    ADHERENT = "adherent"
    NON_ADHERENT = "non_adherent"
    NEUTRAL = "neutral"


class Family(str, Enum):
    """OARS family a skill belongs to (what the counters in the sidebar group by)."""

    QUESTION = "question"
    AFFIRMATION = "affirmation"
    REFLECTION = "reflection"
    SUMMARY = "summary"
    INFORMATION = "information"
    PERSUASION = "persuasion"
    PARTNERSHIP = "partnership"
    CONFRONTATION = "confrontation"
    OTHER = "other"


@dataclass(frozen=True)
class SkillInfo:
    label: str
    chip: str
    family: Family
    miti: str
    adherence: Adherence
    description: str


class SkillCode(str, Enum):
    """A counsellor behaviour code.

    Open and closed questions are kept apart for OARS practice; both map to MITI ``Q``.
    Summaries are coded as reflections in MITI 4.2.1 (usually complex), so they count
    towards reflections and %CR.
    """

    OPEN_QUESTION = "open_question"
    CLOSED_QUESTION = "closed_question"
    SIMPLE_REFLECTION = "simple_reflection"
    COMPLEX_REFLECTION = "complex_reflection"
    SUMMARY = "summary"
    AFFIRMATION = "affirmation"
    GIVING_INFORMATION = "giving_information"
    PERSUADE = "persuade"
    PERSUADE_WITH_PERMISSION = "persuade_with_permission"
    SEEKING_COLLABORATION = "seeking_collaboration"
    EMPHASIZING_AUTONOMY = "emphasizing_autonomy"
    CONFRONT = "confront"
    OTHER = "other"

    @property
    def info(self) -> SkillInfo:
        return SKILLS[self]

    @property
    def label(self) -> str:
        return SKILLS[self].label

    @property
    def is_question(self) -> bool:
        return self in (SkillCode.OPEN_QUESTION, SkillCode.CLOSED_QUESTION)

    @property
    def is_reflection(self) -> bool:
        """Counts as a reflection for R:Q (summaries included, as MITI codes them)."""
        return self in (SkillCode.SIMPLE_REFLECTION, SkillCode.COMPLEX_REFLECTION, SkillCode.SUMMARY)

    @property
    def is_complex_reflection(self) -> bool:
        return self in (SkillCode.COMPLEX_REFLECTION, SkillCode.SUMMARY)

    @property
    def righting_reflex(self) -> bool:
        """Persuading without permission or confronting: the MI non-adherent behaviours."""
        return SKILLS[self].adherence is Adherence.NON_ADHERENT

    @classmethod
    def parse(cls, value: str, names: Mapping[str, SkillCode] | None = None) -> SkillCode | None:
        """Return the code for ``value``, else None.

        Accepted, in any case: the code's name (``complex_reflection``, spaces or hyphens for
        underscores), the chip the screens show (``CR``, ``PER``, ``SC``, ``EA``, ``CON``, ``OT``, …),
        the English label (``Emphasising autonomy``) and a few MITI aliases; ``names`` adds more
        (the labels of the interface languages, from :func:`mitrainer.i18n.skill_names`).
        """
        key = code_key(value)
        try:
            return cls(key)
        except ValueError:
            found = SKILL_ALIASES.get(key)
            if found is None and names:
                found = names.get(key)
            return found


SKILLS: dict[SkillCode, SkillInfo] = {
    SkillCode.OPEN_QUESTION: SkillInfo(
        "Open question", "OQ", Family.QUESTION, "Q", Adherence.NEUTRAL,
        "Invites elaboration; cannot be answered yes or no."),
    SkillCode.CLOSED_QUESTION: SkillInfo(
        "Closed question", "CQ", Family.QUESTION, "Q", Adherence.NEUTRAL,
        "Asks for a yes/no or a specific fact."),
    SkillCode.SIMPLE_REFLECTION: SkillInfo(
        "Simple reflection", "SR", Family.REFLECTION, "SR", Adherence.NEUTRAL,
        "Repeats or lightly rephrases what the client said."),
    SkillCode.COMPLEX_REFLECTION: SkillInfo(
        "Complex reflection", "CR", Family.REFLECTION, "CR", Adherence.NEUTRAL,
        "Adds meaning, feeling or the unspoken part of what the client said."),
    SkillCode.SUMMARY: SkillInfo(
        "Summary", "SUM", Family.SUMMARY, "CR", Adherence.NEUTRAL,
        "Collects several things the client said, often ending with an invitation."),
    SkillCode.AFFIRMATION: SkillInfo(
        "Affirmation", "AF", Family.AFFIRMATION, "AF", Adherence.ADHERENT,
        "Recognises a genuine strength, effort or value of the person."),
    SkillCode.GIVING_INFORMATION: SkillInfo(
        "Giving information", "GI", Family.INFORMATION, "GI", Adherence.NEUTRAL,
        "Neutral information, feedback or explanation."),
    SkillCode.PERSUADE: SkillInfo(
        "Persuade", "PER", Family.PERSUASION, "Persuade", Adherence.NON_ADHERENT,
        "Argues, advises, warns or lectures without permission (righting reflex)."),
    SkillCode.PERSUADE_WITH_PERMISSION: SkillInfo(
        "Persuade with permission", "PWP", Family.PERSUASION, "Persuade with Permission",
        Adherence.NEUTRAL, "Advice after asking permission, or with autonomy emphasised."),
    SkillCode.SEEKING_COLLABORATION: SkillInfo(
        "Seeking collaboration", "SC", Family.PARTNERSHIP, "Seeking Collaboration",
        Adherence.ADHERENT, "Shares power; asks for the client's ideas or permission."),
    SkillCode.EMPHASIZING_AUTONOMY: SkillInfo(
        "Emphasising autonomy", "EA", Family.PARTNERSHIP, "Emphasizing Autonomy",
        Adherence.ADHERENT, "Leaves the choice and control with the client."),
    SkillCode.CONFRONT: SkillInfo(
        "Confront", "CON", Family.CONFRONTATION, "Confront", Adherence.NON_ADHERENT,
        "Disagrees, criticises, shames, argues or labels (righting reflex)."),
    SkillCode.OTHER: SkillInfo(
        "Other", "OT", Family.OTHER, "", Adherence.NEUTRAL,
        "Greetings, backchannels, structuring: none of the above."),
}



def code_key(value: str) -> str:
    """How a code is looked up: case-folded, spaces and hyphens as underscores."""
    return "_".join(value.strip().casefold().replace("-", " ").replace("_", " ").split())


# Every chip the screens show (OQ … OT) and every English label, plus MITI's own words.
SKILL_ALIASES: dict[str, SkillCode] = {
    **{code_key(info.chip): code for code, info in SKILLS.items()},
    **{code_key(info.label): code for code, info in SKILLS.items()},
    "affirm": SkillCode.AFFIRMATION,
    "information": SkillCode.GIVING_INFORMATION,
    "emphasising_autonomy": SkillCode.EMPHASIZING_AUTONOMY,
}


def valid_codes() -> str:
    """The codes ``SkillCode.parse`` accepts, for an error message: ``OQ (open_question), …``."""
    return ", ".join(f"{info.chip} ({code.value})" for code, info in SKILLS.items())


def parse_code_list(text: str, names: Mapping[str, SkillCode] | None = None) -> tuple[tuple[SkillCode, ...], list[str]]:
    """``"CR, oq; Affirmation"`` → (the codes in order, primary first, repeats dropped; the parts
    that are no code). Commas, semicolons and bars separate codes."""
    codes: list[SkillCode] = []
    unknown: list[str] = []
    for part in text.replace(";", ",").replace("|", ",").split(","):
        if not part.strip():
            continue
        code = SkillCode.parse(part, names)
        if code is None:
            unknown.append(part.strip())
        elif code not in codes:
            codes.append(code)
    return tuple(codes), unknown


class TalkType(str, Enum):
    """What a client line does: move towards change, defend the status quo, or neither.

    Discord is not sustain talk: it is friction in the relationship, usually a reaction
    to the counsellor's righting reflex.
    """

    CHANGE = "change"
    SUSTAIN = "sustain"
    NEUTRAL = "neutral"
    DISCORD = "discord"

    @property
    def has_subtype(self) -> bool:
        return self in (TalkType.CHANGE, TalkType.SUSTAIN)


# Closing marks a question may end with before its question mark ("Is it?" she asked → ends in ?").
_TRAILING = " \t\n\"'”’」』）)]…．.。"
_QUESTION_MARKS = ("?", "？")


def asks_a_question(text: str, talk: TalkType | None) -> bool:
    """Whether a client line asks the counsellor a direct question, when its author did not say.

    A neutral line (or one with no talk type) that ends with a question mark asks: "Do I have
    to come every day?", "会不会有什么记录？". Change and sustain talk phrased as a question
    ("Why would I stop?") stays what it is; an author marks a real question there with
    ``asks: true`` on the node.
    """
    if talk not in (None, TalkType.NEUTRAL):
        return False
    return text.rstrip(_TRAILING).endswith(_QUESTION_MARKS)


class Direction(str, Enum):
    """Which side of the client's ambivalence a counsellor response strengthens.

    What a counsellor reflects, asks about, affirms or summarises is what the client says
    more about: ``change`` invites more talk for change, ``sustain`` more talk for the status
    quo (or for discord), ``neutral`` neither (logistics, facts, greetings). A double-sided
    reflection counts by the side it ends on.
    """

    CHANGE = "change"
    SUSTAIN = "sustain"
    NEUTRAL = "neutral"


class Verdict(StrEnum):
    """How well a response fits the moment: what per-turn feedback says first.

    ``righting_reflex`` is its own verdict, not a kind of miss: the response pushed for
    change (advice without permission, persuasion, confrontation), which MI counts
    against the counsellor whatever the moment.
    """

    GOOD = "good"
    FAIR = "fair"
    MISSED = "missed"
    RIGHTING_REFLEX = "righting_reflex"


class Subtype(str, Enum):
    """DARN-CAT: preparatory (desire, ability, reasons, need) and mobilising talk."""

    DESIRE = "desire"
    ABILITY = "ability"
    REASONS = "reasons"
    NEED = "need"
    COMMITMENT = "commitment"
    ACTIVATION = "activation"
    TAKING_STEPS = "taking_steps"

    @property
    def mobilising(self) -> bool:
        return self in (Subtype.COMMITMENT, Subtype.ACTIVATION, Subtype.TAKING_STEPS)


class Speaker(str, Enum):
    COUNSELLOR = "counsellor"
    CLIENT = "client"

    @classmethod
    def parse(cls, value: str) -> Speaker | None:
        key = value.strip().lower()
        if key in ("counsellor", "counselor", "therapist", "interviewer", "t"):
            return cls.COUNSELLOR
        if key in ("client", "patient", "c"):
            return cls.CLIENT
        return None


class Difficulty(str, Enum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class Stage(str, Enum):
    """Stages of change (transtheoretical model)."""

    PRECONTEMPLATION = "precontemplation"
    CONTEMPLATION = "contemplation"
    PREPARATION = "preparation"
    ACTION = "action"
    MAINTENANCE = "maintenance"
    RELAPSE = "relapse"
