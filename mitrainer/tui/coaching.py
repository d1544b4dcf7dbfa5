"""How the trainer shows scores: the live metrics and their names in the interface language.

Screens never import scoring themselves: a turn's feedback and the session's scores come
from :class:`mitrainer.practice.Practice`, and this module says how to show them.
"""

from __future__ import annotations

from mitrainer import i18n
from mitrainer.scoring import Metric, SessionScore

__all__ = ["Metric", "SessionScore", "live_metrics", "metric_label"]

# The three ratios the practice sidebar shows live (the summary shows every metric).
LIVE_METRICS = ("rq_ratio", "pct_complex", "pct_open")


def live_metrics(score: SessionScore) -> list[Metric]:
    return [m for key in LIVE_METRICS if (m := score.metric(key)) is not None]


def metric_label(metric: Metric, short: bool = False) -> str:
    """The metric's name in the interface language (the rubric's English label if untranslated)."""
    return i18n.metric_label(metric.key, metric.label, short=short)
