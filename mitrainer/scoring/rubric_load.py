"""Loading rubrics: a file's version, shape and includes merged in order, then the checks; each
rubric loaded once by id; and the one answer to which rubric a session is judged with.

Includes are found by id (:func:`mitrainer.scoring.rubric_files.find_rubric_file`) and merged
in order — mappings key by key, everything else replaced — with the including file's own keys
last. Every key keeps its origin (file and position), so a check on the merged rubric can
point at the line a problem came from, or at the include line that brought it in.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from mitrainer.codes import SkillCode
from mitrainer.errors import Diagnostic, Position, Severity, did_you_mean, display_path, sort_diagnostics
from mitrainer.safeyaml import PathKey, PositionMap, load_file, load_text
from mitrainer.schema import validate_model
from mitrainer.scoring.rubric import (
    BAD_VERSION,
    BROKEN_INCLUDE,
    DEFAULT_RUBRIC,
    ID_NOT_FILE_NAME,
    INCLUDE_CYCLE,
    MISSING_KEY,
    RUBRIC_VERSION,
    SHAPE_CODES,
    UNKNOWN_INCLUDE,
    UNKNOWN_RUBRIC,
    LoadedRubric,
    Origin,
    Rubric,
    RubricError,
)
from mitrainer.scoring.rubric_check import check_rubric
from mitrainer.scoring.rubric_files import _folders, available_rubrics, find_rubric_file, known_ids

if TYPE_CHECKING:
    from mitrainer.scenario.model import Scenario


def load_rubric(path: Path | str, search: tuple[Path, ...] = ()) -> LoadedRubric:
    """Load and check a rubric file; includes are looked up by id next to it, then in ``search``
    and the bundled rubrics."""
    path = Path(path)
    doc = load_file(path, display_path(path))
    return _load_document(doc.data, doc.positions, doc.diagnostics, path, display_path(path),
                          (path.parent, *search), ())


def parse_rubric(text: str, file: str = "<input>", search: tuple[Path, ...] = ()) -> LoadedRubric:
    """Load a rubric from YAML text (tests, editors); includes are looked up in ``search`` and
    the bundled rubrics."""
    doc = load_text(text, file)
    return _load_document(doc.data, doc.positions, doc.diagnostics, None, file, search, ())


def _load_document(data: Any, positions: PositionMap, problems: list[Diagnostic], path: Path | None,
                   file: str, search: tuple[Path, ...], chain: tuple[str, ...]) -> LoadedRubric:
    if problems:
        return LoadedRubric(path, None, problems)
    version = _check_version(data, positions, file)
    if version:
        return LoadedRubric(path, None, version)
    model, shape = validate_model(Rubric, data, positions, file)
    if model is None:
        return LoadedRubric(path, None, sort_diagnostics(_rename_shape_codes(shape)))
    assert isinstance(model, Rubric)  # validate_model returns the model it was given
    found: list[Diagnostic] = []
    if path is not None and model.id != path.stem:
        found.append(Diagnostic(ID_NOT_FILE_NAME, Severity.WARNING,
                                f"rubric id '{model.id}' differs from the file name '{path.name}'", file,
                                positions.of(("id",)), f"name the file {model.id}.yaml so others find it easily"))

    merged: dict = {}
    origins: dict[PathKey, Origin] = {}
    for index, name in enumerate(model.include):
        where = positions.of(("include", index))
        if name in chain or name == model.id:
            found.append(Diagnostic(INCLUDE_CYCLE, Severity.ERROR,
                                    f"including '{name}' makes a cycle ({' → '.join((*chain, model.id, name))})",
                                    file, where, "a rubric cannot include itself, directly or through others"))
            continue
        included_path = find_rubric_file(name, search)
        if included_path is None:
            known = sorted(known_ids(search))
            found.append(Diagnostic(UNKNOWN_INCLUDE, Severity.ERROR, f"no rubric with id '{name}' to include", file,
                                    where, did_you_mean(name, known) or "rubrics are looked up by id next to this "
                                    "file and among the bundled rubrics"))
            continue
        doc = load_file(included_path, display_path(included_path))
        child = _load_document(doc.data, doc.positions, doc.diagnostics, included_path,
                               display_path(included_path), (included_path.parent, *search), (*chain, model.id))
        if child.data is None or child.errors:
            count = len(child.errors)
            found.append(Diagnostic(BROKEN_INCLUDE, Severity.ERROR,
                                    f"included rubric '{name}' has {count} error(s)", file, where,
                                    f"run: mitrainer validate {display_path(included_path)}"))
            continue
        _merge(merged, origins, child.data, child.origins, ())

    own = {k: v for k, v in data.items() if k not in ("include", "part")}
    own_origins = {p: (file, pos) for p, pos in positions.items()}
    _merge(merged, origins, own, own_origins, ())
    merged["part"] = model.part
    merged["include"] = list(model.include)

    if any(d.is_error for d in found):
        return LoadedRubric(path, None, sort_diagnostics(found), merged, origins)

    # Positions for checks on the merged rubric: a key from this file points at itself, a key
    # that came from an include points at the include line (with the real place in the hint).
    def locate(at: PathKey) -> tuple[Position, str]:
        p = tuple(at)
        while p and p not in origins:
            p = p[:-1]
        origin_file, pos = origins.get(p, (file, Position(1, 1)))
        if origin_file == file:
            return positions.of(at, key=True) if at in positions.keys else pos, ""
        return _include_position(model, positions, origin_file), f"in {origin_file}:{pos.line}:{pos.column}"

    rubric = Rubric.model_validate(merged)
    found.extend(check_rubric(rubric, locate, file))
    return LoadedRubric(path, rubric, sort_diagnostics(found), merged, origins)


def _include_position(model: Rubric, positions: PositionMap, origin_file: str) -> Position:
    stem = Path(origin_file).stem
    for index, name in enumerate(model.include):
        if name == stem:
            return positions.of(("include", index))
    return positions.of(("include",)) if model.include else positions.of(())


def _check_version(data: Any, positions: PositionMap, file: str) -> list[Diagnostic]:
    if not isinstance(data, dict):
        return []
    version = data.get("rubric_version")
    if version is None:
        return [Diagnostic(MISSING_KEY, Severity.ERROR, "'rubric_version' is required", file, positions.of(()),
                           f"start the file with 'rubric_version: {RUBRIC_VERSION}'")]
    if version != RUBRIC_VERSION:
        return [Diagnostic(BAD_VERSION, Severity.ERROR,
                           f"rubric_version {version!r} is not supported (this mitrainer reads {RUBRIC_VERSION})",
                           file, positions.of(("rubric_version",)), "upgrade mitrainer or convert the file")]
    return []


def _rename_shape_codes(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return [Diagnostic(SHAPE_CODES.get(d.code, d.code), d.severity, d.message, d.file, d.position, d.hint)
            for d in diagnostics]


# Mappings that are one value as a whole: an including file replaces them instead of adding keys
# (overriding the overall weights should not keep the included file's other weights).
_REPLACED_WHOLE: frozenset[PathKey] = frozenset({("overall", "weights")})


def _merge(base: dict, base_origins: dict[PathKey, Origin], over: dict, over_origins: dict[PathKey, Origin],
           at: PathKey) -> None:
    """Merge ``over`` into ``base`` in place: mappings key by key, other values replaced."""
    for key, value in over.items():
        path = (*at, key)
        if isinstance(value, dict) and isinstance(base.get(key), dict) and path not in _REPLACED_WHOLE:
            if path in over_origins:
                base_origins[path] = over_origins[path]
            _merge(base[key], base_origins, value, over_origins, path)
            continue
        for stale in [p for p in base_origins if p[:len(path)] == path]:
            del base_origins[stale]
        base[key] = _copy(value)
        for p, origin in over_origins.items():
            if p[:len(path)] == path:
                base_origins[p] = origin


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


# -- rubrics by id, loaded once ------------------------------------------------------------------

_CACHE: dict[tuple[str, tuple[Path, ...]], Rubric] = {}
_FALLBACK: dict[tuple[str, tuple[Path, ...]], Rubric] = {}


def get_rubric(name: str = DEFAULT_RUBRIC, search: tuple[Path, ...] = ()) -> Rubric:
    """The complete rubric with id ``name`` (bundled, or in ``search``), loaded once per process.

    Raises :class:`RubricError` when there is no such rubric, it has errors, or it is a part.
    """
    key = (name, tuple(search))
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    path = find_rubric_file(name, tuple(search))
    if path is None:
        hint = did_you_mean(name, known_ids(tuple(search)))
        raise RubricError(f"no rubric '{name}'" + (f"; {hint}" if hint else ""))
    rubric = load_rubric(path, tuple(search)).require()
    if rubric.part:
        raise RubricError(f"rubric '{name}' is a part for other rubrics to include, not a complete rubric")
    _CACHE[key] = rubric
    return rubric


def rubric_for(scenario_rubric: str | None, search: tuple[Path, ...] = ()) -> Rubric:
    """The rubric a scenario names, falling back to the standard one when it cannot be used.

    The fallback keeps a session scorable; ``mitrainer validate`` reports the bad name
    (see :func:`check_scenario_rubric`).
    """
    key = (scenario_rubric or DEFAULT_RUBRIC, tuple(search))
    if key in _CACHE:
        return _CACHE[key]
    if key in _FALLBACK:  # remembered, so a bad name does not cost a folder scan every turn
        return _FALLBACK[key]
    try:
        return get_rubric(*key)
    except RubricError:
        _FALLBACK[key] = get_rubric(DEFAULT_RUBRIC)
        return _FALLBACK[key]


def session_rubric(scenario: Scenario | None) -> Rubric:
    """The one answer to "which rubric judges and scores this session?".

    The rubric the scenario names (the standard one when that cannot be used), or the
    standard one for a record whose scenario is not here.
    """
    return rubric_for(scenario.rubric if scenario is not None else None)


def session_focus(scenario: Scenario | None) -> tuple[SkillCode, ...]:
    """The skills a drill practises, whose hit rate its score shows (none for a conversation)."""
    return tuple(scenario.focus) if scenario is not None and scenario.kind == "drill" else ()


def check_scenario_rubric(rubric_name: str, positions: PositionMap, file: str,
                          search: tuple[Path, ...] = ()) -> list[Diagnostic]:
    """A scenario check: warn when the scenario's ``rubric:`` names no usable rubric."""
    path = find_rubric_file(rubric_name, search)
    if path is None:
        hint = did_you_mean(rubric_name, known_ids(search)) or f"available: {', '.join(available_rubrics(search))}"
        return [Diagnostic(UNKNOWN_RUBRIC, Severity.WARNING,
                           f"no rubric '{rubric_name}'; the session will be scored with '{DEFAULT_RUBRIC}'",
                           file, positions.of(("rubric",)), hint)]
    why = _unusable(path, search)
    if why:
        return [Diagnostic(UNKNOWN_RUBRIC, Severity.WARNING,
                           f"rubric '{rubric_name}' {why}; the session will be scored with '{DEFAULT_RUBRIC}'",
                           file, positions.of(("rubric",)), f"run: mitrainer validate {display_path(path)}")]
    return []


# Validating a library checks the same rubric for every scenario: each verdict is worked out
# once per process, for as long as no rubric file it may include has changed.
_VERDICTS: dict[tuple, str] = {}


def _unusable(path: Path, search: tuple[Path, ...]) -> str:
    """Why the rubric file cannot score a session ("" when it can)."""
    stamps = []
    for folder in _folders(search):  # where includes are looked up
        for candidate in sorted(folder.glob("*.y*ml")):
            try:
                stat = candidate.stat()
            except OSError:
                continue
            stamps.append((candidate, stat.st_mtime_ns, stat.st_size))
    key = (path, tuple(search), tuple(stamps))
    if key not in _VERDICTS:
        loaded = load_rubric(path, search)
        part = loaded.rubric is not None and loaded.rubric.part
        _VERDICTS[key] = "has errors" if not loaded.ok else ("is a part, not a complete rubric" if part else "")
    return _VERDICTS[key]
