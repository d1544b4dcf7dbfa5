"""Opening the coder's model files (NPZ) safely: one place for the checks both files share.

``allow_pickle=False`` (a tampered file cannot run code), a clear message for a missing
file with the command that regenerates it, the format version, and any zip, JSON, key or
dtype error while reading turned into :class:`ModelFileError`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from numpy.lib.npyio import NpzFile

from mitrainer.errors import ModelFileError


@contextmanager
def read_model_file(path: Path | str, what: str, fmt: str, command: str) -> Iterator[tuple[NpzFile, dict[str, Any]]]:
    """Yield the open NPZ and its ``meta`` JSON; every problem inside is a ModelFileError."""
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"{what} not found: {path} (regenerate it with `{command}`)")
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if meta.get("format") != fmt:
                raise ModelFileError(f"{what} {path} has format {meta.get('format')!r}, expected {fmt!r}")
            yield data, meta
    except ModelFileError:
        raise
    except Exception as exc:  # zip, JSON, key and dtype errors all mean a damaged file
        raise ModelFileError(f"{what} {path} is corrupt or unreadable: {exc}") from exc
