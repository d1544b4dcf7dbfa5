"""The trainer's own interface text in English, Vietnamese and Simplified Chinese.

Catalogs are flat JSON files in ``mitrainer/locales/`` (``en.json`` is the reference; a key
missing from another catalog falls back to English). Strings use ``str.format`` fields:
``t("practice.turns", count=3)``. Scenario content is not translated here: each scenario
is written in its own language.

The language is chosen, first match wins, by ``--lang``, ``$MITRAINER_LANG``, the saved
setting, else English.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from mitrainer.codes import SkillCode, code_key

DEFAULT_LANGUAGE = "en"
# Code → the language's own name (what the settings list shows).
LANGUAGES: dict[str, str] = {"en": "English", "vi": "Tiếng Việt", "zh": "简体中文"}

_LOCALES = Path(__file__).resolve().parent / "locales"
_current = DEFAULT_LANGUAGE


def base_language(tag: str | None) -> str:
    """A language tag's base (``vi-VN`` → ``vi``, ``zh_CN.UTF-8`` → ``zh``, ``zh-Hans`` → ``zh``);
    "" for no tag."""
    return (tag or "").strip().replace("_", "-").split(".")[0].split("-")[0].lower()


def normalise_language(value: str | None) -> str | None:
    """The catalog for a language tag (``vi-VN`` → ``vi``, ``zh_CN.UTF-8`` → ``zh``), else None."""
    base = base_language(value)
    return base if base in LANGUAGES else None


def resolve_language(asked: str | None = None, saved: str | None = None) -> str:
    """The language to use: the one asked for (``Settings.language``: ``--lang``, then
    ``$MITRAINER_LANG``), then the trainee's saved preference, then English."""
    for candidate in (asked, saved):
        found = normalise_language(candidate)
        if found:
            return found
    return DEFAULT_LANGUAGE


@cache
def catalog(language: str) -> dict[str, str]:
    """The messages of one language (loaded once)."""
    with (_LOCALES / f"{language}.json").open(encoding="utf-8") as handle:
        return json.load(handle)


def set_language(language: str) -> str:
    """Switch the interface language (unknown tags fall back to English); returns the code used."""
    global _current
    _current = normalise_language(language) or DEFAULT_LANGUAGE
    return _current


def current_language() -> str:
    return _current


def t(key: str, /, **fields: object) -> str:
    """The message ``key`` in the current language, with ``fields`` filled in.

    Falls back to English, then to the key itself, so a missing translation shows up
    plainly instead of crashing the app.
    """
    return text_in(_current, key, **fields)


def text_in(language: str | None, key: str, /, **fields: object) -> str:
    """The message ``key`` in ``language`` rather than the interface's (a scenario's own
    language, for the feedback in it); English where that language has no catalog."""
    text = catalog(normalise_language(language) or DEFAULT_LANGUAGE).get(key)
    if text is None:
        text = catalog(DEFAULT_LANGUAGE).get(key, key)
    return text.format(**fields) if fields else text


def has_text(key: str) -> bool:
    """Whether ``key`` is a message of the catalogs (English is the reference)."""
    return key in catalog(DEFAULT_LANGUAGE)


def words(language: str | None, prefix: str) -> dict[str, str]:
    """Every message whose key starts with ``prefix``, keyed without it, in ``language``
    (English where a message is not translated): the words a report template is given."""
    own = catalog(normalise_language(language) or DEFAULT_LANGUAGE)
    return {key[len(prefix):]: own.get(key, text) for key, text in catalog(DEFAULT_LANGUAGE).items()
            if key.startswith(prefix)}


def skill_label(code: SkillCode, language: str | None = None) -> str:
    """The skill's name (e.g. "Complex reflection", "Phản ánh phức tạp") in ``language``,
    by default the interface's."""
    return text_in(language or _current, f"skill.{code.value}")


def metric_label(key: str, fallback: str, language: str | None = None, *, short: bool = False) -> str:
    """A score measure's name in ``language`` (default: the interface's); ``fallback`` (the
    rubric's own label) for a measure the catalogs do not name."""
    message = f"metric.short.{key}" if short else f"metric.{key}"
    return text_in(language or _current, message) if has_text(message) else fallback


@cache
def skill_names() -> dict[str, SkillCode]:
    """Every skill label of every catalog (as :func:`mitrainer.codes.code_key` spells it) → the code,
    so a code typed as the trainer shows it in any language is understood."""
    return {code_key(catalog(language).get(f"skill.{code.value}", "")): code
            for language in LANGUAGES for code in SkillCode if catalog(language).get(f"skill.{code.value}")}
