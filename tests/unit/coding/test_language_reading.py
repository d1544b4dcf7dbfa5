"""Reading Vietnamese and Chinese: the detector, the plain forms, the cues, the reasons."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mitrainer.coding.languages import vi, zh
from mitrainer.coding.languages.detect import detect_language
from mitrainer.coding.reasons import Unreadable, reason_text


@pytest.mark.parametrize(("text", "language"), [
    ("Anh có muốn bớt uống không?", "vi"),
    ("anh co muon bot uong khong?", "vi"),
    ("a uong thuoc chua", "vi"),
    ("e ko bit nua, chac dc", "vi"),
    ("Vâng.", "vi"),
    ("Em chạy Grab.", "vi"),
    ("你觉得戒烟对你意味着什么？", "zh"),
    ("你觉得戒烟对你意味着什么?", "zh"),
    ("你覺得戒煙這件事對你來說是什麼？", "zh"),
    ("ok 好的", "zh"),
    ("What would make the trips easier?", "en"),
    ("So you feel stuck.", "en"),
    # Vietnamese names in an English line leave it English.
    ("Last year I was undetectable. Bác sĩ Phúc showed me the paper.", "en"),
    ("Я хочу бросить пить", None),
    ("お酒をやめたいです", None),
])
def test_detects_the_language_of_a_line(text, language):
    assert detect_language(text) == language


def test_a_line_too_short_to_tell_takes_the_language_before_it():
    assert detect_language("Mm") is None
    assert detect_language("Mm", ["Tôi mệt lắm."]) == "vi"
    assert detect_language("Ok.", ["我想戒烟。"]) in ("en", "zh")  # "ok" is English enough on its own
    assert detect_language("Mm", default="zh") == "zh"
    # Another script is never read as the language before it.
    assert detect_language("Я хочу", ["Tôi mệt lắm."]) is None


def test_vietnamese_reads_the_same_with_and_without_diacritics_and_in_shorthand():
    marked = vi.plain_tokens("Anh có muốn bớt uống không? Được không?")
    assert marked == vi.plain_tokens("anh co muon bot uong ko? dc k?")
    assert marked == ["anh", "co", "muon", "bot", "uong", "khong", "?", "duoc", "khong", "?"]
    assert vi.strip_marks("Đường đi") == "Duong di"
    assert vi.has_marks("Tôi") and not vi.has_marks("toi")
    # The marked syllables are kept where the line has them: "à?" asks, "ạ" is polite.
    assert vi.marked_tokens("Anh đi rồi à?") == ["anh", "đi", "rồi", "à"]
    assert vi.marked_tokens("anh di roi a") == []


def test_chinese_reads_full_and_half_width_and_traditional_alike():
    assert zh.plain("你觉得呢？") == zh.plain("你觉得呢?") == "你觉得呢?"
    assert zh.plain("你覺得戒煙這件事，對你來說有什麼意義？") == "你觉得戒烟这件事,对你来说有什么意义?"
    assert all(simplified not in zh.TRADITIONAL for simplified in zh.TRADITIONAL.values())


@pytest.mark.parametrize(("reader", "text", "cue"), [
    (vi, "Anh có muốn bớt uống không?", "q_co_khong"),
    (vi, "anh da uong thuoc chua?", "q_particle_end"),
    (vi, "Nghe như anh đang rất mệt.", "r_frame"),
    (vi, "Có vẻ như chị lo cho con.", "r_frame"),
    (vi, "Anh nên bỏ rượu đi.", "advice"),
    (vi, "tot nhat la anh bo han", "advice"),
    (vi, "Em chia sẻ vài điều được không anh?", "permission"),
    (vi, "Quyết định là của anh.", "autonomy"),
    (vi, "Giỏi lắm!", "praise"),
    (vi, "Điều đó cần rất nhiều can đảm.", "strength"),
    (zh, "你最近睡得怎么样？", "q_open_word"),
    (zh, "你抽烟吗", "q_particle_end"),
    (zh, "听起来你很累。", "r_frame"),
    (zh, "你应该马上戒烟。", "advice"),
    (zh, "我可以跟你说说别人的办法吗？", "permission"),
    (zh, "这件事由你决定。", "autonomy"),
    (zh, "真棒！", "praise"),
])
def test_cues(reader, text, cue):
    assert cue in reader.cue_names(text)


def test_a_double_sided_line_ends_on_its_last_side():
    assert vi.tail(vi.plain_tokens("Uống thì đỡ, nhưng đi lại mệt quá.")) == ["di", "lai", "met", "qua", "."]
    assert vi.tail(vi.plain_tokens("Anh dùng ma túy từ lâu.")) == []  # "ma túy" is no "mà"
    assert zh.tail(zh.tokens("戒烟是想戒，但是怕胖。")) == ["怕", "胖", "."]


def test_a_client_line_is_cut_where_it_turns():
    assert vi.clauses(vi.plain_tokens("Uống thì đỡ thèm, nhưng tôi sợ cả đời phụ thuộc. Mẹ tôi thì mừng.")) == [
        ["uong", "thi", "do", "them", ","], ["nhung", "toi", "so", "ca", "doi", "phu", "thuoc"], ["me", "toi", "thi", "mung"]]
    assert len(vi.clauses(vi.plain_tokens("em van muon khoe de nuoi con, du uong thuoc suot doi thi met"))) == 2
    assert vi.clauses(vi.plain_tokens("Anh dùng ma túy từ lâu.")) == [["anh", "dung", "ma", "tuy", "tu", "lau"]]
    assert ["".join(part) for part in zh.clauses(zh.tokens("减量我也想过，就是怕头几天难受。"))] == ["减量我也想过,", "就是怕头几天难受"]
    assert len(zh.clauses(zh.tokens("我可以去，可能下周吧"))) == 1  # 可以 and 可能 do not turn a line


def test_the_part_of_the_client_line_a_response_takes_up():
    from mitrainer.coding.base import ClientSides
    from mitrainer.coding.languages.features import LanguageFeaturizer

    featurizer = LanguageFeaturizer("zh")
    client = "抽烟能让我上夜班的时候不那么紧张，可是女儿老是咳嗽，我心疼她。"
    parts = featurizer.parts(client)
    assert featurizer.taken_up(featurizer.units("你心疼女儿。"), parts) == 1
    assert featurizer.taken_up(featurizer.units("夜班的时候，烟让你不那么紧张。"), parts) == 0
    assert featurizer.taken_up(featurizer.units("几点了？"), parts) is None
    # Marked sides replace the clauses: the change part first, then the sustain part.
    marked = featurizer.parts(client, ClientSides(change="女儿老是咳嗽，我心疼她", sustain="抽烟让我不紧张"))
    assert featurizer.taken_up(featurizer.units("你心疼女儿。"), marked) == 0


def test_reasons_are_said_in_the_language_asked_for():
    assert reason_text(Unreadable.EMPTY, ("vi",), in_language="vi") == "không có nội dung"
    other = reason_text(Unreadable.OTHER_LANGUAGE, ("vi",), "en", in_language="vi")
    assert "tiếng Anh" in other and "tiếng Việt" in other and "English" not in other
    other = reason_text(Unreadable.OTHER_LANGUAGE, ("zh",), "vi", in_language="zh")
    assert "越南语" in other and "中文" in other
    assert reason_text(Unreadable.SCRIPT, ("en", "vi", "zh"), in_language="en").endswith(
        "(it reads English, Vietnamese, Chinese)")


@settings(max_examples=80, deadline=None)
@given(text=st.text(max_size=200))
def test_any_text_reads_without_error(text):
    assert detect_language(text) in ("en", "vi", "zh", None)
    vi.cue_names(text)
    zh.cue_names(text)
    vi.tail(vi.plain_tokens(text))
    zh.tail(zh.tokens(text))
    vi.clauses(vi.plain_tokens(text))
    zh.clauses(zh.tokens(text))
