"""How the trainer shows scores: the live metrics and their names in the interface language.

Screens never import scoring themselves: a turn's feedback and the session's scores come
from :class:`mitrainer.practice.Practice`, and this module says how to show them.
"""

from __future__ import annotations

from mitrainer import i18n
from mitrainer.scoring import Metric, SessionScore

__all__ = ["Metric", "SessionScore", "listed_score", "live_metrics", "metric_display", "metric_label"]

# The three ratios the practice sidebar shows live (the summary shows every metric).
LIVE_METRICS = ("rq_ratio", "pct_complex", "pct_open")


def live_metrics(score: SessionScore) -> list[Metric]:
    return [m for key in LIVE_METRICS if (m := score.metric(key)) is not None]


def metric_display(metric: Metric) -> str:
    """The metric's value as the trainer shows it: an estimate withheld for want of coded
    responses says so in the interface language."""
    return i18n.t("score.not_enough") if metric.withheld else metric.display


def listed_score(score: float | None, turns: int) -> str:
    """A session list's overall score: "–" before any turn, "— not enough coded responses" when
    the session has turns but too few coded responses for a score."""
    if score is None:
        return i18n.t("score.not_enough") if turns else "–"
    return f"{score:.1f}"


def metric_label(metric: Metric, short: bool = False) -> str:
    """The metric's name in the interface language (the rubric's English label if untranslated)."""
    return i18n.metric_label(metric.key, metric.label, short=short)
