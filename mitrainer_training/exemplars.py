"""The bundled scenarios' exemplars and distractors as a check of the coder.

Every node of a scenario lists model responses (``exemplars``) and tempting wrong ones
(``distractors``), each with the codes its author states. They are in-domain,
author-labelled counsellor lines with the client's line they answer, so they measure
the coder where trainees use it. A case agrees when the coder's *primary* code is one
of the stated codes.

``python -m mitrainer_training.evaluate --exemplars`` prints the agreement and rewrites
``docs/coder-exemplar-disagreements.md``; ``tests/functional/coder/test_exemplar_agreement.py``
keeps the agreement above a measured floor. Standard library plus the scenario loader.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mitrainer.codes import SkillCode, Speaker
from mitrainer.coding.base import Coder, Utterance

DISAGREEMENTS_DOC = Path(__file__).resolve().parents[1] / "docs" / "coder-exemplar-disagreements.md"
# Counsellor lines written by an author who never saw the training examples or the
# scenarios, and never trained on: ``evaluate --lines`` codes them, a test keeps a floor.
HELD_OUT_LINES = Path(__file__).resolve().parents[1] / "tests" / "coding" / "data" / "held-out-lines.csv"
LINE_COLUMNS = ("setting", "context", "text", "code")


@dataclass(frozen=True)
class ExemplarCase:
    """One exemplar or distractor: the client's line, the response and its stated codes."""

    scenario: str  # scenario id
    file: str  # file name, the unit of any train/test split
    node: str
    kind: str  # "exemplar" or "distractor"
    client: str
    text: str
    codes: tuple[SkillCode, ...]
    earlier: tuple[str, ...] = ()  # earlier client lines, oldest first (what a summary gathers)

    @property
    def context(self) -> tuple[Utterance, ...]:
        lines = (*self.earlier, self.client)
        return tuple(Utterance(Speaker.CLIENT, line) for line in lines if line.strip())


def load_exemplar_cases(folders: Iterable[Path] | None = None, language: str = "en") -> list[ExemplarCase]:
    """Every exemplar and distractor of the scenarios in ``folders`` (default: bundled) in ``language``.

    Cases whose codes do not parse are skipped (the scenario validator reports them).
    """
    from mitrainer.paths import bundled_scenarios
    from mitrainer.scenario.load import load_library

    library = load_library(list(folders) if folders is not None else [bundled_scenarios()])
    cases: list[ExemplarCase] = []
    for sid in sorted(library.scenarios):
        loaded = library.scenarios[sid]
        scenario = loaded.scenario
        if scenario is None or scenario.language.split("-")[0] != language:
            continue
        file = loaded.path.name if loaded.path else sid
        for node_id, node in scenario.nodes.items():
            for kind, items in (("exemplar", node.exemplars), ("distractor", node.distractors)):
                for item in items:
                    codes = tuple(c for c in (SkillCode.parse(x) for x in item.codes) if c is not None)
                    if codes:
                        cases.append(ExemplarCase(sid, file, node_id, kind, node.client, item.text, codes))
    return cases


def load_line_cases(path: Path) -> list[ExemplarCase]:
    """Labelled counsellor lines from a CSV with columns ``setting,context,text,code``.

    ``context`` holds the client's line, or several joined with `` || `` (oldest first);
    ``code`` one skill code, or several separated by ``;``. Raises ``ValueError`` naming
    the row of the first problem.
    """
    import csv

    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in LINE_COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise ValueError(f"{path.name}: missing column(s) {', '.join(missing)} (need {', '.join(LINE_COLUMNS)})")
        cases = []
        for row in reader:
            where = f"{path.name}, row {reader.line_num}"
            codes = tuple(SkillCode.parse(x.strip()) for x in (row["code"] or "").split(";") if x.strip())
            if not codes or any(c is None for c in codes):
                raise ValueError(f"{where}: unknown code {row['code']!r}")
            if not (row["text"] or "").strip():
                raise ValueError(f"{where}: empty text")
            *earlier, client = (row["context"] or "").split(" || ")
            cases.append(ExemplarCase(row["setting"] or "", path.name, f"row {reader.line_num}", "held-out",
                                      client, row["text"], codes, tuple(earlier)))  # type: ignore[arg-type]
    return cases


