"""The committed direction judge on responses it never trained on (tests/coding/data/README.md).

198 responses to 66 ambivalent client lines by an author who saw neither the training
examples nor the judge; a second set, 210 responses to 70 lines by another author, added only
after the judge of the time was final; and a third, 210 responses to 70 lines by a fourth
author, added only after the judge trained with direction-en-3.csv was final;
``python -m mitrainer_training.evaluate --direction [FILE]``
prints the figures. Only the totals are read here, never the rows one by one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mitrainer.codes import Direction
from mitrainer.coding.model import TrainedCoder
from mitrainer_training.evaluate import judge_directions, load_direction_items

pytestmark = pytest.mark.slow  # the committed coder with its encoder on every held-out response

# Measured with the committed judge (docs/coder.md, "Direction"): accuracy 0.859, sustain
# recall 0.712 (0.838 and 0.727 with the judge before direction-en-3.csv; 0.823 and 0.606
# before direction-en-2.csv); a small margin for retraining noise.
ACCURACY_FLOOR = 0.84
SUSTAIN_RECALL_FLOOR = 0.69


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
# Measured once, with the judge of the time already final (2026-12-05): accuracy 0.862, sustain
# recall 0.843; with the judge trained with direction-en-3.csv as well, 0.886 and 0.843.
SECOND_ACCURACY_FLOOR = 0.87
THIRD_SET = SECOND_SET.with_name("held-out-direction-3.csv")
# Measured once, with the judge trained with direction-en-3.csv already final (2026-12-05):
# accuracy 0.900, sustain recall 0.886 (the judge before it: 0.843 on the same set).
THIRD_ACCURACY_FLOOR = 0.88


@pytest.mark.parametrize(("path", "floor"), [(SECOND_SET, SECOND_ACCURACY_FLOOR), (THIRD_SET, THIRD_ACCURACY_FLOOR)])
def test_the_later_held_out_sets_stay_above_floor(path, floor):
    items = load_direction_items(path)
    assert len(items) == 210 and {g for _, _, g, _ in items} == set(Direction)
    pred = judge_directions(TrainedCoder(), items)
    accuracy = sum(g is p for (_, _, g, _), p in zip(items, pred, strict=True)) / len(items)
    assert accuracy >= floor, (
        f"direction agrees on {accuracy:.3f} of {path.name} (floor {floor}); "
        f"see `python -m mitrainer_training.evaluate --direction {path}`")


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
