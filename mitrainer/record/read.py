"""Reading session records: from a JSON file or from JSON values, checked, migrated, typed.

Every record that comes from outside the engine — a file a person chose (``play --out``, a
bundle from a study-group member), a row of the store — goes through :func:`parse_record`:
the schema version is checked, an older record is migrated, text is cleaned of control
codes, and the typed model is built. A damaged record gets one clear message naming what is
wrong, never a traceback; every command accepts and refuses the same records.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from mitrainer.errors import InputError
from mitrainer.record.migrate import migrate
from mitrainer.record.model import RECORD_SCHEMA_VERSION, SessionRecord
from mitrainer.text import clean_tree

MAX_FILE_BYTES = 32 * 1024 * 1024


class RecordError(InputError):
    """A session record (or the file holding it) cannot be used; the message says why."""


def read_json_file(path: Path) -> object:
    """The JSON document in ``path`` (size-limited), or :class:`RecordError` with the reason."""
    path = Path(path)
    if not path.exists():
        raise RecordError(f"{path}: no such file")
    if not path.is_file():
        raise RecordError(f"{path}: not a file")
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise RecordError(f"{path}: cannot be read ({exc.strerror})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise RecordError(f"{path}: larger than {MAX_FILE_BYTES // 1024 // 1024} MB; not a session file")
    try:
        return json.loads(raw.decode("utf-8-sig"), parse_constant=_not_json)
    except UnicodeDecodeError:
        raise RecordError(f"{path}: not a text file (not UTF-8)") from None
    except json.JSONDecodeError as exc:
        raise RecordError(f"{path}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise RecordError(f"{path}: malformed JSON (nested too deeply)") from None
    except ValueError as exc:
        raise RecordError(f"{path}: malformed JSON ({exc})") from None


def _not_json(name: str) -> float:
    # Python's reader accepts NaN and Infinity, which JSON does not: a bundle could not carry them.
    raise ValueError(f"{name} is not a JSON value")


def parse_record(data: object, where: str) -> SessionRecord:
    """The session record in ``data`` (JSON values, any known schema), or :class:`RecordError`.

    ``where`` names the source in messages (a file name, "session 1a2b3c4d").
    """
    if isinstance(data, SessionRecord):
        return data
    if not isinstance(data, dict):
        raise RecordError(f"{where}: not a session record (expected a JSON object)")
    version = data.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise RecordError(f"{where}: not a session record (no schema_version)")
    if version > RECORD_SCHEMA_VERSION:
        raise RecordError(f"{where}: session record schema {version} is newer than this mitrainer reads "
                          f"({RECORD_SCHEMA_VERSION}); update mitrainer")
    if version < 1:
        raise RecordError(f"{where}: unknown session record schema {version}")
    # Records come from other machines too: no control codes reach a terminal or an export.
    current = migrate(clean_tree(data))
    try:
        return SessionRecord.model_validate(current)
    except ValidationError as exc:
        raise RecordError(f"{where}: {_problem(exc)}") from None
    except RecursionError:
        raise RecordError(f"{where}: the session record is nested too deeply") from None


def read_record(path: Path) -> SessionRecord:
    """The session record in the JSON file ``path`` (see :func:`parse_record`)."""
    return parse_record(read_json_file(path), str(path))


# The top-level fields whose damage is named in words of its own.
_FIELD_PROBLEMS = {
    "session_id": "the session record has no session_id",
    "scenario": "the session record does not say which scenario it was played on",
    "seed": "the session record's seed is damaged",
    "reflections": "the session record's reflections are damaged",
}


def _problem(exc: ValidationError) -> str:
    """The first problem pydantic found, in the words of a session record."""
    error = exc.errors(include_url=False)[0]
    loc = error["loc"]
    message = str(error["msg"]).removeprefix("Value error, ")
    if not loc:
        return message
    field = str(loc[0])
    if field == "turns":
        if len(loc) == 1:
            return "the session record has no list of turns"
        reason = f"missing {loc[-1]!r}" if error["type"] == "missing" else f"{_path(loc[2:])}{message}"
        return f"turn {int(loc[1]) + 1} is damaged ({reason})"
    return _FIELD_PROBLEMS.get(field, f"the session record's '{field}' is damaged")


def _path(loc: tuple) -> str:
    return ".".join(str(part) for part in loc) + ": " if loc else ""
