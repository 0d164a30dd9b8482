"""What outages cost: each incident's downtime per system (detected to resolved), times the
system's `cost_per_hour`, in `site.currency`, formatted by Babel for the plan's language."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from babel import Locale
from babel.numbers import format_decimal, parse_pattern

from generator.model import Incident, Plan, System

YEAR = timedelta(days=365)
REPEAT = 2  # outages of one system within a year that make it stand out


@dataclass(frozen=True)
class Outage:
    """One system down during one incident."""

    incident: Incident
    system: System
    downtime: timedelta
    cost: Decimal | None  # None: the system has no `cost_per_hour`


def outages(plan: Plan, incident: Incident) -> list[Outage]:
    """The systems an incident took down, each for its detected-to-resolved time; none when
    either time is not recorded."""
    downtime = incident.time_to_resolve
    if downtime is None:
        return []
    hours = Decimal(int(downtime.total_seconds())) / 3600
    return [
        Outage(
            incident, system, downtime, None if system.cost_per_hour is None else hours * system.cost_per_hour
        )
        for system in (plan.systems[s] for s in incident.systems if s in plan.systems)
    ]


@dataclass(frozen=True)
class Year:
    """The outages of the twelve months up to the plan's today."""

    outages: list[Outage]
    since: date

    @property
    def downtime(self) -> timedelta:
        return sum((o.downtime for o in self.outages), timedelta())

    @property
    def cost(self) -> Decimal:
        return sum((o.cost for o in self.outages if o.cost is not None), Decimal(0))

    @property
    def repeats(self) -> list[tuple[System, int]]:
        """The systems down in `REPEAT` or more incidents, most often first."""
        counts = Counter(o.system.id for o in self.outages)
        systems = {o.system.id: o.system for o in self.outages}
        return [(systems[i], n) for i, n in counts.most_common() if n >= REPEAT]


def last_year(plan: Plan) -> Year:
    since = plan.today - YEAR
    return Year([o for i in plan.incidents if i.date > since for o in outages(plan, i)], since)


def money(amount: Decimal, currency: str, language: str) -> str:
    """A whole amount in the currency, as the language writes it ("£1,000", "1.000 £", "1 000 £");
    without a currency, the number alone."""
    locale = Locale.parse(language, sep="-")
    whole = amount.quantize(Decimal(1))
    if not currency:
        return format_decimal(whole, locale=locale)
    pattern = parse_pattern(locale.currency_formats["standard"])
    pattern.frac_prec = (0, 0)
    shown: str = pattern.apply(whole, locale, currency=currency, currency_digits=False)
    return shown
