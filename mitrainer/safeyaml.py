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
    """Where each value (and each mapping key) of a document starts in the file."""

    values: dict[PathKey, Position] = field(default_factory=dict)
    keys: dict[PathKey, Position] = field(default_factory=dict)

    def of(self, path: PathKey, *, key: bool = False) -> Position:
        """Position of the value at ``path`` (or of its key), else of the nearest parent."""
        if key and path in self.keys:
            return self.keys[path]
        p = tuple(path)
        while p:
            if p in self.values:
                return self.values[p]
            p = p[:-1]
        return self.values.get((), Position(1, 1))


@dataclass
class YamlDocument:
    data: Any
    positions: PositionMap
    diagnostics: list[Diagnostic]

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)


class _Refused(Exception):
    def __init__(self, code: str, message: str, position: Position, hint: str = ""):
        super().__init__(message)
        self.diagnostic = (code, message, position, hint)


def _pos(mark) -> Position:
    return Position(mark.line + 1, mark.column + 1) if mark is not None else Position()


def _resolve_scalar(event: yaml.ScalarEvent) -> Any:
    value = event.value
    if event.tag not in (None, "!", "?"):
        tag = event.tag
        if tag == "tag:yaml.org,2002:str":
            return value
        if tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
            return _number(value) if _number(value) is not None else value
        if tag == "tag:yaml.org,2002:bool":
            return value.lower() == "true"
        if tag == "tag:yaml.org,2002:null":
            return None
        raise _Refused("Y004", f"tag '{tag}' is not allowed in mitrainer files", _pos(event.start_mark),
                       "remove the tag; plain text, numbers, lists and mappings are all you need")
    if event.style or not event.implicit[0]:
        return value  # quoted or block scalar: always text
    lowered = value.lower()
    if value in ("", "~") or lowered == "null":
        return None
    if lowered in ("true", "false"):
        return lowered == "true"
    number = _number(value)
    return value if number is None else number


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


def _hashable(key: Any) -> bool:
    return isinstance(key, (str, int, float, bool)) or key is None


class _Composer:
    """Builds Python values from parser events iteratively (no recursion limit to hit)."""

    def __init__(self, text: str):
        self.parser = _Parser(text)
        self.positions = PositionMap()
        self.anchors: dict[str, tuple[Any, list]] = {}
        self.nodes = 0
        self.alias_expansion = 0

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
            raise _Refused("Y005", "the file holds more than one YAML document", _pos(event.start_mark),
                           "remove the '---' separator; one file, one scenario or rubric")
        return value

    def _count(self, event) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _Refused("Y003", "the document is too large", _pos(event.start_mark))

    def _compose_document(self) -> Any:
        parser = self.parser
        # Each frame: [container, path, pending_key, anchor_events, kind]
        stack: list[list] = []
        root: Any = None
        root_set = False

        def attach(value: Any, path: PathKey, start: Position) -> bool:
            nonlocal root, root_set
            if not stack:
                root, root_set = value, True
                self.positions.values[()] = start
                return True
            frame = stack[-1]
            container = frame[0]
            if isinstance(container, list):
                child = frame[1] + (len(container),)
                container.append(value)
                self.positions.values.setdefault(child, start)
                return True
            if frame[2] is _NO_KEY:
                if not _hashable(value):
                    raise _Refused("Y006", "a mapping key must be plain text", start)
                frame[2] = (value, start)
                return True
            key, key_pos = frame[2]
            frame[2] = _NO_KEY
            skey = str(key) if not isinstance(key, (str, int)) else key
            child = frame[1] + (skey,)
            if skey in container:
                raise _Refused("Y007", f"duplicate key '{skey}' in the same mapping", key_pos,
                               "each key may appear once; merge the two entries")
            container[skey] = value
            self.positions.keys.setdefault(child, key_pos)
            self.positions.values.setdefault(child, start)
            return True

        def child_path() -> PathKey:
            if not stack:
                return ()
            frame = stack[-1]
            if isinstance(frame[0], list):
                return frame[1] + (len(frame[0]),)
            if frame[2] is _NO_KEY:
                return frame[1]
            key = frame[2][0]
            return frame[1] + ((str(key) if not isinstance(key, (str, int)) else key),)

        while True:
            event = parser.get_event()
            if isinstance(event, yaml.ScalarEvent):
                self._count(event)
                value = _resolve_scalar(event)
                if event.anchor:
                    self.anchors[event.anchor] = (value, 1)
                attach(value, child_path(), _pos(event.start_mark))
            elif isinstance(event, yaml.AliasEvent):
                if event.anchor not in self.anchors:
                    raise _Refused("Y008", f"alias '*{event.anchor}' refers to no anchor", _pos(event.start_mark))
                value, size = self.anchors[event.anchor]
                self.alias_expansion += size
                if self.alias_expansion > MAX_ALIAS_EXPANSION:
                    raise _Refused("Y003", "aliases expand the document beyond what mitrainer accepts "
                                   "(an alias bomb?)", _pos(event.start_mark),
                                   "write the repeated parts out, or use fewer nested aliases")
                attach(value, child_path(), _pos(event.start_mark))
            elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                self._count(event)
                if event.tag not in (None, "!", "?", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"):
                    raise _Refused("Y004", f"tag '{event.tag}' is not allowed in mitrainer files",
                                   _pos(event.start_mark))
                if len(stack) >= MAX_DEPTH:
                    raise _Refused("Y002", f"the document is nested more than {MAX_DEPTH} levels deep",
                                   _pos(event.start_mark))
                container: Any = [] if isinstance(event, yaml.SequenceStartEvent) else {}
                path = child_path()
                start = _pos(event.start_mark)
                if stack and isinstance(stack[-1][0], dict) and stack[-1][2] is _NO_KEY:
                    raise _Refused("Y006", "a mapping key must be plain text", start)
                attach(container, path, start)
                stack.append([container, path, _NO_KEY, event.anchor, self.nodes + self.alias_expansion])
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                frame = stack.pop()
                if frame[3]:
                    # The size counts what aliases inside it expand to, so nested aliases
                    # (billion laughs) add up to the budget rather than counting as one node.
                    size = self.nodes + self.alias_expansion - frame[4] + 1
                    self.anchors[frame[3]] = (frame[0], size)
                if not stack:
                    return root
            else:  # pragma: no cover - the parser yields nothing else inside a document
                raise _Refused("Y001", "unexpected YAML structure", _pos(event.start_mark))
            if not stack and root_set:
                return root


_NO_KEY = object()


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
