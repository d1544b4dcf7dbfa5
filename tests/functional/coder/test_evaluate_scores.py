"""The AnnoMI evaluation: AUC arithmetic and a run on a tiny AnnoMI-shaped file."""

from __future__ import annotations

import csv

import pytest

from mitrainer_training.evaluate_scores import main, roc_auc

COLUMNS = ["mi_quality", "transcript_id", "video_title", "video_url", "topic", "utterance_id", "interlocutor",
           "timestamp", "utterance_text", "annotator_id", "therapist_input_exists", "therapist_input_subtype",
           "reflection_exists", "reflection_subtype", "question_exists", "question_subtype",
           "main_therapist_behaviour", "client_talk_type"]


def test_auc_by_hand():
    assert roc_auc([3, 4], [1, 2]) == 1.0
    assert roc_auc([1], [2]) == 0.0
    assert roc_auc([2, 2], [2, 1]) == 0.75  # pairs: tie 0.5, win 1, tie 0.5, win 1 → 3/4
    with pytest.raises(ValueError):
        roc_auc([], [1])


def row(quality, tid, uid, who, text, **labels):
    base = {c: "n/a" for c in COLUMNS}
    base.update(mi_quality=quality, transcript_id=tid, utterance_id=str(uid), interlocutor=who, utterance_text=text,
                reflection_exists="False", question_exists="False", therapist_input_exists="False")
    base.update(labels)
    return base


def tiny_annomi(path):
    rows = []
    for tid, quality in (("1", "high"), ("2", "high"), ("3", "low"), ("4", "low")):
        rows.append(row(quality, tid, 0, "client", "I want to cut down.", client_talk_type="change"))
        # Three counsellor turns each: the rubric gives no overall score below three coded responses.
        for uid in (1, 2, 3):
            if quality == "high":
                rows.append(row(quality, tid, uid, "therapist", "You want things to change.", reflection_exists="True",
                                reflection_subtype="complex", main_therapist_behaviour="reflection"))
            else:
                rows.append(row(quality, tid, uid, "therapist", "You need to stop now.", therapist_input_exists="True",
                                therapist_input_subtype="advice", main_therapist_behaviour="therapist_input"))
        rows.append(row(quality, tid, 4, "client", "But it's hard.", client_talk_type="sustain"))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def test_evaluate_with_human_labels_separates_a_clear_case(tmp_path, capsys):
    data = tmp_path / "annomi.csv"
    tiny_annomi(data)
    assert main(["--annomi", str(data), "--labels", "human", "--json"]) == 0
    import json

    result = json.loads(capsys.readouterr().out)
    assert result["transcripts"] == {"high": 2, "low": 2}
    assert result["auc"]["overall"] == 1.0
    assert result["mean_overall"]["high"] > result["mean_overall"]["low"]


def test_evaluate_without_data_says_where_to_put_it(tmp_path, capsys):
    assert main(["--annomi", str(tmp_path / "missing.csv")]) == 2
    assert "MITRAINER_ANNOMI" in capsys.readouterr().err


def fake_score_fold(path, fold, folds, seed, rubric, encoder=True, cache=None):
    """Stands in for training a fold's coder: reports whether an encoder was asked for."""
    return {str(fold): ("high", encoder)}


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("encoder", [True, False])
def test_cross_fitting_passes_the_encoder_choice_to_every_fold(tmp_path, monkeypatch, jobs, encoder):
    """`--no-encoder` must reach the folds in the parallel path too (it once did not)."""
    from mitrainer.scoring.rubric_load import get_rubric
    from mitrainer_training import evaluate_scores as evaluate

    monkeypatch.setattr(evaluate, "_score_fold", fake_score_fold)
    scores = evaluate.cross_fitted_scores(tmp_path / "a.csv", 3, 1, get_rubric(), jobs, encoder)
    assert scores == {str(k): ("high", encoder) for k in range(3)}
