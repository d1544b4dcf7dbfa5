"""Translatable strings of a scenario: export with stable ids, apply a translation, find stale ones.

Every text a trainee reads (and every keyword a branch listens for) gets an id made from its
place in the scenario — ``nodes.opening.exemplars.1.text`` — never from its row number, so
editing, adding or removing other texts leaves it alone. A translator fills the
``translation`` column of the CSV; applying it builds a new scenario that records, in
``translation_of``, the hash of each source text it was translated from. When the source
changes later, the validator compares those hashes with the source's texts and flags the
translations that are out of date (L101) or missing (L102).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from mitrainer.errors import Diagnostic, InputError, Severity
from mitrainer.safeyaml import PathKey, PositionMap
from mitrainer.scenario.model import Branch, Exemplar, Node, Scenario
from mitrainer.text import find_control, from_spreadsheet, spreadsheet_safe

COLUMNS = ("id", "kind", "source", "translation", "source_hash")
# Keywords are one row per branch: a translation may need more or fewer words than the source.
KEYWORD_SEPARATOR = " | "
MAX_CSV_BYTES = 8 * 1024 * 1024
MAX_TEXT = 20_000
MAX_KEYWORD = 200

STALE_TRANSLATION = "L101"
UNTRANSLATED = "L102"
SOURCE_NOT_FOUND = "L103"


def source_hash(text: str) -> str:
    """A short hash of one source text (48 bits: enough to notice an edit, short enough to read)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class SourceString:
    """One translatable text: its id, what kind of text it is, where it sits, and the text."""

    id: str
    kind: str
    path: PathKey
    text: str

    @property
    def hash(self) -> str:
        return source_hash(self.text)

    @property
    def is_keywords(self) -> bool:
        return self.kind == "keywords"


def _string_id(path: PathKey) -> str:
    return ".".join(str(part) for part in path)


def _items(kind: str, base: PathKey, texts: list[str]) -> Iterator[SourceString]:
    for i, text in enumerate(texts):
        yield SourceString(_string_id(base + (i,)), kind, base + (i,), text)


def _one(kind: str, path: PathKey, text: str) -> Iterator[SourceString]:
    if text:
        yield SourceString(_string_id(path), kind, path, text)


def _exemplars(kind: str, base: PathKey, exemplars: list[Exemplar]) -> Iterator[SourceString]:
    for i, exemplar in enumerate(exemplars):
        yield from _one(kind, base + (i, "text"), exemplar.text)
        yield from _one(f"{kind}.why", base + (i, "why"), exemplar.why)


def _branches(base: PathKey, branches: list[Branch]) -> Iterator[SourceString]:
    for i, branch in enumerate(branches):
        if branch.when is not None and branch.when.keywords:
            yield from _one("keywords", base + (i, "when", "keywords"), KEYWORD_SEPARATOR.join(branch.when.keywords))
        yield from _one("note", base + (i, "note"), branch.note)


def _node(node_id: str, node: Node) -> Iterator[SourceString]:
    base: PathKey = ("nodes", node_id)
    yield from _one("client", base + ("client",), node.client)
    yield from _items("variant", base + ("variants",), node.variants)
    yield from _one("cue", base + ("cue",), node.cue)
    if node.sides is not None:
        yield from _one("sides.change", base + ("sides", "change"), node.sides.change)
        yield from _one("sides.sustain", base + ("sides", "sustain"), node.sides.sustain)
    yield from _branches(base + ("responses",), node.responses)
    yield from _exemplars("exemplar", base + ("exemplars",), node.exemplars)
    yield from _exemplars("distractor", base + ("distractors",), node.distractors)
    if node.ending is not None:
        yield from _one("ending.title", base + ("ending", "title"), node.ending.title)
        yield from _one("debrief", base + ("ending", "debrief"), node.ending.debrief)
        for i, variant in enumerate(node.ending.debriefs):
            yield from _one("debrief", base + ("ending", "debriefs", i, "debrief"), variant.debrief)


