"""The practice sidebar: live skill counters, ratios, client talk, client meters, last feedback."""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from mitrainer.codes import SkillCode
from mitrainer.i18n import t
from mitrainer.record.model import Feedback
from mitrainer.scenario.model import Variable
from mitrainer.tui.coaching import SessionScore, live_metrics, metric_label
from mitrainer.tui.widgets.chips import chip, meter_bar, parse_codes, verdict
from mitrainer.tui.widgets.prose import Prose

BAND_STYLE = {"good": "bold $success", "fair": "bold $warning", "below": "bold $error"}


LABEL_WIDTH = 12


def _row(label: str, value: Content | str) -> Content:
    # Pad by cell width, not characters: labels may be Chinese (two cells a character).
    shown = Content(label).truncate(LABEL_WIDTH, ellipsis=True).pad_right(LABEL_WIDTH - min(cell_len(label),
                                                                                               LABEL_WIDTH))
    return Content.assemble(shown.stylize("$text-muted"), " ", value)


def _num(value: int) -> Content:
    return Content.styled(str(value), "bold")


class SkillCounters(Static):
    """Counts of OARS skills, the summary ratios with their bands, and MI adherence."""

    def show(self, score: SessionScore) -> None:
        c = score.counts

        def counts(*codes: SkillCode) -> Content:
            # The same chips as on the trainee's bubbles, so the counts read without a legend.
            return Content(" ").join(Content.assemble(chip(code), " ", _num(c.get(code, 0))) for code in codes)

        lines = [
            _row(t("side.reflections"), counts(SkillCode.SIMPLE_REFLECTION, SkillCode.COMPLEX_REFLECTION)),
            _row(t("side.questions"), counts(SkillCode.OPEN_QUESTION, SkillCode.CLOSED_QUESTION)),
            _row(t("side.affirmations"), counts(SkillCode.AFFIRMATION)),
            _row(t("side.summaries"), counts(SkillCode.SUMMARY)),
        ]
        for metric in live_metrics(score):
            style = BAND_STYLE.get(metric.band or "", "bold")
            band = t(f"band.{metric.band}") if metric.band else ""
            lines.append(_row(metric_label(metric, short=True),
                              Content.assemble((metric.display, style), "  ", (band, style))))
        lines += [
            _row(t("side.adherent"), Content.styled(str(score.adherent), "bold $success")),
            _row(t("side.non_adherent"), Content.styled(str(score.non_adherent),
                                                        "bold $error" if score.non_adherent else "bold")),
        ]
        self.update(Content("\n").join(lines))


class ClientTalk(Static):
    """Change talk against sustain talk so far."""

    def show(self, score: SessionScore) -> None:
        most = max(score.change_talk, score.sustain_talk, 1)
        width = 10

        def bar(n: int, style: str) -> Content:
            filled = round(n / most * width)
            return Content.assemble(("█" * filled, style), ("░" * (width - filled), "$text-muted"), f" {n}")

        self.update(Content("\n").join([
            _row(t("side.change_talk"), bar(score.change_talk, "$success")),
            _row(t("side.sustain_talk"), bar(score.sustain_talk, "$warning")),
        ]))


class ClientMeters(Static):
    """The client's state as the scenario declares it (variables with ``meter: true``)."""

    def show(self, meters: dict[str, Variable], values: dict) -> None:
        lines = []
        for name, var in meters.items():
            value = values.get(name, var.default)
            if isinstance(value, bool):
                shown = Content.styled(t("side.yes") if value else t("side.no"), "bold")
            elif isinstance(value, (int, float)):
                low = var.min if var.min is not None else 0
                high = var.max if var.max is not None else max(float(value), 1)
                shown = Content.assemble(meter_bar(float(value), low, high), f" {value:g}")
            else:
                shown = Content(str(value))
            lines.append(_row(var.label or name, shown))
        self.update(Content("\n").join(lines))


class LastFeedback(Static):
    """Feedback on the last turn: the rubric's verdict and rationale, the scenario's note on the
    branch the response took, and a better alternative."""

    def show(self, feedback: Feedback | None) -> None:
        judgement = feedback.judgement if feedback is not None else None
        note = feedback.note if feedback is not None else ""
        if judgement is None and not note:
            self.update(Prose(Content.styled(t("side.no_feedback"), "italic $text-muted")))
            return
        parts: list = []
        if judgement is not None:
            parts.append(verdict(judgement))
            if judgement.uncertain:
                parts += ["\n", (t("side.uncertain"), "italic $text-muted")]
            if judgement.rationale:
                parts += ["\n", judgement.rationale]
        if note:
            # The author's teaching for this branch, beside the rubric's verdict.
            parts += ["\n" if parts else "", (t("side.note") + " ", "bold $text-secondary"), note]
        if judgement is None:
            self.update(Prose(Content.assemble(*parts)))
            return
        better = judgement.better
        if better is not None:
            parts += ["\n\n", (t("side.try"), "bold $text-accent"), " ", (f"“{better.text}”", "italic")]
            codes = parse_codes(list(better.codes))
            if codes:
                parts += [" ", Content(" ").join(chip(c) for c in codes)]
            if better.why:
                parts += ["\n", (better.why, "$text-muted")]
        self.update(Prose(Content.assemble(*parts)))


class Sidebar(VerticalScroll):
    """The sidebar of the practice screen."""

    can_focus = False

    def compose(self) -> ComposeResult:
        yield LastFeedback(id="feedback", classes="panel")
        yield SkillCounters(id="counters", classes="panel")
        yield ClientTalk(id="talk", classes="panel")
        yield ClientMeters(id="meters", classes="panel")

    def on_mount(self) -> None:
        self.query_one("#counters").border_title = t("side.skills")
        self.query_one("#talk").border_title = t("side.client_talk")
        self.query_one("#meters").border_title = t("side.client_state")
        self.query_one("#feedback").border_title = t("side.feedback")
