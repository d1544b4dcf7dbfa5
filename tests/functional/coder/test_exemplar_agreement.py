"""The committed coder against the codes the bundled scenarios' authors state (issue #7).

Every English exemplar and distractor is coded with its node's client line as context.
Agreement (primary code among the stated codes) must stay above a measured floor, and
every disagreement must be listed in docs/coder-exemplar-disagreements.md, which
``python -m mitrainer_training.evaluate --exemplars`` regenerates. The committed model was
trained on these exemplars, so this guards against regressions; the held-out figure
(k-fold by scenario file) is in docs/coder.md.
"""

from __future__ import annotations

import pytest

from mitrainer.coding.model import TrainedCoder
from mitrainer_training.exemplars import DISAGREEMENTS_DOC, Agreement, code_cases, load_exemplar_cases

pytestmark = pytest.mark.slow  # the committed coder codes every exemplar of the bundled library (about 15 s)

# Measured 0.934 with the committed model (linear heads + encoder coding with 32 word
# pieces, see docs/coder.md); 0.908 (1158/1275) after the library's model responses were
# rewritten to be judged good where they stand (S114: more "reflection, then a question"
# exemplars, whose primary code is a judgement call); a small margin for retraining noise.
AGREEMENT_FLOOR = 0.90


@pytest.fixture(scope="module")
def agreement() -> Agreement:
    cases = load_exemplar_cases()
    assert len(cases) > 500, "the bundled English scenarios should carry hundreds of exemplars"
    return Agreement(code_cases(TrainedCoder(), cases))


def test_agreement_stays_above_floor(agreement):
    assert agreement.accuracy >= AGREEMENT_FLOOR, (
        f"coder agrees with {agreement.accuracy:.3f} of the stated codes (floor {AGREEMENT_FLOOR}); "
        "run `python -m mitrainer_training.evaluate --exemplars` to see the disagreements")


def test_every_disagreement_is_documented(agreement):
    documented = DISAGREEMENTS_DOC.read_text(encoding="utf-8")
    missing = [r for r in agreement.results if not r.agrees
               and f"| {r.case.node} | {r.case.kind} | {r.case.text.replace('|', chr(92) + '|')} |"
               not in documented]
    assert not missing, (
        f"{len(missing)} disagreements not in {DISAGREEMENTS_DOC.name}, e.g. {missing[0].case.text!r} "
        f"coded {missing[0].coded}; regenerate it with `python -m mitrainer_training.evaluate --exemplars`")


def test_agreement_counts_a_wrong_code_as_disagreement(agreement):
    # The measure itself: a case agrees only when the coded primary is a stated code.
    result = agreement.results[0]
    assert result.agrees is (result.coded in result.case.codes)
    flipped = Agreement([type(result)(result.case, None)])
    assert flipped.accuracy == 0.0
