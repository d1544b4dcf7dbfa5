"""Where exported files go: safe default names, no surprise overwrites, private files.

The path a person types is theirs to choose; names made from a record's contents (a
scenario id, a session id from someone else's bundle) are reduced to safe characters so
they can never climb out of the chosen folder.
"""

from __future__ import annotations

import re
from pathlib import Path

from mitrainer.errors import InputError
from mitrainer.paths import data_dir, ensure_private_dir
from mitrainer.store.files import write_private_text

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class OutputError(InputError):
    """An export target cannot be written (missing folder, existing file …)."""


def safe_name_part(text: str, fallback: str = "session", limit: int = 60) -> str:
    """``text`` reduced to letters, digits, '.', '_' and '-' (no separators, no leading dots)."""
    cleaned = _UNSAFE.sub("-", text).strip(".-_")[:limit].strip(".-_")
    return cleaned or fallback


def default_exports_dir() -> Path:
    """The folder exports go to when no path is given (the TUI's Export action)."""
    return ensure_private_dir(data_dir() / "exports")


def within_folder(path: Path, folder: Path) -> Path | None:
    """``path`` resolved (a relative one inside ``folder``), or None when it lies outside ``folder``.

    Symbolic links are followed before the test, so a link inside the folder that points
    elsewhere does not count as inside. Used when the trainer is served in a browser, where
    whoever types the path is not necessarily the owner of this machine's files.
    """
    base = folder.resolve()
    candidate = (base / path).resolve()
    return candidate if candidate == base or base in candidate.parents else None


def output_path(target: Path | None, default_name: str, *, force: bool = False) -> Path:
    """The file to write: ``target`` itself, or ``default_name`` inside ``target`` when it is a folder.

    Refuses, with a message that says what to do, a folder that does not exist and an
    existing file (unless ``force``).
    """
    if target is None:
        target = default_exports_dir()
    target = Path(target).expanduser()
    if target.is_dir():
        target = target / default_name
    parent = target.parent
    if not parent.exists():
        raise OutputError(f"cannot write {target}: the folder {parent} does not exist (create it first)")
    if not parent.is_dir():
        raise OutputError(f"cannot write {target}: {parent} is not a folder")
    if target.is_dir():
        raise OutputError(f"cannot write {target}: it is a folder")
    if (target.exists() or target.is_symlink()) and not force:
        raise OutputError(f"{target} already exists; choose another name with -o, or pass --force to replace it")
    return target


def write_output(target: Path, text: str) -> Path:
    """Write an export (mode 0600, atomically) and return where it went."""
    try:
        write_private_text(target, text)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    return target
