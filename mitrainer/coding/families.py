"""The four families of counsellor behaviour the trained coder's heads are built on.

AnnoMI's experts code a counsellor's main behaviour as a question, a reflection, therapist
input or other; the coder first chooses the family and then a code within it. Training
(``mitrainer_training``) maps AnnoMI's labels onto the same families.
"""

from __future__ import annotations

from mitrainer.codes import SkillCode

FAMILIES = ("question", "reflection", "therapist_input", "other")

FAMILY_OF: dict[SkillCode, str] = {
    SkillCode.OPEN_QUESTION: "question",
    SkillCode.CLOSED_QUESTION: "question",
    SkillCode.SIMPLE_REFLECTION: "reflection",
    SkillCode.COMPLEX_REFLECTION: "reflection",
    SkillCode.SUMMARY: "reflection",
    SkillCode.GIVING_INFORMATION: "therapist_input",
    SkillCode.PERSUADE: "therapist_input",
    SkillCode.PERSUADE_WITH_PERMISSION: "therapist_input",
    SkillCode.SEEKING_COLLABORATION: "therapist_input",
    SkillCode.EMPHASIZING_AUTONOMY: "therapist_input",
    SkillCode.AFFIRMATION: "other",
    SkillCode.CONFRONT: "other",
    SkillCode.OTHER: "other",
}

# The codes each family head chooses between (the first is the fallback).
FAMILY_CODES: dict[str, tuple[SkillCode, ...]] = {
    "question": (SkillCode.OPEN_QUESTION, SkillCode.CLOSED_QUESTION),
    "reflection": (SkillCode.SIMPLE_REFLECTION, SkillCode.COMPLEX_REFLECTION, SkillCode.SUMMARY),
    "therapist_input": (
        SkillCode.GIVING_INFORMATION,
        SkillCode.PERSUADE,
        SkillCode.PERSUADE_WITH_PERMISSION,
        SkillCode.SEEKING_COLLABORATION,
        SkillCode.EMPHASIZING_AUTONOMY,
    ),
    "other": (SkillCode.OTHER, SkillCode.AFFIRMATION, SkillCode.CONFRONT),
}
