"""What every trainer screen shares: translated key descriptions and access to the services."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Generic, TypeVar

from textual.binding import Binding, BindingsMap
from textual.screen import ModalScreen, Screen

from mitrainer.i18n import t

if TYPE_CHECKING:
    from mitrainer.tui.app import TrainerApp
    from mitrainer.tui.services import Services


def translate_bindings(bindings: BindingsMap) -> BindingsMap:
    """A copy of ``bindings`` whose descriptions (i18n keys like "key.hint") are translated.

    Binding descriptions are class attributes; translating them per instance lets the
    footer and the help screen follow the language chosen at run time.
    """
    translated = BindingsMap()
    for key, items in bindings.key_to_bindings.items():
        translated.key_to_bindings[key] = [
            replace(b, description=t(b.description)) if b.description.startswith("key.") else b for b in items
        ]
    return translated


class _Translated:
    # A mixin for Textual's Screen and ModalScreen: it uses their ``_bindings`` and ``app``,
    # which mypy cannot see on the mixin itself (hence the attr-defined ignores), and the app
    # is always the TrainerApp that carries the services (hence the return-value ignore).
    def _translate(self) -> None:
        self._bindings = translate_bindings(self._bindings)  # type: ignore[attr-defined]
        # The screen's own keys (those with an i18n description), for the help screen:
        # not the ones every Textual screen inherits (tab, copy …).
        own = {key.strip() for b in getattr(self, "BINDINGS", [])
               if isinstance(b, Binding) and b.description.startswith("key.") for key in b.key.split(",")}
        bindings = self._bindings.key_to_bindings  # type: ignore[attr-defined]
        self.help_bindings = [b for key, items in bindings.items() if key in own for b in items]

    @property
    def services(self) -> Services:
        return self.app.services  # type: ignore[attr-defined]

    @property
    def trainer(self) -> TrainerApp:
        return self.app  # type: ignore[return-value]

    def palette_commands(self) -> list[tuple[str, str, object]]:
        """(title, help, callback) for each action this screen offers in the command palette."""
        return []


class TrainerScreen(_Translated, Screen):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._translate()


ResultType = TypeVar("ResultType")


class TrainerModal(_Translated, ModalScreen[ResultType], Generic[ResultType]):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._translate()


__all__ = ["Binding", "TrainerModal", "TrainerScreen", "translate_bindings"]
