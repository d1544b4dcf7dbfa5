"""Group report: members side by side, first divergence, branch points, formats."""

from __future__ import annotations

import csv
import io

import pytest

from mitrainer.cli import main
from mitrainer.codes import SkillCode as C
from mitrainer.export.bundles import Bundle, bundle_text, make_bundle, parse_bundle
from mitrainer.export.group import first_divergence, group_report, node_path
from mitrainer.export.library import ScenarioIndex
from tests.sessions import SCENARIOS, STANDARD_RESPONSES, play
from tests.unit.export.test_render import assert_self_contained, parse

REFLECT = ("You want more energy.", (C.COMPLEX_REFLECTION,))
PUSH = ("Just stop drinking.", (C.PERSUADE,))
SUMMARY = STANDARD_RESPONSES[-1]
OPEN = ("What else?", (C.OPEN_QUESTION,))


def bundle(scenario, name: str, responses, n: int) -> Bundle:
    record = play(scenario, responses, session_id=f"{n:032x}")
    return parse_bundle(make_bundle(record, trainee=name), name)


@pytest.fixture
def members(scenario) -> list[Bundle]:
    return [
        bundle(scenario, "An", [REFLECT, OPEN, SUMMARY], 1),          # opening → explore → explore → plan
        bundle(scenario, "Bao", [REFLECT, PUSH, OPEN, OPEN], 2),      # … explore → pushes_back → walks_out
        bundle(scenario, "Chi", [PUSH, REFLECT, SUMMARY], 3),         # opening → pushes_back → explore → plan
        bundle(scenario, "Dung", [REFLECT, OPEN, SUMMARY], 4),        # same path as An
    ]


@pytest.fixture
def report(members):
    return group_report(members, ScenarioIndex([SCENARIOS], include_bundled=False))


def test_node_paths(members):
    assert node_path(members[0].record) == ("opening", "explore", "explore", "plan")
    assert node_path(members[1].record) == ("opening", "explore", "pushes_back", "walks_out")


def test_first_divergence(report):
    an, bao, chi, dung = report.members
    d = first_divergence(an, bao)
    assert (d.turn, d.node) == (2, "explore")
    assert d.first_response == "What else?" and d.second_response == "Just stop drinking."
    # Where each went, named by what the client said there (nodes have no titles of their own).
    assert d.first_next == an.titles[2] and d.first_next.startswith(("Sometimes I wake", "I'd like", "Part of me"))
    assert d.second_next == "Everyone drinks a bit. I'm not an alcoholic."
    assert first_divergence(an, chi).turn == 1
    assert first_divergence(an, dung).turn is None


def test_branch_points_say_which_responses_led_to_which_endings(report):
    (group,) = report.groups
    points = group.branch_points()
    assert [(p.turn, p.node) for p in points] == [(1, "opening"), (2, "explore")]
    first = points[0]
    assert [(o.next_node, [m.name for m in o.members]) for o in first.options] == [
        ("explore", ["An", "Bao", "Dung"]), ("pushes_back", ["Chi"])]
    assert first.options[0].endings == (("Lan makes a plan of her own", 2), ("Lan leaves early", 1))
    assert dict(group.endings())["Lan leaves early"][0].name == "Bao"


def test_members_side_by_side(report):
    assert [m.name for m in report.members] == ["An", "Bao", "Chi", "Dung"]
    keys = [k for k, _ in report.skill_labels()]
    assert keys[:4] == ["rq_ratio", "pct_complex", "pct_open", "ct_proportion"]
    bao = report.members[1]
    assert bao.metric("non_adherent").value == 1 and bao.ending == "Lan leaves early"


def test_a_second_session_is_the_same_person_and_the_same_file_counts_once(scenario):
    first, second = bundle(scenario, "An", [REFLECT], 1), bundle(scenario, "an", [PUSH], 2)
    report = group_report([first, second, first, bundle(scenario, "Bao", [OPEN], 3)], ScenarioIndex.of([scenario]))
    assert [m.name for m in report.members] == ["An", "An, session 2", "Bao"]
    assert [m.person for m in report.members] == ["An", "An", "Bao"]
    assert len(report.repeated) == 1  # the same session given twice


def test_anonymised_members_are_letters_per_person(scenario, tmp_path):
    given = [bundle(scenario, "An", [REFLECT], 1), bundle(scenario, "Bao", [PUSH], 2), bundle(scenario, "An", [OPEN], 3)]
    report = group_report(given, ScenarioIndex.of([scenario]), anonymise=True)
    assert [m.name for m in report.members] == ["A", "B", "A, session 2"] and report.anonymised
    from mitrainer.export.render import render_template

    md = render_template("md", "group.md.j2", {"g": report, "problems": []})
    assert "An" not in md.replace("Lan", "") and "Bao" not in md


