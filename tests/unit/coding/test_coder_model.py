"""The committed trained coder: loads, codes clear examples, refuses what it cannot read."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mitrainer.codes import SkillCode, Speaker, Subtype, TalkType
from mitrainer.coding import code_utterance, default_coder
from mitrainer.coding.base import Coder, Utterance
from mitrainer.coding.encoder import ENCODER_PATH
from mitrainer.coding.families import FAMILIES
from mitrainer.coding.linear import KNOWN_WORD_BITS, MODEL_PATH, Head, LinearModel
from mitrainer.coding.model import TrainedCoder
from mitrainer.coding.rules import change_talk_cue
from mitrainer.errors import ModelFileError

CLIENT = Speaker.CLIENT
COUNSELLOR = Speaker.COUNSELLOR


@pytest.fixture(scope="module")
def coder() -> TrainedCoder:
    return TrainedCoder()


def after(line: str) -> list[Utterance]:
    return [Utterance(CLIENT, line)]


def test_committed_model_loads_and_is_default(coder):
    assert isinstance(coder, Coder)
    assert coder.name == "trained"
    assert default_coder().name == "trained"
    # The budget is for the whole model: linear heads and encoder together.
    assert MODEL_PATH.stat().st_size + ENCODER_PATH.stat().st_size < 20_000_000


@pytest.mark.parametrize(("text", "client", "expected"), [
    ("What brings you here today?", "", SkillCode.OPEN_QUESTION),
    ("How has the drinking affected your family?", "My wife is upset.", SkillCode.OPEN_QUESTION),
    ("Do you go to the clinic every day?", "I take methadone.", SkillCode.CLOSED_QUESTION),
    ("You should stop drinking right away.", "I drink every night.", SkillCode.PERSUADE),
    ("It's your choice what you do next.", "I don't know.", SkillCode.EMPHASIZING_AUTONOMY),
    ("You're just making excuses.", "I only used once.", SkillCode.CONFRONT),
    ("You've worked hard to get here. It took courage.", "I came back.", SkillCode.AFFIRMATION),
    ("Mm-hmm.", "And then I left.", SkillCode.OTHER),
])
def test_clear_examples(coder, text, client, expected):
    result = coder.code_response(text, after(client) if client else [])
    assert result.primary is expected, result
    assert result.codes[0].code is expected


def test_reflection_restates_client(coder):
    result = coder.code_response("The trips to the clinic wear you out.",
                                 after("The daily trips to the clinic wear me out."))
    assert result.primary is not None and result.primary.is_reflection


def test_permission_is_collaboration(coder):
    result = coder.code_response("Would it be ok if I shared some information about methadone?",
                                 after("I'm worried about the dose."))
    assert result.has(SkillCode.SEEKING_COLLABORATION)


def test_reflection_and_question_in_one_volley(coder):
    result = coder.code_response("So the trips wear you out. What would make them easier?",
                                 after("The daily trips to the clinic wear me out."))
    assert result.has(SkillCode.OPEN_QUESTION)
    assert result.has(SkillCode.SIMPLE_REFLECTION, SkillCode.COMPLEX_REFLECTION)
    # Both behaviours are coded (MITI counts each); which is primary follows the model.
    assert result.primary.is_reflection or result.primary.is_question
    assert len(result.codes) >= 2
    assert all(0.0 <= s.confidence <= 1.0 for s in result.codes)


def test_code_utterance_accepts_pairs():
    result = code_utterance("What would you like to be different?", [("client", "I'm tired of all this.")])
    assert result.primary is SkillCode.OPEN_QUESTION


@pytest.mark.parametrize(("text", "talk"), [
    ("I want to stop using heroin for good.", TalkType.CHANGE),
    ("I'm not going back to that clinic.", TalkType.SUSTAIN),
])
def test_client_talk(coder, text, talk):
    result = coder.code_client(text, [Utterance(COUNSELLOR, "How do you feel about the programme?")])
    assert result.talk is talk
    assert result.subtype is not None and isinstance(result.subtype, Subtype)
    assert abs(sum(result.scores.values()) - 1.0) < 1e-6


@pytest.mark.parametrize(("text", "subtype"), [
    ("I'll call the doctor tomorrow.", Subtype.COMMITMENT),
    ("I have to stop; my liver results were bad.", Subtype.NEED),
    ("I'm ready to give it a go.", Subtype.ACTIVATION),
    ("I haven't had a drink since Sunday.", Subtype.TAKING_STEPS),
    ("I threw away the lighter last night.", Subtype.TAKING_STEPS),
    ("I've already thrown out the lighters.", Subtype.TAKING_STEPS),
    ("I want to be awake for my son in the mornings.", Subtype.DESIRE),
])
def test_plain_change_talk_is_heard(coder, text, subtype):
    # The model alone reads these as neutral (AnnoMI's clients rarely say it so plainly).
    result = coder.code_client(text, [Utterance(COUNSELLOR, "What will you do?")])
    assert (result.talk, result.subtype) == (TalkType.CHANGE, subtype)
    assert abs(sum(result.scores.values()) - 1.0) < 1e-6 and result.score_of(TalkType.CHANGE) >= 0.7


@pytest.mark.parametrize("text", ["I'm going to keep drinking, it's my life.", "I'm not going to stop.",
                                  "I'm going to start drinking again.", "I'll think about it.",
                                  "I stopped taking my tablets."])
def test_a_step_back_or_a_negation_is_no_change_cue(coder, text):
    assert change_talk_cue(text) is None


def test_disagreement_helper(coder):
    result = coder.code_client("I'm not going back to that clinic, forget it.",
                               [Utterance(COUNSELLOR, "What will you do?")])
    assert result.talk is TalkType.SUSTAIN
    assert result.disagrees_with(TalkType.CHANGE) == (result.score_of(TalkType.CHANGE) <= 0.15)
    assert not result.disagrees_with(TalkType.SUSTAIN)
    assert result.disagrees_with(TalkType.NEUTRAL, at_most=1.0)


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01", "😀😀😀", "我想戒烟，但是很难。",
                                  "Tôi muốn bỏ thuốc lá ngay bây giờ", "asdkj qwpoe zxmcnv lkjhg",
                                  "Я хочу бросить пить"])
def test_unreadable_text_is_uncoded(coder, text):
    response = coder.code_response(text, [])
    assert response.primary is None and response.uncoded_reason
    client = coder.code_client(text, [])
    assert client.talk is None and client.uncoded_reason


def test_long_text_is_coded_quickly(coder):
    result = coder.code_response("So you feel tired of the clinic. " * 700, after("I'm tired."))
    assert result.coded


def test_missing_model_file(tmp_path):
    with pytest.raises(ModelFileError, match="not found"):
        LinearModel.load(tmp_path / "nope.npz")


def test_corrupt_model_file(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"this is not a zip file")
    with pytest.raises(ModelFileError, match="corrupt"):
        TrainedCoder(path=bad)


def test_model_with_wrong_arrays(tmp_path):
    good = tmp_path / "good.npz"
    shutil.copy(MODEL_PATH, good)
    with np.load(good, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    arrays["weights"] = arrays["weights"][:-1]
    broken = tmp_path / "broken.npz"
    np.savez(broken, **arrays)
    with pytest.raises(ModelFileError):
        LinearModel.load(broken)


def test_default_coder_falls_back(monkeypatch, tmp_path):
    import mitrainer.coding as coding
    import mitrainer.coding.model as model

    monkeypatch.setattr(coding, "_default", None)
    monkeypatch.setattr(coding, "_note", "")
    monkeypatch.setattr(model.TrainedCoder.__init__, "__defaults__",
                        (None, tmp_path / "missing.npz", model.SHIPPED, model.SHIPPED))
    with pytest.warns(RuntimeWarning, match="rule-based"):
        fallback = coding.default_coder()
    assert fallback.name == "rule-based"
    assert "not found" in coding.fallback_note()
    # The other languages' coders still load.
    assert fallback.languages == ("en", "vi", "zh")


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=300), prev=st.text(max_size=100))
def test_any_text_gives_a_result(coder, text, prev):
    response = coder.code_response(text, after(prev))
    assert response.coded or response.uncoded_reason
    client = coder.code_client(text, [Utterance(COUNSELLOR, prev)])
    assert client.coded or client.uncoded_reason


@pytest.mark.parametrize(("text", "client", "expected"), [
    ("Part of you feels like methadone has become a new master you have to answer to every morning.",
     "I feel like I've swapped one master for another.", SkillCode.COMPLEX_REFLECTION),
    ("You have to go every day, and it wears you out.",
     "I feel like I've swapped one master for another.", None),
    ("You've kept coming for fourteen months, even with the long ride.",
     "I'm thinking of stopping the programme.", SkillCode.AFFIRMATION),
])
def test_keyword_does_not_overrule_the_meaning(coder, text, client, expected):
    result = coder.code_response(text, after(client))
    assert result.primary is not SkillCode.PERSUADE, result
    if expected is None:
        assert result.primary is not None and result.primary.is_reflection, result
    else:
        assert result.primary is expected, result


NIGHTS = "I work nights at the market and then I drink to get to sleep. My wife keeps on at me about it."


@pytest.mark.parametrize(("text", "expected"), [
    ("You must feel exhausted.", SkillCode.COMPLEX_REFLECTION),
    ("It must be hard juggling all of this.", SkillCode.COMPLEX_REFLECTION),
    ("You must be worn out.", SkillCode.COMPLEX_REFLECTION),
    ("I wonder if you're tired of the arguments too.", SkillCode.COMPLEX_REFLECTION),
    ("You must stop drinking before bed.", SkillCode.PERSUADE),
    ("You must tell her how you feel about it.", SkillCode.PERSUADE),
    ("You mustn't let her get to you.", SkillCode.PERSUADE),
    ("You feel you must keep going, whatever it costs.", SkillCode.COMPLEX_REFLECTION),
    ("You must be exhausted. You need to cut down.", SkillCode.PERSUADE),
    ("Why don't you just stop?", SkillCode.PERSUADE),
])
def test_a_guessed_feeling_is_a_reflection_not_an_order(coder, text, expected):
    """ "must" guessing at the client's feeling reflects; "must" telling them what to do urges."""
    result = coder.code_response(text, after(NIGHTS))
    assert result.primary is expected, result


