"""Typed settings, defined once: where this run keeps its data, and the trainee's preferences.

* :class:`Settings` — this run's choices, from the command line and the environment: the
  session database (``--db``, ``$MITRAINER_DB``, else the data folder's), the data folder
  (``$MITRAINER_DATA_DIR``, else the platform's), extra scenario folders (``--scenarios``)
  and the interface language asked for (``--lang``, ``$MITRAINER_LANG``). Built once per
  command (:meth:`Settings.load`) and handed to whatever needs it, so every command honours
  ``--db`` the same way.
* :class:`Preferences` — what the trainee chose and the session database keeps (name,
  language, realistic mode, guided by default, theme), typed: a switch is a ``bool``, a name
  is text or not given at all.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from mitrainer.i18n import normalise_language
from mitrainer.paths import ENV_DB, data_dir

ENV_LANG = "MITRAINER_LANG"
DB_FILENAME = "sessions.db"


@dataclass(frozen=True)
class Settings:
    """This run's settings (see the module docstring for where each comes from)."""

    db_path: Path
    data_dir: Path
    scenario_folders: tuple[Path, ...] = ()
    language: str | None = None  # asked for on the command line or in the environment (a catalog's code)
    served: bool = False  # the trainer runs in a browser (``mitrainer serve``): exports stay in the exports folder

    @classmethod
    def load(cls, *, db: str | os.PathLike | None = None, scenarios: Sequence[str | os.PathLike] = (),
             lang: str | None = None, served: bool = False, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings for this run: the command line's options first, then the environment."""
        env = os.environ if environ is None else environ
        folder = data_dir(env)
        chosen = db or env.get(ENV_DB)
        # The first language asked for that has a catalog ("fr" on the command line falls through).
        language = next(filter(None, (normalise_language(c) for c in (lang, env.get(ENV_LANG)))), None)
        return cls(db_path=Path(chosen).expanduser() if chosen else folder / DB_FILENAME, data_dir=folder,
                   scenario_folders=tuple(Path(p) for p in scenarios), language=language, served=served)

    @classmethod
    def from_args(cls, args: Any) -> Settings:
        """The settings of a parsed ``mitrainer`` command line (its global options)."""
        return cls.load(db=getattr(args, "db", None), scenarios=getattr(args, "scenarios", None) or (),
                        lang=getattr(args, "lang", None), served=bool(getattr(args, "served", False)))


@dataclass(frozen=True)
class Preferences:
    """What the trainee chose, as the session database keeps it.

    ``trainee_name`` is None until the trainee was asked (an empty name is an answer: leave
    the name out); ``language`` is "" until one was chosen in the trainer. Plain typed
    fields rather than a pydantic model: the trainer reads them before its first paint.
    """

    trainee_name: str | None = None
    language: str = ""
    realistic_mode: bool = False  # hide the client's state meters
    guided_default: bool = False  # start sessions in guided mode
    theme: str = ""

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> Preferences:
        """Preferences from stored JSON values: unknown keys are ignored, and a value of the
        wrong type counts as never chosen (its default), so a damaged row never stops the trainer."""
        return cls(**{name: values[name] for name, kinds in _TYPES.items()
                      if name in values and type(values[name]) in kinds})

    def changed(self, **changes: Any) -> Preferences:
        """These preferences with ``changes``; a name or a type that is not a preference is a ``ValueError``."""
        for name, value in changes.items():
            if name not in _TYPES:
                raise ValueError(f"no preference '{name}'")
            if type(value) not in _TYPES[name]:
                raise ValueError(f"preference '{name}' cannot be {value!r}")
        return replace(self, **changes)

    def to_values(self) -> dict[str, object]:
        """Every preference as a JSON value."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


# The types each preference may hold (exact types: True is not a name, 1 is not a switch).
_TYPES: dict[str, tuple[type, ...]] = {"trainee_name": (str, type(None)), "language": (str,),
                                       "realistic_mode": (bool,), "guided_default": (bool,), "theme": (str,)}
assert set(_TYPES) == {f.name for f in fields(Preferences)}, "every preference needs its types"
