"""Group review: people re-code a session's turns, and see how they agree with the machine
and with each other (Cohen's kappa, from :mod:`mitrainer.scoring.agreement`).

Human codes live in a review file next to the bundle (``alice.bundle.json`` →
``alice.bundle.review.json``), never inside the bundle: the machine's codes and the bundle's
checksum stay as they were. A session re-coded from the trainer's own summary screen keeps its
review in the data directory (``reviews/ID.review.json``).

A reviewer is a name plus an id made when the reviewer first codes in a file. Files are merged
(``--also``) by id, never by name: two Alices from two files are two reviewers, shown as
"Alice" and "Alice (Carol's file)"; the same reviewer with the same codes in two files (a copy
of one file) counts once; the same id with different codes is a clash, kept apart and said.

Review file (``format: mitrainer-review``, ``schema_version: 2``)::

    {"format": "mitrainer-review", "schema_version": 2, "session_id": "…", "created_by": "Carol",
     "reviewers": {"3f9c…": {"name": "Mai", "updated_at": "…",
                             "codes": {"0": ["complex_reflection"], "3": ["open_question"]},
                             "comments": {"3": "a question where a reflection would do"}}}}

Turn keys are 0-based turn indexes; the first code of a list is the reviewer's primary code.
Version 1 files (reviewers keyed by name, no ids) are read; each reviewer's id is then derived
from the session, the name and the time of the last change, so it is the same every time the
file is read, and the file is written as version 2 at its next change.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path

from mitrainer.codes import SkillCode, parse_code_list, valid_codes
from mitrainer.record.model import SessionRecord
from mitrainer.record.read import RecordError, read_json_file
from mitrainer.scoring.agreement import AgreementReport, agreement_report
from mitrainer.scoring.rubric_load import get_rubric
from mitrainer.store.files import write_private_json
from mitrainer.text import clean_name

REVIEW_FORMAT = "mitrainer-review"
REVIEW_SCHEMA_VERSION = 2
MACHINE = "machine"
_PLAIN_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_COMMENT_LIMIT = 2000  # characters: a remark for the discussion, not an essay


def coder_name(name: str, language: str | None = None) -> str:
    """A coder as a reader sees it: a reviewer's own name, or the machine named in ``language``
    (default: the interface's)."""
    from mitrainer.i18n import current_language, text_in

    return text_in(language or current_language(), "report.agreement.machine") if name == MACHINE else name

Coding = tuple[SkillCode | None, frozenset[SkillCode]]  # (primary, every code), what agreement compares


class ReviewError(RecordError):
    """A review file cannot be read or does not belong to the session."""


def review_path(session_path: Path) -> Path:
    """Where the review of the session in ``session_path`` is kept (``X.json`` → ``X.review.json``)."""
    name = session_path.name
    stem = name[:-5] if name.endswith(".json") else name
    return session_path.with_name(f"{stem}.review.json")


def stored_review_path(session_id: str, folder: Path) -> Path:
    """Where the trainer keeps the review of one of its own sessions: ``folder/ID.review.json``.

    An id that is not a plain name (an imported bundle may carry anything) is hashed, so
    it cannot point outside ``folder``.
    """
    if not _PLAIN_ID.fullmatch(session_id):
        session_id = hashlib.sha256(session_id.encode("utf-8", "replace")).hexdigest()[:32]
    return folder / f"{session_id}.review.json"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Reviewer:
    """One person's codes (and comments) on a session's turns."""

    id: str
    name: str
    codes: dict[int, tuple[SkillCode, ...]] = field(default_factory=dict)  # turn → codes, primary first
    comments: dict[int, str] = field(default_factory=dict)  # turn → a remark for the discussion
    updated: str = ""
    source: str = ""  # whose file it came from when merged in ("" for the file being edited)

    def same_work(self, other: Reviewer) -> bool:
        return self.codes == other.codes and self.comments == other.comments


@dataclass
class Review:
    """Every reviewer's codes for one session (one file, plus the files merged into it)."""

    session_id: str
    reviewers: list[Reviewer] = field(default_factory=list)
    created_by: str = ""  # the first reviewer of the file: how a clash names the file ("Carol's file")
    clashes: list[str] = field(default_factory=list)  # labels of reviewers a merge kept apart

    # -- one reviewer ----------------------------------------------------------------------------
    def reviewer(self, name: str) -> Reviewer | None:
        """This file's reviewer called ``name`` (case does not matter), if any."""
        wanted = clean_name(name).casefold()
        return next((r for r in self.reviewers if not r.source and r.name.casefold() == wanted), None)

    def _own(self, name: str) -> Reviewer:
        found = self.reviewer(name)
        if found is not None:
            return found
        cleaned = clean_name(name)
        if not cleaned:
            raise ReviewError("a reviewer needs a name")
        found = Reviewer(uuid.uuid4().hex[:16], cleaned)
        self.reviewers.append(found)
        if not self.created_by:
            self.created_by = cleaned
        return found

    def codes_of(self, name: str) -> dict[int, tuple[SkillCode, ...]]:
        """``name``'s codes in this file (none when the name has not coded)."""
        found = self.reviewer(name)
        return found.codes if found is not None else {}

    def set_codes(self, reviewer: str, turn: int, codes: Sequence[SkillCode]) -> None:
        """Record ``reviewer``'s codes for turn ``turn`` (0-based); no codes clears the turn.

        A name this file does not know yet becomes a new reviewer with a new id."""
        mine = self._own(reviewer)
        unique = tuple(dict.fromkeys(codes))
        if unique:
            mine.codes[turn] = unique
        else:
            mine.codes.pop(turn, None)
        mine.updated = _now()

    def set_comment(self, reviewer: str, turn: int, comment: str) -> None:
        """Record ``reviewer``'s comment on turn ``turn``; an empty comment removes it."""
        mine = self._own(reviewer)
        text = clean_name(comment)[:_COMMENT_LIMIT]
        if text:
            mine.comments[turn] = text
        else:
            mine.comments.pop(turn, None)
        mine.updated = _now()

    # -- several files ---------------------------------------------------------------------------
    def merge(self, other: Review, source: str) -> list[str]:
        """Add another file's reviewers, by id; ``source`` names that file ("Carol's file").

        The same reviewer with the same work already here counts once; anyone else is added,
        and a name or an id that is already here is kept apart under ``source``. Returns the
        labels of the reviewers kept apart that way (also kept in :attr:`clashes`).
        """
        kept_apart: list[str] = []
        for incoming in other.reviewers:
            same_id = [r for r in self.reviewers if r.id == incoming.id]
            if any(r.same_work(incoming) for r in same_id):
                continue
            added = Reviewer(incoming.id, incoming.name, dict(incoming.codes), dict(incoming.comments),
                             incoming.updated, incoming.source or source)
            clash = same_id or any(r.name.casefold() == incoming.name.casefold() for r in self.reviewers)
            self.reviewers.append(added)
            if clash:
                kept_apart.append(added.name)
        labels = self.labels()
        named = [labels[id(r)] for r in self.reviewers if r.source and r.name in kept_apart]
        self.clashes.extend(label for label in named if label not in self.clashes)
        return named

    def labels(self) -> dict[int, str]:
        """How each reviewer is shown (keyed by ``id()`` of the :class:`Reviewer`): the name, or
        "name (whose file)" where a name appears more than once; never two reviewers alike."""
        counts: dict[str, int] = {}
        for r in self.reviewers:
            counts[r.name.casefold()] = counts.get(r.name.casefold(), 0) + 1
        labels: dict[int, str] = {}
        taken = {MACHINE}
        for r in self.reviewers:
            label = r.name if counts[r.name.casefold()] == 1 and r.name != MACHINE else (
                f"{r.name} ({r.source})" if r.source else r.name)
            if label in taken:  # the same name twice in one file, or twice from files of the same name
                number = 2
                while f"{label} #{number}" in taken:
                    number += 1
                label = f"{label} #{number}"
            taken.add(label)
            labels[id(r)] = label
        return labels

    def labelled(self) -> list[tuple[str, Reviewer]]:
        """(label, reviewer) for everyone, in label order."""
        labels = self.labels()
        return sorted(((labels[id(r)], r) for r in self.reviewers), key=lambda pair: pair[0].casefold())

    def names(self) -> list[str]:
        """Every reviewer's label, in order."""
        return [label for label, _ in self.labelled()]

    def to_json(self) -> dict:
        """The file's content (its own reviewers only: merged ones stay in their files)."""
        return {
            "format": REVIEW_FORMAT,
            "schema_version": REVIEW_SCHEMA_VERSION,
            "session_id": self.session_id,
            "created_by": self.created_by,
            "reviewers": {
                r.id: {"name": r.name, "updated_at": r.updated,
                       "codes": {str(turn): [c.value for c in codes] for turn, codes in sorted(r.codes.items())},
                       "comments": {str(turn): text for turn, text in sorted(r.comments.items())}}
                for r in self.reviewers if not r.source
            },
        }


def file_label(review: Review, path: Path, language: str | None = None) -> str:
    """How reviewers merged from ``path`` are told apart: "Carol's file" (in ``language``, by
    default the interface's), else the file's name."""
    from mitrainer.i18n import current_language, text_in

    if not review.created_by:
        return path.name
    return text_in(language or current_language(), "review.file_of", owner=review.created_by)


def _turn_key(key: object, turns: int, where: str) -> int:
    if not (isinstance(key, str) and key.isdigit() and int(key) < turns):
        raise ReviewError(f"{where}: no turn {key!r} in this session ({turns} turns)")
    return int(key)


def _parse_reviewer(rid: str, name: object, entry: object, where: str, turns: int) -> Reviewer:
    if not isinstance(entry, dict) or not isinstance(entry.get("codes"), dict):
        raise ReviewError(f"{where}: reviewer {name!r}: no codes")
    reviewer_name = clean_name(str(name))  # names are printed: cleaned like any content from a file
    if not reviewer_name:
        raise ReviewError(f"{where}: a reviewer has no name")
    here = f"{where}: reviewer {reviewer_name!r}"
    coded: dict[int, tuple[SkillCode, ...]] = {}
    for key, values in entry["codes"].items():
        turn = _turn_key(key, turns, here)
        if not isinstance(values, list):
            raise ReviewError(f"{here}, turn {turn + 1}: codes must be a list")
        parsed = []
        for value in values:
            code = SkillCode.parse(str(value))
            if code is None:
                raise ReviewError(f"{here}, turn {turn + 1}: unknown code {value!r}")
            parsed.append(code)
        if parsed:
            coded[turn] = tuple(dict.fromkeys(parsed))
    comments: dict[int, str] = {}
    raw_comments = entry.get("comments", {})
    if not isinstance(raw_comments, dict):
        raise ReviewError(f"{here}: comments must be an object of turn → text")
    for key, text in raw_comments.items():
        turn = _turn_key(key, turns, here)
        cleaned = clean_name(str(text))[:_COMMENT_LIMIT]
        if cleaned:
            comments[turn] = cleaned
    return Reviewer(rid, reviewer_name, coded, comments, clean_name(str(entry.get("updated_at", ""))))


def _v1_id(session_id: str, name: str, updated: str) -> str:
    # Stable across reads: a copy of a version-1 file gives its reviewers the same ids.
    return hashlib.sha256(f"{session_id}\0{name}\0{updated}".encode()).hexdigest()[:16]


def parse_review(document: object, where: str, record: SessionRecord) -> Review:
    """Check a review document against the session ``record`` it reviews."""
    if not isinstance(document, dict) or document.get("format") != REVIEW_FORMAT:
        raise ReviewError(f"{where}: not a mitrainer review file")
    version = document.get("schema_version")
    if version not in (1, REVIEW_SCHEMA_VERSION):
        raise ReviewError(f"{where}: unknown review schema version {version!r} (this mitrainer reads "
                          f"1 and {REVIEW_SCHEMA_VERSION})")
    if document.get("session_id") != record.session_id:
        raise ReviewError(f"{where}: this review is of another session ({str(document.get('session_id'))[:8]})")
    reviewers = document.get("reviewers")
    if not isinstance(reviewers, dict):
        raise ReviewError(f"{where}: the review has no reviewers")
    turns = len(record.turns)
    review = Review(record.session_id, created_by=clean_name(str(document.get("created_by") or "")))
    for key, entry in reviewers.items():
        if version == 1:
            updated = clean_name(str(entry.get("updated_at", ""))) if isinstance(entry, dict) else ""
            parsed = _parse_reviewer(_v1_id(record.session_id, clean_name(str(key)), updated), key, entry, where,
                                     turns)
        else:
            if not (isinstance(key, str) and _PLAIN_ID.fullmatch(key)):
                raise ReviewError(f"{where}: reviewer id {str(key)[:40]!r} is not a plain id")
            parsed = _parse_reviewer(key, entry.get("name") if isinstance(entry, dict) else None, entry, where,
                                     turns)
        review.reviewers.append(parsed)
    return review


def load_review(path: Path, record: SessionRecord) -> Review:
    """The review in ``path``, or an empty one when the file does not exist yet."""
    if not path.exists():
        return Review(record.session_id)
    try:
        document = read_json_file(path)
    except RecordError as exc:
        raise ReviewError(str(exc)) from None
    return parse_review(document, str(path), record)


def load_reviews(path: Path, also: Iterable[Path], record: SessionRecord, language: str | None = None) -> Review:
    """The review in ``path`` with the reviewers of each ``also`` file merged in (by id; clashes
    kept apart, labelled in ``language``, and listed in :attr:`Review.clashes`)."""
    review = load_review(path, record)
    for extra in also:
        if not extra.is_file():
            raise ReviewError(f"{extra}: no such review file")
        other = load_review(extra, record)
        review.merge(other, file_label(other, extra, language))
    return review


def save_review(path: Path, review: Review) -> None:
    """Write the review file (0600, atomically)."""
    write_private_json(path, review.to_json())


def parse_codes(text: str, names: Mapping[str, SkillCode] | None = None) -> tuple[SkillCode, ...]:
    """``"CR, OQ"``, ``"per;sc"`` or ``"complex_reflection|Open question"`` → codes (primary first);
    anything else is refused with the list of valid codes."""
    codes, unknown = parse_code_list(text, names)
    if unknown:
        plural = "s" if len(unknown) > 1 else ""
        raise ReviewError(f"unknown code{plural} {', '.join(map(repr, unknown))}; the codes are {valid_codes()} "
                          "(abbreviation or name, any case)")
    return codes


# -- agreement -----------------------------------------------------------------------------

def machine_codings(record: SessionRecord, min_confidence: float | None = None) -> dict[int, Coding]:
    """The machine's (primary, codes) for every turn of a record, counted as the scores count
    them (:meth:`ResponseCoding.counted`): a code shown below ``min_confidence`` (default: the
    standard rubric's ``counting.min_confidence``) is not the machine's code here either."""
    if min_confidence is None:
        min_confidence = float(get_rubric().counting.min_confidence or 0.0)
    return {turn.index: (turn.coding.primary, frozenset(turn.coding.counted(min_confidence)))
            for turn in record.turns}


def human_codings(codes: dict[int, tuple[SkillCode, ...]]) -> dict[int, Coding]:
    return {turn: (values[0], frozenset(values)) for turn, values in codes.items() if values}


@dataclass(frozen=True)
class Pair:
    """Agreement between two coders on the turns both coded."""

    first: str
    second: str
    report: AgreementReport


@dataclass(frozen=True)
class AgreementSummary:
    """Human–machine agreement per reviewer and human–human agreement per pair of reviewers."""

    turns: int
    with_machine: list[Pair]
    between_people: list[Pair]

    @property
    def pairs(self) -> list[Pair]:
        return [*self.with_machine, *self.between_people]

    def codes(self) -> list[SkillCode]:
        """Every code some pair compared, in the vocabulary's order."""
        used = {code for pair in self.pairs for code in pair.report.per_code}
        return [code for code in SkillCode if code in used]

    def to_json(self) -> dict:
        return {
            "turns": self.turns,
            "pairs": [{"first": p.first, "second": p.second, **p.report.to_json()} for p in self.pairs],
        }


def _compare(a: dict[int, Coding], b: dict[int, Coding]) -> AgreementReport:
    shared = sorted(set(a) & set(b))
    return agreement_report([a[t] for t in shared], [b[t] for t in shared])


def agreement(record: SessionRecord, review: Review) -> AgreementSummary:
    """Kappa (overall on the primary code, and per code) for each reviewer against the machine
    and for each pair of reviewers, on the turns both sides coded; reviewers by their labels
    (:meth:`Review.labels`), so two people of one name stay two columns."""
    machine = machine_codings(record)
    people = {label: human_codings(r.codes) for label, r in review.labelled()}
    names = list(people)
    with_machine = [Pair(name, MACHINE, _compare(people[name], machine)) for name in names if people[name]]
    between = [Pair(a, b, _compare(people[a], people[b])) for a, b in combinations(names, 2)
               if set(people[a]) & set(people[b])]
    return AgreementSummary(len(record.turns), with_machine, between)


@dataclass(frozen=True)
class KappaTable:
    """The agreement as one table, the same in the trainer's panel and in ``review --agreement``:
    a row per pair of coders (turns both coded, share of the same primary code, kappa on the
    primary code), then kappa per code, a column per code used (headed by its chip)."""

    headers: list[str]
    rows: list[list[str]]
    codes: list[SkillCode]

    def min_widths(self, names: int = 28) -> list[int]:
        """Per column, the width its cells need (headers may wrap; the pair of names up to
        ``names``, wrapped beyond)."""
        widths = [max((len(row[i]) for row in self.rows), default=1) for i in range(len(self.headers))]
        return [min(widths[0], names), *widths[1:]]


def kappa_table(summary: AgreementSummary, language: str | None = None) -> KappaTable:
    """``summary`` as a :class:`KappaTable` worded in ``language`` (default: the interface's);
    "—" where kappa is undefined, "" where a pair did not use a code."""
    from mitrainer.codes import SKILLS
    from mitrainer.i18n import current_language, text_in

    language = language or current_language()

    def k(value: float | None) -> str:
        return "—" if value is None else f"{value:.2f}"

    codes = summary.codes()
    headers = [text_in(language, f"report.agreement.{key}") for key in ("coders", "turns", "same_primary",
                                                                      "kappa_primary")]
    headers += [SKILLS[code].chip for code in codes]
    rows = []
    for pair in summary.pairs:
        report = pair.report
        rows.append([f"{coder_name(pair.first, language)} – {coder_name(pair.second, language)}", str(report.utterances),
                     "—" if report.percent is None else f"{report.percent * 100:.0f}%", k(report.kappa),
                     *(k(report.per_code[code]) if code in report.per_code else "" for code in codes)])
    return KappaTable(headers, rows, codes)
