"""Results worth keeping between runs, remembered by the hash of what produced them.

The validator's talk-label check codes every English client line with the coder, which
dominates the time `mitrainer validate` takes; the answer for a line depends only on the
line, its label and the coder, so it is kept here under a hash of those and reused until
one of them changes. The file is JSON (never pickle) in the user's cache folder, readable
by the user only. A cache that is missing, damaged, from another format or unwritable is
simply not used: it can make a run slower, never wrong or failing.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from mitrainer.paths import ensure_private_dir

ENV_CACHE_DIR = "MITRAINER_CACHE_DIR"
FORMAT = "mitrainer-cache/1"
MAX_BYTES = 16 * 1024 * 1024
MAX_ENTRIES = 50_000


def cache_dir() -> Path:
    """The user's cache folder (``$MITRAINER_CACHE_DIR`` overrides platformdirs)."""
    override = os.environ.get(ENV_CACHE_DIR)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_cache_path

    return user_cache_path("mitrainer", appauthor=False)


def content_key(*parts: str) -> str:
    """A hash of ``parts`` (kept apart, so ("ab", "c") and ("a", "bc") differ)."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8")
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


class ResultCache:
    """A JSON file of ``key → value`` for one kind of result, valid for one ``version``.

    ``version`` names what every entry depends on besides its key (e.g. the coder's
    fingerprint): a file written for another version is ignored and replaced.
    """

    def __init__(self, name: str, version: str, folder: Path | None = None) -> None:
        self.path = (folder or cache_dir()) / f"{name}.json"
        self.version = version
        self._entries: dict[str, Any] = self._read()
        self._dirty = False

    def _read(self) -> dict[str, Any]:
        try:
            if self.path.stat().st_size > MAX_BYTES:
                return {}
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if (not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != self.version
                or not isinstance(data.get("entries"), dict)):
            return {}
        return data["entries"]

    def get(self, key: str) -> Any:
        """The value stored under ``key``, or None."""
        return self._entries.get(key)

    def __contains__(self, key: str) -> bool:
        return key in self._entries

    def put(self, key: str, value: Any) -> None:
        """Remember a JSON-serialisable value (the oldest entries go beyond MAX_ENTRIES)."""
        if self._entries.get(key, object()) == value:
            return
        self._entries.pop(key, None)
        self._entries[key] = value
        while len(self._entries) > MAX_ENTRIES:
            del self._entries[next(iter(self._entries))]
        self._dirty = True

    def save(self) -> None:
        """Write the file if anything changed (atomically, mode 0600); a failure is ignored."""
        if not self._dirty:
            return
        from mitrainer.store.files import write_private_text

        try:
            ensure_private_dir(self.path.parent)
            write_private_text(self.path, json.dumps({"format": FORMAT, "version": self.version,
                                                      "entries": self._entries}, ensure_ascii=False))
        except OSError:
            return
        self._dirty = False
