"""Cohen's kappa against hand-worked values, and human–machine agreement on transcripts."""

from __future__ import annotations

import pytest

from mitrainer.codes import SkillCode
from mitrainer.errors import InputError
from mitrainer.scoring import cohen_kappa, get_rubric, per_code_kappa, score_transcript


def test_kappa_textbook_example():
    # 50 items: yes/yes 20, yes/no 5, no/yes 10, no/no 15 → p_o = 0.7, p_e = 0.5, kappa = 0.4
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4, abs=1e-12)


def test_kappa_two_labels_by_hand():
    a = list("AABBABAABA")
    b = list("ABBBAAAABA")
    # p_o = 8/10; both raters 6 A, 4 B → p_e = 0.36 + 0.16 = 0.52; kappa = 0.28 / 0.48 = 7/12
    assert cohen_kappa(a, b) == 7 / 12


def test_kappa_is_one_for_identical_and_negative_for_opposite():
    labels = ["CR", "OQ", "SR", "OQ"]
    assert cohen_kappa(labels, labels) == 1.0
    assert cohen_kappa([1, 0, 1, 0], [0, 1, 0, 1]) == -1.0


def test_kappa_undefined_cases():
    assert cohen_kappa([], []) is None
    assert cohen_kappa(["x", "x"], ["x", "x"]) is None  # chance agreement is already 1
    with pytest.raises(ValueError):
        cohen_kappa([1], [1, 2])


def test_per_code_kappa_on_code_sets():
    a = [{SkillCode.OPEN_QUESTION}, {SkillCode.SIMPLE_REFLECTION, SkillCode.OPEN_QUESTION}, set()]
    b = [{SkillCode.OPEN_QUESTION}, {SkillCode.SIMPLE_REFLECTION}, set()]
    kappas = per_code_kappa(a, b, [SkillCode.OPEN_QUESTION, SkillCode.SIMPLE_REFLECTION, SkillCode.CONFRONT])
    assert kappas[SkillCode.SIMPLE_REFLECTION] == 1.0
    # OQ: yes/yes, yes/no, no/no → p_o = 2/3; p_e = (2/3)(1/3) + (1/3)(2/3) = 4/9; kappa = (2/9)/(5/9) = 0.4
    assert kappas[SkillCode.OPEN_QUESTION] == pytest.approx(0.4, abs=1e-12)
    assert kappas[SkillCode.CONFRONT] is None  # neither rater used it


HUMAN = ["complex_reflection", "open_question", "closed_question", "simple_reflection", "open_question", "affirmation"]
MACHINE_SAME = ["cr", "oq", "cq", "sr", "oq", "af"]
MACHINE_DIFF = ["cr", "oq", "oq", "sr", "cq", "af"]


def transcript(machine_tags):
    rows = []
    for human, tag in zip(HUMAN, machine_tags, strict=True):
        rows.append(("client", "[neutral] something", None))
        rows.append(("counsellor", f"[{tag}] a response", human))
    return rows


def test_human_codes_agree_perfectly_with_themselves(tag_coder):
    report = score_transcript(transcript(MACHINE_SAME), get_rubric(), coder=tag_coder).agreement
    assert report is not None
    assert report.utterances == 6 and report.kappa == 1.0 and report.percent == 1.0
    assert set(report.per_code.values()) == {1.0}


def test_known_disagreement_gives_the_hand_computed_kappa(tag_coder):
    score = score_transcript(transcript(MACHINE_DIFF), get_rubric(), coder=tag_coder)
    report = score.agreement
    # primary codes agree on 4 of 6; both raters: CR 1, OQ 2, CQ 1, SR 1, AF 1 → p_e = 8/36; kappa = 4/7
    assert report.kappa == pytest.approx(4 / 7, abs=1e-12)
    assert report.percent == pytest.approx(4 / 6)
    # open question present: human 0,1,0,0,1,0 / machine 0,1,1,0,0,0 → p_o = 4/6, p_e = 5/9, kappa = 1/4
    assert report.per_code[SkillCode.OPEN_QUESTION] == pytest.approx(0.25, abs=1e-12)
    assert report.per_code[SkillCode.COMPLEX_REFLECTION] == 1.0
    assert report.used[SkillCode.CLOSED_QUESTION] == (1, 1)
    # Human codes override the machine's in the score itself.
    assert score.counts[SkillCode.CLOSED_QUESTION] == 1 and score.counts[SkillCode.OPEN_QUESTION] == 2
    assert score.source == "human"


def test_partly_hand_coded_transcript_is_mixed(tag_coder):
    rows = transcript(MACHINE_DIFF)
    rows[-1] = ("counsellor", "[confront] a response", None)
    score = score_transcript(rows, get_rubric(), coder=tag_coder)
    assert score.source == "mixed"
    assert score.agreement.utterances == 5
    assert score.counts[SkillCode.CONFRONT] == 1 and score.counts[SkillCode.AFFIRMATION] == 0


def test_no_agreement_without_human_codes(tag_coder):
    rows = [(s, t, None) for s, t, _ in transcript(MACHINE_SAME)]
    assert score_transcript(rows, get_rubric(), coder=tag_coder).agreement is None


def test_bad_human_code_is_an_input_error_with_the_line(tag_coder):
    with pytest.raises(InputError, match=r"line 2: 'complx_reflection'.*complex_reflection"):
        score_transcript([("client", "hi", None), ("counsellor", "x", "complx_reflection")], coder=tag_coder)
    with pytest.raises(InputError, match="line 1: 'happy' is not a client talk type"):
        score_transcript([("client", "hi", "happy")], coder=tag_coder)
    with pytest.raises(InputError, match="unknown speaker"):
        score_transcript([("narrator", "hi", None)], coder=tag_coder)


def test_rows_may_be_dicts_or_objects(tag_coder):
    class Row:
        def __init__(self, speaker, text, codes=None):
            self.speaker, self.text, self.codes = speaker, text, codes

    rows = [{"speaker": "client", "text": "[change] I want to stop"}, Row("therapist", "[cr] You want a change", None)]
    score = score_transcript(rows, get_rubric(), coder=tag_coder)
    assert score.change_talk == 1 and score.counts[SkillCode.COMPLEX_REFLECTION] == 1


def test_client_subtype_from_human_codes(tag_coder):
    from mitrainer.codes import Subtype, TalkType
    from mitrainer.scoring.moments import ClientMoment
    from mitrainer.scoring.transcript import transcript_moments

    moments, _, _ = transcript_moments([("client", "I will go", "change; commitment")], tag_coder, get_rubric())
    assert moments == [ClientMoment(TalkType.CHANGE, Subtype.COMMITMENT)]
