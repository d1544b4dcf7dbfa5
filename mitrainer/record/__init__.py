"""The session record: the one definition of a practice session as it is kept and shared.

* :mod:`mitrainer.record.model` — the typed models (:class:`SessionRecord`, :class:`Turn`,
  :class:`ResponseCoding`, :class:`Feedback`, …) and the JSON Schema;
* :mod:`mitrainer.record.migrate` — older schemas brought up to the current one;
* :mod:`mitrainer.record.read` — records from files and from JSON values, checked.

A base module: it imports nothing of mitrainer but the vocabulary (``codes``), errors and
text hygiene, so the store, the coder and everything above can use it.
"""

from mitrainer.record.model import (
    RECORD_SCHEMA_VERSION,
    BetterResponse,
    ClientLine,
    CodeScore,
    Ending,
    Feedback,
    Judgement,
    ResponseCoding,
    ScenarioRef,
    SessionRecord,
    Turn,
)
from mitrainer.record.read import RecordError, parse_record, read_json_file, read_record

__all__ = [
    "RECORD_SCHEMA_VERSION",
    "BetterResponse",
    "ClientLine",
    "CodeScore",
    "Ending",
    "Feedback",
    "Judgement",
    "RecordError",
    "ResponseCoding",
    "ScenarioRef",
    "SessionRecord",
    "Turn",
    "parse_record",
    "read_json_file",
    "read_record",
]
