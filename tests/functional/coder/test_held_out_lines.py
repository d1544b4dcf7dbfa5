"""The committed coder on counsellor lines it never trained on (tests/coding/data/README.md).

The lines were written by an author who saw neither the training examples nor the
scenarios; ``python -m mitrainer_training.evaluate --lines`` prints the per-code figures.
"""

from __future__ import annotations

import pytest

from mitrainer.codes import SkillCode
from mitrainer.coding.model import TrainedCoder
from mitrainer_training.exemplars import HELD_OUT_LINES, Agreement, code_cases, load_line_cases

pytestmark = pytest.mark.slow  # the committed coder with its encoder on every held-out line

# Measured 0.814 (127/156) with the committed model (0.808 before the cue changes of
# 2026-11-23, 0.814 with 7209da0's encoder, 0.737
# with the models of e1de39f, before this set existed); a small margin for retraining noise.
AGREEMENT_FLOOR = 0.78


@pytest.fixture(scope="module")
def agreement() -> Agreement:
    cases = load_line_cases(HELD_OUT_LINES)
    assert len(cases) == 156 and {c.codes[0] for c in cases} == set(SkillCode)
    return Agreement(code_cases(TrainedCoder(), cases))


def test_held_out_agreement_stays_above_floor(agreement):
    assert agreement.accuracy >= AGREEMENT_FLOOR, (
        f"coder agrees with {agreement.accuracy:.3f} of the held-out lines (floor {AGREEMENT_FLOOR}); "
        "see `python -m mitrainer_training.evaluate --lines`")


def test_summaries_get_every_earlier_client_line():
    summaries = [c for c in load_line_cases(HELD_OUT_LINES) if c.codes[0] is SkillCode.SUMMARY]
    assert summaries and all(len(c.context) >= 3 for c in summaries)


@pytest.mark.parametrize(("body", "message"), [
    ("setting,context,text\nclinic,hi,hello\n", "missing column(s) code"),
    ("setting,context,text,code\nclinic,hi,hello,other\nclinic,hi,hello,reflection\n", "row 3: unknown code 'reflection'"),
    ("setting,context,text,code\nclinic,hi,,other\n", "row 2: empty text"),
])
def test_bad_files_name_the_row(tmp_path, body, message):
    path = tmp_path / "lines.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_line_cases(path)


def test_evaluate_lines_reports_or_explains(tmp_path, capsys):
    from mitrainer_training.evaluate import main

    good = tmp_path / "lines.csv"
    good.write_text("setting,context,text,code\nclinic,I drink most nights.,Most nights.,simple_reflection\n",
                    encoding="utf-8")
    assert main(["--lines", str(good)]) == 0
    assert "committed model on 1 labelled lines" in capsys.readouterr().out
    assert main(["--lines", str(tmp_path / "missing.csv")]) == 2
    assert "cannot read labelled lines" in capsys.readouterr().err
