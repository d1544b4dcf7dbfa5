"""Bringing session records of older schemas up to the current one, explicitly, step by step.

Each entry of :data:`MIGRATIONS` turns a record of schema ``n`` (as JSON values) into one of
schema ``n + 1``; :func:`migrate` applies them in turn. The store migrates the records it
holds with the same steps (:func:`turn_v1_to_v2` on every stored turn), so a database never
mixes schemas.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from mitrainer.record.model import RECORD_SCHEMA_VERSION, Judgement

JSON = dict[str, Any]


def turn_v1_to_v2(turn: JSON) -> JSON:
    """A schema-1 turn as schema 2: the rubric's feedback and the branch note become one ``feedback``.

    Schema 1 kept the verdict as a loose object (``null`` in records written by ``mitrainer
    play``) and the note beside it. A verdict that does not read as a judgement was never
    shown (exports judged such turns again when they had the scenario) and is dropped here
    too; the note is kept either way.
    """
    turn = dict(turn)
    note = turn.pop("branch_note", "")
    old = turn.get("feedback")
    judgement = None
    if isinstance(old, dict):
        try:
            judgement = Judgement.model_validate(old).model_dump(mode="json")
        except ValidationError:
            judgement = None
    turn["feedback"] = {"judgement": judgement, "note": note} if judgement is not None or note else None
    return turn


def record_v1_to_v2(record: JSON) -> JSON:
    """A schema-1 record as schema 2 (see :func:`turn_v1_to_v2`)."""
    turns = record.get("turns")
    return {**record, "schema_version": 2,
            "turns": [turn_v1_to_v2(t) if isinstance(t, dict) else t for t in turns] if isinstance(turns, list)
            else turns}


# Schema n → n + 1, for every n below the current schema.
MIGRATIONS: dict[int, Callable[[JSON], JSON]] = {1: record_v1_to_v2}
assert sorted(MIGRATIONS) == list(range(1, RECORD_SCHEMA_VERSION)), "a migration is missing"


def migrate(record: JSON) -> JSON:
    """``record`` (JSON values, of a known schema) brought up to :data:`RECORD_SCHEMA_VERSION`."""
    version = record["schema_version"]
    while version < RECORD_SCHEMA_VERSION:
        record = MIGRATIONS[version](record)
        version += 1
    return record
