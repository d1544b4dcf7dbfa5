"""From the Vietnamese or Chinese heads' probabilities to a coding, and the rules applied after.

The ``code`` head chooses among the 13 codes; single sentences of a longer volley add the
codes of other families they carry ("Nghe như anh mệt. Anh muốn bắt đầu từ đâu?" is a
reflection and a question). Then, as :mod:`mitrainer.coding.decode` does for English, the
coding rules a model learns badly from a few hundred lines are applied over the
language's cues (:data:`.vi.CUES`, :data:`.zh.CUES`). The direction is the ``direction``
head's, except that codes which reflect no side of the client's ambivalence are neutral.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType

from mitrainer.codes import Direction, SkillCode, Subtype, TalkType
from mitrainer.coding.base import ClientCoding, CodeScore, ResponseCoding
from mitrainer.coding.families import FAMILY_OF

# Below this the coding is marked uncertain ("not sure" in the UI).
UNCERTAIN_BELOW = 0.5
# A sentence of a longer volley adds its code (of another family) when this sure of it.
SENTENCE_AT = 0.6
# Persuading, confronting, informing and housekeeping reflect no side of the ambivalence.
NO_SIDE = frozenset({SkillCode.PERSUADE, SkillCode.PERSUADE_WITH_PERMISSION, SkillCode.CONFRONT,
                     SkillCode.GIVING_INFORMATION, SkillCode.OTHER})


def best(p: dict[str, float]) -> tuple[str, float]:
    """The most probable class of one head and its probability."""
    key = max(p, key=p.__getitem__)
    return key, p[key]


QUESTIONS = (SkillCode.OPEN_QUESTION, SkillCode.CLOSED_QUESTION)


def decode_response(reader: ModuleType, text: str, probs: dict[str, dict[str, float]],
                    sentence_probs: Sequence[dict[str, float]], coder: str) -> ResponseCoding:
    """The coding of a counsellor line from its heads' probabilities and its sentences'."""
    cues = set(reader.cue_names(text))
    name, p = best(probs["code"])
    primary = SkillCode(name)
    codes: dict[SkillCode, float] = {primary: p}
    for sp in sentence_probs:
        s_name, s_p = best(sp)
        code = SkillCode(s_name)
        if s_p >= SENTENCE_AT and all(FAMILY_OF[c] != FAMILY_OF[code] for c in codes):
            codes[code] = s_p
    primary, codes = apply_rules(primary, codes, cues)
    direction = Direction.NEUTRAL if primary in NO_SIDE else Direction(best(probs["direction"])[0])
    ordered = sorted(codes.items(), key=lambda kv: (kv[0] is not primary, -kv[1]))
    return ResponseCoding(primary=primary, codes=tuple(CodeScore(code=c, confidence=round(float(v), 4)) for c, v in ordered),
                          uncertain=codes[primary] < UNCERTAIN_BELOW, coder=coder, direction=direction)


def apply_rules(primary: SkillCode, codes: dict[SkillCode, float],
                cues: set[str]) -> tuple[SkillCode, dict[SkillCode, float]]:
    """The coding rules applied after the model (see the module docstring)."""
    def swap(to: SkillCode) -> SkillCode:
        codes[to] = max(codes.pop(primary), codes.get(to, 0.0))
        return to

    if primary is SkillCode.AFFIRMATION and "praise" in cues and "strength" not in cues:
        # Praise that names nothing of the person ("Giỏi lắm!", "真棒！") grades: it is no affirmation.
        primary = swap(SkillCode.OTHER)
    if primary in QUESTIONS and "permission" in cues:
        # Asking leave to share ("Em chia sẻ vài điều được không?", "我跟你讲讲，可以吗？") is
        # seeking collaboration, not a question to code (MITI).
        primary = swap(SkillCode.SEEKING_COLLABORATION)
    return primary, codes


def decode_client(probs: dict[str, dict[str, float]], coder: str) -> ClientCoding:
    """The coding of a client line: talk type, and DARN-CAT subtype for change and sustain talk."""
    name, p = best(probs["talk"])
    talk = TalkType(name)
    subtype = Subtype(best(probs["subtype"])[0]) if talk.has_subtype else None
    return ClientCoding(talk=talk, subtype=subtype, confidence=p, scores=dict(probs["talk"]),
                        uncertain=p < UNCERTAIN_BELOW, coder=coder)
