"""Portable session bundles: one JSON file that carries a session off this machine.

A bundle holds the session record, the trainee's name (optional), the scenario it was
played on (id, title, version, content hash), the bundle's schema version, the app
version, and a checksum: ``sha256`` over the canonical JSON (sorted keys, no spaces, UTF-8)
of every field but the checksum itself. Reading a bundle checks all of it; importing
checks the scenario against the library and writes every bundle in one transaction.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from mitrainer import __version__
from mitrainer.export.library import ScenarioIndex
from mitrainer.record.model import SessionRecord
from mitrainer.record.read import RecordError, parse_record, read_json_file
from mitrainer.scenario.model import Scenario
from mitrainer.text import MAX_RESPONSE_CHARS, clean_name, clean_tree

BUNDLE_FORMAT = "mitrainer-session-bundle"
BUNDLE_SCHEMA_VERSION = 1
BUNDLE_SUFFIX = ".bundle.json"


class BundleError(RecordError):
    """A bundle cannot be read or imported; the message says which file and why."""


@dataclass(frozen=True)
class Bundle:
    """A checked bundle."""

    record: SessionRecord
    trainee: str
    scenario: dict
    exported_at: str
    app_version: str
    schema_version: int
    checksum: str
    path: Path | None = None

    @property
    def session_id(self) -> str:
        return self.record.session_id

    @property
    def name(self) -> str:
        """How the group sees this member: their name, else the file's name."""
        if self.trainee:
            return self.trainee
        if self.path is not None:  # a file name can hold terminal control codes like any content
            return clean_name(self.path.name.removesuffix(BUNDLE_SUFFIX).removesuffix(".json")) or self.session_id[:8]
        return self.session_id[:8]


