"""S112: the validator warns where the coder strongly disagrees with an authored talk label."""

from __future__ import annotations

from mitrainer.codes import TalkType
from mitrainer.coding.base import ClientCoding, ResponseCoding
from mitrainer.scenario.load import parse_scenario
from mitrainer.scenario.talk_check import TALK_LABEL_DOUBTED, check_talk_labels
from mitrainer.scenario.template import render


class StubCoder:
    """Reads every client line as change talk, with the given probability for each label."""

    name = "stub"

    def __init__(self, scores: dict[str, float]):
        self.scores = scores

    def code_response(self, text, context=()):
        return ResponseCoding(primary=None)

    def code_client(self, text, context=()):
        best = max(self.scores, key=self.scores.get)
        return ClientCoding(TalkType(best), None, self.scores[best], dict(self.scores))


def _loaded(language: str = "en"):
    text = render("talk-check").replace("language: en", f"language: {language}")
    loaded = parse_scenario(text, "talk-check.yaml")
    assert loaded.ok
    return loaded


def test_strong_disagreement_is_a_warning_at_the_talk_key():
    loaded = _loaded()
    coder = StubCoder({"change": 0.98, "neutral": 0.01, "sustain": 0.01})
    found = check_talk_labels(loaded.scenario, loaded.positions, "talk-check.yaml", coder)
    # The template's 'opening' is sustain talk; 'opens_up' is change talk and agrees.
    assert [d.code for d in found] == [TALK_LABEL_DOUBTED]
    assert "opening" in found[0].message and not found[0].is_error
    talk_line = next(i for i, line in enumerate(render("talk-check").splitlines(), 1) if "talk: sustain" in line)
    assert found[0].position.line == talk_line


def test_mild_disagreement_and_other_languages_are_left_alone():
    loaded = _loaded()
    mild = StubCoder({"change": 0.6, "neutral": 0.2, "sustain": 0.2})
    assert check_talk_labels(loaded.scenario, loaded.positions, "x", mild) == []
    strong = StubCoder({"change": 0.98, "neutral": 0.01, "sustain": 0.01})
    vietnamese = _loaded("vi")
    assert check_talk_labels(vietnamese.scenario, vietnamese.positions, "x", strong) == []