@pytest.mark.parametrize("text", [
    "That was reckless, and you know it.",
    "You honestly think your kids don't notice?",
    "You're a compulsive gambler, plain and simple.",
    "After all the time we've spent on this, you skipped it again?",
    "You should be ashamed of yourself.",       # moralising, though it also reads as advice
    "You should have done it years ago.",
])
def test_confrontation_is_shown_as_confront(coder, text):
    """However little the model has seen of confrontation, a trainee who confronts is told so."""
    result = coder.code_response(text, after("I only had a couple on Friday, it was a special occasion."))
    assert result.primary is SkillCode.CONFRONT, result


@pytest.mark.parametrize("text", [
    "Hello there.", "Hi, thanks for coming in.", "Okay.",
    "Good morning. Take a seat, I'll just grab your notes.",
    "Sorry, give me one second. I'll switch my phone off.",
    "Okay, we've got about ten minutes left, so let me book your next one.",
])
def test_greetings_and_housekeeping_are_other(coder, text):
    """Never confront (a greeting shown as confronting), never advice ("take a seat")."""
    result = coder.code_response(text, after("I'm not sure why I'm here, to be honest. My sister made the appointment."))
    assert result.primary is SkillCode.OTHER, result


@pytest.mark.parametrize(("text", "expected"), [
    ("Well done! Keep it up.", SkillCode.OTHER),
    ("Good for you.", SkillCode.OTHER),
    ("Brilliant, well done!", SkillCode.OTHER),
    ("You went to the clinic even though the bus ride is long. Well done.", SkillCode.AFFIRMATION),
    ("Well done for telling your sister, even though it was hard.", SkillCode.AFFIRMATION),
    ("Cutting down that much on your own says a lot about you.", SkillCode.AFFIRMATION),
    ("You're someone who keeps the promises you make to your kids.", SkillCode.AFFIRMATION),
])
def test_an_affirmation_names_the_person_praise_alone_does_not(coder, text, expected):
    """An affirmation names the person's strength or effort; "Well done!" on its own grades them."""
    result = coder.code_response(text, after("I only had two drinks this week, down from ten."))
    assert result.primary is expected, result


