"""Reports in the trainee's language: a Vietnamese or Chinese session's logs, portfolio, group
report, history and agreement carry no English heading or label.

The check (:func:`english_left`) looks for every interface word the catalogs translate
(``report.*``, skill, verdict, band, talk, DARN-CAT, stage, measure and prompt names) in its
English wording; it is shown to find them in a report rendered in English.
"""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import mitrainer
from mitrainer import i18n
from mitrainer.cli import main
from mitrainer.codes import SkillCode as C
from mitrainer.export.bundles import bundle_text, make_bundle, parse_bundle
from mitrainer.export.group import group_report
from mitrainer.export.library import ScenarioIndex
from mitrainer.export.portfolio import build_portfolio
from mitrainer.export.render import render_session, render_template
from mitrainer.scenario.load import load_scenario
from mitrainer.store.db import SessionStore
from tests.sessions import play

PACKAGE = Path(mitrainer.__file__).resolve().parent
LIBRARY = PACKAGE.parent / "scenarios"
SCENARIO_FILES = {"vi": LIBRARY / "hanoi-outreach-vi.yaml", "zh": LIBRARY / "shenzhen-neighbour-zh.yaml"}
# What a trainee in each language types and writes (no English in the content either).
RESPONSES = {"vi": ("Anh thấy mệt vì ai cũng đến hỏi.", "Điều gì làm anh lo nhất?", "Anh nên đi cai ngay."),
             "zh": ("您担心楼里的人知道。", "您最担心的是什么？", "你应该马上签字。")}
REFLECTIONS = {"vi": {"went_well": "Tôi đã phản ánh nỗi lo của anh ấy.", "next_skill": "Tóm tắt."},
               "zh": {"went_well": "我反映了她的担心。", "next_skill": "总结。"}}
CODES = [C.COMPLEX_REFLECTION, C.OPEN_QUESTION, C.PERSUADE, C.SUMMARY, C.EMPHASIZING_AUTONOMY, C.AFFIRMATION]
# Catalog groups whose words a report shows.
SHOWN = ("report.", "skill.", "verdict.", "band.", "talk.", "subtype.", "stage.", "metric.", "summary.prompt.",
         "history.", "home.status.")


def english_words(language: str) -> set[str]:
    """The English wording of every shown message that ``language`` translates: each literal
    piece of four letters or more that the translation does not also contain."""
    en, other = i18n.catalog("en"), i18n.catalog(language)
    found = set()
    for key, text in en.items():
        if not key.startswith(SHOWN) or other[key] == text:
            continue
        for piece in re.split(r"\{[a-z_]+\}", text):
            piece = piece.strip(" ·:;,.()“”'—/")
            if len(re.sub(r"[^A-Za-z]", "", piece)) >= 4 and piece not in other[key]:
                found.add(piece)
    return found


def english_left(text: str, language: str) -> list[str]:
    """The English words of :func:`english_words` that ``text`` contains (as whole words)."""
    return sorted(w for w in english_words(language)
                  if re.search(rf"(?<![A-Za-z]){re.escape(w)}(?![A-Za-z])", text))


