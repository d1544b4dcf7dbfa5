"""Chinese text in YAML: lines folded by YAML join without a space between Chinese characters,
and nothing else changes (other text keeps YAML's folding, positions stay)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import mitrainer
from mitrainer.cjk import is_cjk, joins_without_space, may_break_between
from mitrainer.safeyaml import load_text

LIBRARY = Path(mitrainer.__file__).resolve().parent.parent / "scenarios"
RUBRICS = Path(mitrainer.__file__).resolve().parent.parent / "rubrics"


def test_folded_chinese_lines_join_without_a_space():
    doc = load_text("background: >-\n  去年工厂搬去东莞，她没跟\n  过去，现在在超市做收银。\n  还是没赶上见最\n  后一面。\nnext: 1\n")
    assert doc.ok
    assert doc.data["background"] == "去年工厂搬去东莞，她没跟过去，现在在超市做收银。还是没赶上见最后一面。"
    assert doc.positions.of(("next",)).line == 6


@pytest.mark.parametrize(("text", "value"), [
    # clip, strip and keep chomping; a blank line is a paragraph break and stays one
    ("a: >\n  第一行\n  第二行\n\n  第二段\n", "第一行第二行\n第二段\n"),
    ("a: >-\n  第一行\n  第二行\n", "第一行第二行"),
    ("a: >+\n  第一行\n  第二行\n\n", "第一行第二行\n\n"),
    # a Chinese line next to English, a number or a space keeps YAML's space
    ("a: >-\n  用 MI\n  的方法\n", "用 MI 的方法"),
    ("a: >-\n  三十\n  40 岁\n", "三十 40 岁"),
    # quotes and dashes Chinese shares join with Chinese on the other side
    ("a: >-\n  她说“不用了”\n  然后走了\n", "她说“不用了”然后走了"),
    ("a: >-\n  劝她“要重视”\n  “要想开”、说出\n", "劝她“要重视”“要想开”、说出"),
    ("a: >-\n  你问的是，\n  MI 是什么\n", "你问的是，MI 是什么"),
    # more-indented lines are never folded
    ("a: >-\n  说明：\n    第一条\n  结束\n", "说明：\n  第一条\n结束"),
    # text over several lines without block style folds the same way
    ("a: 第一行\n  第二行\n", "第一行第二行"),
    ('a: "第一行\n  第二行"\n', "第一行第二行"),
    ("a: '第一行\n  第二行'\n", "第一行第二行"),
    ("a: '她说''好''呀\n  然后'\n", "她说'好'呀然后"),
    ('a: "第一行\n\n  第二段"\n', "第一行\n第二段"),
    # in a list, and in a flow collection
    ("- >-\n  第一行\n  第二行\n- [甲乙,\n   丙丁]\n", None),
])
def test_folding_cases(text, value):
    doc = load_text(text)
    assert doc.ok, doc.diagnostics
    if value is None:
        assert doc.data == ["第一行第二行", ["甲乙", "丙丁"]]
    else:
        assert doc.data["a"] == value


@pytest.mark.parametrize("text", [
    "a: |\n  第一行\n  第二行\n",  # literal: the line breaks are the text
    'a: "第一\\t行\n  第二行"\n',  # escapes: YAML's value is kept as it is
    "a: >2-\n   第一行\n  第二行\n",  # an indentation indicator: kept as YAML reads it
    "a: >-\n  English words\n  over two lines\n",
    "a: 第一行 第二行\n",  # a space on one line is the author's
])
def test_what_is_left_as_yaml_reads_it(text):
    assert load_text(text).data == yaml.safe_load(text)


LINE = st.lists(st.sampled_from(["她", "没", "跟", "过", "去", "，", "。", "MI", "12", "word", " ", "“", "”"]),
                min_size=1, max_size=6).map("".join).map(str.strip).filter(bool)


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(LINE, min_size=1, max_size=6), style=st.sampled_from([">-", ">", "plain", '"']))
def test_folding_property(lines, style):
    """Whatever the lines: YAML's value, with exactly the breaks between Chinese joined."""
    if style == "plain":
        if any(line[0] in "“”\"'" or line.endswith(":") for line in lines):
            return
        text = "a: " + "\n  ".join(lines) + "\n"
    elif style == '"':
        text = 'a: "' + "\n  ".join(lines) + '"\n'
    else:
        text = f"a: {style}\n" + "".join(f"  {line}\n" for line in lines)
    expected = yaml.safe_load(text)["a"]
    if not isinstance(expected, str):  # a plain "12" is a number to YAML: no text to fold
        return
    joined = lines[0]
    for previous, line in zip(lines, lines[1:], strict=False):
        joined += ("" if joins_without_space(previous, line) else " ") + line
    if style == ">":
        joined += "\n"
    assert expected.replace("\n", "") == " ".join(lines) + ("" if style != ">" else "")  # YAML folds with spaces
    assert load_text(text).data["a"] == joined


def test_character_classes():
    assert is_cjk("她") and is_cjk("。") and is_cjk("，") and not is_cjk("a") and not is_cjk("ă")
    assert joins_without_space("跟", "过") and joins_without_space("说“你好”", "然后")
    assert joins_without_space("劝她“要重视”", "“要想开”") and joins_without_space("中文，", "MI")
    assert not joins_without_space("用 MI", "的") and not joins_without_space("跟", "1")
    assert not joins_without_space("he said “no”", "“yes”") and not joins_without_space("”", "“")
    assert not may_break_between("话", "。") and not may_break_between("“", "你")
    assert may_break_between("话", "你") and may_break_between(" ", "a") and not may_break_between("a", "b")


# -- the bundled Chinese text ---------------------------------------------------------------------

def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


CHINESE_FILES = sorted([*LIBRARY.glob("*-zh.yaml"), *RUBRICS.glob("*-zh.yaml")])
SPACE_IN_CHINESE = re.compile(r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]) +(?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])")
# ASCII quotes around Chinese words: "有精神病" or '愿意开始个案'
ASCII_QUOTES = re.compile(r"[\"'][^\"'\n]*[\u4e00-\u9fff][^\"'\n]*[\"']")


@pytest.mark.parametrize("path", CHINESE_FILES, ids=lambda p: p.name)
def test_bundled_chinese_text_is_clean(path):
    doc = load_text(path.read_text(encoding="utf-8"), str(path))
    assert doc.ok
    texts = list(strings(doc.data))
    assert sum(bool(re.search("[\u4e00-\u9fff]", t)) for t in texts) > 10
    assert [t for t in texts if SPACE_IN_CHINESE.search(t)] == []
    assert [m.group(0) for t in texts for m in ASCII_QUOTES.finditer(t)] == []
