"""Hostile content in every export: HTML, Markdown, spreadsheet formulas, template syntax, paths.

A trainee's responses and reflections, a scenario's title, persona and lines, a trainee's
name and a bundle's ids all reach reports. Whatever they hold, an HTML report runs no
script and loads nothing, Markdown shows the text (no links, headings or table breaks),
a spreadsheet runs no formula, Jinja syntax is printed as written, and no name taken from
a record becomes a path outside the folder chosen.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mitrainer.cli import main
from mitrainer.codes import SkillCode as C
from mitrainer.export.bundles import (
    Bundle,
    bundle_text,
    import_bundles,
    make_bundle,
    parse_bundle,
    read_bundle,
)
from mitrainer.export.group import group_report
from mitrainer.export.library import ScenarioIndex
from mitrainer.export.portfolio import build_portfolio
from mitrainer.export.render import render_session, render_template
from mitrainer.record.model import SessionRecord
from mitrainer.scenario.load import load_scenario
from mitrainer.store.db import SessionStore
from tests.sessions import SCENARIOS, play

INLINE = ('<script>alert(1)</script> <img src=x onerror="alert(2)"> [site](javascript:alert(3)) '
          '![pic](https://evil.example/p.png) <a href="https://evil.example/">e</a> | pipes | `tick` '
          "{{ 7*7 }} {% raw %}r{% endraw %} {# c #} <style>*{}</style>")
BLOCK = INLINE + "\n# heading\n- item\n1. item\n---\n> quote"
FORMULAS = ['=HYPERLINK("https://evil.example","x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)"]
TRAINEE = "<b>Mai</b> {{ 7*7 }} | # x =1+1"


def _hostile_scenario_text() -> str:
    text = (SCENARIOS / "evening-drinks.yaml").read_text(encoding="utf-8")
    swaps = {
        'title: "Evening drinks <after> work"': f"title: {json.dumps('Drinks ' + INLINE)}",
        "  name: Lan": f"  name: {json.dumps('Lan ' + INLINE)}",
        '    client: "My doctor said I should talk to someone about the wine. It\'s just to unwind."':
            f"    client: {json.dumps(BLOCK)}",
        '      title: "Lan makes a plan of her own"': f"      title: {json.dumps('=Plan ' + INLINE)}",
        '      debrief: "Reflecting and then summarising let Lan name her own reasons & choose a first step."':
            f"      debrief: {json.dumps(BLOCK)}",
    }
    for old, new in swaps.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """(scenario folder, scenario, record) with injections everywhere text goes."""
    folder = tmp_path_factory.mktemp("hostile-scenarios")
    (folder / "evening-drinks.yaml").write_text(_hostile_scenario_text(), encoding="utf-8")
    scenario = load_scenario(folder / "evening-drinks.yaml").require()
    responses = [(FORMULAS[0] + " " + INLINE, (C.COMPLEX_REFLECTION,)), (FORMULAS[1], (C.OPEN_QUESTION,)),
                 (FORMULAS[2], (C.PERSUADE,)), (FORMULAS[3] + "\n" + BLOCK, (C.COMPLEX_REFLECTION,)),
                 (BLOCK, (C.SUMMARY,))]
    record = play(scenario, responses, reflections={"went_well": BLOCK, "do_differently": FORMULAS[0]},
                  session_id="=cmd|' /C calc'!A0" + "0" * 8)
    assert record.ending.outcome == "engaged"
    return folder, scenario, record


class _Html(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend((name, value or "") for name, value in attrs)

    def handle_data(self, data):
        self.text.append(data)


def assert_inert_html(html: str) -> None:
    doc = _Html()
    doc.feed(html)
    doc.close()
    assert not {"script", "img", "iframe", "object", "embed", "a", "link"} & set(doc.tags), set(doc.tags)
    assert doc.tags.count("style") <= 1  # the report's own stylesheet only
    assert not [name for name, _ in doc.attrs if name.startswith("on")]
    for name, value in doc.attrs:
        assert not re.match(r"\s*(javascript|data|https?|//)", value, re.I), (name, value)
    text = "".join(doc.text)
    # The hostile text is shown as text, Jinja syntax as written (never evaluated).
    assert "<script>alert(1)</script>" in text and "{{ 7*7 }}" in text and "{% raw %}r{% endraw %}" in text


def assert_inert_markdown(md: str) -> None:
    # Every character that would start markup is escaped (preceded by a backslash).
    for raw in ("<script", "<img", "<a ", "<style", "](javascript:", "](https://evil", "`tick", "| pipes"):
        assert not re.search(r"(?<!\\)" + re.escape(raw), md), raw
    assert not re.search(r"(?m)^(# heading|- item|1\. item|> quote)", md)
    assert not re.search(r"(?m)^---[ \t]*$", md.replace("\n\n---\n\n", "\n\n")), "a line of dashes: a rule or a heading"
    assert "{{ 7\\*7 }}" in md or "{{ 7*7 }}" in md  # printed, not evaluated to 49
    assert "{% raw %}r{% endraw %}" in md


def assert_no_formulas(text: str) -> int:
    rows = list(csv.reader(io.StringIO(text)))
    cells = [cell for row in rows for cell in row]
    for cell in cells:
        if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
            float(cell)  # only a plain number may start with a sign
    return len(rows)


# -- one session, every format ------------------------------------------------------------------

def test_session_html_is_inert(hostile):
    _, scenario, record = hostile
    assert_inert_html(render_session(record, "html", trainee=TRAINEE, scenario=scenario))


def test_session_markdown_is_inert(hostile):
    _, scenario, record = hostile
    md = render_session(record, "md", trainee=TRAINEE, scenario=scenario)
    assert_inert_markdown(md)
    assert "\\<b\\>Mai\\</b\\>" in md


def test_session_csv_runs_no_formula(hostile):
    _, scenario, record = hostile
    text = render_session(record, "csv", trainee=TRAINEE, scenario=scenario)
    assert assert_no_formulas(text) == len(record.turns) + 1
    assert "'" + FORMULAS[1] in text


@pytest.mark.parametrize("fmt", ["json", "bundle"])
def test_json_and_bundle_carry_the_text_unchanged(hostile, fmt):
    _, scenario, record = hostile
    document = json.loads(render_session(record, fmt, trainee=TRAINEE, scenario=scenario))
    assert document["trainee"] == TRAINEE
    assert document["record"]["turns"][3]["response"] == record.turns[3].response
    if fmt == "bundle":
        assert parse_bundle(document, "x").record == record


# -- portfolio and group report ---------------------------------------------------------------------

def test_portfolio_is_inert(hostile):
    _, scenario, record = hostile
    portfolio = build_portfolio([record, record.model_copy(update={"session_id": "second"})], ScenarioIndex.of([scenario]), TRAINEE)
    assert_inert_html(render_template("html", "portfolio.html.j2", {"p": portfolio}))
    assert_inert_markdown(render_template("md", "portfolio.md.j2", {"p": portfolio}))


def _bundles(record: SessionRecord) -> list[Bundle]:
    turns = list(record.turns)
    turns[1] = turns[1].model_copy(update={"response": INLINE})  # the same path: a branch point with hostile responses
    other = record.model_copy(update={"session_id": "@SUM(1)" + "1" * 10, "turns": tuple(turns)})
    return [parse_bundle(make_bundle(record, trainee=TRAINEE), "a"),
            parse_bundle(make_bundle(other, trainee=FORMULAS[2]), "b")]


def test_group_report_is_inert_in_every_format(hostile):
    from mitrainer.cli.group_cmds import group_csv

    _, scenario, record = hostile
    report = group_report(_bundles(record), ScenarioIndex.of([scenario]))
    problems = ["x.bundle.json: " + INLINE]
    assert_inert_html(render_template("html", "group.html.j2", {"g": report, "problems": problems}))
    assert_inert_markdown(render_template("md", "group.md.j2", {"g": report, "problems": problems}))
    assert assert_no_formulas(group_csv(report)) == 3


def test_cli_group_report_csv_runs_no_formula(hostile, tmp_path, capsys, monkeypatch):
    folder, _, record = hostile
    monkeypatch.setenv("MITRAINER_DATA_DIR", str(tmp_path / "data"))
    paths = []
    for i, bundle in enumerate(_bundles(record)):
        path = tmp_path / f"{i}.bundle.json"
        path.write_text(bundle_text(make_bundle(bundle.record, trainee=bundle.trainee)), encoding="utf-8")
        paths.append(str(path))
    assert main(["--scenarios", str(folder), "group", "report", *paths, "--format", "csv"]) == 0
    assert assert_no_formulas(capsys.readouterr().out) == 3


# -- paths ------------------------------------------------------------------------------------------------

def test_names_from_bundle_ids_stay_in_the_chosen_folder(hostile, tmp_path, monkeypatch):
    folder, _, record = hostile
    monkeypatch.setenv("MITRAINER_DATA_DIR", str(tmp_path / "data"))
    evil = record.model_copy(update={"session_id": "../../../../tmp/escaped/../" + "a" * 8})
    bundle = tmp_path / "evil.bundle.json"
    bundle.write_text(bundle_text(make_bundle(evil, trainee="../../x/")), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    for fmt in ("md", "html", "json", "csv", "bundle"):
        assert main(["--scenarios", str(folder), "export", str(bundle), "--format", fmt, "-o", str(out)]) == 0
    written = sorted(p.name for p in out.iterdir())
    assert len(written) == 5 and all("/" not in n and not n.startswith(".") for n in written)
    assert all(n.startswith("2026-03-02-evening-drinks-") for n in written), written
    # Importing keys the session by its id in the database; the id never becomes a path.
    before = set(tmp_path.rglob("*"))
    store = SessionStore(tmp_path / "data" / "sessions.db")
    import_bundles([bundle], store, ScenarioIndex([folder]))
    assert store.load_record(evil.session_id).session_id == evil.session_id
    store.close()
    created = set(tmp_path.rglob("*")) - before
    assert all(p.is_relative_to(tmp_path / "data") for p in created), created
    assert not Path("/tmp/escaped").exists()


@pytest.mark.parametrize("started_at", ["../../TRV", "../../../../tmp/x", "2026-03-0/", "..", "/etc/passwd",
                                        "2026-03-02T18:00:00+00:00/../../x"])
def test_names_from_a_forged_start_time_stay_in_the_chosen_folder(hostile, tmp_path, monkeypatch, started_at):
    # started_at is the first part of a default export name; it is data from the record.
    folder, _, record = hostile
    monkeypatch.setenv("MITRAINER_DATA_DIR", str(tmp_path / "data"))
    evil = record.model_copy(update={"started_at": started_at})
    bundle = tmp_path / "in" / "evil.bundle.json"
    bundle.parent.mkdir()
    bundle.write_text(bundle_text(make_bundle(evil, trainee="Mai")), encoding="utf-8")
    out = tmp_path / "deep" / "er" / "out"
    out.mkdir(parents=True)
    before = set(tmp_path.rglob("*"))
    for fmt in ("md", "html", "json", "csv", "bundle"):
        assert main(["--scenarios", str(folder), "export", str(bundle), "--format", fmt, "-o", str(out)]) == 0
    created = set(tmp_path.rglob("*")) - before
    assert len(created) == 5 and all(p.parent == out for p in created), created
    assert all(p.name.split("evening-drinks-")[0] in ("", "2026-03-02-") for p in created), created


def test_portfolio_name_from_a_trainee_name_stays_in_the_folder(hostile, tmp_path, monkeypatch):
    folder, _, record = hostile
    monkeypatch.setenv("MITRAINER_DATA_DIR", str(tmp_path / "data"))
    db = tmp_path / "sessions.db"
    store = SessionStore(db, trainee="../../../etc/cron.d/x")
    store.save_session(record)
    store.close()
    out = tmp_path / "out"
    out.mkdir()
    assert main(["--db", str(db), "--scenarios", str(folder), "portfolio", "--trainee", "../../../etc/cron.d/x",
                 "-o", str(out)]) == 0
    [written] = out.iterdir()
    assert written.name == f"portfolio-etc-cron.d-x-{date.today().isoformat()}.html"


def test_typed_paths_are_taken_as_typed_and_never_overwrite(hostile, tmp_path, monkeypatch, capsys):
    """A path a person types is theirs (relative or absolute), but an existing file is kept."""
    folder, _, record = hostile
    monkeypatch.setenv("MITRAINER_DATA_DIR", str(tmp_path / "data"))
    source = tmp_path / "session.json"
    source.write_text(json.dumps(record.to_json()), encoding="utf-8")
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    base = ["--scenarios", str(folder), "export", str(source), "--name", "x"]
    assert main([*base, "-o", "../../up.md"]) == 0
    assert (tmp_path / "up.md").is_file()
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me", encoding="utf-8")
    for target in (str(precious), "../../precious.txt"):
        assert main([*base, "-o", target]) == 2
        assert "already exists" in capsys.readouterr().err
    assert precious.read_text(encoding="utf-8") == "keep me"
    assert main([*base, "-o", str(tmp_path / "missing" / "x.md")]) == 2
    assert "does not exist" in capsys.readouterr().err and not (tmp_path / "missing").exists()


def test_bundle_ids_like_paths_are_refused_or_kept_as_text(hostile, tmp_path):
    folder, _, record = hostile
    evil = record.model_copy(update={"scenario": record.scenario.model_copy(update={"id": "../../etc/passwd"})})
    path = tmp_path / "x.bundle.json"
    path.write_text(bundle_text(make_bundle(evil)), encoding="utf-8")
    bundle = read_bundle(path)
    store = SessionStore(":memory:")
    with pytest.raises(Exception, match="passwd"):  # no such scenario here: refused, nothing read from /etc
        import_bundles([path], store, ScenarioIndex([folder]))
    assert store.count_sessions() == 0 and bundle.scenario["id"] == "../../etc/passwd"
