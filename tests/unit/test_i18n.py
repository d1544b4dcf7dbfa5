"""Interface translations: complete catalogs, matching placeholders, every key used exists."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest

import mitrainer
from mitrainer import i18n
from mitrainer.codes import SkillCode, Stage
from mitrainer.settings import Settings

PACKAGE = Path(mitrainer.__file__).resolve().parent
CATALOGS = {lang: json.loads((PACKAGE / "locales" / f"{lang}.json").read_text(encoding="utf-8"))
            for lang in i18n.LANGUAGES}


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


# The reports' punctuation: Chinese puts no space between sentences ("" is its translation).
PUNCTUATION = {"report.colon", "report.list_separator", "report.sentence_gap", "report.full_stop", "feedback.quoted"}


@pytest.mark.parametrize("lang", ["vi", "zh"])
def test_catalogs_have_every_key_with_the_same_placeholders(lang: str) -> None:
    en, other = CATALOGS["en"], CATALOGS[lang]
    assert set(other) == set(en)
    for key, text in en.items():
        assert fields(other[key]) == fields(text), key
        assert other[key].strip() or key in PUNCTUATION, key


def test_translations_are_translated() -> None:
    vi, zh, en = CATALOGS["vi"], CATALOGS["zh"], CATALOGS["en"]
    # The MITI's abbreviations stay as they are in every language (docs/glossary.md).
    kept = {"R:Q", "%CR", "%OQ", "MI+", "MI-", "{talk} ({subtype})"}
    same_vi = [k for k in en if vi[k] == en[k] and k not in PUNCTUATION and en[k] not in kept]
    assert not same_vi, same_vi
    # Vietnamese is written with its diacritics; Chinese in Han characters.
    assert sum(bool(re.search("[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]", v))
               for v in vi.values()) > len(vi) * 0.8
    assert sum(bool(re.search("[\u4e00-\u9fff]", v)) for v in zh.values()) > len(zh) * 0.9
    assert not any(ch in "".join(zh.values()) for ch in "們說這個會對")  # simplified, not traditional


def test_every_key_the_code_uses_exists() -> None:
    used = set()
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"""\bt\(\s*"([a-z_.]+)\"""", text))
        used |= set(re.findall(r"""Binding\([^)]*?"(key\.[a-z_]+)\"""", text))
    assert used and used <= set(CATALOGS["en"]), used - set(CATALOGS["en"])
    for code in SkillCode:
        assert f"skill.{code.value}" in CATALOGS["en"]
    for stage in Stage:
        assert f"stage.{stage.value}" in CATALOGS["en"]


def test_language_resolution() -> None:
    def asked(lang: str | None = None, **environ: str) -> str | None:
        return Settings.load(lang=lang, environ={"MITRAINER_DATA_DIR": "/d", **environ}).language

    assert i18n.resolve_language(asked()) == "en"
    assert i18n.resolve_language(asked(), saved="vi") == "vi"
    chinese = {"MITRAINER_LANG": "zh_CN.UTF-8"}
    assert i18n.resolve_language(asked(**chinese), saved="vi") == "zh"
    assert i18n.resolve_language(asked("vi-VN", **chinese), saved="en") == "vi"
    assert i18n.resolve_language(asked("fr", **chinese)) == "zh"  # no catalog for --lang: the environment's
    assert i18n.normalise_language("zh-Hans") == "zh"


def test_t_falls_back_and_formats() -> None:
    try:
        i18n.set_language("vi")
        assert i18n.t("home.library", count=3) == "Kịch bản (3)"
        assert i18n.skill_label(SkillCode.COMPLEX_REFLECTION) == "Phản ánh phức tạp"
        assert i18n.t("no.such.key") == "no.such.key"
        i18n.set_language("zh")
        assert i18n.t("brief.age", age=58) == "58 岁"
        assert i18n.set_language("xx") == "en"
    finally:
        i18n.set_language("en")
