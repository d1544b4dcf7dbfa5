"""What the commands that take sessions off the trainer share: the store, the session asked
for, the trainee's name, the language a report is worded in, and where output goes.

Every store opened here is closed by its caller's ``with`` block (``opened_store``); a session
asked for by id is found from the listing columns alone (``SessionStore.find_sessions``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mitrainer.export.library import ScenarioIndex
    from mitrainer.record.model import SessionRecord
    from mitrainer.store.db import SessionStore

# A session id given on the command line must be at least this long to be taken as a prefix.
MIN_PREFIX = 4


def output_arguments(p: argparse.ArgumentParser, help_text: str) -> None:
    """The -o / --force / --templates options every report command takes."""
    p.add_argument("-o", "--output", metavar="PATH", help=help_text)
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p.add_argument("--templates", type=Path, metavar="DIR",
                   help="look for report templates in DIR first, then the bundled ones (templates get plain data only)")


@contextmanager
def opened_store(args: argparse.Namespace, *, create: bool = True) -> Iterator[SessionStore | None]:
    """The session database of this run (``--db``, ``$MITRAINER_DB``, the data folder), closed on leaving.

    None when it does not exist and ``create`` is False (a command that only reads must not
    leave an empty database behind).
    """
    from mitrainer.store.db import SessionStore

    path = args.settings.db_path
    if not create and not path.is_file():
        yield None
        return
    with SessionStore(path) as store:
        yield store


def scenario_index(args: argparse.Namespace) -> ScenarioIndex:
    """The scenarios a record may have been played on: the bundled ones and ``--scenarios``."""
    from mitrainer.export.library import ScenarioIndex

    return ScenarioIndex(args.settings.scenario_folders)


def emit(text: str, output: str | None, default_name: str, force: bool) -> None:
    """Write ``text`` to standard output ('-'), a file, or ``default_name`` in a folder (cwd by default)."""
    from mitrainer.cli.output import console
    from mitrainer.export.output import output_path, write_output

    if output == "-":
        sys.stdout.write(text)
        return
    target = output_path(Path(output) if output else Path.cwd(), default_name, force=force)
    write_output(target, text)
    console(stderr=True).print(f"wrote {target}", markup=False)


def ask_name(store: SessionStore) -> str:
    """The trainee's name from the preferences; asked once on a terminal (an empty answer is kept too)."""
    from mitrainer.errors import StoreError

    saved = store.preferences().trainee_name
    if saved is not None or not sys.stdin.isatty():
        return saved or ""
    try:
        name = input("Your name for reflection logs (Enter to leave it out; asked once): ").strip()
    except EOFError:
        name = ""
    try:
        store.save_preferences(trainee_name=name)
    except StoreError as exc:  # the name is still used for this export
        print(f"mitrainer: note: the name could not be kept ({exc})", file=sys.stderr)
    return name


def use_interface_language(args: argparse.Namespace) -> str:
    """Set the interface language for a headless command and return it: the one asked for
    (``--lang``, ``$MITRAINER_LANG``), else the trainee's saved preference (read from this
    run's session database when there is one; none is created), else English."""
    from mitrainer.errors import StoreError
    from mitrainer.i18n import resolve_language, set_language

    asked = args.settings.language
    saved = None
    if asked is None:
        try:
            with opened_store(args, create=False) as store:
                saved = store.preferences().language if store is not None else None
        except StoreError:  # an unreadable database must not stop a report: it is worded in English then
            saved = None
    return set_language(resolve_language(asked, saved))


def report_language(args: argparse.Namespace, record: SessionRecord) -> str:
    """The language a report on one session is written in: ``--lang`` when given, else the
    session's own (its scenario's); ``$MITRAINER_LANG`` sets the interface, not a session's log."""
    from mitrainer.export.view import session_language
    from mitrainer.i18n import normalise_language

    return normalise_language(getattr(args, "lang", None)) or session_language(record)


@dataclass(frozen=True)
class FoundSession:
    """A session asked for on the command line: its record, and its trainee when known."""

    record: SessionRecord
    trainee: str | None  # None: not known (a record file), ask for the name
    stored: bool  # from this run's session database


def is_session_file(key: str) -> bool:
    """Whether a SESSION argument names a record or bundle file rather than a stored session."""
    return key != "latest" and (Path(key).suffix == ".json" or Path(key).is_file())


def find_session(key: str, store: SessionStore | None) -> FoundSession:
    """'latest', a record or bundle file, or a session id (or a unique prefix of at least 4 characters)."""
    from mitrainer.errors import InputError
    from mitrainer.export.bundles import looks_like_bundle, parse_bundle
    from mitrainer.record.read import parse_record, read_json_file

    if is_session_file(key):
        candidate = Path(key)
        document = read_json_file(candidate)
        if looks_like_bundle(document):
            bundle = parse_bundle(document, key, candidate)
            return FoundSession(bundle.record, bundle.trainee, False)  # someone else's session: their name
        return FoundSession(parse_record(document, key), None, False)
    if store is None:
        raise InputError(f"no session '{key}': there is no session database yet (play a scenario first, or give "
                         f"a session file)")
    if key == "latest":
        summary = store.latest()
        if summary is None:
            raise InputError("there are no sessions yet")
    else:
        matches = store.find_sessions(key) if len(key) >= MIN_PREFIX else []
        if not matches:
            raise InputError(f"no session '{key}' in {store.path} (and no such file)")
        if len(matches) > 1:
            raise InputError(f"'{key}' matches more than one session; give more of the id")
        summary = matches[0]
    record = store.load_record(summary.id)
    if record is None:
        raise InputError(f"session {summary.id} could not be read")
    return FoundSession(record, summary.trainee or None, True)
