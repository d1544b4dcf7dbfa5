"""S112 and S113: the validator warns where the coder disagrees with an authored talk label or direction."""

from __future__ import annotations

from mitrainer.codes import Direction, SkillCode, TalkType
from mitrainer.coding.base import ClientCoding, ResponseCoding
from mitrainer.scenario.load import parse_scenario
from mitrainer.scenario.talk_check import (
    DIRECTION_DOUBTED,
    TALK_LABEL_DOUBTED,
    check_stated_directions,
    check_talk_labels,
)
from mitrainer.scenario.template import render
from tests.unit.foundation.foundation_support import edit


class StubCoder:
    """Reads every client line as change talk, with the given probability for each label."""

    name = "stub"

    def __init__(self, scores: dict[str, float]):
        self.scores = scores

    def code_response(self, text, context=(), sides=None):
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


class DirectionStub:
    """Judges every response "change" unless it mentions the sister (then "sustain"); records what it saw."""

    name = "direction-stub"

    def __init__(self):
        self.seen = []

    def code_response(self, text, context=(), sides=None):
        self.seen.append((text, context[-1].text, sides))
        direction = Direction.SUSTAIN if "sister" in text else Direction.CHANGE
        return ResponseCoding.manual(SkillCode.COMPLEX_REFLECTION, direction=direction)

    def code_client(self, text, context=()):
        return ClientCoding(TalkType.NEUTRAL, None, 1.0)


STATED = '        why: "Stays close to what the client said, without judgement."\n'
STATED_TOO = '        why: "Adds the unspoken part: doubt about the point of coming."\n'
CUE = '    cue: "arms folded"\n'


def _with_directions(language: str = "en"):
    text = render("talk-check").replace("language: en", f"language: {language}")
    text = edit(text, STATED, STATED + "        direction: sustain\n")
    text = edit(text, STATED_TOO, STATED_TOO + "        direction: sustain\n")
    text = edit(text, CUE, CUE + '    sides: {change: "I\'m here", sustain: "My sister made the appointment."}\n')
    loaded = parse_scenario(text, "directions.yaml")
    assert loaded.ok, [str(d) for d in loaded.diagnostics]
    return loaded, text


def test_a_stated_direction_the_judge_does_not_give_is_a_warning_at_its_key():
    loaded, text = _with_directions()
    coder = DirectionStub()
    found = check_stated_directions(loaded.scenario, loaded.positions, "directions.yaml", coder)
    # "Coming here wasn't your idea." is judged change against its stated sustain; the
    # reflection that names the sister and the template's question about why they came (stated
    # change) agree; exemplars without a direction are not coded.
    assert [d.code for d in found] == [DIRECTION_DOUBTED] and not found[0].is_error
    assert "exemplar 1 states direction sustain" in found[0].message and "reads it as change" in found[0].message
    assert found[0].position.line == text[:text.index("direction: sustain")].count("\n") + 1
    assert [t for t, _, _ in coder.seen] == [
        "Coming here wasn't your idea.", "You're here for your sister, and part of you wonders what this is all for.",
        "What made you decide to come anyway?"]
    # Each is read after its node's client line, with the sides the author marked.
    _, client, sides = coder.seen[0]
    assert client.startswith("I'm not sure why I'm here") and sides.sustain == "My sister made the appointment."


def test_directions_are_checked_only_in_english():
    loaded, _ = _with_directions("vi")
    assert check_stated_directions(loaded.scenario, loaded.positions, "x", DirectionStub()) == []
