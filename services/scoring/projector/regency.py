"""The regency (tenant) projection: its row, rules and time zone, and the figures that
depend on the regency and the day only (computed once per batch). Every figure of a batch
is computed with the rules as they are after the batch's events; the projections computed
earlier with other rules are refreshed after it (``Projector.apply_batch``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from services.common.events import (
    Envelope,
    HolidaysSet,
    KepalaDaerahSet,
    TenantRegistered,
    TenantSettings,
)
from services.common.workdays import local_today
from services.scoring import domain as d
from services.scoring.projector.rows import HolidayRow, TenantRow

if TYPE_CHECKING:
    from services.scoring.projector.batch import Batch

DEFAULT_TIME_ZONE = "Asia/Jakarta"


@dataclass
class Regencies:
    """The regencies one batch touches."""

    now: datetime  # the batch's
    rows: dict[str, TenantRow] = field(default_factory=dict)
    # (tenant, year) -> the year's holidays (``holidays.set``), loaded with the tenant rows.
    holiday_rows: dict[tuple[str, int], HolidayRow] = field(default_factory=dict)
    _holidays: dict[str, d.Holidays] = field(default_factory=dict)
    retuned: set[str] = field(default_factory=set)  # regencies whose rules arrived
    recadenced: set[str] = field(default_factory=set)  # ... with another cadence
    _rules: dict[str, tuple[TenantSettings, str]] = field(default_factory=dict)
    _today: dict[str, date] = field(default_factory=dict)
    _shares: dict[tuple[str, int], float] = field(default_factory=dict)
    _period_shares: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)
    _due: dict[str, list[d.PeriodSpan]] = field(default_factory=dict)

    def rules(self, tenant: str) -> tuple[TenantSettings, str]:
        """(settings, time zone); the defaults for a regency not registered yet."""
        cached = self._rules.get(tenant)
        if cached is None:
            row = self.rows.get(tenant)
            cached = (
                (TenantSettings(), DEFAULT_TIME_ZONE)
                if row is None
                else (TenantSettings.model_validate(row["settings"]), row["time_zone"])
            )
            self._rules[tenant] = cached
        return cached

    def retune(self, tenant: str) -> None:
        """The regency's rules changed: forget what was computed from the old ones."""
        self.retuned.add(tenant)
        self._rules.pop(tenant, None)
        self._today.pop(tenant, None)
        self._shares = {k: v for k, v in self._shares.items() if k[0] != tenant}
        self._period_shares = {k: v for k, v in self._period_shares.items() if k[0] != tenant}
        self._due.pop(tenant, None)
        self._holidays.pop(tenant, None)

    def holidays(self, tenant: str) -> d.Holidays:
        """Every holiday known of the regency (all years: a period may cross one)."""
        days = self._holidays.get(tenant)
        if days is None:
            days = self._holidays[tenant] = frozenset(
                date.fromisoformat(day)
                for (t, _), row in self.holiday_rows.items()
                if t == tenant
                for day in row["days"]
            )
        return days

    def local_date(self, tenant: str, moment: datetime) -> date:
        return local_today(self.rules(tenant)[1], moment)

    def today(self, tenant: str) -> date:
        day = self._today.get(tenant)
        if day is None:
            day = self._today[tenant] = self.local_date(tenant, self.now)
        return day

    def share(self, tenant: str, year: int) -> float:
        """Share of ``year``'s working days passed by the end of today."""
        share = self._shares.get((tenant, year))
        if share is None:
            share = d.period_share(d.annual_period(year), self.today(tenant), self.holidays(tenant))
            self._shares[(tenant, year)] = share
        return share

    def _period(self, tenant: str, span: d.PeriodSpan) -> tuple[float, float]:
        found = self._period_shares.get((tenant, span.label))
        if found is None:
            days = self.holidays(tenant)
            found = (
                d.period_share(span, self.today(tenant), days),
                d.period_target_share(span, days),
            )
            self._period_shares[(tenant, span.label)] = found
        return found

    def period_share(self, tenant: str, span: d.PeriodSpan) -> float:
        """Share of a cadence period's working days passed by the end of today."""
        return self._period(tenant, span)[0]

    def target_share(self, tenant: str, span: d.PeriodSpan) -> float:
        """Share of the year's ``sum`` targets due in a cadence period."""
        return self._period(tenant, span)[1]

    def current_period(self, tenant: str) -> d.PeriodSpan:
        """Today's period of the regency's cadence."""
        return d.cadence_period(self.today(tenant), self.rules(tenant)[0].evaluation_cadence)

    def period_of(self, tenant: str, day: date) -> d.PeriodSpan:
        """The period of the regency's cadence containing ``day``."""
        return d.cadence_period(day, self.rules(tenant)[0].evaluation_cadence)

    def due_spans(self, tenant: str) -> list[d.PeriodSpan]:
        """The regency's assessment periods (cadence and annual) that end within 5 working
        days of today."""
        spans = self._due.get(tenant)
        if spans is None:
            settings, _ = self.rules(tenant)
            today = self.today(tenant)
            spans = self._due[tenant] = [
                span
                for span in (
                    d.cadence_period(today, settings.evaluation_cadence),
                    d.annual_period(today.year),
                )
                if d.assessment_due(span, today, self.holidays(tenant))
            ]
        return spans


def apply_tenant_registered(b: Batch, event: Envelope, p: TenantRegistered) -> None:
    t = event.tenant
    # The cadence the activities were counted with so far (the default before the regency
    # is known): only a different one needs them counted again.
    counted_with = b.regencies.rules(t)[0].evaluation_cadence
    if counted_with != p.settings.evaluation_cadence:
        b.regencies.recadenced.add(t)
    b.regencies.rows[t] = {
        "slug": t,
        "name": p.name,
        "time_zone": p.time_zone,
        "settings": p.settings.model_dump(mode="json"),
    }
    b.mark("org_tenant", (t,))
    b.regencies.retune(t)


def apply_kepala_daerah(b: Batch, event: Envelope, p: KepalaDaerahSet) -> None:
    """The regency's kepala daerah account: kept in the org chart copy, and from now on the
    recipient of the alerts about the employees without a supervisor (their active alerts
    move to it as each is evaluated again: on their next event or the scheduler's tick)."""
    t = event.tenant
    b.kepala_daerah[(t, p.user_id)] = {
        "tenant": t,
        "user_id": p.user_id,
        "title": p.title,
        "name": p.name,
        "active": p.active,
    }
    b.mark("org_kepala_daerah", (t, p.user_id))


def apply_holidays(b: Batch, event: Envelope, p: HolidaysSet) -> None:
    """The regency's holidays of a year: pace, the silent and the assessment-due alerts of
    every employee move (the batch's projections are recomputed with them, the rest are
    refreshed after it, as for new rules)."""
    t = event.tenant
    b.regencies.holiday_rows[(t, p.year)] = {
        "tenant": t,
        "year": p.year,
        "days": [h.day.isoformat() for h in p.holidays],
    }
    b.mark("org_holiday", (t, p.year))
    b.regencies.retune(t)
