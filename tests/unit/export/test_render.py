"""Reflection logs: golden Markdown, HTML structure and escaping, JSON, CSV, templates."""

from __future__ import annotations

import csv
import io
import json
import os
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mitrainer.export import render_session
from mitrainer.export.library import ScenarioIndex
from mitrainer.export.render import TemplateProblem, md_escape
from mitrainer.record.read import RecordError, parse_record
from tests.sessions import GOLDEN, REFLECTIONS, SCENARIOS, STANDARD_RESPONSES, play

REGENERATE = os.environ.get("MITRAINER_REGEN_GOLDEN") == "1"


def check_golden(name: str, text: str) -> None:
    """Compare with tests/unit/export/golden/NAME; MITRAINER_REGEN_GOLDEN=1 rewrites it instead."""
    path = GOLDEN / name
    if REGENERATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; run with MITRAINER_REGEN_GOLDEN=1 to create it"
    assert text == path.read_text(encoding="utf-8"), f"{name} changed; if intended, regenerate with MITRAINER_REGEN_GOLDEN=1"


# -- Markdown ------------------------------------------------------------------------------------

def test_markdown_golden_finished_session(record, scenario, data_dir):
    check_golden("session-finished.md", render_session(record, "md", trainee="Mai <Nguyễn>", scenario=scenario))


def test_markdown_golden_unfinished_session_without_scenario(scenario, data_dir):
    record = play(scenario, STANDARD_RESPONSES[:2], feedback=False)
    # No scenario available: no persona, no feedback, but everything in the record is shown.
    text = render_session(record, "md", trainee="", scenarios=ScenarioIndex.of([]))
    check_golden("session-unfinished.md", text)
    assert "not finished" in text and "Feedback:" not in text


def test_markdown_fills_in_feedback_when_the_scenario_is_known(scenario, data_dir):
    record = play(scenario, STANDARD_RESPONSES, feedback=False)
    text = render_session(record, "md", trainee="", scenario=scenario)
    assert text.count("Feedback: **") == len(record.turns)


def test_markdown_escapes_trainee_text(record, scenario, data_dir):
    text = render_session(record, "md", trainee="", scenario=scenario)
    assert "<script>" not in text and "<b>" not in text
    assert r"\<script\>alert(1)\</script\>" in text
    assert "\n# not a heading" not in text and r"\# not a heading" in text
    assert r"1\. not a list" in text


@pytest.mark.parametrize(("raw", "escaped"), [
    ("<img src=x onerror=alert(1)>", r"\<img src=x onerror=alert(1)\>"),
    ("# title", r"\# title"),
    ("- item", r"\- item"),
    ("12. item", r"12\. item"),
    ("[link](http://x)", r"\[link\](http://x)"),
    ("a | b", r"a \| b"),
    ("1.5 units", "1.5 units"),
    ("two\nlines", "two  \nlines"),
])
def test_md_escape(raw, escaped):
    assert str(md_escape(raw)) == escaped


# -- HTML ------------------------------------------------------------------------------------------

