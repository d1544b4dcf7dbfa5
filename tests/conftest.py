"""Suite-wide rules: under ``CI=true`` a browser test that skips is a failure.

The browser tests (marked ``browser``, see tests/chromium.py) skip on a machine without
Chromium or without the serve extra; CI installs both (.ci/run), so a skip there means the
checks silently stopped running.
"""

from __future__ import annotations

import os

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and item.get_closest_marker("browser") and os.environ.get("CI") == "true":
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"browser test skipped under CI=true ({reason}); CI must run the browser checks"
