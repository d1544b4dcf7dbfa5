"""From the trained coder's head probabilities to a coding, and the MITI rules applied after.

:func:`decode_response` chooses the primary code and every code that applies from the
heads' probabilities (with MITI's tie rules: information over persuasion, a simple over a
complex reflection when unsure). :func:`merge_cues` adds what the rule-based coder's explicit
cues show for codes AnnoMI does not label, and :func:`apply_miti_rules` applies the coding
rules a model learns badly: a reflection that contains "you have to" or guesses a feeling is
a reflection; housekeeping and bare praise are "other".
"""

from __future__ import annotations

import re

from mitrainer.codes import SkillCode
from mitrainer.coding.base import CodeScore, ResponseCoding
from mitrainer.coding.families import FAMILY_CODES, FAMILY_OF
from mitrainer.coding.features import MAX_CHARS, normalize
from mitrainer.coding.rules import (
    GUESSED_FEELING,
    PERSUADE,
    REFLECTIVE_FRAME,
    is_bare_praise,
    is_housekeeping,
    urges,
)

Probabilities = dict[str, dict[str, float]]  # head name → class → probability

# Below this confidence a result is marked uncertain ("not sure" in the UI).
UNCERTAIN_BELOW = 0.5
# A second family joins the codes when its presence head is at least this sure.
SECONDARY_AT = 0.5
# MITI: "when unsure choose GI over Persuade and SR over CR".
PERSUADE_NEEDS = 0.55
COMPLEX_NEEDS = 0.5
# Confront is learned from a few hundred written lines only; a guess below this is "other"
# (a greeting must never be shown to a trainee as confronting).
CONFRONT_NEEDS = 0.6
# "You have to…" inside a reflective frame is a reflection when the model sees at least
# this much reflection in the line (the frame itself is the rest of the evidence).
FRAMED_REFLECTION_AT = 0.3
# How sure a line made only of housekeeping ("Hi, come in. Have a seat.") is "other".
HOUSEKEEPING_CONFIDENCE = 0.8
_SENTENCE = re.compile(r"(?<=[.?!])\s+")


def sentences(text: str) -> list[str]:
    """The sentences of a volley (the part of it the coder reads), split after . ? and !."""
    return [s for s in _SENTENCE.split(text[:MAX_CHARS].strip()) if s]


def best(p: dict[str, float]) -> tuple[str, float]:
    """The most probable class of one head and its probability."""
    key = max(p, key=p.__getitem__)
    return key, p[key]


def choose_code(family: str, sub: dict[str, float]) -> tuple[SkillCode, float]:
    """The code within a family, with the MITI tie rules (GI over Persuade, SR over CR),
    and "other" over an unsure Confront."""
    code, p = best(sub)
    if code == SkillCode.PERSUADE.value and p < PERSUADE_NEEDS:
        code = SkillCode.GIVING_INFORMATION.value
    if code == SkillCode.COMPLEX_REFLECTION.value and p < COMPLEX_NEEDS:
        code = SkillCode.SIMPLE_REFLECTION.value
    if code == SkillCode.CONFRONT.value and p < CONFRONT_NEEDS:
        code = SkillCode.OTHER.value
    return SkillCode(code), sub[code]


def decode_response(probs: Probabilities, coder: str,
                    sentence_codes: dict[SkillCode, float] | None = None) -> ResponseCoding:
    """Turn head probabilities into a primary code and every code that applies.

    ``sentence_codes`` are codes single sentences of the volley carry (see
    :meth:`mitrainer.coding.model.TrainedCoder.sentence_codes`); one joins unless its
    family is already there.
    """
    fam_p = probs["family"]
    family, fam_conf = best(fam_p)
    presence = {
        "question": probs.get("has_question", {}).get("yes", 0.0),
        "reflection": probs.get("has_reflection", {}).get("yes", 0.0),
        "therapist_input": probs.get("has_input", {}).get("yes", 0.0),
    }
    codes: dict[SkillCode, float] = {}
    code, sub_conf = choose_code(family, probs[f"sub_{family}"])
    codes[code] = fam_conf * sub_conf if len(FAMILY_CODES[family]) > 1 else fam_conf
    for other, present in presence.items():
        if other == family:
            continue
        p_other = max(present, fam_p[other]) if present >= SECONDARY_AT else 0.0
        if p_other >= SECONDARY_AT:
            c2, s2 = choose_code(other, probs[f"sub_{other}"])
            if p_other * s2 >= SECONDARY_AT * 0.6:
                codes.setdefault(c2, p_other * s2)
    for c3, p3 in (sentence_codes or {}).items():
        if all(FAMILY_OF[c] != FAMILY_OF[c3] for c in codes):
            codes[c3] = p3
    # The primary code is the family the model finds main, as AnnoMI's experts chose the
    # main behaviour of a volley ("So it wears you out. What would help?" is mostly coded
    # a question there); the reflection stays in ``codes`` and counts in the scores.
    return _coding(code, codes, coder)