class Collector(HTMLParser):
    """Tags, attributes and text of an HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        (self.styles if self._in_style else self.text).append(data)

    def ids(self) -> set[str]:
        return {a["id"] for _, a in self.tags if "id" in a}


def parse(html: str) -> Collector:
    collector = Collector()
    collector.feed(html)
    collector.close()
    return collector


def assert_self_contained(doc: Collector, html: str) -> None:
    names = [t for t, _ in doc.tags]
    assert "script" not in names and "link" not in names and "iframe" not in names and "img" not in names
    for tag, attrs in doc.tags:
        for key, value in attrs.items():
            assert not key.startswith("on"), f"event handler on <{tag}>"
            if key in ("href", "src", "xlink:href", "action"):
                assert value is None or not value.startswith(("http:", "https:", "//", "javascript:")), (tag, key)
    assert "http://" not in "".join(doc.styles) and "https://" not in "".join(doc.styles)
    assert "@import" not in html


def test_html_structure_and_content(record, scenario, data_dir):
    html = render_session(record, "html", trainee="Mai", scenario=scenario)
    doc = parse(html)
    assert_self_contained(doc, html)
    assert {"about", "scores", "transcript", "ending", "reflections", "supervisor"} <= doc.ids()
    assert sum(1 for t, a in doc.tags if t == "div" and a.get("class") == "turn" and a.get("id")) == len(record.turns)
    text = " ".join(doc.text)
    for expected in ("Mai", "Lan", "Evening drinks <after> work", "Lan makes a plan of her own", "What went well?",
                     "Supervisor’s comment", "Righting reflex", "Complex reflection"):
        assert expected in text, expected
    assert any(t == "svg" for t, _ in doc.tags), "inline SVG charts"
    assert any(t == "meta" and a.get("name") == "viewport" for t, a in doc.tags)
    assert "@media print" in html and "break-before: page" in html


def test_html_escapes_trainee_text(record, scenario, data_dir):
    html = render_session(record, "html", trainee="<script>alert('name')</script>", scenario=scenario)
    doc = parse(html)
    assert_self_contained(doc, html)
    text = "".join(doc.text)
    # The markup arrives as text a reader sees, never as elements.
    assert "<script>alert(1)</script>" in text and "<script>alert('name')</script>" in text
    assert "<b>her</b>" in text
    assert "&lt;script&gt;alert(1)" in html


# -- JSON and CSV ---------------------------------------------------------------------------------

def test_json_log_carries_record_and_score(record, scenario, data_dir):
    document = json.loads(render_session(record, "json", trainee="Mai", scenario=scenario))
    assert document["format"] == "mitrainer-reflection-log"
    assert document["record"] == record.to_json()
    assert document["trainee"] == "Mai" and document["scenario"]["persona"] == "Lan"
    assert document["score"]["turns"] == len(record.turns)
    assert len(document["feedback"]) == len(record.turns)


def test_csv_one_row_per_turn_and_formula_safe(record, scenario, data_dir):
    turns = list(record.turns)
    turns[1] = turns[1].model_copy(update={"response": "=1+1 and @cmd"})
    record = record.model_copy(update={"turns": tuple(turns)})
    rows = list(csv.reader(io.StringIO(render_session(record, "csv", trainee="", scenario=scenario))))
    assert rows[0][:3] == ["turn", "node", "client"]
    assert len(rows) == len(record.turns) + 1
    assert rows[2][4] == "'=1+1 and @cmd"
    assert rows[1][5] == "complex_reflection"


def test_every_export_shows_the_branch_note_with_the_verdict(record, scenario, data_dir):
    notes = [turn.feedback.note for turn in record.turns]
    note = next(n for n in notes if n)
    index = notes.index(note)
    document = json.loads(render_session(record, "json", trainee="", scenario=scenario))
    assert document["feedback"][index]["note"] == note and document["feedback"][index]["verdict"]
    rows = list(csv.DictReader(io.StringIO(render_session(record, "csv", trainee="", scenario=scenario))))
    assert rows[index]["branch_note"] == note and rows[index]["verdict"]
    for fmt in ("md", "html"):
        text = render_session(record, fmt, trainee="", scenario=scenario)
        assert "What happened:" in text and note.split()[0] in text


# -- templates ------------------------------------------------------------------------------------

def test_templates_folder_overrides_a_bundled_template(record, scenario, data_dir, tmp_path):
    folder = tmp_path / "brand"
    folder.mkdir()
    (folder / "session.md.j2").write_text("Nhật ký: {{ s.scenario.title }} / {{ s.turns|length }}\n", encoding="utf-8")
    text = render_session(record, "md", trainee="", scenario=scenario, templates=folder)
    assert text == "Nhật ký: Evening drinks \\<after\\> work / 5\n"
    # Templates not overridden still come from the package.
    assert "<!DOCTYPE html>" in render_session(record, "html", trainee="", scenario=scenario, templates=folder)


def test_data_dir_templates_are_used_only_when_named_and_keep_autoescape(record, scenario, data_dir):
    # A template dropped into the data folder (by a sync tool, another program …) is not
    # picked up on its own: only a folder named with --templates is.
    (data_dir / "templates").mkdir(parents=True)
    (data_dir / "templates" / "session.html.j2").write_text("<p>{{ s.turns[0].response }}</p>", encoding="utf-8")
    assert "<!DOCTYPE html>" in render_session(record, "html", trainee="", scenario=scenario)
    html = render_session(record, "html", trainee="", scenario=scenario, templates=data_dir / "templates")
    assert html == "<p>So the wine &lt;script&gt;alert(1)&lt;/script&gt; is your way to unwind.</p>"


@pytest.mark.parametrize("body", ["{{ s.nothing_here }}", "{% for %}", "{{ ''.__class__.__mro__[1].__subclasses__() }}"])
def test_broken_or_unsafe_templates_give_a_message(record, scenario, data_dir, tmp_path, body):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "session.md.j2").write_text(body, encoding="utf-8")
    with pytest.raises(TemplateProblem, match="template"):
        render_session(record, "md", trainee="", scenario=scenario, templates=folder)


def test_missing_templates_folder_is_reported(record, scenario, data_dir, tmp_path):
    with pytest.raises(Exception, match="no such folder"):
        render_session(record, "md", trainee="", scenario=scenario, templates=tmp_path / "nope")


def test_scenario_is_found_by_id_and_content_hash(record, data_dir):
    found = render_session(record, "md", trainee="", scenarios=ScenarioIndex([SCENARIOS], include_bundled=False))
    assert "| Client | Lan, 41" in found
    record = record.model_copy(update={"scenario": record.scenario.model_copy(update={"content_hash": "sha256:0000"})})
    other = render_session(record, "md", trainee="", scenarios=ScenarioIndex([SCENARIOS], include_bundled=False))
    assert "| Client |" not in other


def test_reflection_prompts_are_shown_as_questions(record, scenario, data_dir):
    text = render_session(record, "md", trainee="", scenario=scenario)
    assert "**What went well?**" in text and "**What would you do differently?**" in text
    assert set(REFLECTIONS) == set(record.reflections)


def test_unknown_format_is_refused(record, scenario, data_dir):
    with pytest.raises(Exception, match="unknown export format"):
        render_session(record, "pdf", trainee="", scenario=scenario)


def test_damaged_record_gives_a_message(record, data_dir):
    data = record.to_json()
    del data["turns"][2]["client"]
    with pytest.raises(RecordError, match="turn 3 is damaged"):
        parse_record(data, "session")


def test_the_trainee_name_comes_from_the_database_named_by_db(record, tmp_path, data_dir, capsys):
    from mitrainer.cli import main
    from mitrainer.store.db import SessionStore

    for path, name in ((data_dir / "sessions.db", "Default"), (tmp_path / "group.db", "Wei")):
        store = SessionStore(path)
        store.save_preferences(trainee_name=name)
        store.close()
    source = tmp_path / "session.json"
    source.write_text(json.dumps(record.to_json()), encoding="utf-8")
    assert main(["--db", str(tmp_path / "group.db"), "--scenarios", str(SCENARIOS), "export", str(source),
                 "-o", "-"]) == 0
    assert "| Trainee | Wei |" in capsys.readouterr().out


def test_golden_files_exist():
    assert sorted(p.name for p in Path(GOLDEN).glob("*.md")) == ["session-finished.md", "session-unfinished.md"]


def test_a_code_below_the_counting_threshold_is_marked_and_never_counted(record, scenario, data_dir):
    from mitrainer.codes import SkillCode
    from mitrainer.coding.base import CodeScore, ResponseCoding

    shown = ResponseCoding(primary=SkillCode.OPEN_QUESTION,
                           codes=(CodeScore(code=SkillCode.OPEN_QUESTION, confidence=0.9),
                                  CodeScore(code=SkillCode.CLOSED_QUESTION, confidence=0.43),
                                  CodeScore(code=SkillCode.AFFIRMATION, confidence=0.43)))
    turns = list(record.turns)
    turns[1] = turns[1].model_copy(update={"coding": shown})
    record = record.model_copy(update={"turns": tuple(turns)})
    md = render_session(record, "md", trainee="", scenario=scenario)
    assert "*Closed question (CQ 0.43, not counted)*" in md and "Closed question (CQ 0.43)" not in md
    html = render_session(record, "html", trainee="", scenario=scenario)
    assert 'class="chip not-counted"' in html and "not counted" in html
    rows = list(csv.DictReader(io.StringIO(render_session(record, "csv", trainee="", scenario=scenario))))
    assert rows[1]["codes"] == "open_question"
    # The scores count the turn as the open question alone.
    turns[1] = turns[1].model_copy(update={"coding": ResponseCoding.manual(SkillCode.OPEN_QUESTION)})
    alone = record.model_copy(update={"turns": tuple(turns)})
    counts = json.loads(render_session(record, "json", trainee="", scenario=scenario))["score"]["counts"]
    assert counts == json.loads(render_session(alone, "json", trainee="", scenario=scenario))["score"]["counts"]
