"""The committed direction judge on responses it never trained on (tests/coding/data/README.md).

198 responses to 66 ambivalent client lines by an author who saw neither the training
examples nor the judge; and a second set, 210 responses to 70 lines by another author, added
only after the judge was final; ``python -m mitrainer_training.evaluate --direction [FILE]``
prints the figures. Only the totals are read here, never the rows one by one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mitrainer.codes import Direction
from mitrainer.coding.model import TrainedCoder
from mitrainer_training.evaluate import judge_directions, load_direction_items

pytestmark = pytest.mark.slow  # the committed coder with its encoder on every held-out response

# Measured with the committed judge (docs/coder.md, "Direction"): accuracy 0.838, sustain
# recall 0.727 (0.823 and 0.606 before direction-en-2.csv); a small margin for retraining noise.
ACCURACY_FLOOR = 0.83
SUSTAIN_RECALL_FLOOR = 0.71


@pytest.fixture(scope="module")
def judged() -> tuple[list[Direction], list[Direction]]:
    items = load_direction_items()
    assert len(items) == 198 and {g for _, _, g, _ in items} == set(Direction)
    return [g for _, _, g, _ in items], judge_directions(TrainedCoder(), items)


def test_held_out_direction_stays_above_floor(judged):
    gold, pred = judged
    accuracy = sum(g is p for g, p in zip(gold, pred, strict=True)) / len(gold)
    assert accuracy >= ACCURACY_FLOOR, (
        f"direction agrees on {accuracy:.3f} of the held-out responses (floor {ACCURACY_FLOOR}); "
        "see `python -m mitrainer_training.evaluate --direction`")


def test_sustain_side_responses_are_found(judged):
    gold, pred = judged
    sustain = [p for g, p in zip(gold, pred, strict=True) if g is Direction.SUSTAIN]
    recall = sum(p is Direction.SUSTAIN for p in sustain) / len(sustain)
    assert recall >= SUSTAIN_RECALL_FLOOR, f"sustain recall {recall:.3f} (floor {SUSTAIN_RECALL_FLOOR})"


SECOND_SET = Path(__file__).resolve().parents[2] / "coding" / "data" / "held-out-direction-2.csv"
# Measured once, with the judge already final (2026-12-05): accuracy 0.862, sustain recall 0.843.
SECOND_ACCURACY_FLOOR = 0.85


def test_the_second_held_out_set_stays_above_floor():
    items = load_direction_items(SECOND_SET)
    assert len(items) == 210 and {g for _, _, g, _ in items} == set(Direction)
    pred = judge_directions(TrainedCoder(), items)
    accuracy = sum(g is p for (_, _, g, _), p in zip(items, pred, strict=True)) / len(items)
    assert accuracy >= SECOND_ACCURACY_FLOOR, (
        f"direction agrees on {accuracy:.3f} of the second held-out set (floor {SECOND_ACCURACY_FLOOR}); "
        f"see `python -m mitrainer_training.evaluate --direction {SECOND_SET.name}`")


def test_evaluate_direction_reports_or_explains(tmp_path, capsys):
    from mitrainer_training.evaluate import main

    good = tmp_path / "direction.csv"
    good.write_text("client,response,direction,form\n"
                    "\"I like the beers. But I want to be awake for my son.\",How old is he?,neutral,question\n",
                    encoding="utf-8")
    assert main(["--direction", str(good)]) == 0
    assert "on 1 labelled responses" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("client,response,direction\nhi,hello,sideways\n", encoding="utf-8")
    assert main(["--direction", str(bad)]) == 2
    assert "cannot read labelled responses" in capsys.readouterr().err
