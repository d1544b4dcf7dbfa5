"""The committed Vietnamese and Chinese coders on lines they never trained on (tests/coding/data/README.md).

``held-out-vi.csv`` and ``held-out-zh.csv`` were written by two separate native authors who
saw neither the training examples nor the scenarios; ``python -m mitrainer_training.evaluate
--lines tests/coding/data/held-out-vi.csv`` prints the figures per part and per code.
Nothing in them is trained on or tuned against.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mitrainer_training.language_lines import evaluate_language_lines, load_language_lines

DATA = Path(__file__).resolve().parents[2] / "coding" / "data"

# Measured on 2026-12-05 with the committed models (trained with the developer's direction
# sets and the 'd' features: the part of the client's line a response takes up; docs/coder.md):
# vi part A 0.891 (139/156), typed without diacritics 0.923 (48/52); client talk 0.783;
# direction 0.700 (42/60). zh part A 0.910 (142/156), half-width or no final punctuation 0.923
# (72/78); client talk 0.850; direction 0.683 (41/60). (The models before: direction 0.567 and
# 0.600.) Then, with the second direction sets (about 1 060 responses to 247 ambivalent lines a
# language, adapted from the English sets by native writers), measured once the same afternoon:
# vi part A 0.897 (140/156), direction 0.850 (51/60); zh part A 0.923 (144/156), direction
# 0.883 (53/60); client talk unchanged. Floors a little under them, for retraining noise.
FLOORS = {
    "vi": {"A": 0.86, "A plain": 0.88, "B": 0.75, "C": 0.80},
    "zh": {"A": 0.88, "A plain": 0.88, "B": 0.82, "C": 0.83},
}


@pytest.fixture(scope="module", params=["vi", "zh"])
def measured(request):
    language = request.param
    text, scores = evaluate_language_lines(DATA / f"held-out-{language}.csv")
    return language, text, scores


def test_the_files_hold_what_the_readme_says():
    for language, typing in (("vi", "diacritics"), ("zh", "punct")):
        lines, column = load_language_lines(DATA / f"held-out-{language}.csv")
        assert column == typing
        assert [sum(line.part == p for line in lines) for p in "ABC"] == [156, 60, 60]
        assert len({line.label for line in lines if line.part == "A"}) == 13


def test_agreement_stays_above_its_floors(measured):
    language, text, scores = measured
    floors = FLOORS[language]
    plain = [(g, c) for g, c, p in scores["A"].pairs if p]
    figures = {"A": scores["A"].accuracy, "A plain": sum(g == c for g, c in plain) / len(plain),
               "B": scores["B"].accuracy, "C": scores["C"].accuracy}
    low = {k: round(v, 3) for k, v in figures.items() if v < floors[k]}
    assert not low, f"{language}: below the floors {floors}: {low}\n{text}"


def test_the_report_names_every_part(measured):
    _, text, _ = measured
    for part in ("part A: primary code", "part B: client talk", "part C: direction", "part A per code"):
        assert part in text


@pytest.mark.parametrize(("body", "message"), [
    ("part,setting,context,text,label,subtype\nA,x,hi,hello,other,\n", "missing column(s) diacritics or punct"),
    ("part,setting,context,text,label,subtype,punct\nD,x,hi,你好,other,,full\n", "row 2: part must be A, B or C"),
    ("part,setting,context,text,label,subtype,punct\nB,x,hi,你好,reflection,,full\n", "row 2: unknown label"),
    ("part,setting,context,text,label,subtype,diacritics\nA,x,hi,,other,,yes\n", "row 2: empty text"),
])
def test_bad_files_name_the_row(tmp_path, body, message):
    path = tmp_path / "lines.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_language_lines(path)


def test_evaluate_lines_reads_a_language_file(tmp_path, capsys):
    from mitrainer_training.evaluate import main

    path = tmp_path / "lines.csv"
    path.write_text("part,setting,context,text,label,subtype,diacritics\n"
                    "A,clinic,Tôi mệt lắm.,Anh có muốn nghỉ một lát không?,closed_question,,yes\n"
                    "B,clinic,Anh định làm gì?,Tuần này tôi sẽ đi khám.,change,commitment,yes\n"
                    "C,clinic,\"Tôi muốn bỏ, mà khó quá.\",anh muon bo,change,,no\n", encoding="utf-8")
    assert main(["--lines", str(path)]) == 0
    out = capsys.readouterr().out
    assert "(vi: 1 counsellor lines, 1 client lines, 1 direction items)" in out
    path.write_text("part,setting,context,text,label,subtype,diacritics\nA,x,a,Я хочу,other,,yes\n", encoding="utf-8")
    assert main(["--lines", str(path)]) == 2
    assert "no language the coder reads" in capsys.readouterr().err
