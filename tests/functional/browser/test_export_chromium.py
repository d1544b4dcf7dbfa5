"""The HTML reflection log in a real headless browser (runs only where Chromium is installed).

Prints to PDF (one page break per section at least) and screenshots at phone width.
See docs/export.md for the manual check with benchmarks/check_html_chromium.sh.
"""

from __future__ import annotations

import re
import struct
import subprocess

from mitrainer.export import export_session
from tests.chromium import chromium_command, needs_chromium
from tests.sessions import long_responses, play

pytestmark = needs_chromium


def chromium(tmp_path, *args: str) -> None:
    subprocess.run(chromium_command(tmp_path / "profile", *args), check=True, capture_output=True, timeout=90)


def test_pdf_and_phone_screenshot(scenario, tmp_path, data_dir):
    record = play(scenario, long_responses(12), reflections={"went_well": "<script>alert(1)</script>"})
    page = export_session(record, "html", tmp_path / "log.html", trainee="Mai", scenario=scenario)
    pdf = tmp_path / "log.pdf"
    chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
    assert pages >= 6, f"expected a page per section, got {pages}"
    png = tmp_path / "phone.png"
    chromium(tmp_path, f"--screenshot={png}", "--window-size=390,844", page.as_uri())
    header = png.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    assert (width, height) == (390, 844)
