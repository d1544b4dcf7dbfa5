"""Scoring: rubrics, per-turn feedback and MITI-style session scores.

* :func:`feedback_for_turn` — a turn's feedback: does the response fit the moment, why, a
  better exemplar, and the scenario's note on the branch taken;
* :func:`score_session` — counts, summary scores, global-rating estimates and bands for a
  live session or a session record;
* :func:`score_transcript` — the same for a transcript, machine- or human-coded, with
  human–machine agreement (Cohen's kappa);
* :func:`get_rubric` / :func:`load_rubric` — rubric files (``rubric_version: 1``).

Nothing here imports Textual; the TUI and the CLI call these functions.
"""

from mitrainer.scoring.agreement import AgreementReport, cohen_kappa, per_code_kappa
from mitrainer.scoring.feedback import feedback_for_turn, judge_turn
from mitrainer.scoring.rubric import LoadedRubric, Rubric, RubricError
from mitrainer.scoring.rubric_load import get_rubric, load_rubric, rubric_for, session_focus, session_rubric
from mitrainer.scoring.score import FocusRate, Metric, SessionScore, score_session
from mitrainer.scoring.transcript import score_transcript

__all__ = [
    "AgreementReport",
    "FocusRate",
    "LoadedRubric",
    "Metric",
    "Rubric",
    "RubricError",
    "SessionScore",
    "cohen_kappa",
    "feedback_for_turn",
    "get_rubric",
    "judge_turn",
    "load_rubric",
    "per_code_kappa",
    "rubric_for",
    "score_session",
    "score_transcript",
    "session_focus",
    "session_rubric",
]
