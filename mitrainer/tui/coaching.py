"""The one place where the trainer talks to ``mitrainer.scoring``.

Screens never import scoring themselves: they ask this module for the feedback on a turn
(stored on the turn as JSON, so a resumed session shows the same feedback), the live score
of the session, and the overall score behind "your best score" in the library.
"""

from __future__ import annotations

from mitrainer import i18n
from mitrainer.engine.session import Session, Turn
from mitrainer.scoring import Metric, SessionScore, feedback_for_turn, score_session

__all__ = ["Metric", "SessionScore", "attach_feedback", "live_metrics", "live_score", "metric_label", "overall"]

# The three ratios the practice sidebar shows live (the summary shows every metric).
LIVE_METRICS = ("rq_ratio", "pct_complex", "pct_open")


def attach_feedback(session: Session, turn: Turn) -> dict:
    """Judge the turn just taken and store the feedback on it; returns the feedback as JSON."""
    feedback = feedback_for_turn(session, turn).to_json()
    session.attach_feedback(feedback)
    return feedback


def live_score(session: Session) -> SessionScore:
    """The session's scores so far (counts, ratios, metrics with their bands)."""
    return score_session(session)


def live_metrics(score: SessionScore) -> list[Metric]:
    return [m for key in LIVE_METRICS if (m := score.metric(key)) is not None]


def metric_label(metric: Metric, short: bool = False) -> str:
    """The metric's name in the interface language (the rubric's English label if untranslated)."""
    return i18n.metric_label(metric.key, metric.label, short=short)


def overall(score: SessionScore) -> float | None:
    """The rubric's overall score (1–5), or None before the first response."""
    return round(score.overall, 2) if score.turns else None
