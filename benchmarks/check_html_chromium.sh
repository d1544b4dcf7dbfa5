#!/usr/bin/env bash
# The documented Chromium check of the HTML reports (docs/export.md).
#
# Renders a reflection log, a portfolio and a group report from the test fixture, then
# asks headless Chromium for phone-sized and desktop screenshots and a PDF of each.
# LOOK at the PNGs (phone: 390x844) and the PDFs; the script also fails if Chromium
# cannot render them or a PDF has fewer pages than the log has sections.
#
# Usage: benchmarks/check_html_chromium.sh [OUT_DIR]      (default: a new temporary folder)
# Needs: chromium (Debian: apt-get install -y chromium); pdfinfo (poppler-utils) is optional.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-$(mktemp -d)}"
mkdir -p "$out"
browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
if [ -z "$browser" ]; then
  echo "chromium is not installed (Debian: apt-get update && apt-get install -y chromium)" >&2
  exit 2
fi
python="${PYTHON:-python3}"
PYTHONPATH=. MITRAINER_DATA_DIR="$out/data" "$python" - "$out" <<'PY'
import sys
from pathlib import Path

from mitrainer.export import export_session
from mitrainer.export.bundles import make_bundle, parse_bundle
from mitrainer.export.group import group_report
from mitrainer.export.library import ScenarioIndex
from mitrainer.export.portfolio import build_portfolio
from mitrainer.export.render import render_template
from mitrainer.store.files import write_private_text
from tests.export.conftest import REFLECTIONS, STANDARD_RESPONSES, load_fixture_scenario, long_responses, play

out = Path(sys.argv[1])
scenario = load_fixture_scenario()
index = ScenarioIndex.of([scenario])
log = play(scenario, long_responses(14), reflections=REFLECTIONS)
export_session(log, "html", out / "session.html", trainee="Mai <script>alert(1)</script>", scenario=scenario,
               force=True)
from datetime import UTC, datetime
records = [play(scenario, STANDARD_RESPONSES[: n + 2], start=datetime(2026, 3, n + 1, tzinfo=UTC),
                session_id=f"{n:032x}", reflections={"went_well": f"Session {n + 1}"}) for n in range(4)]
write_private_text(out / "portfolio.html",
                   render_template("html", "portfolio.html.j2", {"p": build_portfolio(records, index, "Mai")}))
bundles = [parse_bundle(make_bundle(r, trainee=name), name) for r, name in zip(records, ["An", "Bao", "Chi", "Dung"])]
write_private_text(out / "group.html", render_template("html", "group.html.j2",
                                                       {"g": group_report(bundles, index), "problems": []}))
PY
flags=(--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking
       --disable-component-update --disable-sync)
for name in session portfolio group; do
  page="file://$out/$name.html"
  profile="$(mktemp -d)"
  "$browser" "${flags[@]}" --user-data-dir="$profile" --screenshot="$out/$name-phone.png" --window-size=390,844 "$page" 2>/dev/null
  "$browser" "${flags[@]}" --user-data-dir="$profile" --screenshot="$out/$name-desktop.png" --window-size=1280,900 "$page" 2>/dev/null
  "$browser" "${flags[@]}" --user-data-dir="$profile" --no-pdf-header-footer --print-to-pdf="$out/$name.pdf" "$page" 2>/dev/null
  rm -rf "$profile"
  if command -v pdfinfo >/dev/null; then
    pages="$(pdfinfo "$out/$name.pdf" | awk '/^Pages:/ {print $2}')"
  else
    pages="$(grep -ac '/Type /Page$\|/Type /Page[^s]' "$out/$name.pdf" || true)"
  fi
  echo "$name: $out/$name-phone.png, $out/$name-desktop.png, $out/$name.pdf ($pages pages)"
  if [ "$name" = session ] && [ "${pages:-0}" -lt 6 ]; then
    echo "session.pdf has $pages pages; expected one or more per section (6)" >&2
    exit 1
  fi
done
echo "Now look at the PNGs and PDFs in $out."
