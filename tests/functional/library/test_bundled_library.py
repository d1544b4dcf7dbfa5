"""The bundled scenario library meets the bar the project set for it (issue: scenario library).

Every file passes `mitrainer validate --strict`; 500 random playtest walks reach every ending
of every scenario; full scenarios have at least 20 nodes and 3 endings; every non-ending node
has MI-consistent exemplars (a complex reflection and an open question among them); the
library covers English, Vietnamese and Chinese and all six drills.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mitrainer.cli import main
from mitrainer.codes import SkillCode
from mitrainer.engine.playtest import playtest
from mitrainer.paths import bundled_scenarios
from mitrainer.scenario.load import load_library, parse_scenario

LIBRARY = load_library([bundled_scenarios()])
IDS = sorted(LIBRARY.scenarios)
ROOT = Path(__file__).resolve().parents[3]


def test_every_bundled_file_passes_strict_validation(capsys):
    assert main(["validate", "--strict", "-q", str(bundled_scenarios()), str(ROOT / "rubrics")]) == 0
    assert LIBRARY.broken == []


@pytest.mark.parametrize("scenario_id", IDS)
def test_500_random_walks_reach_every_ending(scenario_id):
    report = playtest(LIBRARY.scenarios[scenario_id].scenario, 500, seed=1)
    assert report.endings_missed == [] and report.endless == 0 and report.dead_ends == []
    assert report.node_coverage == 1.0


@pytest.mark.parametrize("scenario_id", IDS)
def test_size_and_exemplars(scenario_id):
    scenario = LIBRARY.scenarios[scenario_id].scenario
    assert len(scenario.endings()) >= 3
    if scenario.kind == "conversation":
        assert len(scenario.nodes) >= 20
    for node_id, node in scenario.nodes.items():
        if node.is_ending:
            assert node.ending.debrief.strip()
            continue
        codes = {SkillCode.parse(c) for e in node.exemplars for c in e.codes}
        assert None not in codes, node_id
        assert not any(c.righting_reflex for c in codes), f"{node_id}: a righting-reflex exemplar"
        assert len(node.exemplars) >= 3, node_id
        if scenario.kind == "conversation":
            assert SkillCode.COMPLEX_REFLECTION in codes or SkillCode.SUMMARY in codes, node_id
            assert SkillCode.OPEN_QUESTION in codes, node_id
        for exemplar in [*node.exemplars, *node.distractors]:
            assert exemplar.why.strip(), node_id


def test_library_covers_the_languages_and_drills():
    scenarios = [loaded.scenario for loaded in LIBRARY.scenarios.values()]
    languages = {s.language.split("-")[0] for s in scenarios}
    assert {"en", "vi", "zh"} <= languages
    conversations = [s for s in scenarios if s.kind == "conversation"]
    drills = [s for s in scenarios if s.kind == "drill"]
    assert len(conversations) >= 10 and len(drills) >= 6
    for scenario in scenarios:
        if scenario.language.startswith(("vi", "zh")):
            for node in scenario.nodes.values():
                if not node.is_ending:  # playable in guided mode: real choices at every node
                    assert len(node.exemplars) >= 3 and len(node.distractors) >= 1


def test_vietnamese_text_has_its_diacritics():
    vietnamese = [s for s in (x.scenario for x in LIBRARY.scenarios.values()) if s.language == "vi"]
    assert vietnamese
    for scenario in vietnamese:
        text = " ".join(node.client for node in scenario.nodes.values())
        assert re.search("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệịỉĩọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", text)


def test_the_annotated_example_in_the_format_doc_is_a_clean_scenario():
    doc = (ROOT / "docs" / "scenario-format.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", doc, re.S).group(1)
    loaded = parse_scenario(block, "docs/scenario-format.md")
    assert loaded.ok and loaded.diagnostics == []
