"""Reading conversation transcripts (CSV or JSONL) into typed rows with diagnostics.

A transcript is one utterance per row, in conversation order, with the columns (CSV
header or JSON keys):

* ``speaker``: ``counsellor`` or ``client`` (``therapist``, ``counselor``, ``patient``…
  are accepted, see :meth:`mitrainer.codes.Speaker.parse`);
* ``text``: what was said;
* ``codes`` (optional): human codes separated by ``;`` — skill codes for counsellor
  lines (``open_question;complex_reflection``), talk type and DARN-CAT subtype for
  client lines (``change;desire``, ``sustain``, ``neutral``);
* ``language`` (optional): the line's language, ``en``, ``vi`` or ``zh`` (tags such as
  ``zh-Hans`` or ``vi-VN`` are read by their base); empty or ``auto``: detected.

Problems never raise: :func:`read_transcript` returns the rows it could read and a list
of :class:`~mitrainer.errors.Diagnostic` with codes ``T001``… and line numbers.
"""

from __future__ import annotations

import csv
import io
import json
import stat
from dataclasses import dataclass
from pathlib import Path

from mitrainer.codes import SkillCode, Speaker, Subtype, TalkType
from mitrainer.coding.base import Utterance
from mitrainer.errors import Diagnostic, Position, Severity, did_you_mean
from mitrainer.i18n import base_language
from mitrainer.text import clean_text, find_control, wide_encoding

MAX_BYTES = 20_000_000
MAX_ROWS = 50_000
LONG_TEXT = 5_000
REQUIRED = ("speaker", "text")

# Diagnostic codes (documented in docs/coder.md).
T_UNREADABLE = "T001"
T_ENCODING = "T002"
T_MISSING_COLUMN = "T003"
T_UNKNOWN_SPEAKER = "T004"
T_EMPTY_TEXT = "T005"
T_BAD_JSON = "T006"
T_UNKNOWN_CODE = "T007"
T_TOO_LARGE = "T008"
T_LONG_TEXT = "T009"
T_NO_ROWS = "T010"
T_CONTROL = "T011"
T_UNKNOWN_LANGUAGE = "T012"
# The languages a row's ``language`` column may name (the coder's).
LANGUAGES = ("en", "vi", "zh")


@dataclass(frozen=True)
class TranscriptRow:
    """One utterance of a transcript, with the human codes given for it (if any)."""

    index: int  # 0-based position among the rows read
    line: int  # 1-based line in the file where the row starts
    speaker: Speaker
    text: str
    codes: tuple[SkillCode, ...] = ()  # human skill codes (counsellor lines)
    talk: TalkType | None = None  # human talk type (client lines)
    subtype: Subtype | None = None
    language: str | None = None  # "en", "vi" or "zh" when the row says; None: detected

    @property
    def utterance(self) -> Utterance:
        return Utterance(self.speaker, self.text)


@dataclass(frozen=True)
class Transcript:
    path: str
    rows: tuple[TranscriptRow, ...]
    diagnostics: tuple[Diagnostic, ...]

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)

    def context(self, index: int) -> tuple[Utterance, ...]:
        """The conversation before row ``index``."""
        return tuple(r.utterance for r in self.rows[:index])


