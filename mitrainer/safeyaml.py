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

import os
import re
import stat
from collections.abc import Iterator, KeysView
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mitrainer.cjk import CJK_CHARACTER, refold_block, refold_flow
from mitrainer.errors import Diagnostic, Position, Severity
from mitrainer.text import wide_encoding

try:  # libyaml's parser is much faster; the pure-Python one is the fallback.
    from yaml.cyaml import CParser as _Parser
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml.parser import Parser as _PyParser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    # The same name as the C parser on purpose (the one the loader uses, whichever is here),
    # which mypy reads as a redefinition.
    class _Parser(Reader, Scanner, _PyParser):  # type: ignore[no-redef]
        def __init__(self, stream):
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            _PyParser.__init__(self)

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 2_000_000
MAX_ALIAS_EXPANSION = 100_000
# Numbers in mitrainer files (docs/scenario-format.md, "Numbers"): integers that JSON and a
# float hold exactly, decimals of at most 15 digits before the point, nothing infinite. A
# 5 000-digit hex title or a default of 1e308 passed before and broke later commands.
MAX_INTEGER = 2**53 - 1
MAX_DECIMAL = 1e15

PathKey = tuple[str | int, ...]

# Line breaks as libyaml counts them (for the lines of folded text, see _Composer._cjk_joined).
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_INT = re.compile(r"^[-+]?[0-9]+$|^0o[0-7]+$|^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_SPECIAL_FLOAT = {".inf": float("inf"), "+.inf": float("inf"), "-.inf": float("-inf"), ".nan": float("nan")}


class PositionMap:
    """Where each value (and each mapping key) of a document starts in the file.

    While a document is composed, each position is only appended to a flat *trail* as two
    plain ints (see :func:`_index_trail`); the path index is built from it the first time a
    position is asked for. A clean file never pays for it, and no parser mark outlives its
    event (half a million of them kept the cycle collector busy after every big load). The
    trail holds the keys themselves, so positions stay right even if the parsed data is
    changed afterwards.
    """

    def __init__(self, trail: list[Any] | None = None):
        self._trail: list[Any] = trail if trail is not None else []
        self._index: tuple[dict[PathKey, int], dict[PathKey, int]] | None = None

    @property
    def keys(self) -> KeysView[PathKey]:
        """The paths whose value has a mapping key in the file."""
        return self._indexed()[1].keys()

    def items(self) -> Iterator[tuple[PathKey, Position]]:
        """Every value's path with its position, in document order."""
        trail = self._trail
        for path, at in self._indexed()[0].items():
            yield path, Position(trail[at] + 1, trail[at + 1] + 1)

    def of(self, path: PathKey, *, key: bool = False) -> Position:
        """Position of the value at ``path`` (or of its key), else of the nearest parent."""
        values, keys = self._indexed()
        at = keys.get(path) if key else None
        p = tuple(path)
        while at is None and p:
            at = values.get(p)
            p = p[:-1]
        if at is None:
            at = values.get(())
        if at is None:
            return Position(1, 1)
        return Position(self._trail[at] + 1, self._trail[at + 1] + 1)

    def _indexed(self) -> tuple[dict[PathKey, int], dict[PathKey, int]]:
        if self._index is None:
            self._index = _index_trail(self._trail)
        return self._index


# Trail tokens: a position is two ints, the parser mark's 0-based line and column. A value
# is its position; a collection's position is followed by _OPEN_MAP or _OPEN_SEQ, its items
# and _CLOSE; a mapping item is its key, the key's position, then the value. An alias is a
# position alone, like a scalar (what lies under it is placed at the alias).
_OPEN_MAP = object()
_OPEN_SEQ = object()
_CLOSE = object()


def _index_trail(trail: list[Any]) -> tuple[dict[PathKey, int], dict[PathKey, int]]:
    """Replay a composer's trail into path → trail offset of the position (values, keys).

    A trail cut short by a refused document yields the positions seen so far.
    """
    values: dict[PathKey, int] = {}
    keys: dict[PathKey, int] = {}
    open_: list[list[Any]] = []  # [path, is_mapping, items so far] of each open collection
    path: PathKey = ()
    i, end = 0, len(trail) - 1  # a position needs two tokens
    while i < end:
        values[path] = i
        i += 2
        if i <= end and (trail[i] is _OPEN_MAP or trail[i] is _OPEN_SEQ):
            open_.append([path, trail[i] is _OPEN_MAP, 0])
            i += 1
        while open_:  # find the path of the next value, closing finished collections
            if i > end:
                return values, keys
            parent, is_mapping, count = open_[-1]
            if trail[i] is _CLOSE:
                open_.pop()
                i += 1
                continue
            if is_mapping:
                if i + 2 > end:
                    return values, keys
                path = (*parent, trail[i])
                keys[path] = i + 1
                i += 3
            else:
                path = (*parent, count)
                open_[-1][2] = count + 1
            break
        else:
            break  # the root value is complete
    return values, keys


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


class _TooDeep(_Refused):
    """Nesting past :data:`MAX_DEPTH`: mitrainer's own limit, or the parser's, reported alike."""

    def __init__(self, mark: Any):
        super().__init__("Y002", f"the document is nested more than {MAX_DEPTH} levels deep", mark,
                         "flatten the structure")


class _TooBig(_Refused):
    """A number beyond :data:`MAX_INTEGER` / :data:`MAX_DECIMAL`, or infinite."""

    def __init__(self, value: str, mark: Any):
        shown = value if len(value) <= 24 else f"{value[:20]}… ({len(value)} characters)"
        super().__init__("Y016", f"the number {shown} is out of range: mitrainer numbers are whole numbers up to "
                         f"{MAX_INTEGER:,} or decimals up to {MAX_DECIMAL:,.0f}, positive or negative, and finite",
                         mark, "use a smaller number, or put it in quotes if it is meant as text")


def _flow_too_deep(text: str, mark: Any) -> Any | None:
    """Where flow nesting (``[`` and ``{``) first passes MAX_DEPTH before *mark*, if it does.

    libyaml scans a flow collection ahead of the events it hands out (a ``[`` may start a
    key), and since 6.0.4 it refuses nesting past its own limit while doing so: before the
    composer sees the 65th level. The text up to that point tells whether the refusal was
    about depth, whatever the parser's wording. Quoted text and comments do not count.
    """
    depth = 0
    quote = ""
    for line_no, line in enumerate(text.splitlines()[: mark.line + 1]):
        end = mark.column + 1 if line_no == mark.line else len(line)
        previous = " "
        column = 0
        while column < min(end, len(line)):
            char = line[column]
            if quote:
                if char == "\\" and quote == '"':
                    column += 1
                elif char == quote:
                    quote = ""
            elif char in "\"'" and previous in " \t[{,:":
                quote = char
            elif char == "#" and previous in " \t":
                break
            elif char in "[{":
                depth += 1
                if depth > MAX_DEPTH:
                    return yaml.Mark("", 0, line_no, column, None, None)
            elif char in "]}":
                depth -= 1
            previous = char
            column += 1
    return None


def _pos(mark: Any) -> Position:
    return Position(mark.line + 1, mark.column + 1) if mark is not None else Position()


def _resolve_tagged(event: yaml.ScalarEvent) -> Any:
    tag = event.tag
    value = event.value
    if tag == "tag:yaml.org,2002:str" or tag == "!":
        return value
    if tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
        number = _number(value, event.start_mark)
        return value if number is None else number
    if tag == "tag:yaml.org,2002:bool":
        return value.lower() == "true"
    if tag == "tag:yaml.org,2002:null":
        return None
    raise _Refused("Y004", f"tag '{tag}' is not allowed in mitrainer files", event.start_mark,
                   "remove the tag; plain text, numbers, lists and mappings are all you need")


_NUMBER_START = frozenset("0123456789+-.")
# Plain scalars resolve with the YAML 1.2 core schema (in the composer's loop): these words
# in any case ('null', 'NULL', 'nUlL', …), the empty scalar and '~' are not text; nor is a
# number (see _number); anything else is.


def _all_cases(word: str) -> list[str]:
    """Every way to write ``word`` in upper and lower case letters ('null', 'nulL', … 'NULL')."""
    return ["".join(c.upper() if n >> i & 1 else c for i, c in enumerate(word)) for n in range(2 ** len(word))]


_PLAIN_WORDS: dict[str, Any] = {"": None, "~": None, **dict.fromkeys(_all_cases("null")),
                                **dict.fromkeys(_all_cases("true"), True), **dict.fromkeys(_all_cases("false"), False)}


def number_in_range(value: int | float) -> bool:
    """Whether a number is within mitrainer's limits (:data:`MAX_INTEGER`, :data:`MAX_DECIMAL`, finite)."""
    if isinstance(value, int):
        return -MAX_INTEGER <= value <= MAX_INTEGER
    return -MAX_DECIMAL <= value <= MAX_DECIMAL  # False for infinities and NaN


def _number(value: str, mark: Any = None) -> int | float | None:
    """The number a plain scalar spells (None: it is text); one beyond the limits is refused (Y016)."""
    number: int | float | None
    if _INT.match(value):
        # Python refuses decimal integers of more than 4 300 digits (ValueError); hex has no limit.
        digits = len(value.lstrip("+-"))
        try:
            number = int(value, 0) if value[:2] in ("0o", "0x") else int(value) if digits <= 100 else None
        except ValueError:
            number = None
        if number is None:
            raise _TooBig(value, mark)
    elif _FLOAT.match(value) and any(ch.isdigit() for ch in value):
        number = float(value)
    elif value.lower() in _SPECIAL_FLOAT:
        number = _SPECIAL_FLOAT[value.lower()]
    else:
        return None
    if not number_in_range(number):
        raise _TooBig(value, mark)
    return number


def _plain_key(value: Any, mark: Any) -> str | int:
    """A mapping key from a scalar: text and integers as they are, other scalars as text."""
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return str(value)
    if isinstance(value, (str, int)):
        return value
    raise _Refused("Y006", "a mapping key must be plain text", mark)


_NO_KEY = object()
_COLLECTION_TAGS = (None, "!", "?", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map")


class _Composer:
    """Builds Python values from parser events iteratively (no recursion limit to hit).

    This loop runs once per YAML event of every file the app opens (half a million for a
    5 000-node scenario), so it is written for speed: the current collection lives in
    locals, the common cases are tested first, and positions are only appended to a trail
    (see :class:`PositionMap`).
    """

    def __init__(self, text: str):
        self.parser = _Parser(text)
        self.text = text
        self._lines: list[str] | None = None
        self.trail: list[Any] = []
        self.positions = PositionMap(self.trail)

    def _cjk_joined(self, event: yaml.ScalarEvent, value: str) -> str:
        """Text folded over several lines with its Chinese line breaks joined without the space
        YAML puts there ("她没跟 过去" → "她没跟过去"; see :mod:`mitrainer.cjk`). Positions do not
        change: they come from the parser's marks, not from the value."""
        if not CJK_CHARACTER.search(value):
            return value
        if self._lines is None:
            self._lines = _LINE_BREAK.split(self.text)  # the parser's line numbers
            if not self._lines[-1]:
                self._lines.pop()  # what follows the last line break is not a line
        start, end = event.start_mark, event.end_mark
        if event.style == ">":
            joined = refold_block(self._lines[start.line][start.column:], self._lines[start.line + 1:end.line + 1],
                                  value)
        else:
            source = self._lines[start.line:end.line + 1]
            source = [source[0][start.column:], *source[1:-1], source[-1][:end.column]]
            joined = refold_flow(source, event.style or "", value)
        return value if joined is None else joined

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
        note = self.trail.append
        anchors: dict[str, tuple[Any, int]] = {}
        # Each open collection pushes its parent's state, its own anchor and the weight so far.
        stack: list[tuple[Any, bool, str | None, int]] = []
        nodes = 0  # scalars and collections written in the file
        expanded = 0  # nodes that aliases stand for; nodes + expanded is the document's weight
        scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
        seq_start, map_start = yaml.SequenceStartEvent, yaml.MappingStartEvent
        plain_words, number_start, no_key = _PLAIN_WORDS, _NUMBER_START, _NO_KEY
        open_map, open_seq, close = _OPEN_MAP, _OPEN_SEQ, _CLOSE
        max_nodes = MAX_NODES
        # The document's value goes into a one-item holder list, so the root needs no
        # special case in the loop.
        holder: list[Any] = []
        container: Any = holder
        is_list = True
        key: Any = no_key
        key_mark: Any = None

        while True:
            event = get_event()
            kind = type(event)
            if kind is scalar_event:
                nodes += 1
                value = event.value
                tag = event.tag
                if tag is None:
                    if not event.style:  # plain: YAML 1.2 core schema
                        if value in plain_words:
                            value = plain_words[value]
                        elif value[0] in number_start:
                            number = _number(value, event.start_mark)
                            if number is not None:
                                value = number
                    # quoted or block scalar: always text
                elif tag != "!":
                    value = _resolve_tagged(event)
                if type(value) is str and " " in value and event.style != "|" \
                        and event.end_mark.line != event.start_mark.line:
                    value = self._cjk_joined(event, value)
                if event.anchor:
                    anchors[event.anchor] = (value, 1)
                if nodes > max_nodes:
                    raise _Refused("Y003", "the document is too large", event.start_mark)
            elif kind is map_start or kind is seq_start:
                mark = event.start_mark
                nodes += 1
                if nodes > max_nodes:
                    raise _Refused("Y003", "the document is too large", mark)
                if event.tag not in _COLLECTION_TAGS:
                    raise _Refused("Y004", f"tag '{event.tag}' is not allowed in mitrainer files", mark)
                if len(stack) >= MAX_DEPTH:
                    raise _TooDeep(mark)
                new: Any = {} if kind is map_start else []
                if is_list:
                    container.append(new)
                elif key is no_key:
                    raise _Refused("Y006", "a mapping key must be plain text", mark)
                else:
                    if key in container:
                        raise _Refused("Y007", f"duplicate key '{key}' in the same mapping", key_mark,
                                       "each key may appear once; merge the two entries")
                    container[key] = new
                note(mark.line)
                note(mark.column)
                note(open_map if kind is map_start else open_seq)
                stack.append((container, is_list, event.anchor, nodes + expanded))
                container = new
                is_list = kind is seq_start
                key = no_key
                continue
            elif kind is alias_event:
                if event.anchor not in anchors:
                    raise _Refused("Y008", f"alias '*{event.anchor}' refers to no anchor", event.start_mark)
                value, size = anchors[event.anchor]
                expanded += size
                if expanded > MAX_ALIAS_EXPANSION:
                    raise _Refused("Y003", "aliases expand the document beyond what mitrainer accepts "
                                   "(an alias bomb?)", event.start_mark,
                                   "write the repeated parts out, or use fewer nested aliases")
            else:  # SequenceEnd / MappingEnd
                note(close)
                parent, parent_is_list, anchor, weight_at_start = stack.pop()
                if anchor:
                    anchors[anchor] = (container, nodes + expanded - weight_at_start + 1)
                if parent is holder:
                    return container
                container = parent
                is_list = parent_is_list
                key = no_key
                continue

            # A scalar or an alias: place its value.
            mark = event.start_mark
            if is_list:
                note(mark.line)
                note(mark.column)
                container.append(value)
                if container is holder:
                    return value
            elif key is no_key:
                key = value if type(value) is str else _plain_key(value, mark)
                key_mark = mark
                note(key)
                note(mark.line)
                note(mark.column)
            else:
                if key in container:
                    raise _Refused("Y007", f"duplicate key '{key}' in the same mapping", key_mark,
                                   "each key may appear once; merge the two entries")
                container[key] = value
                note(mark.line)
                note(mark.column)
                key = no_key


def decode(raw: bytes, file: str) -> tuple[str | None, list[Diagnostic]]:
    """Decode file bytes as UTF-8 (a BOM is accepted; UTF-16 with a BOM too)."""
    wide = wide_encoding(raw)
    if wide == "UTF-16" and raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), []
        except UnicodeDecodeError:
            pass
    if wide is not None:  # UTF-32, or UTF-16 without a byte-order mark: say so, not "binary"
        return None, [Diagnostic("Y011", Severity.ERROR, f"the file is {wide} text; mitrainer reads UTF-8", file,
                                 Position(1, 1), "save it as UTF-8 in your editor")]
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
        deep_at = _flow_too_deep(text, mark) if mark is not None else None
        if deep_at is not None or "nesting depth" in (exc.problem or ""):
            code, message, position, hint = _TooDeep(deep_at or mark).diagnostic
            return YamlDocument(None, composer.positions, [Diagnostic(code, Severity.ERROR, message, file,
                                                                      position, hint)])
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
        code, message, _, hint = _TooDeep(None).diagnostic
        return YamlDocument(None, composer.positions, [Diagnostic(code, Severity.ERROR, message, file,
                                                                  Position(1, 1), hint)])
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
        # O_NONBLOCK: opening a FIFO (named pipe) would otherwise wait for a writer forever.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                return refuse("Y012", "this is not a regular file (a pipe, a device or a socket)",
                              "give the path of a .yaml file")
            if info.st_size > max_bytes:
                return refuse("Y013", f"the file is {info.st_size / 1e6:.1f} MB; mitrainer reads at most "
                              f"{max_bytes / 1e6:.0f} MB", "split it into several files")
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


