"""A rule-based coder: keyword and punctuation heuristics (placeholder until the trained coder)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from mitrainer.codes import SkillCode, Subtype, TalkType
from mitrainer.coding.base import ClientCoding, CodeScore, ResponseCoding, Utterance

_OPEN = re.compile(r"^\s*(what|how|why|tell me|in what way|where|when|which)\b", re.I)
_RULES: list[tuple[re.Pattern[str], SkillCode]] = [
    (re.compile(r"\b(would it be (ok|okay|alright)|may i|can i share|could i share)\b", re.I), SkillCode.SEEKING_COLLABORATION),
    (re.compile(r"\b(your (choice|decision)|up to you|you decide)\b", re.I), SkillCode.EMPHASIZING_AUTONOMY),
    (re.compile(r"\b(you('re| are) (just )?(making excuses|in denial|lying))\b", re.I), SkillCode.CONFRONT),
    (re.compile(r"\b(you (should|must|need to|have to|ought to))\b", re.I), SkillCode.PERSUADE),
    (re.compile(r"\b(you('ve| have) (worked|tried|done)|took (courage|strength)|you care)\b", re.I), SkillCode.AFFIRMATION),
    (re.compile(r"^\s*(so far|let me see if i|to sum up)\b", re.I), SkillCode.SUMMARY),
    (re.compile(r"\b(part of you|on the one hand|you (feel|felt|worry|wonder))\b", re.I), SkillCode.COMPLEX_REFLECTION),
    (re.compile(r"^\s*(it sounds like|sounds like|so you|you're saying|you)\b", re.I), SkillCode.SIMPLE_REFLECTION),
]


class RuleBasedCoder:
    """Codes by surface rules; confident only where a rule fires."""

    name = "rules"

    def code_response(self, text: str, context: Sequence[Utterance] = ()) -> ResponseCoding:
        if not text.strip():
            return ResponseCoding(None, uncoded_reason="empty response", coder=self.name)
        codes = [code for pattern, code in _RULES if pattern.search(text)]
        if text.rstrip().endswith("?"):
            codes.append(SkillCode.OPEN_QUESTION if _OPEN.search(text) else SkillCode.CLOSED_QUESTION)
        if not codes:
            codes = [SkillCode.OTHER]
        unique = list(dict.fromkeys(codes))
        return ResponseCoding(unique[0], tuple(CodeScore(c, 0.6) for c in unique), uncertain=True, coder=self.name)

    def code_client(self, text: str, context: Sequence[Utterance] = ()) -> ClientCoding:
        if re.search(r"\b(i will|i'm going to|i want to|i could)\b", text, re.I):
            return ClientCoding(TalkType.CHANGE, Subtype.DESIRE, 0.5, uncertain=True, coder=self.name)
        return ClientCoding(TalkType.NEUTRAL, None, 0.5, uncertain=True, coder=self.name)
