"""Finding YAML files and what they declare at the top, without parsing them.

The scenario library and the rubric lookup both scan folders of YAML files and need to know
cheaply which file declares which ``id`` (and whether a file is a rubric) before loading the
ones that matter. Files are chosen by their suffix, and a top-level key is read from the
first lines as text: the full, position-aware loading is :mod:`mitrainer.safeyaml`'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

YAML_SUFFIXES = (".yaml", ".yml")
HEAD_BYTES = 16384


def is_yaml(path: Path) -> bool:
    return path.suffix in YAML_SUFFIXES


def yaml_files(folder: Path, *, recursive: bool = False) -> list[Path]:
    """The YAML files in ``folder`` (and below it when ``recursive``), sorted."""
    candidates = folder.rglob("*") if recursive else folder.iterdir()
    return sorted(p for p in candidates if is_yaml(p) and p.is_file())


def iter_yaml_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Every YAML file named, or inside the folders named (sorted, recursive)."""
    for path in paths:
        if path.is_dir():
            yield from yaml_files(path, recursive=True)
        else:
            yield path


def top_level(path: Path, key: str) -> str | None:
    """The plain value of a top-level ``key:`` in the first lines of ``path`` (quotes removed), or None.

    Only a key at the start of a line counts (nested keys are indented), and only a value
    written on the same line; a file that cannot be read declares nothing.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return None
    prefix = f"{key}:"
    for line in head.splitlines():
        if line.startswith(prefix):
            value = line[len(prefix):].split(" #", 1)[0].strip().strip("\"'")
            return value or None
    return None


def declares(path: Path, key: str) -> bool:
    """Whether ``path`` has a top-level ``key:`` in its first lines (``rubric_version`` marks a rubric)."""
    return top_level(path, key) is not None
