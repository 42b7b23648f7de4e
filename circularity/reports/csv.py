"""``figures-YYYY-MM.csv``: every figure of the report, one row per figure per grouping.

Columns (documented in docs/reports.md):

``report_month``  the month reported, YYYY-MM (the same on every row: files concatenate)
``section``       circularity | packaging | gri_306 | waste | target | exceptions |
                  value_recovered | harvested_parts
``span``          month | fiscal_year_to_date | as_built (the fleet's state when the report
                  was built: assets in transit, missing)
``first_month``, ``last_month``  the months the figure covers, YYYY-MM (blank for as_built)
``dimension``     total | center | category | target | exception
``group``         the center code, category or target metric; blank for the total
``figure``        the figure's name, as in the API (``reuse_recycle_rate``, ``mass_kg``...)
``key``           what the figure is split by: ``units``/``mass`` for a rate, the route for a
                  per-route figure, the GRI disclosure for GRI lines; blank otherwise
``value``         exact: integers, decimal masses as recorded, rates as full-precision
                  fractions (0.842 is 84.2 %), true/false; blank is *no value*
``unit``          count | kg | t | ratio | kgCO2e | fiscal_year | boolean | an ISO 4217 currency
                  (value recovered: one row per currency, never a sum across currencies)

The rows hold typed values; ``assetlife.csvfile.write_csv`` writes them, so a center code
that reads like a formula is neutralised while a negative figure stays a number.
"""

from __future__ import annotations

from assetlife.csvfile import write_csv

from .build import Report
from .waste import csv_rows

COLUMNS = [
    "report_month",
    "section",
    "span",
    "first_month",
    "last_month",
    "dimension",
    "group",
    "figure",
    "key",
    "value",
    "unit",
]

RATE_FIGURES = ("reuse_recycle_rate", "reuse_rate", "recycle_rate")


def circularity_figures(row: dict) -> list[tuple[str, str, object, str]]:
    """(figure, key, value, unit) for one ``metrics.figures()`` row."""
    out = [("units", "", row["units"], "count"), ("mass_kg", "", row["mass_kg"], "kg")]
    out += [("units_by_route", route, value, "count") for route, value in row["units_by_route"].items()]
    out += [("mass_kg_by_route", route, value, "kg") for route, value in row["mass_kg_by_route"].items()]
    for name in RATE_FIGURES:
        out += [(name, basis, row[name][basis], "ratio") for basis in ("units", "mass")]
    out.append(("diverted_mass_t", "", row["diverted_mass_t"], "t"))
    out += [("disposed_mass_t", route, value, "t") for route, value in row["disposed_mass_t"].items()]
    out.append(("avoided_kgco2e", "", row["avoided_kgco2e"], "kgCO2e"))
    return out


PACKAGING_FIGURES = [
    ("packages", "count"),
    ("single_use_plastic_kg", "kg"),
    ("avg_plastic_content", "ratio"),
    ("plastic_reduction", "ratio"),
    ("baseline", "ratio"),
]

TARGET_FIGURES = [
    ("target_value", "ratio"),
    ("target_fiscal_year", "fiscal_year"),
    ("baseline_value", "ratio"),
    ("baseline_fiscal_year", "fiscal_year"),
    ("latest_value", "ratio"),
    ("trajectory_value", "ratio"),
    ("on_track", "boolean"),
    ("projection", "ratio"),
    ("projected_to_meet", "boolean"),
]


def rows(report: Report) -> list[list[object]]:
    month, first = report.label, f"{report.fytd_first:%Y-%m}"
    spans = {"month": (month, month), "fiscal_year_to_date": (first, month)}
    table: list[list[str]] = []

    def add(section, span, dimension, group, figure, key, value, unit):
        first_month, last_month = spans.get(span, ("", "") if span == "as_built" else ("", month))
        table.append([month, section, span, first_month, last_month, dimension, group or "", figure, key, value, unit])

    for span in ("month", "fiscal_year_to_date"):
        column = "fytd" if span == "fiscal_year_to_date" else "month"
        for dimension, groups in (
            ("total", [{"group": None, **report.total}]),
            ("center", report.by_center),
            ("category", report.by_category),
        ):
            for group in groups:
                if group[column] is None:
                    continue  # the group had no dispositions in the month: no row, as in the API
                for figure, key, value, unit in circularity_figures(group[column]):
                    add("circularity", span, dimension, group["group"], figure, key, value, unit)
    for span, column in (("month", "month"), ("fiscal_year_to_date", "fytd")):
        for figure, unit in PACKAGING_FIGURES:
            add("packaging", span, "total", None, figure, "", report.packaging[column][figure], unit)
    for line in report.gri_306["lines"]:
        key = f"{line['disclosure']} {line['operation']}"
        add("gri_306", "month", "total", None, "units", key, line["units"], "count")
        add("gri_306", "month", "total", None, "mass_t", key, line["mass_t"], "t")
        add("gri_306", "fiscal_year_to_date", "total", None, "units", key, line["fytd_units"], "count")
        add("gri_306", "fiscal_year_to_date", "total", None, "mass_t", key, line["fytd_mass_t"], "t")
    for span, column in (("month", "month"), ("fiscal_year_to_date", "fytd")):
        for disclosure, total in report.gri_306[column].items():
            add("gri_306", span, "total", None, "total_mass_t", disclosure, total, "t")
    for figure, key, value, unit in csv_rows(report.waste) if report.waste else []:
        add("waste", "fiscal_year_to_date", "total", None, figure, key, value, unit)
    for target in report.targets:
        for figure, unit in TARGET_FIGURES:
            add("target", "fiscal_year_to_date", "target", target["metric"], figure, "", target[figure], unit)
    uncertified = report.exceptions["uncertified"].total
    add("exceptions", "month", "exception", "uncertified_departures", "count", "", uncertified, "count")
    transit_key = f"over_{report.transit_days}_days"
    add(
        "exceptions",
        "as_built",
        "exception",
        "long_in_transit",
        "count",
        transit_key,
        report.exceptions["in_transit"].total,
        "count",
    )
    add("exceptions", "as_built", "exception", "missing", "count", "", report.exceptions["missing"].total, "count")
    for key in ("lots_awaiting_certificate", "lots_outside_tolerance"):
        span = "as_built" if key == "lots_awaiting_certificate" else "month"
        add("exceptions", span, "exception", key, "count", "", report.exceptions[key].total, "count")
    for span, column in (("month", "month"), ("fiscal_year_to_date", "fytd")):
        for row in report.recovery["value_recovered"][column]:
            add("value_recovered", span, "total", None, "resold_units", row["currency"], row["units"], "count")
            add("value_recovered", span, "total", None, "proceeds", row["currency"], row["proceeds"], row["currency"])
        harvested = report.recovery["harvested"][column]
        add("harvested_parts", span, "total", None, "units", "", harvested["units"], "count")
        add("harvested_parts", span, "total", None, "mass_kg", "", harvested["mass_kg"], "kg")
        add("harvested_parts", span, "total", None, "avoided_kgco2e", "", harvested["avoided_kgco2e"], "kgCO2e")
    return table


def render_csv(report: Report) -> str:
    return write_csv(COLUMNS, rows(report))
