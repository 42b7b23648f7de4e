"""EVERY formula of SPEC sections 4, 5 and 10, and nothing else computes one.

Dispositions are summed in the database: one grouped query (``COUNT`` and ``SUM`` per
route, hazardous and onsite; ``TruncMonth`` on ``decided_at`` in UTC) gives sums per month and group.
Closed months whose ``MonthlySnapshot`` rows are fresh are read from there instead, and
months are rolled up into fiscal years by adding their sums: a handful of aggregate rows,
never a loop over dispositions. A rate is derived from the sums at the very end, so the
dashboard, the API and the report all see the same figures.

Section 9's figures: ``mass_balance_rows()`` (``mass_balance``), ``value_recovered_rows()``
and ``harvested_rows()`` (``recovery``).

Readers: ``circularity_rows()`` (periods × groups), ``packaging_rows()``, and the
Readers: ``circularity_rows()`` (periods × groups), ``packaging_rows()``, ``waste_rows()``
and the waste disclosures (SPEC section 10, ``waste.py``, ``disclosure.py``), and the
``route_sums()`` / ``figures()`` pair the snapshot job and the report reuse.
"""

from .circularity import circularity_rows, figures, gri_306_rows, gri_306_totals, period_figures, span_figures
from .disclosure import BUILDERS as DISCLOSURE_BUILDERS
from .disclosure import STANDARDS as DISCLOSURE_STANDARDS
from .disclosure import Datapoint, fiscal_year_disclosure, span_waste_sums
from .mass_balance import MassBalanceRow, mass_balance_rows
from .packaging import (
    computed_plastic_content,
    packaging_rows,
    packaging_span,
    plastic_baseline,
    plastic_reduction,
    with_plastic_content,
)
from .recovery import harvested_rows, harvested_span, value_recovered_rows, value_recovered_span
from .series import RATE_METRICS, metric_series, shared_series, span_value
from .sums import (
    CELL_FIELDS,
    CELL_KEYS,
    GRAM,
    GROUP_COLUMNS,
    GROUP_LABELS,
    KG_PER_T,
    ZERO,
    Sums,
    fresh_snapshot_months,
    monthly_sums,
    period_sums,
    route_sums,
    snapshot_sums,
    span_sums,
    sums_by_every_grouping,
)
from .waste import waste_figures, waste_rows

__all__ = [
    "DISCLOSURE_BUILDERS",
    "DISCLOSURE_STANDARDS",
    "Datapoint",
    "fiscal_year_disclosure",
    "span_waste_sums",
    "waste_figures",
    "waste_rows",
    "GRAM",
    "GROUP_COLUMNS",
    "GROUP_LABELS",
    "KG_PER_T",
    "MassBalanceRow",
    "RATE_METRICS",
    "CELL_FIELDS",
    "CELL_KEYS",
    "ZERO",
    "Sums",
    "circularity_rows",
    "computed_plastic_content",
    "figures",
    "fresh_snapshot_months",
    "gri_306_rows",
    "gri_306_totals",
    "harvested_rows",
    "harvested_span",
    "mass_balance_rows",
    "metric_series",
    "monthly_sums",
    "packaging_rows",
    "packaging_span",
    "period_figures",
    "period_sums",
    "plastic_baseline",
    "plastic_reduction",
    "route_sums",
    "snapshot_sums",
    "span_figures",
    "shared_series",
    "span_sums",
    "span_value",
    "sums_by_every_grouping",
    "value_recovered_rows",
    "value_recovered_span",
    "with_plastic_content",
]