def _coding(primary: SkillCode, codes: dict[SkillCode, float], coder: str) -> ResponseCoding:
    """A coding with ``primary`` first and the other codes by confidence."""
    ordered = sorted(codes.items(), key=lambda kv: (kv[0] is not primary, -kv[1]))
    return ResponseCoding(primary=primary, codes=tuple(CodeScore(code=c, confidence=round(float(p), 4))
                                                       for c, p in ordered),
                          uncertain=codes[primary] < UNCERTAIN_BELOW, coder=coder)


# Codes AnnoMI does not label: the model learns them from a few hundred written examples
# only, so an explicit cue found by the rule-based coder ("you're just making excuses",
# "it's up to you", "would it be OK if I shared") is trusted alongside it.
CUE_CODES = frozenset({
    SkillCode.CONFRONT,
    SkillCode.PERSUADE,
    SkillCode.PERSUADE_WITH_PERMISSION,
    SkillCode.EMPHASIZING_AUTONOMY,
    SkillCode.AFFIRMATION,
    SkillCode.SEEKING_COLLABORATION,
    SkillCode.SUMMARY,
})
CUE_AT = 0.7
# A righting-reflex cue from another family takes over a primary the model is sure of
# only when the model itself gives the cue's family at least this much: a keyword must
# not overrule a confident model that reads the line as something else entirely. Confront
# is the exception: its cues are labels, sarcasm and blame that AnnoMI never codes, so the
# model, which has seen few confrontations, reads them as reflections or information; so
# is a cue the rules are this sure of (an order: "you must tell him").
CUE_FAMILY_FLOOR = 0.15
CUE_ALWAYS_AT = 0.85


def merge_cues(learned: ResponseCoding, rules: ResponseCoding,
               family_probs: dict[str, float] | None = None) -> ResponseCoding:
    """Add the rule-based coder's strong cues for codes AnnoMI lacks to the model's coding.

    A cue within the model's primary family replaces it (the model said "therapist
    input", the words say persuade); a cue from another family is added as a further
    code, and becomes primary only when the model itself was unsure, or when the cue is
    a righting-reflex code the trainee must see and the model gives its family at least
    ``CUE_FAMILY_FLOOR`` (``family_probs``, the model's family head).
    """
    if learned.primary is None:
        return learned
    cues = {s.code: s.confidence for s in rules.codes if s.code in CUE_CODES and s.confidence >= CUE_AT}
    if not cues:
        return learned
    codes = {s.code: s.confidence for s in learned.codes}
    primary = learned.primary
    fam = FAMILY_OF[primary]
    for cue, conf in sorted(cues.items(), key=lambda kv: -kv[1]):
        in_family = FAMILY_OF[cue] == fam
        if in_family and primary not in cues:
            codes[cue] = max(codes.pop(primary), conf)
            primary = cue
        else:
            codes[cue] = max(codes.get(cue, 0.0), conf)
            backed = (cue is SkillCode.CONFRONT or conf >= CUE_ALWAYS_AT or family_probs is None
                      or family_probs.get(FAMILY_OF[cue], 0.0) >= CUE_FAMILY_FLOOR)
            if learned.uncertain or (cue.righting_reflex and backed):
                primary = cue if primary not in cues or cue is SkillCode.CONFRONT else primary
        fam = FAMILY_OF[primary]
    if primary is not learned.primary:  # the model's own weak guesses no longer apply
        codes = {c: p for c, p in codes.items() if c is primary or c in cues or p >= 0.3}
    return _coding(primary, codes, learned.coder)


