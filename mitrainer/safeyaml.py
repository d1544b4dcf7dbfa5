"""Safe, position-aware YAML loading for scenario and rubric files.

Files written by instructors are untrusted input. This loader

* builds plain Python values (dict, list, str, int, float, bool, None) from PyYAML's
  event stream — no tags, no object construction;
* resolves plain scalars with the YAML 1.2 core schema, so ``no`` and ``on`` stay text
  (a client who answers "No" should not become ``False``);
* refuses alias bombs (a budget on nodes expanded through aliases), deep nesting and
  oversized files quickly, with a diagnostic rather than a crash;
* records the position of every mapping key and value in a :class:`PositionMap`, so the
  schema and validation layers can point to ``file:line:col``.

It never raises for a problem in the file: problems come back as diagnostics.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mitrainer.errors import Diagnostic, Position, Severity

try:  # libyaml's parser is much faster; the pure-Python one is the fallback.
    from yaml.cyaml import CParser as _Parser
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml.parser import Parser as _PyParser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, _PyParser):  # type: ignore[no-redef]
        def __init__(self, stream):
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            _PyParser.__init__(self)

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 2_000_000
MAX_ALIAS_EXPANSION = 100_000

PathKey = tuple[str | int, ...]

_INT = re.compile(r"^[-+]?[0-9]+$|^0o[0-7]+$|^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_SPECIAL_FLOAT = {".inf": float("inf"), "+.inf": float("inf"), "-.inf": float("-inf"), ".nan": float("nan")}


@dataclass
class PositionMap:
    """Where each value (and each mapping key) of a document starts in the file.

    Parser marks are stored as they come and turned into positions only when asked for:
    a clean file never pays for the conversion.
    """

    values: dict[PathKey, Any] = field(default_factory=dict)
    keys: dict[PathKey, Any] = field(default_factory=dict)

    def of(self, path: PathKey, *, key: bool = False) -> Position:
        """Position of the value at ``path`` (or of its key), else of the nearest parent."""
        if key and path in self.keys:
            return _pos(self.keys[path])
        p = tuple(path)
        while p:
            if p in self.values:
                return _pos(self.values[p])
            p = p[:-1]
        root = self.values.get(())
        return _pos(root) if root is not None else Position(1, 1)


@dataclass
class YamlDocument:
    data: Any
    positions: PositionMap
    diagnostics: list[Diagnostic]

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)


class _Refused(Exception):
    def __init__(self, code: str, message: str, mark: Any, hint: str = ""):
        super().__init__(message)
        self.diagnostic = (code, message, _pos(mark), hint)


def _pos(mark: Any) -> Position:
    return Position(mark.line + 1, mark.column + 1) if mark is not None else Position()


def _resolve_tagged(event: yaml.ScalarEvent) -> Any:
    tag = event.tag
    value = event.value
    if tag == "tag:yaml.org,2002:str" or tag == "!":
        return value
    if tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
        number = _number(value)
        return value if number is None else number
    if tag == "tag:yaml.org,2002:bool":
        return value.lower() == "true"
    if tag == "tag:yaml.org,2002:null":
        return None
    raise _Refused("Y004", f"tag '{tag}' is not allowed in mitrainer files", event.start_mark,
                   "remove the tag; plain text, numbers, lists and mappings are all you need")


_NUMBER_START = frozenset("0123456789+-.")


def _resolve_plain(value: str) -> Any:
    """YAML 1.2 core schema for a plain scalar: null, true/false, numbers, else text."""
    if not value or value == "~":
        return None
    first = value[0]
    if first in _NUMBER_START:
        number = _number(value)
        return value if number is None else number
    if first in "nNtTfF" and len(value) in (4, 5):
        lowered = value.lower()
        if lowered == "null":
            return None
        if lowered == "true":
            return True
        if lowered == "false":
            return False
    return value


def _number(value: str) -> int | float | None:
    if _INT.match(value):
        try:
            return int(value, 0) if value[:2] in ("0o", "0x") else int(value)
        except ValueError:
            return None
    if _FLOAT.match(value) and any(ch.isdigit() for ch in value):
        return float(value)
    if value.lower() in _SPECIAL_FLOAT:
        return _SPECIAL_FLOAT[value.lower()]
    return None


class _Frame:
    __slots__ = ("container", "path", "is_list", "key", "key_mark", "anchor", "weight_at_start")

    def __init__(self, container: Any, path: PathKey, anchor: str | None, weight: int):
        self.container = container
        self.path = path
        self.is_list = isinstance(container, list)
        self.key: Any = _NO_KEY
        self.key_mark: Any = None
        self.anchor = anchor
        self.weight_at_start = weight


_NO_KEY = object()
_COLLECTION_TAGS = (None, "!", "?", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map")


class _Composer:
    """Builds Python values from parser events iteratively (no recursion limit to hit).

    This loop runs once per YAML node of every file the app opens, so it is written for
    speed: locals instead of attribute look-ups, marks kept as they come.
    """

    def __init__(self, text: str):
        self.parser = _Parser(text)
        self.positions = PositionMap()

    def compose(self) -> Any:
        parser = self.parser
        parser.get_event()  # StreamStart
        if parser.check_event(yaml.StreamEndEvent):
            return None
        parser.get_event()  # DocumentStart
        value = self._compose_document()
        parser.get_event()  # DocumentEnd
        if not parser.check_event(yaml.StreamEndEvent):
            event = parser.peek_event()
            raise _Refused("Y005", "the file holds more than one YAML document", event.start_mark,
                           "remove the '---' separator; one file, one scenario or rubric")
        return value

    def _compose_document(self) -> Any:  # noqa: C901 - one tight loop on purpose
        get_event = self.parser.get_event
        values = self.positions.values
        keys = self.positions.keys
        anchors: dict[str, tuple[Any, int]] = {}
        stack: list[_Frame] = []
        frame: _Frame | None = None
        nodes = 0
        expanded = 0
        weight = 0  # nodes as they would be if every alias were written out
        scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
        seq_start, map_start = yaml.SequenceStartEvent, yaml.MappingStartEvent
        no_key = _NO_KEY

        while True:
            event = get_event()
            kind = type(event)
            if kind is scalar_event or kind is alias_event:
                mark = event.start_mark
                if kind is scalar_event:
                    nodes += 1
                    weight += 1
                    if event.tag is None and not event.style and event.implicit[0]:
                        value = _resolve_plain(event.value)
                    elif event.tag is None or event.tag == "!":
                        value = event.value  # quoted or block scalar: always text
                    else:
                        value = _resolve_tagged(event)
                    if event.anchor:
                        anchors[event.anchor] = (value, 1)
                else:
                    if event.anchor not in anchors:
                        raise _Refused("Y008", f"alias '*{event.anchor}' refers to no anchor", mark)
                    value, size = anchors[event.anchor]
                    expanded += size
                    weight += size
                    if expanded > MAX_ALIAS_EXPANSION:
                        raise _Refused("Y003", "aliases expand the document beyond what mitrainer accepts "
                                       "(an alias bomb?)", mark,
                                       "write the repeated parts out, or use fewer nested aliases")
                if nodes > MAX_NODES:
                    raise _Refused("Y003", "the document is too large", mark)
                if frame is None:
                    values[()] = mark
                    return value
                container = frame.container
                if frame.is_list:
                    values[frame.path + (len(container),)] = mark
                    container.append(value)
                elif frame.key is no_key:
                    if not (value is None or isinstance(value, (str, int, float, bool))):
                        raise _Refused("Y006", "a mapping key must be plain text", mark)
                    frame.key = value if isinstance(value, (str, int)) and not isinstance(value, bool) else str(value)
                    frame.key_mark = mark
                else:
                    key = frame.key
                    if key in container:
                        raise _Refused("Y007", f"duplicate key '{key}' in the same mapping", frame.key_mark,
                                       "each key may appear once; merge the two entries")
                    path = frame.path + (key,)
                    container[key] = value
                    keys[path] = frame.key_mark
                    values[path] = mark
                    frame.key = no_key
            elif kind is seq_start or kind is map_start:
                mark = event.start_mark
                nodes += 1
                weight += 1
                if nodes > MAX_NODES:
                    raise _Refused("Y003", "the document is too large", mark)
                if event.tag not in _COLLECTION_TAGS:
                    raise _Refused("Y004", f"tag '{event.tag}' is not allowed in mitrainer files", mark)
                if len(stack) >= MAX_DEPTH:
                    raise _Refused("Y002", f"the document is nested more than {MAX_DEPTH} levels deep", mark,
                                   "flatten the structure")
                container = [] if kind is seq_start else {}
                if frame is None:
                    path: PathKey = ()
                    values[()] = mark
                elif frame.is_list:
                    path = frame.path + (len(frame.container),)
                    values[path] = mark
                    frame.container.append(container)
                elif frame.key is no_key:
                    raise _Refused("Y006", "a mapping key must be plain text", mark)
                else:
                    key = frame.key
                    if key in frame.container:
                        raise _Refused("Y007", f"duplicate key '{key}' in the same mapping", frame.key_mark,
                                       "each key may appear once; merge the two entries")
                    path = frame.path + (key,)
                    frame.container[key] = container
                    keys[path] = frame.key_mark
                    values[path] = mark
                    frame.key = no_key
                frame = _Frame(container, path, event.anchor, weight)
                stack.append(frame)
            else:  # SequenceEnd / MappingEnd
                done = stack.pop()
                if done.anchor:
                    anchors[done.anchor] = (done.container, weight - done.weight_at_start + 1)
                if not stack:
                    return done.container
                frame = stack[-1]


def decode(raw: bytes, file: str) -> tuple[str | None, list[Diagnostic]]:
    """Decode file bytes as UTF-8 (a BOM is accepted; UTF-16 with a BOM too)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), []
        except UnicodeDecodeError:
            pass
    if b"\x00" in raw[:8192]:
        return None, [Diagnostic("Y010", Severity.ERROR, "this is not a text file (it contains NUL bytes)", file,
                                 Position(1, 1), "save the file as plain UTF-8 text")]
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [Diagnostic("Y011", Severity.ERROR, "the file is not valid UTF-8 text", file,
                                 Position(line, col), "save it as UTF-8 in your editor")]