@dataclass(frozen=True)
class CaseResult:
    case: ExemplarCase
    coded: SkillCode | None

    @property
    def agrees(self) -> bool:
        return self.coded in self.case.codes


def code_cases(coder: Coder, cases: Sequence[ExemplarCase]) -> list[CaseResult]:
    return [CaseResult(c, coder.code_response(c.text, c.context).primary) for c in cases]


@dataclass
class Agreement:
    """Agreement of a coder with the stated codes, overall and per code."""

    results: list[CaseResult]

    @property
    def accuracy(self) -> float:
        return sum(r.agrees for r in self.results) / max(1, len(self.results))

    def per_code(self) -> dict[SkillCode, tuple[float, float, int]]:
        """Recall (of the first stated code), precision (of the coded primary) and support.

        Recall counts a case of code X as found when the coder's primary is any stated
        code whenever the first stated code is X; precision counts a coded X as right when
        X is among the stated codes.
        """
        support = Counter(r.case.codes[0] for r in self.results)
        found = Counter(r.case.codes[0] for r in self.results if r.agrees)
        coded = Counter(r.coded for r in self.results if r.coded is not None)
        right = Counter(r.coded for r in self.results if r.agrees)
        out = {}
        for code in SkillCode:
            if support[code] or coded[code]:
                rec = found[code] / support[code] if support[code] else float("nan")
                prec = right[code] / coded[code] if coded[code] else float("nan")
                out[code] = (rec, prec, support[code])
        return out

    def confusion(self) -> Counter:
        """(first stated code, coded primary) → count, disagreements only."""
        return Counter((r.case.codes[0], r.coded) for r in self.results if not r.agrees)


def render_report(agreement: Agreement, title: str) -> str:
    lines = [f"## {title}", "",
             f"agreement (primary code among the stated codes): {agreement.accuracy:.3f} "
             f"({sum(r.agrees for r in agreement.results)}/{len(agreement.results)})", "",
             "| code | recall | precision | n |", "|---|---|---|---|"]
    for code, (rec, prec, n) in agreement.per_code().items():
        lines.append(f"| {code.value} | {rec:.2f} | {prec:.2f} | {n} |")
    lines += ["", "commonest disagreements (stated → coded):"]
    for (stated, coded), n in agreement.confusion().most_common(15):
        lines.append(f"  {stated.value} → {coded.value if coded else 'uncoded'}: {n}")
    return "\n".join(lines)


def render_disagreements(agreement: Agreement, coder_name: str) -> str:
    """The Markdown list of every disagreement (docs/coder-exemplar-disagreements.md)."""
    wrong = [r for r in agreement.results if not r.agrees]
    out = [
        "# Where the coder disagrees with the scenarios' stated codes",
        "",
        "Generated by `python -m mitrainer_training.evaluate --exemplars` (do not edit by hand).",
        f"Coder: {coder_name}. English exemplars and distractors of the bundled scenarios;",
        "a case agrees when the coder's primary code is one of the codes its author stated.",
        f"Agreement: {agreement.accuracy:.3f} ({len(agreement.results) - len(wrong)}/{len(agreement.results)}); "
        f"{len(wrong)} disagreements below.",
        "",
        "Some are the coder's errors, some are judgement calls where MITI coders differ",
        "(a question-shaped reflection, an affirmation that is also a reflection); the test",
        "`tests/functional/coder/test_exemplar_agreement.py` keeps the agreement above a floor.",
        "",
        "| scenario | node | kind | text | stated | coded |",
        "|---|---|---|---|---|---|",
    ]
    for r in wrong:
        c = r.case
        text = c.text.replace("|", "\\|").replace("\n", " ")
        out.append(f"| {c.scenario} | {c.node} | {c.kind} | {text} | "
                   f"{', '.join(x.value for x in c.codes)} | {r.coded.value if r.coded else 'uncoded'} |")
    return "\n".join(out) + "\n"
