"""The multilingual coder: each line to the coder of its language, sessions in vi and zh coded."""

from __future__ import annotations

import re

import numpy as np
import pytest

from mitrainer.codes import Direction, SkillCode, Speaker, TalkType
from mitrainer.coding import default_coder, reading
from mitrainer.coding.base import Coder, Utterance
from mitrainer.coding.languages.model import LANGUAGE_FORMAT, LanguageCoder, language_model_path
from mitrainer.coding.multilingual import MultilingualCoder
from mitrainer.coding.rules import RuleBasedCoder
from mitrainer.engine.session import Session
from mitrainer.errors import ModelFileError
from mitrainer.paths import bundled_scenarios
from mitrainer.practice import Practice
from mitrainer.scenario.load import load_for_play

# Latin words other than Vietnamese ones: what English leaking into feedback looks like.
ENGLISH = re.compile(r"\b(the|coder|reads|not|coded|language|English|Vietnamese|Chinese|text|words)\b")


def after(line: str) -> list[Utterance]:
    return [Utterance(Speaker.CLIENT, line)]


def test_the_default_coder_reads_three_languages():
    coder = default_coder()
    assert isinstance(coder, Coder) and coder.languages == ("en", "vi", "zh")
    assert all(coder.reads(tag) for tag in ("en-GB", "vi", "vi-VN", "zh-Hans", "zh_CN.UTF-8"))
    assert not coder.reads("fr")


@pytest.mark.parametrize(("text", "coder_name"), [
    ("What would make the trips easier?", "trained"),
    ("Anh có muốn bớt uống không?", "trained-vi"),
    ("anh co muon bot uong ko", "trained-vi"),
    ("你每天抽几根烟？", "trained-zh"),
    ("你每天抽几根烟", "trained-zh"),
])
def test_each_line_goes_to_the_coder_of_its_language(text, coder_name):
    coding = default_coder().code_response(text, after(""))
    assert coding.coded and coding.coder == coder_name


def test_a_coder_set_to_one_language_leaves_others_uncoded_with_the_reason_in_its_language():
    vi_session = reading(default_coder(), "vi", "vi")
    coding = vi_session.code_response("So what would help you most?", after("Tôi mệt lắm."))
    assert coding.primary is None and "tiếng Anh" in coding.uncoded_reason
    assert not ENGLISH.search(coding.uncoded_reason.replace("tiếng Anh", ""))
    client = reading(default_coder(), "zh-Hans", "zh").code_client("Tôi muốn bỏ.")
    assert client.talk is None and "越南语" in client.uncoded_reason
    # A line too short to tell is read in the chosen language.
    assert reading(default_coder(), "vi").code_response("Vâng.", after("Tôi đến rồi.")).coder == "trained-vi"


def test_a_language_without_a_model_is_not_read():
    coder = MultilingualCoder({"en": RuleBasedCoder()})
    assert coder.languages == ("en",) and coder.name == "rule-based"
    coding = coder.code_response("你觉得呢？")
    assert coding.primary is None and "Chinese" in coding.uncoded_reason
    assert coder.code_response("Do you go every day?").primary is SkillCode.CLOSED_QUESTION
    with pytest.raises(ValueError):
        MultilingualCoder({"vi": LanguageCoder("vi")})


@pytest.mark.parametrize("language", ["vi", "zh"])
def test_the_language_coders_refuse_what_they_cannot_read(language):
    coder = LanguageCoder(language)
    for text in ("", "   ", "😀😀", "12345"):
        assert coder.code_response(text).primary is None
        assert coder.code_client(text).talk is None
    assert coder.code_response("Я хочу бросить пить").uncoded_reason
    other = "Tôi muốn bỏ thuốc." if language == "zh" else "我想戒烟。"
    assert coder.code_response(other).primary is None


def test_vietnamese_gibberish_is_not_coded():
    coder = reading(default_coder(), "vi", "vi")
    assert coder.code_response("qwrtp zxcvb mnbvc lkjhg", after("Tôi mệt.")).primary is None


