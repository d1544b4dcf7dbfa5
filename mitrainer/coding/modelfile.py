"""Opening the coder's model files (NPZ) safely: one place for the checks both files share.

``allow_pickle=False`` (a tampered file cannot run code), a clear message for a missing
file with the command that regenerates it, sizes checked before anything is unpacked (a
zip bomb took 15 s and 4.7 GB before it was refused), the format version, and any zip,
JSON, key or dtype error while reading turned into :class:`ModelFileError`.
"""

from __future__ import annotations

import json
import math
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from numpy.lib.npyio import NpzFile

from mitrainer.errors import ModelFileError

# About 30 times the bundled files (8.6 MB and 6.6 MB unpacked): room for a larger model,
# none for a bomb.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024


def check_sizes(path: Path) -> str | None:
    """Why the NPZ at ``path`` must not be unpacked (None: its sizes are sound).

    Reads only the zip directory and each array's header: the unpacked sizes the zip
    declares must stay under :data:`MAX_UNPACKED_BYTES`, and no array header may claim more
    data than its entry holds (numpy allocates what the header says before reading).
    """
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            if sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
                return f"it unpacks to more than {MAX_UNPACKED_BYTES // 1024 // 1024} MB"
            for entry in entries:
                if not entry.filename.endswith(".npy"):
                    continue
                with archive.open(entry) as member:
                    version = np.lib.format.read_magic(member)
                    read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                                   else np.lib.format.read_array_header_2_0)
                    shape, _, dtype = read_header(member)
                if dtype.hasobject:
                    return f"the array {entry.filename} holds Python objects"
                if math.prod(shape) * dtype.itemsize > entry.file_size:
                    return f"the array {entry.filename} claims more data than the file holds"
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return None  # not a sound zip: np.load below says it is corrupt
    return None


@contextmanager
def read_model_file(path: Path | str, what: str, fmt: str, command: str) -> Iterator[tuple[NpzFile, dict[str, Any]]]:
    """Yield the open NPZ and its ``meta`` JSON; every problem inside is a ModelFileError."""
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"{what} not found: {path} (regenerate it with `{command}`)")
    refusal = check_sizes(path)
    if refusal is not None:
        raise ModelFileError(f"{what} {path} is refused: {refusal}")
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
