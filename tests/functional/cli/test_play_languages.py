"""`mitrainer play` of a Vietnamese or Chinese scenario with typed responses (issue 18).

Every response in the scenario's language is coded (a primary code, and a direction, since
each comes after a client line); a line in another language stays uncoded with the reason
in the scenario's language, not in English.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mitrainer.cli import main

ROOT = Path(__file__).resolve().parents[3]

RESPONSES = {
    "vi": ("hanoi-outreach-vi.yaml", [
        "Chào anh, hôm nay anh thấy trong người thế nào?",
        "Nghe như anh đang rất mệt mỏi với mọi chuyện.",
        "Điều gì khiến anh vẫn muốn nói chuyện với em hôm nay?",
        "anh thay dieu do quan trong voi anh the nao",
        "Anh đã cố gắng rất nhiều để giữ được công việc.",
        "Quyết định là ở anh, em chỉ muốn hiểu anh hơn.",
    ]),
    "zh": ("shenzhen-neighbour-zh.yaml", [
        "您好，今天想聊点什么？",
        "听起来您最近睡得很不好，心里也挺着急的。",
        "是什么让您今天愿意来问问？",
        "您担心楼里的人知道",
        "您能主动来问，这需要不少勇气。",
        "要不要来、怎么做，都由您自己决定。",
    ]),
}


def play(capsys, scenario: str, lines: list[str], tmp_path: Path) -> dict:
    answers = tmp_path / "answers.txt"
    answers.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["play", str(ROOT / "scenarios" / scenario), "--responses", str(answers), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("language", ["vi", "zh"])
def test_play_codes_every_typed_response(capsys, tmp_path, language):
    scenario, lines = RESPONSES[language]
    record = play(capsys, scenario, lines, tmp_path)
    turns = record["turns"]
    assert turns, "no response was taken"
    for turn in turns:
        coding = turn["coding"]
        assert coding["primary"] is not None, (turn["response"], coding["uncoded_reason"])
        assert coding["coder"] == f"trained-{language}"
        # Every response follows a client line, so every one gets a side.
        assert coding["direction"] in ("change", "sustain", "neutral")


@pytest.mark.parametrize(("language", "reason_word"), [("vi", "tiếng Anh"), ("zh", "英语")])
def test_play_leaves_an_english_line_uncoded_with_the_reason_in_the_scenario_language(
        capsys, tmp_path, language, reason_word):
    scenario, lines = RESPONSES[language]
    record = play(capsys, scenario, [lines[0], "So what brings you here today?"], tmp_path)
    english = record["turns"][1]["coding"]
    assert english["primary"] is None and english["direction"] is None
    assert reason_word in english["uncoded_reason"] and "English" not in english["uncoded_reason"]
