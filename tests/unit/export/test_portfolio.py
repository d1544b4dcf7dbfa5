"""Portfolio: sessions from the store in date order, trends, best and latest, reflections."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mitrainer.cli import main
from mitrainer.codes import SkillCode as C
from mitrainer.export.library import ScenarioIndex
from mitrainer.export.portfolio import build_portfolio, store_records
from mitrainer.export.render import render_template
from mitrainer.store.db import SessionStore
from tests.sessions import SCENARIOS, STANDARD_RESPONSES, play
from tests.unit.export.test_render import assert_self_contained, parse

ASK = ("Any questions?", (C.CLOSED_QUESTION,))


@pytest.fixture
def store(tmp_path, scenario):
    """Three sessions of Mai's (saved out of date order) and one of Wei's."""
    store = SessionStore(tmp_path / "sessions.db", trainee="Mai")
    sessions = [
        (datetime(2026, 3, 9, tzinfo=UTC), STANDARD_RESPONSES, {"went_well": "Third: summarised at last."}),
        (datetime(2026, 3, 1, tzinfo=UTC), [ASK, ASK, ASK], {"went_well": "First: too many questions."}),
        (datetime(2026, 3, 5, tzinfo=UTC), STANDARD_RESPONSES[:3], {"do_differently": "Second: no advice."}),
    ]
    for n, (start, responses, reflections) in enumerate(sessions):
        store.save_session(play(scenario, responses, start=start, session_id=f"{n + 1:032x}", reflections=reflections))
    other = SessionStore(tmp_path / "sessions.db", trainee="Wei")
    other.save_session(play(scenario, STANDARD_RESPONSES, session_id=f"{9:032x}"))
    other.close()
    yield store
    store.close()


def test_sessions_trends_best_latest_and_reflections(store):
    portfolio = build_portfolio(store_records(store, "Mai"), ScenarioIndex([SCENARIOS], include_bundled=False), "Mai")
    assert [s.date for s in portfolio.sessions] == ["2026-03-01", "2026-03-05", "2026-03-09"]
    trends = {t.key: t for t in portfolio.trends()}
    assert set(trends) == {"rq_ratio", "pct_complex", "pct_open", "ct_proportion", "non_adherent"}
    assert [v for _, v in trends["pct_open"].points] == [0.0, 1.0, 1.0]
    assert [v for _, v in trends["non_adherent"].points] == [0.0, 1.0, 1.0]
    assert trends["rq_ratio"].points[0][1] == 0.0 and trends["rq_ratio"].good == 2.0
    (progress,) = portfolio.by_scenario()
    assert progress.sessions == 3 and progress.latest.date == "2026-03-09"
    assert progress.best.score.overall == max(s.score.overall for s in portfolio.sessions)
    assert [(r.date, r.prompt) for r in portfolio.reflections()] == [
        ("2026-03-01", "What went well?"), ("2026-03-05", "What would you do differently?"),
        ("2026-03-09", "What went well?")]


def test_other_trainees_are_left_out_unless_asked(store):
    index = ScenarioIndex([SCENARIOS], include_bundled=False)
    assert len(build_portfolio(store_records(store, "Mai"), index).sessions) == 3
    assert len(build_portfolio(store_records(store, None), index).sessions) == 4


def test_damaged_records_are_listed_not_fatal(scenario):
    good = play(scenario, STANDARD_RESPONSES)
    portfolio = build_portfolio([good, {"session_id": "broken", "schema_version": 1}], ScenarioIndex.of([scenario]))
    assert len(portfolio.sessions) == 1 and "broken" in portfolio.skipped[0]


def test_html_has_trend_charts_and_is_self_contained(store, data_dir):
    portfolio = build_portfolio(store_records(store, "Mai"), ScenarioIndex([SCENARIOS], include_bundled=False), "Mai")
    html = render_template("html", "portfolio.html.j2", {"p": portfolio})
    doc = parse(html)
    assert_self_contained(doc, html)
    assert sum(1 for t, a in doc.tags if t == "svg" and a.get("class") == "trend") == 5
    assert sum(1 for t, _ in doc.tags if t == "polyline") >= 4
    assert "Third: summarised at last." in " ".join(doc.text)


def test_cli_portfolio(store, tmp_path, data_dir, capsys):
    db = str(store.path)
    assert main(["--db", db, "--scenarios", str(SCENARIOS), "portfolio", "--trainee", "Mai", "--format", "md",
                 "-o", "-"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Practice portfolio: Mai") and "3 session(s), 2026-03-01 to 2026-03-09" in out
    assert main(["--db", db, "portfolio", "--all", "-o", str(tmp_path)]) == 0
    assert len(list(tmp_path.glob("portfolio-*.html"))) == 1


def test_empty_portfolio(tmp_path, data_dir):
    html = render_template("html", "portfolio.html.j2", {"p": build_portfolio([], ScenarioIndex.of([]))})
    assert "No sessions yet" in html


@pytest.fixture
def with_lan(store, scenario):
    """The store above, plus two sessions of Lan's imported from her bundles, and one imported under Mai's name."""
    store.import_sessions([(play(scenario, STANDARD_RESPONSES[:4], start=datetime(2026, 3, 7, tzinfo=UTC),
                                 session_id=f"{10:032x}"), "Lan", 5.0),
                           (play(scenario, [ASK, ASK], start=datetime(2026, 3, 10, tzinfo=UTC),
                                 session_id=f"{12:032x}"), "Lan", 2.0),
                           (play(scenario, [ASK], start=datetime(2026, 3, 8, tzinfo=UTC),
                                 session_id=f"{11:032x}"), "Mai", 1.0)])
    return store


def test_names_match_whatever_the_case_and_imported_sessions_are_not_yours(with_lan):
    index = ScenarioIndex([SCENARIOS], include_bundled=False)
    own = build_portfolio(store_records(with_lan, "Mai", you="Mai"), index, "Mai")
    assert [s.session_id[-1] for s in own.sessions] == ["2", "3", "1"]  # not the bundle imported as "Mai"
    assert not own.shows_owner
    lan = build_portfolio(store_records(with_lan, "lan", you="Mai"), index, "Lan")
    assert [(s.owner, s.imported) for s in lan.sessions] == [("Lan (imported)", True)] * 2
    assert lan.shows_owner and not lan.several_people
    assert len(build_portfolio(store_records(with_lan, "WEI", you="Mai"), index).sessions) == 1


def test_all_draws_one_line_per_person_and_says_whose_each_session_is(with_lan, data_dir):
    index = ScenarioIndex([SCENARIOS], include_bundled=False)
    portfolio = build_portfolio(store_records(with_lan, None, you="Mai"), index)
    assert portfolio.several_people
    trend = next(t for t in portfolio.trends() if t.key == "pct_open")
    people = [person for person, _, _ in trend.by_person()]
    assert sorted(people) == ["Lan (imported)", "Mai", "Mai (imported)", "Wei"]
    assert {p.owner for p in portfolio.by_scenario()} == set(people)  # best and latest per person
    html = render_template("html", "portfolio.html.j2", {"p": portfolio})
    doc = parse(html)
    chart = html[html.index('<svg class="trend"'):html.index("</svg>", html.index('<svg class="trend"'))]
    # Mai's three sessions make a line, Lan's two another; everyone's points have their own colour; a legend names them.
    assert len({a.get("stroke") for t, a in doc.tags if t == "polyline"}) == 2  # Mai's and Lan's
    assert len({a.get("fill") for t, a in doc.tags if t == "circle"}) == 4 and "Lan (imported)" in chart
    md = render_template("md", "portfolio.md.j2", {"p": portfolio})
    assert "| % open questions · Lan (imported) |" in md and "| % open questions · Mai |" in md


def test_cli_portfolio_finds_a_trainee_in_any_case(with_lan, data_dir, capsys):
    db = str(with_lan.path)
    assert main(["--db", db, "--scenarios", str(SCENARIOS), "portfolio", "--trainee", "lan", "--format", "md",
                 "-o", "-"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Practice portfolio: Lan") and "2 session(s)" in out and "Lan (imported)" in out
