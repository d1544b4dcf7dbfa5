"""What a report template can reach: plain data, and nothing that acts on the machine.

Jinja's sandbox blocks ``__class__`` and the like, but lets a template call any public
method of the objects it is given: a ``pathlib.Path`` handed to a template could write
files (``(bundle.path.parent / '/tmp/x').write_text('x')``). So templates get two
layers here:

* :func:`plain` turns the views (dataclasses, typed records) into plain values: dicts, lists, strings,
  numbers, booleans and None, with paths, enums and dates as text. Anything else is a
  programming error (``TypeError``), found by the tests, never handed over.
* :class:`PlainDataSandbox` refuses attributes and calls on anything but those plain
  values and Jinja's own template objects (loops, macros, imported template modules), and
  calls of anything but macros, the environment's own functions and the methods of plain
  values. It is immutable (no ``list.append`` or ``dict.update`` from a template), and a
  dict key wins over a dict method of the same name (``metric.values`` is the data).
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import inspect
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from jinja2.environment import TemplateModule
from jinja2.exceptions import SecurityError
from jinja2.runtime import BlockReference, LoopContext, Macro, TemplateReference
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Cycler, Joiner, Namespace
from markupsafe import Markup
from pydantic import BaseModel

PLAIN_TYPES = (str, int, float, bool, type(None), dict, list, tuple)
# Jinja's own objects a template works with: loops, macros, {% import %}ed templates, namespaces.
TEMPLATE_OBJECTS = (LoopContext, Macro, TemplateModule, TemplateReference, BlockReference, Namespace, Cycler,
                    Joiner)

# Those a template calls: macros and caller(), recursive loops, self.block() and super(), joiners.
CALLABLE_TEMPLATE_OBJECTS = (Macro, LoopContext, BlockReference, Joiner)


def plain(value: Any, memo: dict[int, tuple[Any, Any]] | None = None) -> Any:
    """``value`` as plain data for a template.

    Dataclasses become dicts of their fields and properties, plus the zero-argument methods
    they list in ``TEMPLATE_VALUES`` (called once). Objects met twice (a member in several
    divergences) are converted once and shared: the sandbox is immutable, so sharing is safe.
    """
    memo = {} if memo is None else memo
    cls: type = type(value)
    kind = _kind(cls)
    if kind == "as_is":
        return value
    if kind == "enum":
        return plain(value.value, memo)
    if kind == "text":
        return str(value) if isinstance(value, PurePath) else value.isoformat()
    if kind == "model":
        # Typed records (mitrainer.record): their JSON form is plain data already (dicts with
        # text keys, lists, text, numbers, booleans, None), and a fresh copy: nothing to walk.
        return value.model_dump(mode="json")
    if kind in ("str", "int", "float"):  # subclasses of the plain scalars, reduced to them
        return {"str": str, "int": int, "float": float}[kind](value)
    if id(value) in memo:
        return memo[id(value)][1]
    if kind == "dict":
        result: Any = {}
        memo[id(value)] = (value, result)  # the value is kept alive so that its id is not reused
        result.update({_plain_key(k): plain(v, memo) for k, v in value.items()})
        return result
    if kind == "sequence":
        result = []
        memo[id(value)] = (value, result)
        result.extend(plain(v, memo) for v in value)
        return result
    if kind == "dataclass":
        result = {}
        memo[id(value)] = (value, result)
        for name in _field_names(cls):
            result[name] = plain(getattr(value, name), memo)
        for name in _properties(cls):
            result[name] = plain(getattr(value, name), memo)
        for name in getattr(cls, "TEMPLATE_VALUES", ()):
            result[name] = plain(getattr(value, name)(), memo)
        return result
    raise TypeError(f"a template cannot be given a {type(value).__name__}: convert it to plain data")


@functools.cache
def _kind(cls: type) -> str:
    """How :func:`plain` converts a value of this class, worked out once per class (a large
    group report converts hundreds of thousands of values)."""
    if issubclass(cls, Markup) or cls in (str, int, float, bool, type(None)):
        return "as_is"
    if issubclass(cls, enum.Enum):
        return "enum"
    if issubclass(cls, PurePath | datetime | date):
        return "text"
    if issubclass(cls, BaseModel):
        return "model"
    for scalar in (str, int, float):
        if issubclass(cls, scalar):
            return scalar.__name__
    if issubclass(cls, dict):
        return "dict"
    if issubclass(cls, list | tuple):
        return "sequence"
    if dataclasses.is_dataclass(cls):
        return "dataclass"
    return "refused"


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    """A dataclass's field names, looked up once per class (``dataclasses.fields`` on every
    instance was an eighth of a 500-member group report)."""
    return tuple(f.name for f in dataclasses.fields(cls))


@functools.cache
def _properties(cls: type) -> tuple[str, ...]:
    """The public properties of a class, looked up once per class (``inspect.getmembers`` on
    every instance was most of the time of a large group report)."""
    return tuple(name for name, member in inspect.getmembers(cls)
                 if isinstance(member, property) and not name.startswith("_"))


def _plain_key(key: Any) -> str | int | float | bool | None:
    converted = plain(key)
    if not isinstance(converted, str | int | float | bool | type(None)):
        raise TypeError(f"a template cannot be given a dict keyed by {type(key).__name__}")
    return converted


MAX_REPEAT = 100_000  # the longest string or list that '*' may build
MAX_EXPONENT = 1_000


class PlainDataSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, narrowed to plain data (see the module's docstring)."""

    # '"x" * 10**10' and '10 ** 10 ** 10' would take the machine's memory or time.
    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            if isinstance(right, int | float) and abs(right) > MAX_EXPONENT:
                raise SecurityError(f"exponent over {MAX_EXPONENT}")
            return left**right
        for sequence, count in ((left, right), (right, left)):
            if isinstance(sequence, str | list | tuple) and isinstance(count, int) and len(sequence) * count > MAX_REPEAT:
                raise SecurityError(f"'*' would build more than {MAX_REPEAT} items")
        return left * right

    def _vocabulary(self) -> set[int]:
        """The ids of the functions this environment itself offers (globals, and functions in a dict global).

        Worked out again only when the globals change (which values, or a dict global's size):
        a report makes thousands of calls, and the catalogue of words among the globals is large."""
        key = tuple((name, id(value), len(value) if isinstance(value, dict) else -1)
                    for name, value in self.globals.items())
        cached = getattr(self, "_vocabulary_cache", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        found = set()
        for value in self.globals.values():
            found.add(id(value))
            if isinstance(value, dict):
                found.update(id(v) for v in value.values())
        self._vocabulary_cache = (key, found)
        return found

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if not isinstance(obj, PLAIN_TYPES + TEMPLATE_OBJECTS):
            return False
        return super().is_safe_attribute(obj, attr, value)

    def is_safe_callable(self, obj: Any) -> bool:
        if not super().is_safe_callable(obj):
            return False
        if isinstance(obj, CALLABLE_TEMPLATE_OBJECTS) or id(obj) in self._vocabulary():
            return True
        # Jinja's sandbox hands out str.format wrapped (to format safely); the wrapped method decides.
        method = getattr(obj, "__wrapped__", obj)
        owner = getattr(method, "__self__", None)
        return (inspect.ismethod(method) or inspect.isbuiltin(method)) and isinstance(owner, PLAIN_TYPES + TEMPLATE_OBJECTS)

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, dict) and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)
