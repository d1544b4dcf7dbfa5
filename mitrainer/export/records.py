"""Session records from outside the store: reading JSON files and checking a record's shape.

A record is what ``Session.record()`` returns. Records arrive from files a person chose
(``play --out``, a bundle from a study-group member), so each is checked before anything
renders, scores or stores it: a damaged record gets one clear message, never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

from mitrainer.codes import Subtype, TalkType
from mitrainer.engine.session import RECORD_SCHEMA_VERSION, Turn
from mitrainer.errors import InputError
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


def check_record(record: object, where: str) -> dict:
    """Return ``record`` if it is a usable session record, else raise :class:`RecordError`.

    Checks the schema version, the header fields and that every turn parses (codes and
    talk types from the one vocabulary in :mod:`mitrainer.codes`).
    """
    if not isinstance(record, dict):
        raise RecordError(f"{where}: not a session record (expected a JSON object)")
    version = record.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise RecordError(f"{where}: not a session record (no schema_version)")
    if version > RECORD_SCHEMA_VERSION:
        raise RecordError(f"{where}: session record schema {version} is newer than this mitrainer reads "
                          f"({RECORD_SCHEMA_VERSION}); update mitrainer")
    if version < 1:
        raise RecordError(f"{where}: unknown session record schema {version}")
    if not isinstance(record.get("session_id"), str) or not record["session_id"]:
        raise RecordError(f"{where}: the session record has no session_id")
    scenario = record.get("scenario")
    if not isinstance(scenario, dict) or not isinstance(scenario.get("id"), str) or not scenario["id"]:
        raise RecordError(f"{where}: the session record does not say which scenario it was played on")
    seed = record.get("seed", 0)
    # The database keeps seeds as 64-bit integers: a larger one is damage, not an internal error.
    if not isinstance(seed, int) or isinstance(seed, bool) or not -(2**63) <= seed < 2**63:
        raise RecordError(f"{where}: the session record's seed is damaged")
    turns = record.get("turns")
    if not isinstance(turns, list):
        raise RecordError(f"{where}: the session record has no list of turns")
    for position, turn in enumerate(turns):
        try:
            parsed = Turn.from_json(turn)
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
            raise RecordError(f"{where}: turn {position + 1} is damaged ({_reason(exc)})") from None
        if parsed.index != position:
            raise RecordError(f"{where}: turn {position + 1} has index {parsed.index}; the turns are out of order")
    for key in ("current", "ending"):
        if record.get(key) is not None and not isinstance(record[key], dict):
            raise RecordError(f"{where}: the session record's '{key}' is damaged")
    current = record.get("current") or {}
    try:  # the client's last line is scored too: its talk type must be one of ours
        for key, kind in (("talk", TalkType), ("subtype", Subtype)):
            if current.get(key):
                kind(current[key])
    except (ValueError, TypeError):
        raise RecordError(f"{where}: the session record's 'current' is damaged (unknown {key})") from None
    reflections = record.get("reflections")
    if reflections is not None and not (isinstance(reflections, dict)
                                        and all(isinstance(v, str) for v in reflections.values())):
        raise RecordError(f"{where}: the session record's reflections are damaged")
    # Records come from other machines too: no control codes reach a terminal or an export.
    return clean_tree(record)


def _reason(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"missing {exc.args[0]!r}"
    return str(exc) or type(exc).__name__

