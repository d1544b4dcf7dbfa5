"""The core runs without Textual: every module outside mitrainer.tui imports with Textual blocked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import mitrainer

PACKAGE = Path(mitrainer.__file__).resolve().parent

BLOCK_TEXTUAL = """
import importlib, sys

class BlockTextual:
    def find_spec(self, name, path=None, target=None):
        if name == "textual" or name.startswith("textual.") or name.startswith("textual_"):
            raise ImportError(f"the core imported {name}")
        return None

sys.meta_path.insert(0, BlockTextual())
failed = []
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed.append(f"{name}: {exc}")
print("\\n".join(failed))
sys.exit(1 if failed else 0)
"""


def core_modules() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if "tui" in parts or parts[-1] == "__main__":
            continue
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def test_core_modules_import_without_textual() -> None:
    modules = core_modules()
    assert "mitrainer.store.db" in modules and "mitrainer.i18n" in modules
    result = subprocess.run([sys.executable, "-c", BLOCK_TEXTUAL, *modules], capture_output=True, text=True,
                            cwd=PACKAGE.parent, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_blocker_does_block() -> None:
    result = subprocess.run([sys.executable, "-c", BLOCK_TEXTUAL, "mitrainer.tui.app"], capture_output=True,
                            text=True, cwd=PACKAGE.parent, timeout=120)
    assert result.returncode == 1 and "textual" in result.stdout
