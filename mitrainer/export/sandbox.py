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
    if isinstance(value, Markup) or value is None or type(value) in (str, int, float, bool):
        return value
    if isinstance(value, enum.Enum):
        return plain(value.value, memo)
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, BaseModel):  # typed records (mitrainer.record): their JSON form is plain data
        return plain(value.model_dump(mode="json"), memo)
    for scalar in (str, int, float):  # subclasses of the plain scalars, reduced to them
        if isinstance(value, scalar):
            return scalar(value)
    if id(value) in memo:
        return memo[id(value)][1]
    if isinstance(value, dict):
        result: Any = {}
        memo[id(value)] = (value, result)  # the value is kept alive so that its id is not reused
        result.update({_plain_key(k): plain(v, memo) for k, v in value.items()})
        return result
    if isinstance(value, list | tuple):
        result = []
        memo[id(value)] = (value, result)
        result.extend(plain(v, memo) for v in value)
        return result
    if isinstance(value, BaseModel):  # a session record's part: its JSON values, as a file holds them
        return plain(value.model_dump(mode="json"), memo)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        result = {}
        memo[id(value)] = (value, result)
        cls = type(value)
        for f in dataclasses.fields(value):
            result[f.name] = plain(getattr(value, f.name), memo)
        for name in _properties(cls):
            result[name] = plain(getattr(value, name), memo)
        for name in getattr(cls, "TEMPLATE_VALUES", ()):
            result[name] = plain(getattr(value, name)(), memo)
        return result
    raise TypeError(f"a template cannot be given a {type(value).__name__}: convert it to plain data")


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
        """The ids of the functions this environment itself offers (globals, and functions in a dict global)."""
        found = set()
        for value in self.globals.values():
            found.add(id(value))
            if isinstance(value, dict):
                found.update(id(v) for v in value.values())
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
