"""Group review: people re-code a session's turns, and see how they agree with the machine
and with each other (Cohen's kappa, from :mod:`mitrainer.scoring.agreement`).

Human codes live in a review file next to the bundle (``alice.bundle.json`` →
``alice.bundle.review.json``), one set of codes per reviewer name, never inside the bundle:
the machine's codes and the bundle's checksum stay as they were. A session re-coded from the
trainer's own summary screen keeps its review in the data directory (``reviews/ID.review.json``).

Review file (``format: mitrainer-review``, ``schema_version: 1``)::

    {"format": "mitrainer-review", "schema_version": 1, "session_id": "…",
     "reviewers": {"Mai": {"updated_at": "…", "codes": {"0": ["complex_reflection"], "3": ["open_question"]}}}}

Turn keys are 0-based turn indexes; the first code of a list is the reviewer's primary code.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path

from mitrainer.codes import SkillCode
from mitrainer.record.model import SessionRecord
from mitrainer.record.read import RecordError, read_json_file
from mitrainer.scoring.agreement import AgreementReport, agreement_report
from mitrainer.scoring.rubric_load import get_rubric
from mitrainer.store.files import write_private_json
from mitrainer.text import clean_name

REVIEW_FORMAT = "mitrainer-review"
REVIEW_SCHEMA_VERSION = 1
MACHINE = "machine"
_PLAIN_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


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


@dataclass
class Review:
    """Every reviewer's codes for one session."""

    session_id: str
    codes: dict[str, dict[int, tuple[SkillCode, ...]]] = field(default_factory=dict)  # reviewer → turn → codes
    updated: dict[str, str] = field(default_factory=dict)

    def reviewers(self) -> list[str]:
        return sorted(self.codes)

    def set_codes(self, reviewer: str, turn: int, codes: Sequence[SkillCode]) -> None:
        """Record ``reviewer``'s codes for turn ``turn`` (0-based); no codes clears the turn."""
        reviewer = clean_name(reviewer)
        if not reviewer:
            raise ReviewError("a reviewer needs a name")
        mine = self.codes.setdefault(reviewer, {})
        unique = tuple(dict.fromkeys(codes))
        if unique:
            mine[turn] = unique
        else:
            mine.pop(turn, None)
        self.updated[reviewer] = datetime.now(UTC).isoformat(timespec="seconds")

    def merge(self, other: Review) -> None:
        """Add another file's reviewers (a reviewer in both keeps the later set)."""
        for reviewer, codes in other.codes.items():
            if reviewer not in self.codes or other.updated.get(reviewer, "") >= self.updated.get(reviewer, ""):
                self.codes[reviewer] = dict(codes)
                self.updated[reviewer] = other.updated.get(reviewer, "")

    def to_json(self) -> dict:
        return {
            "format": REVIEW_FORMAT,
            "schema_version": REVIEW_SCHEMA_VERSION,
            "session_id": self.session_id,
            "reviewers": {
                name: {"updated_at": self.updated.get(name, ""),
                       "codes": {str(turn): [c.value for c in codes] for turn, codes in sorted(turns.items())}}
                for name, turns in sorted(self.codes.items())
            },
        }


def parse_review(document: object, where: str, record: SessionRecord) -> Review:
    """Check a review document against the session ``record`` it reviews."""
    if not isinstance(document, dict) or document.get("format") != REVIEW_FORMAT:
        raise ReviewError(f"{where}: not a mitrainer review file")
    version = document.get("schema_version")
    if version != REVIEW_SCHEMA_VERSION:
        raise ReviewError(f"{where}: unknown review schema version {version!r} (this mitrainer reads "
                          f"{REVIEW_SCHEMA_VERSION})")
    if document.get("session_id") != record.session_id:
        raise ReviewError(f"{where}: this review is of another session ({str(document.get('session_id'))[:8]})")
    reviewers = document.get("reviewers")
    if not isinstance(reviewers, dict):
        raise ReviewError(f"{where}: the review has no reviewers")
    turns = len(record.turns)
    review = Review(record.session_id)
    for name, entry in reviewers.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("codes"), dict):
            raise ReviewError(f"{where}: reviewer {name!r}: no codes")
        coded: dict[int, tuple[SkillCode, ...]] = {}
        for key, values in entry["codes"].items():
            if not (isinstance(key, str) and key.isdigit() and int(key) < turns):
                raise ReviewError(f"{where}: reviewer {name!r}: no turn {key!r} in this session ({turns} turns)")
            if not isinstance(values, list):
                raise ReviewError(f"{where}: reviewer {name!r}, turn {int(key) + 1}: codes must be a list")
            parsed = []
            for value in values:
                code = SkillCode.parse(str(value))
                if code is None:
                    raise ReviewError(f"{where}: reviewer {name!r}, turn {int(key) + 1}: unknown code {value!r}")
                parsed.append(code)
            if parsed:
                coded[int(key)] = tuple(dict.fromkeys(parsed))
        reviewer = clean_name(str(name))  # names are printed: cleaned like any content from a file
        if not reviewer:
            raise ReviewError(f"{where}: a reviewer has no name")
        review.codes[reviewer] = coded
        review.updated[reviewer] = clean_name(str(entry.get("updated_at", "")))
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


def save_review(path: Path, review: Review) -> None:
    """Write the review file (0600, atomically)."""
    write_private_json(path, review.to_json())


def parse_codes(text: str) -> tuple[SkillCode, ...]:
    """``"CR, OQ"`` or ``"complex_reflection;open_question"`` → codes (primary first)."""
    codes = []
    for part in text.replace(";", ",").replace("|", ",").split(","):
        if not part.strip():
            continue
        code = SkillCode.parse(part)
        if code is None:
            from mitrainer.errors import did_you_mean

            hint = did_you_mean(part.strip().lower(), [c.value for c in SkillCode])
            raise ReviewError(f"unknown code {part.strip()!r}" + (f"; {hint}" if hint else ""))
        codes.append(code)
    return tuple(codes)


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


def agreement(record: SessionRecord, review: Review, reviewers: Iterable[str] | None = None) -> AgreementSummary:
    """Kappa (overall on the primary code, and per code) for each reviewer against the machine
    and for each pair of reviewers, on the turns both sides coded."""
    names = sorted(reviewers) if reviewers is not None else review.reviewers()
    machine = machine_codings(record)
    people = {name: human_codings(review.codes.get(name, {})) for name in names}
    with_machine = [Pair(name, MACHINE, _compare(people[name], machine)) for name in names if people[name]]
    between = [Pair(a, b, _compare(people[a], people[b])) for a, b in combinations(names, 2)
               if set(people[a]) & set(people[b])]
    return AgreementSummary(len(record.turns), with_machine, between)
