"""Turning pydantic validation errors into positioned diagnostics.

Scenario and rubric files share this: the YAML layer gives a value and a position map,
a pydantic model checks the shape, and every error comes back as a :class:`Diagnostic`
pointing at the offending key or value, with a "did you mean" where one helps.
"""

from __future__ import annotations

import types
import typing
from enum import Enum
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from mitrainer.errors import Diagnostic, Severity, did_you_mean
from mitrainer.safeyaml import PathKey, PositionMap

UNKNOWN_KEY = "S001"
MISSING_KEY = "S002"
WRONG_TYPE = "S003"
UNKNOWN_VALUE = "S004"


def validate_model(model: type[BaseModel], data: Any, positions: PositionMap, file: str,
                   ) -> tuple[BaseModel | None, list[Diagnostic]]:
    """Validate ``data`` against ``model``; return the instance or positioned diagnostics."""
    if not isinstance(data, dict):
        found = "nothing" if data is None else type(data).__name__
        return None, [Diagnostic(WRONG_TYPE, Severity.ERROR, f"expected a mapping of keys at the top level, found {found}",
                                 file, positions.of(()), "start the file with 'schema_version: 1'")]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, [_diagnostic(model, err, data, positions, file) for err in exc.errors()]


def _diagnostic(model: type[BaseModel], err: ErrorDetails, data: Any, positions: PositionMap, file: str) -> Diagnostic:
    loc = _clean_loc(err["loc"], data)
    kind = err["type"]
    where = _dotted(loc)
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = _fields_at(model, loc[:-1])
        hint = did_you_mean(key, allowed) or (f"allowed here: {', '.join(sorted(allowed))}" if allowed else "")
        return Diagnostic(UNKNOWN_KEY, Severity.ERROR, f"unknown key '{key}'" + (f" in {_dotted(loc[:-1])}" if loc[:-1] else ""),
                          file, positions.of(loc, key=True), hint)
    if kind == "missing":
        return Diagnostic(MISSING_KEY, Severity.ERROR, f"'{loc[-1]}' is required" + (f" in {_dotted(loc[:-1])}" if loc[:-1] else ""),
                          file, positions.of(loc[:-1], key=True) if loc[:-1] else positions.of(()))
    value = err.get("input")
    if kind in ("enum", "literal_error"):
        expected = _expected_values(err)
        hint = did_you_mean(str(value), expected) or ("one of: " + ", ".join(expected) if expected else "")
        return Diagnostic(UNKNOWN_VALUE, Severity.ERROR, f"{where}: '{_shorten(value)}' is not allowed here", file,
                          positions.of(loc), hint)
    message = err["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, "):]
    return Diagnostic(WRONG_TYPE, Severity.ERROR, f"{where}: {message}" if where else message, file, positions.of(loc))


def _shorten(value: Any, limit: int = 60) -> str:
    """A value as text, cut short so a huge value cannot flood the message."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _clean_loc(loc: tuple, data: Any) -> PathKey:
    """Drop pydantic's union/type tags from an error location so it matches the document."""
    clean: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            clean.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            clean.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and part not in node and part.endswith("_") \
                and part[:-1] in node:  # pydantic field names for Python keywords ('if_')
            clean.append(part[:-1])
            node = node[part[:-1]]
        elif isinstance(part, str) and (isinstance(node, dict) or node is None):
            clean.append(part)  # a missing or extra key
            node = None
        # else: a union branch tag such as 'int' or 'function-after[...]'; skip it
    return tuple(clean)


def _dotted(loc: PathKey) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _expected_values(err: ErrorDetails) -> list[str]:
    ctx = err.get("ctx") or {}
    expected = ctx.get("expected", "")
    return [part.strip().strip("'\"") for part in expected.replace(" or ", ", ").split(",") if part.strip()]


def _fields_at(model: type[BaseModel], loc: PathKey) -> list[str]:
    """The keys a model accepts at ``loc`` (for "did you mean" on unknown keys)."""
    current: Any = model
    for part in loc:
        current = _step(current, part)
        if current is None:
            return []
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or name for name, f in current.model_fields.items()]
    return []


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
            annotation = models[0] if models else args[0]
            continue
        return annotation


def _step(current: Any, part: str | int) -> Any:
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        for name, field in current.model_fields.items():
            if part in (name, field.alias):
                return field.annotation
        return None
    origin = typing.get_origin(current)
    if origin is list:
        return typing.get_args(current)[0]
    if origin is dict:
        return typing.get_args(current)[1]
    return None


def enum_values(enum: type[Enum]) -> list[str]:
    return [member.value for member in enum]
