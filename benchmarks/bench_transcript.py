"""`mitrainer code-transcript` throughput on the shared AnnoMI transcripts (utterances per second).

Run: python benchmarks/bench_transcript.py [--transcripts 100]

Writes each AnnoMI transcript as a speaker/text CSV (in a temporary folder, never in the
project), then codes them through the same path as ``mitrainer code-transcript``: read the
file, code every line with its context. Baseline in the same run: the rule-based coder over
the same files. Needs ../shared/data/annomi (or $MITRAINER_ANNOMI); says so when absent.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._common import table  # noqa: E402
from mitrainer_training.dataset import annomi_path  # noqa: E402


def write_transcripts(source: Path, folder: Path, limit: int) -> list[Path]:
    rows: dict[str, list[tuple[str, str]]] = defaultdict(list)
    with source.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            rows[row["transcript_id"]].append((row["interlocutor"], row["utterance_text"]))
    paths = []
    for tid in sorted(rows, key=int)[:limit]:
        path = folder / f"t{tid}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["speaker", "text"])
            writer.writerows(rows[tid])
        paths.append(path)
    return paths


def code_all(paths: list[Path], coder) -> int:
    from mitrainer.codes import Speaker
    from mitrainer.transcripts import read_transcript

    count = 0
    for path in paths:
        transcript = read_transcript(path)
        for row in transcript.rows:
            context = transcript.context(row.index)
            if row.speaker is Speaker.COUNSELLOR:
                coder.code_response(row.text, context)
            else:
                coder.code_client(row.text, context)
            count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transcripts", type=int, default=100)
    args = parser.parse_args()
    source = annomi_path()
    if not source.is_file():
        print(f"skipped: AnnoMI not found at {source} (set MITRAINER_ANNOMI)")
        return
    from mitrainer.coding.model import TrainedCoder
    from mitrainer.coding.rules import RuleBasedCoder

    with tempfile.TemporaryDirectory() as tmp:
        paths = write_transcripts(source, Path(tmp), args.transcripts)
        rows = []
        for name, coder in (("trained coder", TrainedCoder()), ("rule-based coder (baseline)", RuleBasedCoder())):
            start = time.perf_counter()
            count = code_all(paths, coder)
            elapsed = time.perf_counter() - start
            rows.append((name, f"{count} utterances in {elapsed:.2f} s", f"{count / elapsed:,.0f} utterances/s"))
    print(table(rows, (f"code-transcript, {len(paths)} AnnoMI transcripts", "time", "throughput")))


if __name__ == "__main__":
    main()
