"""Agreement between two coders (a person and the machine, or two trainees): Cohen's kappa.

Arithmetic is exact (fractions) until the final float, so small hand-worked examples give
exactly the value computed on paper.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from mitrainer.codes import SkillCode


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float | None:
    """Cohen's kappa between two raters' labels for the same items.

    kappa = (p_o − p_e) / (1 − p_e), with p_o the observed agreement and p_e the agreement
    expected by chance from each rater's label frequencies. Returns None when it is not
    defined: no items, or both raters used one and the same label throughout (p_e = 1).
    """
    if len(a) != len(b):
        raise ValueError(f"the two raters coded different numbers of items ({len(a)} and {len(b)})")
    n = len(a)
    if n == 0:
        return None
    observed = Fraction(sum(x == y for x, y in zip(a, b, strict=True)), n)
    count_a, count_b = Counter(a), Counter(b)
    expected = sum((Fraction(count_a[label], n) * Fraction(count_b[label], n) for label in count_a), Fraction(0))
    if expected == 1:
        return None
    return float((observed - expected) / (1 - expected))


def per_code_kappa(a: Sequence[Iterable[SkillCode]], b: Sequence[Iterable[SkillCode]],
                   codes: Iterable[SkillCode] = tuple(SkillCode)) -> dict[SkillCode, float | None]:
    """For each code, kappa on "this utterance has the code" (yes/no) between the raters.

    ``a`` and ``b`` hold, per utterance, the set of codes each rater gave.
    """
    sets_a = [frozenset(x) for x in a]
    sets_b = [frozenset(x) for x in b]
    return {code: cohen_kappa([code in s for s in sets_a], [code in s for s in sets_b]) for code in codes}


@dataclass(frozen=True)
class AgreementReport:
    """Human–machine agreement on the utterances a person coded."""

    utterances: int
    kappa: float | None  # on the primary code of each utterance
    percent: float | None  # share of utterances with the same primary code
    per_code: dict[SkillCode, float | None] = field(default_factory=dict)
    used: dict[SkillCode, tuple[int, int]] = field(default_factory=dict)  # code → (human, machine) counts

    def to_json(self) -> dict:
        return {
            "utterances": self.utterances,
            "kappa": None if self.kappa is None else round(self.kappa, 4),
            "percent": None if self.percent is None else round(self.percent, 4),
            "per_code": {c.value: (None if k is None else round(k, 4)) for c, k in self.per_code.items()},
            "used": {c.value: {"human": h, "machine": m} for c, (h, m) in self.used.items()},
        }


def agreement_report(human: Sequence[tuple[SkillCode | None, Iterable[SkillCode]]],
                     machine: Sequence[tuple[SkillCode | None, Iterable[SkillCode]]]) -> AgreementReport:
    """Compare (primary, codes) pairs per utterance; codes neither rater used are left out."""
    n = len(human)
    human_sets = [frozenset(codes) for _, codes in human]
    machine_sets = [frozenset(codes) for _, codes in machine]
    used_codes = [c for c in SkillCode if any(c in s for s in human_sets) or any(c in s for s in machine_sets)]
    primaries_h = [p for p, _ in human]
    primaries_m = [p for p, _ in machine]
    same = sum(x == y for x, y in zip(primaries_h, primaries_m, strict=True))
    return AgreementReport(
        utterances=n,
        kappa=cohen_kappa(primaries_h, primaries_m),
        percent=same / n if n else None,
        per_code=per_code_kappa(human_sets, machine_sets, used_codes),
        used={c: (sum(c in s for s in human_sets), sum(c in s for s in machine_sets)) for c in used_codes},
    )