class _Reader:
    def __init__(self, name: str):
        self.name = name
        self.diagnostics: list[Diagnostic] = []
        self.rows: list[TranscriptRow] = []
        self.truncated = False

    def diag(self, code: str, message: str, line: int = 0, *, error: bool = True, hint: str = "") -> None:
        self.diagnostics.append(Diagnostic(code, Severity.ERROR if error else Severity.WARNING, message,
                                           self.name, Position(line), hint))

    def add(self, line: int, record: dict) -> None:
        if len(self.rows) >= MAX_ROWS:
            if not self.truncated:
                self.diag(T_TOO_LARGE, f"more than {MAX_ROWS} utterances; the rest is ignored", line)
                self.truncated = True
            return
        raw_speaker = record.get("speaker")
        speaker = Speaker.parse(raw_speaker) if isinstance(raw_speaker, str) else None
        if speaker is None:
            shown = "empty" if raw_speaker in (None, "") else repr(str(raw_speaker)[:40])
            self.diag(T_UNKNOWN_SPEAKER, f"unknown speaker {shown}; the line is skipped", line,
                      hint="use counsellor or client")
            return
        text = record.get("text")
        if text is not None and not isinstance(text, str):  # JSONL: a number, a list … is not an utterance
            self.diag(T_BAD_JSON, f"'text' must be a string, not {_json_kind(text)}; the line is skipped", line)
            return
        text = text or ""
        if find_control(text) >= 0:
            text = clean_text(text)
            self.diag(T_CONTROL, "control characters removed from the text", line, error=False)
        if not text.strip():
            self.diag(T_EMPTY_TEXT, "empty text", line, error=False)
        elif len(text) > LONG_TEXT:
            self.diag(T_LONG_TEXT, f"text of {len(text)} characters; only its beginning is coded", line,
                      error=False)
        codes, talk, subtype = self._codes(record.get("codes"), speaker, line)
        language = self._language(record.get("language"), line)
        self.rows.append(TranscriptRow(len(self.rows), line, speaker, text, codes, talk, subtype, language))

    def _language(self, raw, line: int) -> str | None:
        if raw is None or not str(raw).strip() or str(raw).strip().lower() == "auto":
            return None
        base = base_language(str(raw))
        if base not in LANGUAGES:
            self.diag(T_UNKNOWN_LANGUAGE, f"unknown language {str(raw)[:20]!r}; the line's language is detected",
                      line, error=False, hint="use en, vi or zh (or leave it empty)")
            return None
        return base

    def _codes(self, raw, speaker: Speaker, line: int):
        codes: list[SkillCode] = []
        talk = subtype = None
        if raw is None:
            return (), None, None
        items = raw if isinstance(raw, list) else str(raw).replace(",", ";").split(";")
        for item in (str(i).strip() for i in items):
            if not item:
                continue
            key = item.lower().replace("-", "_").replace(" ", "_")
            if speaker is Speaker.COUNSELLOR:
                code = SkillCode.parse(item)
                if code is None:
                    self.diag(T_UNKNOWN_CODE, f"unknown skill code {item!r}", line, error=False,
                              hint=did_you_mean(key, [c.value for c in SkillCode]))
                elif code not in codes:
                    codes.append(code)
            elif key in TalkType._value2member_map_:
                talk = TalkType(key)
            elif key in Subtype._value2member_map_:
                subtype = Subtype(key)
            else:
                self.diag(T_UNKNOWN_CODE, f"unknown client code {item!r}", line, error=False,
                          hint=did_you_mean(key, [*TalkType._value2member_map_, *Subtype._value2member_map_]))
        return tuple(codes), talk, subtype

    # -- formats --------------------------------------------------------------------

    def read_csv(self, text: str) -> None:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        try:
            header = reader.fieldnames or []
        except csv.Error as exc:
            self.diag(T_UNREADABLE, f"not a readable CSV file: {exc}", 1)
            return
        names = {h.strip().lower(): h for h in header if h}
        missing = [c for c in REQUIRED if c not in names]
        if missing:
            self.diag(T_MISSING_COLUMN, f"missing column{'s' if len(missing) > 1 else ''} "
                      f"{', '.join(missing)} in the header", 1,
                      hint=f"the header has: {', '.join(names) or 'nothing'}")
            return
        line = 2
        try:
            for row in reader:
                record = {k: row.get(names[k]) for k in ("speaker", "text", "codes", "language") if k in names}
                self.add(line, record)
                line = reader.line_num + 1
        except csv.Error as exc:
            self.diag(T_UNREADABLE, f"CSV error: {exc}; reading stopped", reader.line_num)

    def read_jsonl(self, text: str) -> None:
        for n, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as exc:
                self.diag(T_BAD_JSON, f"not valid JSON: {exc.msg}", n)
                continue
            except (ValueError, RecursionError):  # a number of 5000 digits; [[[[… nested too deeply
                self.diag(T_BAD_JSON, "not valid JSON here (a number too long, or nested too deeply)", n)
                continue
            if not isinstance(obj, dict):
                self.diag(T_BAD_JSON, "each line must be a JSON object", n)
                continue
            missing = [c for c in REQUIRED if c not in obj]
            if missing:
                self.diag(T_MISSING_COLUMN, f"missing key{'s' if len(missing) > 1 else ''} {', '.join(missing)}", n)
                continue
            self.add(n, obj)