def canonical_json(data: object) -> bytes:
    """The one byte string a JSON value has for checksums: sorted keys, no spaces, UTF-8."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def checksum_of(document: dict) -> str:
    """``sha256:<hex>`` over the canonical JSON of ``document`` without its ``checksum`` field."""
    payload = {key: value for key, value in document.items() if key != "checksum"}
    return "sha256:" + hashlib.sha256(canonical_json(payload)).hexdigest()


def make_bundle(record: SessionRecord, *, trainee: str = "", exported_at: str | None = None) -> dict:
    """The bundle document for a session record."""
    scenario = record.scenario.model_dump(mode="json")
    document = {
        "format": BUNDLE_FORMAT,
        "schema_version": BUNDLE_SCHEMA_VERSION,
        "app_version": __version__,
        "exported_at": exported_at or datetime.now(UTC).isoformat(timespec="seconds"),
        "trainee": trainee,
        "scenario": {key: scenario.get(key, "") for key in ("id", "title", "version", "content_hash")},
        "record": record.to_json(),
    }
    document["checksum"] = checksum_of(document)
    return document


def bundle_text(document: dict) -> str:
    """A bundle as it is written to a file (indented for people; the checksum ignores layout)."""
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def looks_like_bundle(document: object) -> bool:
    return isinstance(document, dict) and document.get("format") == BUNDLE_FORMAT


def parse_bundle(document: object, where: str, path: Path | None = None) -> Bundle:
    """Check a bundle document: format, schema version, checksum, record; :class:`BundleError` if any fails."""
    if not isinstance(document, dict):
        raise BundleError(f"{where}: not a mitrainer session bundle (expected a JSON object)")
    if document.get("format") != BUNDLE_FORMAT:
        if "turns" in document and "session_id" in document:
            raise BundleError(f"{where}: this is a session record, not a bundle; make one with "
                              f"'mitrainer export {where} --format bundle'")
        raise BundleError(f"{where}: not a mitrainer session bundle")
    version = document.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise BundleError(f"{where}: the bundle has no schema version")
    if version > BUNDLE_SCHEMA_VERSION:
        raise BundleError(f"{where}: bundle schema version {version} comes from a newer mitrainer "
                          f"(app {document.get('app_version', '?')}); this one reads version {BUNDLE_SCHEMA_VERSION}. "
                          f"Update mitrainer to import it")
    if version != BUNDLE_SCHEMA_VERSION:
        raise BundleError(f"{where}: unknown bundle schema version {version}")
    stated = document.get("checksum")
    if not isinstance(stated, str) or not stated:
        raise BundleError(f"{where}: the bundle has no checksum")
    try:
        actual = checksum_of(document)
    except (TypeError, ValueError) as exc:
        raise BundleError(f"{where}: the bundle holds values JSON cannot carry ({exc})") from None
    if actual != stated:
        raise BundleError(f"{where}: checksum mismatch: the file was changed or damaged after it was exported "
                          f"(ask for it to be exported again)")
    try:
        record = parse_record(document.get("record"), where)
    except RecordError as exc:
        raise BundleError(str(exc)) from None
    # Cleaned after the checksum (which covers the bytes as exported): a bundle comes from
    # another machine, and no control code of its trainee or scenario reaches a terminal.
    scenario = clean_tree(document.get("scenario"))
    if not isinstance(scenario, dict) or (scenario.get("id"), scenario.get("content_hash")) != (
            record.scenario.id, record.scenario.content_hash):
        raise BundleError(f"{where}: the bundle's scenario does not match its session record")
    trainee = document.get("trainee", "")
    return Bundle(record=record, trainee=clean_name(trainee) if isinstance(trainee, str) else "", scenario=scenario,
                  exported_at=str(document.get("exported_at", "")), app_version=str(document.get("app_version", "")),
                  schema_version=version, checksum=stated, path=path)


def read_bundle(path: Path | str) -> Bundle:
    """Read and check the bundle in ``path``."""
    path = Path(path)
    try:
        document = read_json_file(path)
    except RecordError as exc:
        raise BundleError(str(exc)) from None
    return parse_bundle(document, str(path), path)


def read_bundles(paths: Iterable[Path | str]) -> tuple[list[Bundle], list[str]]:
    """Every bundle that reads, and one problem line for each that does not."""
    bundles, problems = [], []
    for path in paths:
        try:
            bundles.append(read_bundle(path))
        except BundleError as exc:
            problems.append(str(exc))
    return bundles, problems


# -- importing -----------------------------------------------------------------------------

@dataclass
class ImportPlan:
    """What an import would do: sessions to write, sessions already there, and problems."""

    to_write: list[tuple[Bundle, Scenario]] = field(default_factory=list)
    already_there: list[Bundle] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def plan_import(bundles: Sequence[Bundle], store, scenarios: ScenarioIndex, *, replace: bool = False) -> ImportPlan:
    """Check bundles against the library and the store without writing anything.

    A bundle whose scenario (id and content hash) is not in the library is a problem: the
    session could not be replayed, scored or reviewed here. A session already in the
    store with the same record is skipped. A different record with the id of a session
    played on this machine is always a problem (ids are data: a forged bundle can carry
    any); one with the id of an earlier import is a problem unless ``replace``.
    """
    plan = ImportPlan()
    seen: dict[str, Bundle] = {}
    for bundle in bundles:
        where = str(bundle.path or bundle.session_id)
        scenario = scenarios.find(bundle.record.scenario)
        if scenario is None:
            plan.problems.append(f"{where}: {scenarios.why_missing(bundle.record.scenario)}")
            continue
        too_long = next((t.index for t in bundle.record.turns if len(t.response) > MAX_RESPONSE_CHARS), None)
        if too_long is not None:  # a 20 MB response made resuming take 35 s and 1.5 GB
            plan.problems.append(f"{where}: turn {too_long + 1}'s response is longer than {MAX_RESPONSE_CHARS:,} "
                                 "characters, more than the trainer takes")
            continue
        earlier = seen.get(bundle.session_id)
        if earlier is not None:
            if earlier.record != bundle.record:
                plan.problems.append(f"{where}: session {bundle.session_id[:8]} is also in {earlier.path}, "
                                     f"with different contents")
            continue
        seen[bundle.session_id] = bundle
        stored = store.load_record(bundle.session_id)
        if stored is not None and stored == bundle.record:
            plan.already_there.append(bundle)
            continue
        if stored is not None and not store.was_imported(bundle.session_id):
            plan.problems.append(f"{where}: session {bundle.session_id[:8]} was played on this machine; an "
                                 f"import never replaces it (a bundle can carry any session id)")
            continue
        if stored is not None and not replace:
            plan.problems.append(f"{where}: session {bundle.session_id[:8]} was imported earlier with different "
                                 f"contents (use --replace to replace that import)")
            continue
        plan.to_write.append((bundle, scenario))
    return plan


def stored_score(record: SessionRecord, scenario: Scenario) -> float | None:
    """The score the session list shows for a record (the rubric's overall score)."""
    from mitrainer.export.view import score_record

    return score_record(record, scenario).listed_overall


def import_bundles(paths: Sequence[Path | str], store, scenarios: ScenarioIndex, *,
                   replace: bool = False) -> ImportPlan:
    """Import bundle files into ``store``: all of them in one transaction, or none.

    Raises :class:`BundleError` listing every problem (unreadable file, checksum mismatch,
    unknown schema, missing scenario, conflicting session) before anything is written.
    """
    bundles, problems = read_bundles(paths)
    plan = plan_import(bundles, store, scenarios, replace=replace)
    plan.problems[:0] = problems
    if plan.problems:
        count = len(plan.problems)
        raise BundleError("nothing was imported; " + ("1 problem" if count == 1 else f"{count} problems")
                          + ":\n  " + "\n  ".join(plan.problems))
    if plan.to_write:
        store.import_sessions([(b.record, b.trainee or b.name, stored_score(b.record, s)) for b, s in plan.to_write])
    return plan