@pytest.mark.parametrize("language", ["vi", "zh"])
def test_codes_every_response_of_a_session_in_the_scenario_language(language):
    name = {"vi": "hanoi-outreach-vi.yaml", "zh": "shenzhen-neighbour-zh.yaml"}[language]
    scenario = load_for_play(str(bundled_scenarios() / name), [])
    practice = Practice(Session(scenario, seed=1, coder=reading(default_coder(), scenario.language, scenario.language)))
    responses = {"vi": ["Anh lo hôm nay em đến để ghi tên anh vào sổ.", "anh muon em giai thich ro hon phan nao?"],
                 "zh": ["听起来你很担心被楼里的人知道。", "你想先了解哪一部分"]}[language]
    for text in responses:
        turn = practice.take_turn(text).turn
        assert turn.coding.coded and turn.coding.coder == f"trained-{language}"
        assert turn.coding.direction in tuple(Direction)
    turn = practice.take_turn("I understand, tell me more about that.").turn
    assert turn.coding.primary is None
    judgement = turn.feedback.judgement
    # The feedback, reason included, is in the scenario's language: no English leaks in.
    shown = " ".join((judgement.headline, judgement.rationale))
    assert "English" not in shown and "coder" not in shown
    assert turn.coding.uncoded_reason in shown


@pytest.mark.parametrize(("language", "client", "response"), [
    ("vi", "Tôi muốn bớt rượu, nhưng anh em rủ thì khó từ chối.", "Anh muốn bớt rượu."),
    ("zh", "我想少喝点，可是朋友一叫就推不掉。", "你想少喝点。"),
])
def test_every_response_gets_a_direction_as_the_english_judge_gives_it(language, client, response):
    from mitrainer.coding.base import ClientSides

    coder = reading(default_coder(), language)
    # After a client line: a side; with the scenario's marked sides too (the same interface).
    assert coder.code_response(response, after(client)).direction in tuple(Direction)
    sides = ClientSides(change=client.split("，" if language == "zh" else ",")[0], sustain="")
    assert coder.code_response(response, after(client), sides).direction in tuple(Direction)
    # No client line before it: neutral, never an error; uncoded: no direction.
    assert coder.code_response(response, []).direction is Direction.NEUTRAL
    assert coder.code_response("", after(client)).direction is None


def test_client_lines_are_coded_with_talk_and_subtype():
    coder = default_coder()
    for text in ("Tôi sẽ lên phường làm căn cước tuần này.", "我这周就去派出所补身份证。"):
        coding = coder.code_client(text, [Utterance(Speaker.COUNSELLOR, "?")])
        assert coding.talk in (TalkType.CHANGE, TalkType.SUSTAIN, TalkType.NEUTRAL)
        assert coding.subtype is not None or coding.talk is TalkType.NEUTRAL
        assert abs(sum(coding.scores.values()) - 1) < 1e-6


def test_could_doubt_is_answered_for_every_language():
    coder = default_coder()
    assert coder.could_doubt("I'm never going back.", TalkType.CHANGE, 0.03) in (True, False)
    assert coder.could_doubt("Tôi sẽ không quay lại.", TalkType.CHANGE, 0.03) is True


def test_a_missing_or_foreign_model_file_says_so(tmp_path):
    with pytest.raises(ModelFileError, match="train_languages"):
        LanguageCoder("vi", path=tmp_path / "missing.npz")
    with np.load(language_model_path("zh"), allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    wrong = tmp_path / "coder-vi.npz"
    np.savez(wrong, **arrays)  # a Chinese model where the Vietnamese one belongs
    with pytest.raises(ModelFileError, match="not 'vi'"):
        LanguageCoder("vi", path=wrong)
    arrays["meta"] = np.array('{"format": "something-else"}')
    np.savez(wrong, **arrays)
    with pytest.raises(ModelFileError, match=LANGUAGE_FORMAT):
        LanguageCoder("vi", path=wrong)
    with pytest.raises(ValueError):
        LanguageCoder("fr")
