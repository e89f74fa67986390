"""Small numbers (domain.md): pure rules for aggregates over people.

An aggregate shown to anyone outside its contributors' supervisor chain and admin needs
at least k contributors (the tenant's ``min_aggregate_size``), and must not move by one
person's answer between two readings: it is published in whole steps of k.
"""

from __future__ import annotations

from dataclasses import dataclass


def enough_contributors(count: int, minimum: int) -> bool:
    """Whether an aggregate over ``count`` people may be shown outside the chain."""
    return count >= minimum


def published_count(count: int, step: int) -> int:
    """How many contributions a stepped aggregate covers: the largest multiple of
    ``step`` not above ``count`` (0 below ``step``). Between two readings the figure then
    moves by at least ``step`` contributions, never by exactly one."""
    if step < 1:
        raise ValueError("step must be at least 1")
    return count - count % step


@dataclass(frozen=True)
class UnitAggregates:
    """Which of a unit's aggregates over its members a viewer may see."""

    achievement: bool
    finals: bool
    projected: bool
    ikm: bool

    @property
    def suppressed(self) -> list[str]:
        names = {
            "mean_achievement": self.achievement,
            "predikat_distribution": self.finals,
            "projected_predikat_distribution": self.projected,
            "ikm": self.ikm,
        }
        return [name for name, shown in names.items() if not shown]


def unit_aggregates(
    *,
    chain: bool,
    minimum: int,
    employees: int,
    achieved: int,
    finals: int,
    projected: int,
    survey_responses: int,
) -> UnitAggregates:
    """For the supervisor chain and admin everything; for a member of the unit each
    aggregate only from ``minimum`` contributors. The final predikat distribution is shown
    to a member only once every employee of the unit has one: shown earlier, it would
    grow by one colleague's predikat at a time."""
    if chain:
        return UnitAggregates(achievement=True, finals=True, projected=True, ikm=True)
    return UnitAggregates(
        achievement=enough_contributors(achieved, minimum),
        finals=enough_contributors(finals, minimum) and finals == employees,
        projected=enough_contributors(projected, minimum),
        ikm=enough_contributors(survey_responses, minimum),
    )
