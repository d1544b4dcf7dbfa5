"""``mitrainer code`` and ``mitrainer code-transcript``: output and exit codes."""

from __future__ import annotations

import json

import pytest

import mitrainer.cli as cli


@pytest.fixture(autouse=True)
def only_coding_commands(monkeypatch):
    # The other subcommands are developed elsewhere; these tests need only ours.
    monkeypatch.setattr(cli, "COMMAND_MODULES", ["mitrainer.cli.coding_cmds"])


def test_code_json(capsys):
    assert cli.main(["code", "What would make the trips easier?", "--after", "The trips wear me out.",
                     "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["primary"] == "open_question" and out["codes"][0]["code"] == "open_question"


def test_code_readable(capsys):
    assert cli.main(["code", "You should stop drinking.", "--after", "I drink every night."]) == 0
    assert "Persuade" in capsys.readouterr().out


def test_code_client(capsys):
    assert cli.main(["code", "--client", "I'm not going back to that clinic.", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["talk"] == "sustain"


@pytest.mark.parametrize("text", ["", "😀", "Я хочу бросить пить", "お酒をやめたい"])
def test_code_uncoded_exit_1(capsys, text):
    assert cli.main(["code", text]) == 1
    assert "not coded" in capsys.readouterr().out


@pytest.mark.parametrize(("text", "lang", "coder"), [
    ("Anh có muốn bớt uống không?", "auto", "trained-vi"),
    ("anh co muon bot uong ko", "vi", "trained-vi"),
    ("你觉得戒烟对你意味着什么？", "auto", "trained-zh"),
    ("What would make the trips easier?", "en", "trained"),
])
def test_code_reads_each_language(capsys, text, lang, coder):
    assert cli.main(["code", text, "--lang", lang, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["coder"] == coder and out["primary"] and out["direction"] in ("change", "sustain", "neutral", None)


def test_code_line_in_another_language_than_chosen(capsys, monkeypatch):
    monkeypatch.delenv("MITRAINER_LANG", raising=False)
    assert cli.main(["code", "你觉得呢？", "--lang", "vi", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["primary"] is None and "Chinese" in out["uncoded_reason"] and "Vietnamese" in out["uncoded_reason"]
    # The reason is said in the interface language (--lang before the command).
    assert cli.main(["--lang", "vi", "code", "So what would help?", "--lang", "zh", "--json"]) == 1
    reason = json.loads(capsys.readouterr().out)["uncoded_reason"]
    assert "tiếng Anh" in reason and "tiếng Trung" in reason and "English" not in reason
    monkeypatch.setenv("MITRAINER_LANG", "zh")
    assert cli.main(["code", "Tôi hiểu.", "--lang", "en", "--json"]) == 1
    assert "越南语" in json.loads(capsys.readouterr().out)["uncoded_reason"]


def test_code_rules_read_english_only(capsys):
    assert cli.main(["code", "--rules", "--json", "Anh có muốn bớt uống không?"]) == 1
    assert "Vietnamese" in json.loads(capsys.readouterr().out)["uncoded_reason"]


def test_code_rules_option(capsys):
    assert cli.main(["code", "--rules", "--json", "Do you go every day?"]) == 0
    assert json.loads(capsys.readouterr().out)["coder"] == "rule-based"


def test_code_bad_arguments():
    with pytest.raises(SystemExit) as exc:
        cli.main(["code"])
    assert exc.value.code == 2


def test_code_transcript_jsonl(tmp_path, capsys):
    p = tmp_path / "t.csv"
    p.write_text("speaker,text,codes\ntherapist,What brings you in?,open_question\n"
                 "client,I want to stop drinking.,change\ncounsellor,You want to stop.,simple_reflection\n",
                 encoding="utf-8")
    assert cli.main(["code-transcript", str(p), "--format", "jsonl"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["index"] for r in rows] == [0, 1, 2]
    assert rows[0]["speaker"] == "counsellor" and rows[0]["primary"] == "open_question"
    assert rows[0]["human_codes"] == ["open_question"]
    assert rows[1]["talk"] in ("change", "neutral", "sustain") and "subtype" in rows[1]
    assert all({"code", "confidence"} <= set(c) for c in rows[2]["codes"])


def test_code_transcript_table(tmp_path, capsys):
    p = tmp_path / "t.jsonl"
    p.write_text('{"speaker": "counsellor", "text": "How are you?"}\n'
                 '{"speaker": "client", "text": "Fine."}\n', encoding="utf-8")
    assert cli.main(["code-transcript", str(p)]) == 0
    out = capsys.readouterr().out
    assert "R:Q" in out and "client" in out


def test_code_transcript_language_column(tmp_path, capsys):
    p = tmp_path / "t.csv"
    p.write_text("speaker,text,language\n"
                 "counsellor,Anh thấy thế nào?,vi\n"
                 "client,Toi muon bot uong,\n"
                 "counsellor,So you want to cut down.,vi\n"
                 "counsellor,你觉得呢？,zh-Hans\n"
                 "counsellor,Ok.,fr\n", encoding="utf-8")
    assert cli.main(["code-transcript", str(p), "--format", "jsonl"]) == 0
    captured = capsys.readouterr()
    rows = [json.loads(line) for line in captured.out.splitlines()]
    assert rows[0]["coder"] == "trained-vi" and rows[0]["language"] == "vi"
    assert rows[1]["coder"] == "trained-vi" and "language" not in rows[1]  # detected
    assert rows[2]["primary"] is None and "English" in rows[2]["uncoded_reason"]
    assert rows[3]["coder"] == "trained-zh" and rows[3]["language"] == "zh"
    assert "T012" in captured.err


def test_code_transcript_lang_option(tmp_path, capsys):
    p = tmp_path / "t.csv"
    p.write_text("speaker,text\ncounsellor,Anh thấy thế nào?\ncounsellor,How are you?\n", encoding="utf-8")
    assert cli.main(["code-transcript", str(p), "--format", "jsonl", "--lang", "vi"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows[0]["primary"] and rows[1]["primary"] is None


def test_code_transcript_problems(tmp_path, capsys):
    p = tmp_path / "t.csv"
    p.write_text("speaker,text\nrobot,beep\nclient,I drink.\n", encoding="utf-8")
    assert cli.main(["code-transcript", str(p)]) == 1
    assert "T004" in capsys.readouterr().err


def test_code_transcript_unreadable(tmp_path, capsys):
    assert cli.main(["code-transcript", str(tmp_path / "missing.csv")]) == 2
    p = tmp_path / "cols.csv"
    p.write_text("who,what\nclient,hi\n", encoding="utf-8")
    assert cli.main(["code-transcript", str(p)]) == 2
    err = capsys.readouterr().err
    assert "T001" in err and "T003" in err and "Traceback" not in err