def load_text(text: str, file: str = "<input>") -> YamlDocument:
    """Parse YAML text into plain values with positions; problems become diagnostics."""
    composer = _Composer(text)
    try:
        data = composer.compose()
    except _Refused as refused:
        code, message, position, hint = refused.diagnostic
        return YamlDocument(None, composer.positions, [Diagnostic(code, Severity.ERROR, message, file, position, hint)])
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or "YAML syntax error"
        if exc.context:
            message = f"{message} ({exc.context})"
        return YamlDocument(None, composer.positions, [Diagnostic(
            "Y001", Severity.ERROR, f"YAML syntax: {message}", file, _pos(mark),
            "check the indentation and that text containing ':' or '#' is quoted")])
    except yaml.YAMLError as exc:
        return YamlDocument(None, composer.positions, [Diagnostic("Y001", Severity.ERROR, f"YAML syntax: {exc}", file,
                                                                  Position(1, 1))])
    except RecursionError:
        return YamlDocument(None, composer.positions, [Diagnostic(
            "Y002", Severity.ERROR, "the document is nested too deeply", file, Position(1, 1))])
    return YamlDocument(data, composer.positions, [])


def load_file(path: Path | str, display: str | None = None, max_bytes: int = MAX_FILE_BYTES) -> YamlDocument:
    """Read and parse a YAML file; a missing, unreadable, binary or huge file is a diagnostic."""
    path = Path(path)
    file = display or str(path)

    def refuse(code: str, message: str, hint: str = "") -> YamlDocument:
        return YamlDocument(None, PositionMap(), [Diagnostic(code, Severity.ERROR, message, file, Position(), hint)])

    try:
        if path.is_dir():
            return refuse("Y012", "this is a folder, not a file")
        size = path.stat().st_size
        if size > max_bytes:
            return refuse("Y013", f"the file is {size / 1e6:.1f} MB; mitrainer reads at most "
                          f"{max_bytes / 1e6:.0f} MB", "split it into several files")
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except FileNotFoundError:
        return refuse("Y014", "file not found")
    except PermissionError:
        return refuse("Y015", "permission denied: cannot read the file")
    except OSError as exc:
        return refuse("Y015", f"cannot read the file: {exc.strerror or exc}")
    if len(raw) > max_bytes:
        return refuse("Y013", f"the file is larger than {max_bytes / 1e6:.0f} MB")
    text, problems = decode(raw, file)
    if text is None:
        return YamlDocument(None, PositionMap(), problems)
    return load_text(text, file)