def translatable_strings(scenario: Scenario) -> list[SourceString]:
    """Every text a trainee reads, and every branch's keywords, in the order of the file."""
    found: list[SourceString] = []
    for key in ("title", "topic", "setting"):
        found += _one(key, (key,), getattr(scenario, key))
    found += _items("learning_goal", ("learning_goals",), scenario.learning_goals)
    p = scenario.persona
    found += _one("persona.name", ("persona", "name"), p.name)
    found += _one("persona.pronouns", ("persona", "pronouns"), p.pronouns)
    found += _one("persona.background", ("persona", "background"), p.background)
    for key, kind in (("values", "persona.value"), ("fears", "persona.fear"), ("avoids", "persona.avoid")):
        found += _items(kind, ("persona", key), getattr(p, key))
    for name, variable in scenario.variables.items():
        found += _one("variable.label", ("variables", name, "label"), variable.label)
        found += _one("variable.description", ("variables", name, "description"), variable.description)
    for node_id, node in scenario.nodes.items():
        found += _node(node_id, node)
    return found


# -- the CSV a translator fills in ---------------------------------------------------------

def strings_csv(strings: list[SourceString], translations: dict[str, str] | None = None) -> str:
    """The strings as CSV (columns: id, kind, source, translation, source_hash)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for s in strings:
        translation = (translations or {}).get(s.id, "")
        writer.writerow([s.id, s.kind, spreadsheet_safe(s.text), spreadsheet_safe(translation), s.hash])
    return buffer.getvalue()


@dataclass(frozen=True)
class TranslatedRow:
    """A row of a filled-in CSV: the translation of one string, and the source it was made from."""

    line: int
    id: str
    translation: str
    source_hash: str


def read_strings_csv(path: Path) -> list[TranslatedRow]:
    """The rows of a translator's CSV; InputError (with the line) for a file that cannot be used."""
    with Path(path).open("rb") as handle:
        raw = handle.read(MAX_CSV_BYTES + 1)
    if len(raw) > MAX_CSV_BYTES:
        raise InputError(f"{path}: larger than {MAX_CSV_BYTES // 1024 // 1024} MB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(f"{path}:{line}: not valid UTF-8 (save the file as 'CSV UTF-8')") from None
    first = text.split("\n", 1)[0]
    # Spreadsheets set to some locales save with semicolons, or tabs.
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [cell.strip().lower() for cell in next(reader)]
    except StopIteration:
        raise InputError(f"{path}: the file is empty") from None
    missing = [name for name in ("id", "translation", "source_hash") if name not in header]
    if missing:
        raise InputError(f"{path}:1: the header lacks {', '.join(missing)} (expected: {', '.join(COLUMNS)})")
    at = {name: header.index(name) for name in ("id", "translation", "source_hash")}
    rows: list[TranslatedRow] = []
    seen: dict[str, int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        cells += [""] * (len(header) - len(cells))
        string_id = cells[at["id"]].strip()
        if not string_id:
            raise InputError(f"{path}:{line}: a row without an id")
        if string_id in seen:
            raise InputError(f"{path}:{line}: id '{string_id}' again (first on line {seen[string_id]})")
        seen[string_id] = line
        rows.append(TranslatedRow(line, string_id, from_spreadsheet(cells[at["translation"]]).strip(),
                                  cells[at["source_hash"]].strip()))
    return rows


# -- building the translated scenario ------------------------------------------------------

@dataclass
class Applied:
    """A translated scenario's document and what the translator should know about it."""

    data: dict[str, Any]
    translated: int
    untranslated: list[str]
    warnings: list[str]


def _check_text(row: TranslatedRow, keywords: bool) -> list[str]:
    """The translation's words, or InputError naming the row."""
    parts = [k.strip() for k in row.translation.split("|")] if keywords else [row.translation]
    limit = MAX_KEYWORD if keywords else MAX_TEXT
    for part in parts:
        where = f"line {row.line} ('{row.id}')"
        if not part:
            raise InputError(f"{where}: an empty keyword (separate keywords with ' | ')")
        if len(part) > limit:
            raise InputError(f"{where}: longer than {limit} characters")
        index = find_control(part)
        if index >= 0:
            raise InputError(f"{where}: contains the control character U+{ord(part[index]):04X}")
    return parts


def _set(document: Any, path: PathKey, value: Any) -> None:
    for part in path[:-1]:
        document = document[part]
    document[path[-1]] = value


def apply_translation(scenario: Scenario, rows: list[TranslatedRow], language: str, new_id: str,
                      source_file: str = "") -> Applied:
    """The source scenario with each row's translation put in its place, as a plain document.

    A row whose source text changed since it was exported is still applied (it is usually
    close), but its old hash is recorded, so the validator reports it as stale until the
    translator has looked at it again.
    """
    strings = {s.id: s for s in translatable_strings(scenario)}
    data = scenario.model_dump(mode="json", by_alias=True, exclude_unset=True)
    recorded: dict[str, str] = {}
    warnings: list[str] = []
    for row in rows:
        source = strings.get(row.id)
        if source is None:
            warnings.append(f"line {row.line}: '{row.id}' is not in the scenario any more; row skipped")
            continue
        if not row.translation:
            continue
        words = _check_text(row, source.is_keywords)
        _set(data, source.path, words if source.is_keywords else words[0])
        if not _is_hash(row.source_hash):
            # What the translator saw is unknown: the text is used, but not vouched for.
            warnings.append(f"line {row.line}: '{row.id}' has no source_hash; its translation is used, and "
                            "validate lists it as not translated until it comes from an exported CSV")
            continue
        recorded[row.id] = row.source_hash
        if row.source_hash != source.hash:
            warnings.append(f"line {row.line}: the source of '{row.id}' changed since this row was exported; "
                            "check the translation (validate reports it as stale until you re-export)")
    untranslated = [sid for sid in strings if sid not in recorded]
    origin: dict[str, Any] = {"scenario": scenario.id}
    if source_file:
        origin["file"] = source_file
    origin["strings"] = recorded
    # The language right after the title, where a reader looks; the hashes last, out of the way.
    ordered: dict[str, Any] = {}
    for key, value in data.items():
        if key in ("language", "translation_of"):
            continue
        ordered[key] = new_id if key == "id" else value
        if key == "title":
            ordered["language"] = language
    ordered["translation_of"] = origin
    return Applied(ordered, len(recorded), untranslated, warnings)


def _is_hash(text: str) -> bool:
    return len(text) == 12 and all(c in "0123456789abcdef" for c in text)


def relative_source(source: Path, target: Path) -> str:
    """The source file's path as seen from the translated file's folder (POSIX separators)."""
    import os

    return PurePath(os.path.relpath(source.resolve(), target.resolve().parent)).as_posix()


# -- the validator's check -----------------------------------------------------------------

def check_translation(scenario: Scenario, source: Scenario | None, positions: PositionMap,
                      file: str) -> list[Diagnostic]:
    """Stale (L101) and missing (L102) translations of a scenario with ``translation_of``.

    ``source`` is the scenario it names, found by the caller; None gives L103.
    """
    origin = scenario.translation_of
    if origin is None:
        return []
    if source is None:
        return [Diagnostic(SOURCE_NOT_FOUND, Severity.WARNING,
                           f"translation of '{origin.scenario}', which was not found: stale texts cannot be checked",
                           file, positions.of(("translation_of", "scenario")),
                           "keep the source beside the translation, or correct translation_of.file")]
    found: list[Diagnostic] = []
    current = {s.id: s for s in translatable_strings(source)}
    mine = {s.id: s for s in translatable_strings(scenario)}
    for string_id, stored in origin.strings.items():
        now = current.get(string_id)
        where = mine[string_id].path if string_id in mine else ("translation_of", "strings", string_id)
        if now is None:
            found.append(Diagnostic(STALE_TRANSLATION, Severity.WARNING,
                                    f"'{string_id}' is no longer in the source '{source.id}'",
                                    file, positions.of(("translation_of", "strings", string_id), key=True),
                                    "re-export the strings and apply them again"))
        elif now.hash != stored:
            found.append(Diagnostic(STALE_TRANSLATION, Severity.WARNING,
                                    f"the source of '{string_id}' changed since it was translated: "
                                    f"now \"{_short(now.text)}\"", file, positions.of(where),
                                    "update the translation, then re-export and apply the strings"))
    missing = [sid for sid in current if sid not in origin.strings]
    for string_id in missing:
        where = mine[string_id].path if string_id in mine else ("translation_of",)
        found.append(Diagnostic(UNTRANSLATED, Severity.WARNING,
                                f"'{string_id}' is not translated: \"{_short(current[string_id].text)}\"",
                                file, positions.of(where), "fill in its row of the strings CSV and apply it"))
    return found


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