def test_evaluation_measures_the_rounded_weights_the_app_loads(tmp_path):
    """``shipped()`` (what the evaluators code with) scores exactly as the saved file does."""
    bits, rng = 10, np.random.default_rng(7)
    names = ["family", "talk", "subtype", *(f"sub_{f}" for f in FAMILIES)]
    heads = [Head(name, ("a", "b"), 2 * i) for i, name in enumerate(names)]
    weights = rng.normal(size=(1 << bits, 2 * len(heads))).astype(np.float32)
    weights[rng.random(1 << bits) < 0.5] = 0.0
    fitted = LinearModel(weights, rng.normal(size=2 * len(heads)).astype(np.float32), heads, bits,
                         np.zeros((1 << KNOWN_WORD_BITS) // 8, dtype=np.uint8))
    fitted.save(tmp_path / "m.npz")
    loaded = LinearModel.load(tmp_path / "m.npz")
    context = [Utterance(Speaker.CLIENT, "I drink to get to sleep after the night shift.")]
    for text in ("You must be exhausted.", "What would a good night look like?", "Hi."):
        shipped = fitted.shipped().scores(text, context, Speaker.COUNSELLOR)
        np.testing.assert_array_equal(shipped, loaded.scores(text, context, Speaker.COUNSELLOR))
        assert not np.array_equal(shipped, fitted.scores(text, context, Speaker.COUNSELLOR))  # it was rounded


def test_a_zip_bomb_is_refused_before_anything_is_unpacked(tmp_path, monkeypatch):
    import zipfile

    from mitrainer.coding import modelfile

    monkeypatch.setattr(modelfile, "MAX_UNPACKED_BYTES", 1024 * 1024)  # the real limit is 256 MB
    bomb = tmp_path / "bomb.npz"
    shutil.copy(MODEL_PATH, bomb)
    with zipfile.ZipFile(bomb, "a", compression=zipfile.ZIP_DEFLATED) as archive, \
            archive.open("padding.npy", "w") as member:
        for _ in range(4):
            member.write(bytes(1024 * 1024))  # 4 MB of zeros, a few KB compressed
    assert bomb.stat().st_size < MODEL_PATH.stat().st_size + 100_000
    opened = []
    monkeypatch.setattr(np, "load", lambda *a, **k: opened.append(a) or pytest.fail("unpacked"))
    with pytest.raises(ModelFileError, match="unpacks to more than 1 MB"):
        LinearModel.load(bomb)
    assert not opened


def test_an_array_header_claiming_more_than_its_data_is_refused(tmp_path, monkeypatch):
    import io
    import zipfile

    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (10**9,)})
    forged = tmp_path / "forged.npz"
    with zipfile.ZipFile(forged, "w") as archive:
        archive.writestr("weights.npy", header.getvalue() + bytes(64))  # 8 GB claimed, 64 bytes held
    monkeypatch.setattr(np, "load", lambda *a, **k: pytest.fail("numpy would allocate 8 GB"))
    with pytest.raises(ModelFileError, match="weights.npy claims more data than the file holds"):
        LinearModel.load(forged)
