"""Finding rubric files by id.

A rubric is looked up by the ``id:`` its file declares (read from the file's first lines by
:mod:`mitrainer.yamlfiles`), in the folders given and the bundled ``rubrics/``: the file named
after the id first, then any YAML file that declares it.
"""

from __future__ import annotations

from pathlib import Path

from mitrainer.yamlfiles import YAML_SUFFIXES, declares, top_level, yaml_files


def _folders(search: tuple[Path, ...]) -> list[Path]:
    from mitrainer.paths import bundled_rubrics

    folders: list[Path] = []
    for folder in (*search, bundled_rubrics()):
        if folder not in folders and folder.is_dir():
            folders.append(folder)
    return folders


def _rubric_id(path: Path) -> str | None:
    """The id a rubric file declares (None for a file that is not a rubric)."""
    return top_level(path, "id") if declares(path, "rubric_version") else None


def find_rubric_file(name: str, search: tuple[Path, ...] = ()) -> Path | None:
    """The file of the rubric with id ``name``: ``<name>.yaml`` first, then any file with that id."""
    folders = _folders(search)
    for folder in folders:
        for suffix in YAML_SUFFIXES:
            candidate = folder / f"{name}{suffix}"
            if candidate.is_file() and _rubric_id(candidate) == name:
                return candidate
    for folder in folders:
        for candidate in yaml_files(folder):
            if _rubric_id(candidate) == name:
                return candidate
    return None


def known_ids(search: tuple[Path, ...]) -> set[str]:
    """The ids of every rubric in ``search`` and the bundled folder."""
    return {found for folder in _folders(search) for candidate in yaml_files(folder)
            if (found := _rubric_id(candidate))}


def available_rubrics(search: tuple[Path, ...] = ()) -> list[str]:
    """Ids of the rubrics found in ``search`` and the bundled folder."""
    return sorted(known_ids(search))
