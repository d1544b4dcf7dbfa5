"""Small renderings shared by several widgets: code chips, verdicts, meters."""

from __future__ import annotations

from textual.content import Content

from mitrainer.codes import SkillCode, Verdict
from mitrainer.i18n import skill_label, t
from mitrainer.record.model import Judgement, ResponseCoding

VERDICT_STYLE = {
    Verdict.GOOD: ("✓", "bold $success"),
    Verdict.FAIR: ("~", "bold $warning"),
    Verdict.MISSED: ("✗", "bold $error"),
    Verdict.RIGHTING_REFLEX: ("!", "bold $error"),
}


def chip(code: SkillCode, style: str = "$text-primary on $primary-muted") -> Content:
    return Content.styled(f" {code.info.chip} ", style)


# A code shown but not counted (below the rubric's counting threshold): dimmed, as the help explains.
NOT_COUNTED_STYLE = "dim italic $text-disabled"


def coding_chips(coding: ResponseCoding, min_confidence: float = 0.0) -> Content:
    """The response's codes as chips (primary first); "?" marks a coding the coder is unsure of.

    A code the scores do not count (:meth:`ResponseCoding.counted` with the rubric's
    ``min_confidence``) is dimmed: shown, so the trainee sees what the coder considered, but
    visibly not one of the response's codes.
    """
    if not coding.coded:
        return Content.styled(t("chips.uncoded"), "italic $text-muted")
    counted = coding.counted(min_confidence)
    parts: list[Content] = []
    for score in coding.codes:
        if score.code is coding.primary:
            style = "bold $text-accent on $accent-muted"
        elif score.code in counted:
            style = "$text-muted on $boost"
        else:
            style = NOT_COUNTED_STYLE
        parts.append(chip(score.code, style))
    if coding.uncertain:
        parts.append(Content.styled(" ?", "$text-muted"))
    return Content(" ").join(parts)


def chip_legend(codes: list[SkillCode]) -> str:
    return ", ".join(f"{c.info.chip} = {skill_label(c)}" for c in codes)


def verdict(judgement: Judgement) -> Content:
    """The verdict's sign and the headline, in the verdict's colour."""
    icon, style = VERDICT_STYLE[judgement.verdict]
    return Content.assemble((f"{icon} ", style), (judgement.headline, style))


def meter_bar(value: float, low: float, high: float, width: int = 10) -> Content:
    span = (high - low) or 1
    filled = max(0, min(width, round((value - low) / span * width)))
    return Content.assemble(("█" * filled, "$accent"), ("░" * (width - filled), "$text-muted"))


def parse_codes(names: list[str]) -> list[SkillCode]:
    """Exemplar codes (strings in the scenario file) as SkillCodes, unknown ones skipped."""
    return [code for name in names if (code := SkillCode.parse(name)) is not None]
