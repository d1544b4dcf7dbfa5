"""Under CI=true a skipped browser test fails the run (tests/conftest.py); elsewhere it stays a skip."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parents[2]  # tests/

SKIPPING_BROWSER_TEST = """
import pytest

@pytest.mark.browser
@pytest.mark.skipif(True, reason="Chromium is not installed")
def test_in_a_browser():
    pass

@pytest.mark.skipif(True, reason="an ordinary skip")
def test_not_in_a_browser():
    pass
"""


@pytest.mark.parametrize("ci, outcome, code", [("true", "1 skipped, 1 error", 1), ("", "2 skipped", 0)])
def test_a_browser_test_that_skips_fails_under_ci(tmp_path: Path, ci: str, outcome: str, code: int) -> None:
    (tmp_path / "conftest.py").write_text((HERE / "conftest.py").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "test_browser.py").write_text(SKIPPING_BROWSER_TEST, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers = browser: drives Chromium\n", encoding="utf-8")
    # the copied conftest imports tests.sessions: the repository root must be importable from tmp_path
    env = {**os.environ, "CI": ci, "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE.parent), os.environ.get("PYTHONPATH")]))}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
                            cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120)
    assert outcome in result.stdout and result.returncode == code, result.stdout
    if ci:
        assert "CI must run the browser checks" in result.stdout
