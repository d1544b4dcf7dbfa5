"""Writing files the trainee owns: created readable by the user only, written atomically."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


def write_private_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically with mode 0600 (reflections are personal)."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_private_json(path: Path, data: object) -> None:
    write_private_text(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