def _decode(data: bytes, reader: _Reader) -> str | None:
    wide = wide_encoding(data)
    if wide == "UTF-16" and data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if wide is not None:
        reader.diag(T_ENCODING, f"the file is {wide} text; mitrainer reads UTF-8", 1, hint="save the file as UTF-8")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        reader.diag(T_ENCODING, f"invalid UTF-8 at byte {exc.start}; bad bytes are replaced with \ufffd", line,
                    hint="save the file as UTF-8")
        return data.decode("utf-8-sig", errors="replace")


def _json_kind(value: object) -> str:
    return {bool: "true/false", int: "a number", float: "a number", list: "a list", dict: "an object"}.get(
        type(value), type(value).__name__)


def read_transcript(path: str | Path, fmt: str | None = None) -> Transcript:
    """Read a CSV or JSONL transcript; ``fmt`` ("csv"/"jsonl") overrides the file extension."""
    p = Path(path)
    reader = _Reader(str(path))
    try:
        info = p.stat()
        if p.is_dir():
            raise IsADirectoryError
        if not stat.S_ISREG(info.st_mode):  # reading a FIFO would wait for a writer forever
            reader.diag(T_UNREADABLE, "is not a regular file (a pipe, a device or a socket)")
            return Transcript(str(path), (), tuple(reader.diagnostics))
        size = info.st_size
        if size > MAX_BYTES:
            reader.diag(T_TOO_LARGE, f"file of {size / 1e6:.0f} MB is larger than {MAX_BYTES // 1_000_000} MB")
            return Transcript(str(path), (), tuple(reader.diagnostics))
        data = p.read_bytes()
    except IsADirectoryError:
        reader.diag(T_UNREADABLE, "is a directory, not a transcript file")
        return Transcript(str(path), (), tuple(reader.diagnostics))
    except OSError as exc:
        reader.diag(T_UNREADABLE, f"cannot read the file: {exc.strerror or exc}")
        return Transcript(str(path), (), tuple(reader.diagnostics))
    return parse_transcript(data, str(path), fmt or _format_of(p, data), reader)


def parse_transcript(data: bytes | str, name: str = "<input>", fmt: str = "csv",
                     _reader: _Reader | None = None) -> Transcript:
    """Parse transcript content already in memory (``fmt`` is "csv" or "jsonl")."""
    reader = _reader or _Reader(name)
    text = _decode(data, reader) if isinstance(data, bytes) else data
    if text is None:
        return Transcript(name, (), tuple(reader.diagnostics))
    if "\x00" in text:
        reader.diag(T_UNREADABLE, "the file contains NUL bytes; is it a binary file?",
                    text[: text.index("\x00")].count("\n") + 1)
        text = text.replace("\x00", "")
    if fmt == "jsonl":
        reader.read_jsonl(text)
    else:
        reader.read_csv(text)
    rows = reader.rows
    if not rows and not any(d.is_error for d in reader.diagnostics):
        reader.diag(T_NO_ROWS, "the transcript has no utterances")
    return Transcript(name, tuple(rows), tuple(reader.diagnostics))


def _format_of(path: Path, data: bytes) -> str:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix in (".csv", ".tsv"):
        return "csv"
    return "jsonl" if data.lstrip()[:1] == b"{" else "csv"
