"""The citizen satisfaction index (IKM) of PermenPANRB 14/2017, exactly.

Pure functions shared by feedback (a unit's survey summary) and scoring (projections):
per element NRR = mean of its answers; IKM = 25 x sum(NRR x 1/9). The weight is the exact
fraction 1/9 and nothing is rounded before the final value (2 decimals, half up), because
rounding the NRRs or using 0.111 moves units across category boundaries.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

ELEMENTS = (
    "persyaratan",  # requirements
    "prosedur",  # procedure
    "waktu_pelayanan",  # completion time
    "biaya_tarif",  # cost / tariff
    "produk_layanan",  # product specification
    "kompetensi_pelaksana",  # officer competence
    "perilaku_pelaksana",  # officer conduct
    "sarana_prasarana",  # facilities
    "penanganan_pengaduan",  # handling of complaints and suggestions
)

# (lowest IKM of the category, letter, label), best first.
CATEGORIES = (
    (Decimal("88.31"), "A", "Sangat Baik"),
    (Decimal("76.61"), "B", "Baik"),
    (Decimal("65.00"), "C", "Kurang Baik"),
    (Decimal("25.00"), "D", "Tidak Baik"),
)


@dataclass(frozen=True)
class IkmResult:
    nrr: tuple[Fraction, ...]  # per element, exact
    ikm: Decimal  # rounded to 2 decimals
    category: str  # A..D
    label: str
    responses: int


def category_of(ikm: Decimal) -> tuple[str, str]:
    for lowest, letter, label in CATEGORIES:
        if ikm >= lowest:
            return letter, label
    raise ValueError(f"IKM {ikm} is below 25, which no valid survey can produce")


def ikm_from_sums(sums: Sequence[int], responses: int) -> IkmResult:
    """IKM from per-element answer totals (what a projection stores) and the count."""
    if len(sums) != len(ELEMENTS):
        raise ValueError(f"need {len(ELEMENTS)} element totals, got {len(sums)}")
    if responses <= 0:
        raise ValueError("no responses")
    nrr = tuple(Fraction(total, responses) for total in sums)
    exact = 25 * sum(value * Fraction(1, 9) for value in nrr)
    rounded = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    letter, label = category_of(rounded)
    return IkmResult(nrr=nrr, ikm=rounded, category=letter, label=label, responses=responses)


def ikm(surveys: Iterable[Sequence[int]]) -> IkmResult:
    """IKM of a set of surveys, each the nine answers (1..4) in :data:`ELEMENTS` order."""
    sums = [0] * len(ELEMENTS)
    count = 0
    for answers in surveys:
        if len(answers) != len(ELEMENTS) or any(a not in (1, 2, 3, 4) for a in answers):
            raise ValueError("each survey has nine answers from 1 to 4")
        for i, answer in enumerate(answers):
            sums[i] += answer
        count += 1
    return ikm_from_sums(sums, count)
