"""The dashboard's custody figures (SPEC section 9): mass balance, value recovered, harvested parts.

Gathered from ``metrics`` (grouped queries; a fixed number whatever the rows) for the
dashboard's fiscal year: the mass balance of each center in the month the dashboard
stands on, resale proceeds per currency (never added across currencies), and harvested
parts back in service per month.
"""

from __future__ import annotations

import datetime as dt

from .choices import PeriodKind
from .metrics import harvested_rows, mass_balance_rows, value_recovered_rows
from .periods import Period, add_months, month_of


def custody_context(period: Period, as_of: dt.date) -> dict:
    month = month_of(as_of)
    harvested = harvested_rows(period.start, add_months(period.end, -1))
    return {
        "balance_month": month,
        "mass_balance": mass_balance_rows(month, month),
        "value_recovered": value_recovered_rows(PeriodKind.FISCAL_YEAR, period.start, period.start),
        "harvested": [row for row in harvested if row["units"]],
        "harvested_total": {
            "units": sum(row["units"] for row in harvested),
            "mass_kg": sum(row["mass_kg"] for row in harvested),
            "avoided_kgco2e": sum(row["avoided_kgco2e"] for row in harvested),
        },
    }


__all__ = ["custody_context"]