class _Visible(HTMLParser):
    """What a reader of an HTML report sees: text, and titles and labels of elements."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("style", "script")
        self.parts += [v for k, v in attrs if k in ("title", "aria-label", "alt") and v]

    def handle_endtag(self, tag):
        self._skip -= tag in ("style", "script")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_html(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return "\n".join(parser.parts)


def visible(text: str, fmt: str) -> str:
    if fmt == "html":
        return visible_html(text)
    if fmt == "csv":
        return "\n".join(" | ".join(row) for row in csv.reader(io.StringIO(text)))
    return text


def played(language: str, turns: int = 60, n: int = 1) -> tuple[dict, object]:
    scenario = load_scenario(SCENARIO_FILES[language]).require()
    said = RESPONSES[language]
    responses = [(said[i % len(said)], (CODES[i % len(CODES)],)) for i in range(turns)]
    record = play(scenario, responses, reflections=REFLECTIONS[language], session_id=f"{n:032x}")
    return record, scenario


@pytest.mark.parametrize("language", ["vi", "zh"])
@pytest.mark.parametrize("fmt", ["md", "html", "csv"])
@pytest.mark.parametrize("finished", [True, False])
def test_a_session_log_is_all_in_its_language(language, fmt, finished, data_dir):
    record, scenario = played(language, turns=60 if finished else 3)
    assert (record.ending is not None) is finished
    text = render_session(record, fmt, trainee="Mai", scenario=scenario)
    shown = visible(text, fmt)
    assert english_left(shown, language) == []
    words = i18n.words(language, "report.")
    if fmt == "csv":
        assert text.splitlines()[0].split(",")[:2] == [words["csv.turn"], words["csv.node"]]
    else:
        assert words["transcript"] in shown and words["your_reflections"] in shown
        if finished:  # the ending is shown by its title; its id is the author's ("commitment")
            assert record.ending.title in shown and record.ending.outcome not in shown
        assert i18n.text_in(language, "summary.prompt.went_well") in shown
        assert i18n.text_in(language, "skill.complex_reflection") in shown


@pytest.mark.parametrize("language", ["vi", "zh"])
def test_a_session_without_its_scenario_is_still_in_its_language(language, data_dir):
    """The record names its scenario's language: that is enough, the scenario file is not needed."""
    record, _ = played(language)
    text = render_session(record, "html", trainee="", scenarios=ScenarioIndex.of([]))
    assert english_left(visible_html(text), language) == []
    assert f'<html lang="{language}">' in text


def test_the_check_finds_english_where_there_is_some(data_dir):
    """The same Vietnamese session asked for in English: the check sees the English words."""
    record, scenario = played("vi")
    text = render_session(record, "md", trainee="", scenario=scenario, language="en")
    left = english_left(text, "vi")
    assert {"Reflection log", "Transcript", "Your reflections", "Session scores", "Learning goals"} <= set(left)
    assert "Complex reflection" in left


def test_a_session_is_in_its_own_language_whatever_the_interface(record, scenario, data_dir):
    """An English scenario's log stays English in a Vietnamese interface (a session's language is
    its scenario's); --lang (``language=``) asks for another."""
    i18n.set_language("vi")
    assert render_session(record, "md", trainee="", scenario=scenario).startswith("# Reflection log:")
    assert render_session(record, "md", trainee="", scenario=scenario, language="zh").startswith("# 反思记录：")


def test_chinese_punctuation_in_chinese_logs(data_dir):
    record, scenario = played("zh")
    text = render_session(record, "md", trainee="", scenario=scenario)
    assert "**你：** " in text and "编码：" in text and "反馈：**" in text
    assert "Codes:" not in text and ", " not in text.split("## 对话记录")[1].split("## 结局")[0].replace("，", "")


# -- several sessions: the interface language -------------------------------------------------

@pytest.fixture
def vietnamese_store(tmp_path):
    store = SessionStore(tmp_path / "sessions.db", trainee="Mai")
    for n in range(2):
        record, _ = played("vi", turns=60 - 50 * n, n=n + 1)
        store.save_session(record)
    yield store
    store.close()


@pytest.mark.parametrize("language", ["vi", "zh"])
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_portfolio_in_the_interface_language(vietnamese_store, language, fmt, data_dir):
    from mitrainer.export.portfolio import store_records

    portfolio = build_portfolio(store_records(vietnamese_store, "Mai"), ScenarioIndex(), "Mai", language)
    text = render_template(fmt, f"portfolio.{fmt}.j2", {"p": portfolio}, language=language)
    shown = visible(text, fmt)
    assert english_left(shown, language) == []
    assert i18n.text_in(language, "report.trend.rq_ratio") in shown
    assert i18n.text_in(language, "summary.prompt.went_well") in shown


def test_empty_portfolio_in_chinese(data_dir):
    text = render_template("html", "portfolio.html.j2", {"p": build_portfolio([], ScenarioIndex.of([]), "", "zh")},
                           language="zh")
    assert english_left(visible_html(text), "zh") == [] and "还没有会话" in text


