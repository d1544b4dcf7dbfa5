"""docs/glossary.md fixes the MI terms; the catalogs, rubric translations and bundled scenarios
use them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import mitrainer
from mitrainer import i18n
from mitrainer.codes import SkillCode, Stage, Subtype, TalkType
from mitrainer.safeyaml import load_file

ROOT = Path(mitrainer.__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "glossary.md"
COLUMNS = {"English": "en", "Tiếng Việt": "vi", "简体中文": "zh"}


def tables() -> list[list[dict[str, str]]]:
    """Every Markdown table of the glossary, as rows keyed by heading."""
    found, heading = [], None
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            heading = None
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if heading is None:
            heading = cells
            found.append([])
        elif not set(line) <= set("|-: "):
            found[-1].append(dict(zip(heading, cells, strict=True)))
    return found


def terms() -> dict[str, dict[str, str]]:
    """Catalog key → {language: the glossary's term}."""
    result = {}
    for table in tables():
        for row in table:
            if row.get("Key"):
                result[row["Key"]] = {lang: row[column] for column, lang in COLUMNS.items()}
    return result


def test_the_glossary_names_every_code_talk_type_subtype_stage_band_and_measure():
    keys = set(terms())
    expected = ({f"skill.{c.value}" for c in SkillCode} | {f"talk.{t.value}" for t in TalkType}
                | {f"subtype.{s.value}" for s in Subtype} | {f"stage.{s.value}" for s in Stage}
                | {f"band.{b}" for b in ("good", "fair", "below")}
                | {f"verdict.{v}" for v in ("good", "fair", "missed", "righting_reflex")}
                | {k for k in i18n.catalog("en") if re.fullmatch(r"metric\.[a-z_]+", k)} - {"metric.focus_hit_rate"})
    assert expected <= keys, expected - keys


@pytest.mark.parametrize("language", ["en", "vi", "zh"])
def test_the_catalogs_use_the_glossary_terms(language):
    catalog = i18n.catalog(language)
    wrong = {key: (catalog[key], term[language]) for key, term in terms().items()
             if catalog[key].casefold() != term[language].casefold()}
    assert wrong == {}


SITUATION_TERMS = {"change_talk": "talk.change", "sustain_talk": "talk.sustain", "discord": "talk.discord",
                   "neutral": "talk.neutral", "summary": "skill.summary"}


@pytest.mark.parametrize("language", ["vi", "zh"])
def test_the_rubric_translations_use_the_glossary_terms(language):
    doc = load_file(ROOT / "rubrics" / f"feedback-{language}.yaml")
    situations = doc.data["translations"][language]["situations"]
    glossary = terms()
    for situation, key in SITUATION_TERMS.items():
        assert situations[situation]["label"].casefold() == glossary[key][language].casefold(), situation
    # The skill the feedback keeps asking for, by its glossary name.
    text = str(situations)
    assert {"vi": "phản ánh", "zh": "反映"}[language] in text


def avoided() -> dict[str, list[str]]:
    table = next(t for t in tables() if t and "Avoid in scenarios and rubrics" in t[0])
    return {row["Language"]: [re.sub(r"\s*\(.*\)", "", row["Avoid in scenarios and rubrics"])] for row in table}


@pytest.mark.parametrize("language", ["vi", "zh"])
def test_scenarios_and_rubrics_avoid_the_words_the_glossary_rules_out(language):
    files = sorted([*(ROOT / "scenarios").glob(f"*-{language}.yaml"), ROOT / "rubrics" / f"feedback-{language}.yaml"])
    assert len(files) >= 2
    words = avoided()[language]
    assert words
    found = []
    for path in files:
        text = path.read_text(encoding="utf-8").replace("翻正反射", "")
        found += [(path.name, word) for word in words if word.casefold() in text.casefold()]
    assert found == []


def test_the_kept_abbreviations_are_the_same_in_every_language():
    for key in ("rq_ratio", "pct_complex", "pct_open", "adherent", "non_adherent"):
        values = {i18n.text_in(lang, f"report.short.{key}") for lang in COLUMNS.values()}
        assert len(values) == 1, key
        assert next(iter(values)) in GLOSSARY.read_text(encoding="utf-8")