def apply_miti_rules(coding: ResponseCoding, text: str, probs: Probabilities) -> ResponseCoding:
    """The MITI coding rules a model learns badly, applied to its (merged) coding in order:
    a reflection that only looks like advice, then housekeeping, then bare praise."""
    coding = reflection_not_persuade(coding, text, probs)
    coding = housekeeping_is_other(coding, text)
    return praise_is_other(coding, text)


# Codes a guessed feeling is mistaken for: "must" read as advice, "you must feel…" read
# as praise or as nothing. A question, a reflection or a confrontation ("you must be
# joking") keeps its code.
_GUESS_MISREAD_AS = (SkillCode.PERSUADE, SkillCode.OTHER, SkillCode.AFFIRMATION, SkillCode.GIVING_INFORMATION)


def reflection_not_persuade(coding: ResponseCoding, text: str, probs: Probabilities) -> ResponseCoding:
    """A reflection whose words look like advice is that reflection.

    Two shapes: "you have to / need to / must" inside a reflection of the client's
    experience ("part of you feels like…", "you feel you must keep going"), taken when the
    model also sees a reflection in the line, whether it read the rest as advice, praise or
    information; and a guess at the feeling under what the client said ("you
    must be exhausted", "it must be hard", "I wonder if you're tired of it"), which is a
    complex reflection however little the model, which learned "must" as advice, sees one.
    Either way the words that look like an order describe the client, not the
    counsellor's push, and no sentence of the line urges outside them.
    """
    if coding.primary not in _GUESS_MISREAD_AS:
        return coding
    norm = [normalize(s) for s in sentences(text)]
    if urges(norm):
        return coding
    present = max(probs.get("has_reflection", {}).get("yes", 0.0), probs["family"]["reflection"])
    if any(GUESSED_FEELING.search(s) for s in norm):
        code, conf = SkillCode.COMPLEX_REFLECTION, max(present, FRAMED_REFLECTION_AT)
    elif (any(PERSUADE.search(s) for s in norm)
          and any(REFLECTIVE_FRAME.search(s) for s in norm) and present >= FRAMED_REFLECTION_AT):
        code, sub = choose_code("reflection", probs["sub_reflection"])
        conf = present * sub
    else:
        return coding
    return recoded(coding, code, conf)


def recoded(coding: ResponseCoding, code: SkillCode, conf: float) -> ResponseCoding:
    """``coding`` with ``code`` (at least ``conf``) in place of its primary; its other codes kept."""
    codes = {c.code: c.confidence for c in coding.codes if c.code is not coding.primary}
    codes[code] = max(codes.get(code, 0.0), conf)
    return _coding(code, codes, coding.coder)


def housekeeping_is_other(coding: ResponseCoding, text: str) -> ResponseCoding:
    """Greetings, seating, the phone, the clock, booking: "other", whatever the model says.

    The model, which learned imperatives as advice, reads "Have a seat, I'll just grab your
    file" as persuade; a line whose every sentence is housekeeping carries no behaviour
    (AnnoMI's coders put 99% of such lines under "other").
    """
    if coding.primary in (None, SkillCode.OTHER) or not is_housekeeping(text):
        return coding
    return ResponseCoding(primary=SkillCode.OTHER,
                          codes=(CodeScore(code=SkillCode.OTHER, confidence=HOUSEKEEPING_CONFIDENCE),),
                          uncertain=False, coder=coding.coder)


def praise_is_other(coding: ResponseCoding, text: str) -> ResponseCoding:
    """Praise that names nothing of the person ("Well done! Keep it up.") is no affirmation.

    The model learned "well done" and "good for you" from affirmations that also name a
    strength; on their own they grade the client from above, which MI does not count as
    affirming (the affirmation drill's own distractors). The line is "other", its other
    codes kept.
    """
    if coding.primary is not SkillCode.AFFIRMATION or not is_bare_praise(text):
        return coding
    return recoded(coding, SkillCode.OTHER, coding.codes[0].confidence)