def bundles_of(language: str) -> list:
    said = RESPONSES[language]
    plays = ([0, 1, 3, 4, 0, 1] * 10, [2, 2, 1, 0, 3] * 12, [0, 1])
    scenario = load_scenario(SCENARIO_FILES[language]).require()
    found = []
    for n, (name, order) in enumerate(zip(("Lan", "Minh", "Hoa"), plays, strict=True)):
        record = play(scenario, [(said[i % len(said)], (CODES[i],)) for i in order], session_id=f"{n + 1:032x}")
        found.append(parse_bundle(make_bundle(record, trainee=name), name))
    return found


@pytest.mark.parametrize("language", ["vi", "zh"])
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_group_report_in_the_interface_language(language, fmt, data_dir):
    report = group_report(bundles_of(language), ScenarioIndex(), language)
    assert report.groups[0].branch_points()  # the paths split: that part of the report is shown too
    text = render_template(fmt, f"group.{fmt}.j2", {"g": report, "problems": []}, language=language)
    shown = visible(text, fmt)
    assert english_left(shown, language) == []
    assert i18n.text_in(language, "report.group_title") in shown
    assert i18n.text_in(language, "report.where_paths_split" if fmt == "html" else "report.then") in shown


def write_bundles(folder: Path, language: str) -> list[str]:
    paths = []
    for b in bundles_of(language):
        path = folder / f"{b.trainee}.bundle.json"
        path.write_text(bundle_text(make_bundle(b.record, trainee=b.trainee)), encoding="utf-8")
        paths.append(str(path))
    return paths


@pytest.mark.parametrize("fmt", ["table", "csv", "md"])
def test_group_report_command_follows_lang(fmt, tmp_path, data_dir, capsys):
    paths = write_bundles(tmp_path, "vi")
    assert main(["--lang", "zh", "group", "report", *paths, "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert english_left(out, "zh") == []
    assert "成员" in out
    if fmt == "csv":
        assert out.splitlines()[0].startswith("成员,情景,轮数,结局,R:Q,")


def test_group_report_command_follows_the_saved_setting(tmp_path, data_dir, capsys):
    db = tmp_path / "sessions.db"
    with SessionStore(db) as store:
        store.save_preferences(language="vi")
    paths = write_bundles(tmp_path, "zh")
    assert main(["--db", str(db), "group", "report", *paths]) == 0
    out = capsys.readouterr().out
    assert english_left(out, "vi") == [] and "tách ra sau lượt" in out


def test_portfolio_and_history_commands_follow_lang(vietnamese_store, tmp_path, data_dir, capsys):
    db = str(vietnamese_store.path)
    assert main(["--db", db, "--lang", "vi", "portfolio", "--trainee", "Mai", "--format", "md", "-o", "-"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Hồ sơ luyện tập: Mai") and english_left(out, "vi") == []
    assert main(["--db", db, "--lang", "zh", "history"]) == 0
    out = capsys.readouterr().out
    assert "开始时间" in out and "情景" in out and english_left(out, "zh") == []
    assert main(["--db", str(tmp_path / "none.db"), "--lang", "vi", "history"]) == 0
    assert "Không có phiên nào" in capsys.readouterr().out


def test_export_command_writes_the_session_language(vietnamese_store, data_dir, capsys):
    db = str(vietnamese_store.path)
    assert main(["--db", db, "export", "latest", "--name", "Mai", "-o", "-"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Nhật ký tự nhìn lại:") and english_left(out, "vi") == []
    assert main(["--db", db, "--lang", "en", "export", "latest", "--name", "Mai", "-o", "-"]) == 0
    assert capsys.readouterr().out.startswith("# Reflection log:")


def test_review_agreement_in_the_session_language(tmp_path, data_dir, capsys):
    path = write_bundles(tmp_path, "zh")[0]
    assert main(["review", path, "--agreement"]) == 0
    assert english_left(capsys.readouterr().out, "zh") == []
    assert main(["review", path, "--reviewer", "Lan", "--code", "1=CR", "--code", "2=OQ,AF", "--agreement"]) == 0
    out = capsys.readouterr().out
    assert "机器" in out and "主要编码相同" in out and "复杂反映" in out
    assert english_left(out, "zh") == []
    assert main(["--lang", "vi", "review", path, "--agreement"]) == 0
    out = capsys.readouterr().out
    assert "máy" in out and english_left(out, "vi") == []
    assert main(["review", path, "--agreement", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["pairs"]  # JSON keeps its keys and the coder ids
