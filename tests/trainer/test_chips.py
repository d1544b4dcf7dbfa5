"""Code chips: a code shown but not counted looks different."""

from __future__ import annotations


def test_coding_chips_dim_a_code_that_is_not_counted():
    from mitrainer.codes import SkillCode
    from mitrainer.coding.base import CodeScore, ResponseCoding
    from mitrainer.tui.widgets.chips import NOT_COUNTED_STYLE, coding_chips

    coding = ResponseCoding(primary=SkillCode.OPEN_QUESTION,
                            codes=(CodeScore(code=SkillCode.OPEN_QUESTION, confidence=0.9),
                                   CodeScore(code=SkillCode.AFFIRMATION, confidence=0.7),
                                   CodeScore(code=SkillCode.CLOSED_QUESTION, confidence=0.43)))
    content = coding_chips(coding, 0.5)
    dimmed = {content.plain[span.start:span.end].strip() for span in content.spans if span.style == NOT_COUNTED_STYLE}
    assert dimmed == {SkillCode.CLOSED_QUESTION.info.chip}
    # The closed question is also a second question: one question per volley, so never counted.
    assert coding.counted(0.0) == (SkillCode.OPEN_QUESTION, SkillCode.AFFIRMATION)