def test_the_same_node_is_compared_across_members(report):
    (group,) = report.groups
    moments = {m.node: m for m in group.moments()}
    assert list(moments) == ["opening", "explore", "pushes_back", "plan"][:len(moments)]
    opening = moments["opening"]
    assert opening.title.startswith("My doctor said") and opening.title.endswith("…")
    assert [(v.member.name, v.turn, v.response) for v in opening.visits] == [
        ("An", 1, REFLECT[0]), ("Bao", 1, REFLECT[0]), ("Chi", 1, PUSH[0]), ("Dung", 1, REFLECT[0])]
    assert opening.visits[2].next_title == "Everyone drinks a bit. I'm not an alcoholic."
    assert [c.chip for c in opening.visits[2].codes] == ["PER"]
    # pushes_back: Bao at turn 3 and Chi at turn 2, both after a push; where each led.
    pushed = moments["pushes_back"]
    assert {(v.member.name, v.turn) for v in pushed.visits} == {("Bao", 3), ("Chi", 2)}


def test_transcripts_overall_scores_and_one_scale_per_measure(report, data_dir):
    from mitrainer.export.render import render_template

    html = render_template("html", "group.html.j2", {"g": report, "problems": []})
    doc = parse(html)
    assert sum(1 for t, _ in doc.tags if t == "details") == 4  # a collapsible transcript per member
    assert f"{report.members[0].score.overall:.2f}".rstrip("0") in html
    scales = report.scales()
    values = [m.metric("rq_ratio").value for m in report.members if m.metric("rq_ratio").value is not None]
    assert scales["rq_ratio"][1] >= max(values)
    # Every member's R:Q bar is drawn on that one axis: its fair tick sits at the same x in every row.
    ticks = {a["x"] for t, a in doc.tags if t == "rect" and a.get("width") == "1.5"}
    assert len(ticks) < sum(1 for t, a in doc.tags if t == "rect" and a.get("width") == "1.5")
    md = render_template("md", "group.md.j2", {"g": report, "problems": []})
    assert "| Overall |" in md and "### Transcripts" in md


def test_html_and_markdown(report, data_dir):
    from mitrainer.export.render import render_template

    html = render_template("html", "group.html.j2", {"g": report, "problems": ["x.bundle.json: <bad>"]})
    doc = parse(html)
    assert_self_contained(doc, html)
    text = " ".join(doc.text)
    assert "Where the paths split" in text and "Just stop drinking." in text and "x.bundle.json: <bad>" in text
    md = render_template("md", "group.md.j2", {"g": report, "problems": []})
    assert "| An / Bao | 2 |" in md
    assert "### Turn 1 (node My doctor said I should talk to someone about the wine" in md
    assert "node opening" not in md  # a node is named by the client's words, not its id


def test_cli_formats_and_bad_bundles(members, tmp_path, data_dir, capsys):
    paths = []
    for b in members:
        path = tmp_path / f"{b.trainee}.bundle.json"
        path.write_text(bundle_text(make_bundle(b.record, trainee=b.trainee)), encoding="utf-8")
        paths.append(str(path))
    base = ["--scenarios", str(SCENARIOS), "group", "report", *paths]
    assert main([*base, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["member"] for r in rows] == ["An", "Bao", "Chi", "Dung"] and rows[1]["non_adherent"] == "1.0"
    assert main(base) == 0
    out = capsys.readouterr().out
    assert "turn 1 at 'My doctor said I should talk to someone about the wine" in out
    assert "An / Bao: parted after turn 2" in out and "Overall" in out
    # The same moment, member by member, as in the HTML and Markdown reports.
    assert "The same moment, member by member" in out
    assert f"Chi (Turn 1): “{PUSH[0]}” (PER) — led to: Everyone drinks a bit." in " ".join(out.split())
    assert "good" in out or "fair" in out or "below" in out  # bands in words, not colour alone
    assert main([*base, "--anonymise", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["member"] for r in rows] == ["A", "B", "C", "D"]
    assert main([*base, paths[0], "--format", "csv"]) == 0  # An's file given twice
    captured = capsys.readouterr()
    assert len(list(csv.DictReader(io.StringIO(captured.out)))) == 4 and "counted once" in captured.err
    assert main([*base, "--format", "html", "-o", str(tmp_path)]) == 0
    assert len(list(tmp_path.glob("group-report-*.html"))) == 1
    broken = tmp_path / "broken.bundle.json"
    broken.write_text("{", encoding="utf-8")
    assert main([*base, str(broken), "--format", "md"]) == 1
    captured = capsys.readouterr()
    assert "left out" in captured.err and "malformed JSON" in captured.err and "# Study group report" in captured.out