# -- writing ---------------------------------------------------------------------------

class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper, with text always written so that this module reads it back as text."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Lists indented under their key, as people write them (PyYAML's default puts the
        # dashes level with the key).
        super().increase_indent(flow, False)


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        # A literal block keeps line breaks readable; the emitter quotes instead where it must.
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    # PyYAML quotes what YAML 1.1 would not read as text ('yes', '1.0'); YAML 1.2 reads a
    # few more plain words and numbers ('0o17', 'NULL') as other values: quote those too.
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=None if _plain_is_text(value) else "'")


def _plain_is_text(value: str) -> bool:
    """Whether :func:`load_text` reads ``value`` written plain as this same text."""
    if value in _PLAIN_WORDS:
        return False
    if value[:1] not in _NUMBER_START:
        return True
    try:
        return _number(value) is None
    except _TooBig:  # read as a number too large to use: quoted, it stays text
        return False


_WORD = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def _is_word(value: Any) -> bool:
    """A scalar that reads the same in a flow collection: a number, a bool, an identifier."""
    if isinstance(value, bool) or (isinstance(value, (int, float)) and value == value):
        return True
    return isinstance(value, str) and bool(_WORD.match(value)) and value not in _PLAIN_WORDS


def _represent_list(dumper: yaml.SafeDumper, value: list) -> yaml.SequenceNode:
    # Short lists of codes or numbers on one line ("skills: [persuade, confront]"), as authors write them.
    flow = bool(value) and all(_is_word(v) for v in value) and sum(len(str(v)) + 2 for v in value) <= 60
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


def _represent_dict(dumper: yaml.SafeDumper, value: dict) -> yaml.MappingNode:
    # Effects and small settings on one line ("add: {rapport: 1}").
    flow = (bool(value) and all(_is_word(k) and _is_word(v) and not isinstance(v, str) for k, v in value.items())
            and sum(len(str(k)) + len(str(v)) + 4 for k, v in value.items()) <= 60)
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=flow)


_Dumper.add_representer(str, _represent_text)
_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(dict, _represent_dict)


def dump_text(data: Any, header: str = "") -> str:
    """Plain values as block-style YAML that :func:`load_text` reads back to the same values.

    Keys keep their order, non-Latin text is written as it is (not escaped), and every
    string stays a string. ``header`` is put first as comment lines.
    """
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False,
                     width=100, indent=2)
    comments = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return comments + body
