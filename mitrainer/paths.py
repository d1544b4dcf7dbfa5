"""Where mitrainer finds its bundled content and keeps the user's data."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent

ENV_DATA_DIR = "MITRAINER_DATA_DIR"
ENV_DB = "MITRAINER_DB"


def _bundled(name: str) -> Path:
    # A built wheel carries the folder inside the package; a source checkout or an
    # editable install has it at the top of the repository.
    inside = _PACKAGE / "_bundled" / name
    if inside.is_dir():
        return inside
    return _PACKAGE.parent / name


def bundled_scenarios() -> Path:
    return _bundled("scenarios")


def bundled_rubrics() -> Path:
    return _bundled("rubrics")


def data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The user's data directory (``$MITRAINER_DATA_DIR`` overrides platformdirs)."""
    override = (os.environ if environ is None else environ).get(ENV_DATA_DIR)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_path

    return user_data_path("mitrainer", appauthor=False)


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable by the user only."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path
