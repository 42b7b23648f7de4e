"""The report as an HTML email body and its plain-text alternative.

The HTML is made for mail clients, not browsers: tables, inline styles, no scripts, no
external resources; the chart is an image part of the same message, referenced by
Content-ID (``cid:rate-chart``). The text alternative says the same in plain lines.
"""

from __future__ import annotations

from decimal import Decimal

from django.template.loader import render_to_string

from .. import report_lots
from .build import CHART_CID, Report
from .formatting import day, kg, kg_as_tonnes, kgco2e, meets, money, number, on_track, pct, tonnes
from .waste import text_lines as waste_text_lines

TEMPLATE = "circularity/reports/email.html"


def exception_sections(report: Report) -> list[dict]:
    """The three exception lists, with their definitions and rows as printable cells."""
    uncertified = report.exceptions["uncertified"]
    in_transit = report.exceptions["in_transit"]
    missing = report.exceptions["missing"]
    return [
        {
            "key": "uncertified",
            "title": "Data-bearing assets that left custody without a verified certificate (must be zero)",
            "definition": (
                "A disposition of a data-bearing asset with no verified sanitization of a method its route allows "
                "(reuse: clear, purge or destroy; other routes: purge or destroy) performed in its custody cycle, or "
                "a data-bearing asset resold, recycled or disposed of with no disposition and no verified purge or "
                f"destroy; decided or recorded in {report.label} (a backdated import shows in the month it was "
                "recorded)."
            ),
            "found": uncertified,
            "headings": ["Serial number", "Category", "Route", "Left custody", "Center", "From site", "Installed in"],
            "cells": [
                [
                    row["serial_number"],
                    row["category"],
                    row["route"] or f"{row['status']} (no disposition)",
                    day(row["left_at"]),
                    row["center"],
                    row["site"],
                    row["installed_in"],
                ]
                for row in uncertified.rows
            ],
        },
        {
            "key": "in_transit",
            "title": f"Assets in transit longer than {report.transit_days} days",
            "definition": (
                f"Assets in_transit whose last transition into in_transit is more than {report.transit_days} days "
                f"before {day(report.generated_at)}, when this report was built; longest first."
            ),
            "found": in_transit,
            "headings": ["Serial number", "Category", "From site", "Shipment", "To center", "In transit since", "Days"],
            "cells": [
                [
                    row["serial_number"],
                    row["category"],
                    row["site"],
                    row["shipment"] or (f"in {row['installed_in']}" if row["installed_in"] else ""),
                    row["shipment_center"],
                    day(row["since"]),
                    number(row["days"]),
                ]
                for row in in_transit.rows
            ],
        },
        *report_lots.lot_sections(report),
        {
            "key": "missing",
            "title": "Assets missing",
            "definition": f"Assets in the missing state on {day(report.generated_at)}; missing longest first.",
            "found": missing,
            "headings": ["Serial number", "Category", "Site", "Center", "Installed in", "Missing since", "Days"],
            "cells": [
                [
                    row["serial_number"],
                    row["category"],
                    row["site"],
                    row["center"],
                    row["installed_in"],
                    day(row["since"]),
                    number(row["days"]),
                ]
                for row in missing.rows
            ],
        },
    ]


def group_tables(report: Report) -> list[dict]:
    return [
        {"title": "circular center", "heading": "Center", "rows": report.by_center},
        {"title": "category", "heading": "Category", "rows": report.by_category},
    ]


def proceeds_rows(report: Report) -> list[dict]:
    """Per currency: the month's and the fiscal year's proceeds (each currency on its own)."""
    value = report.recovery["value_recovered"]
    in_month = {row["currency"]: row for row in value["month"]}
    return [{"currency": row["currency"], "month": in_month.get(row["currency"]), "fytd": row} for row in value["fytd"]]


def recovery_rows(report: Report) -> list[tuple[str, str, str]]:
    """Section 9 of the text and the PDF: (figure, month, fiscal year to date), each currency apart."""
    out = []
    for row in proceeds_rows(report):
        currency = row["currency"]
        in_month = money(row["month"]["proceeds"], currency) if row["month"] else money(Decimal(0), currency)
        out.append((f"Resale proceeds in {currency}", in_month, money(row["fytd"]["proceeds"], currency)))
    if not out:
        out.append(("Resale proceeds", "none recorded", "none recorded"))
    harvested = report.recovery["harvested"]
    month, fytd = harvested["month"], harvested["fytd"]
    out += [
        ("Harvested parts in service", number(month["units"]), number(fytd["units"])),
        ("Their mass", kg(month["mass_kg"]), kg(fytd["mass_kg"])),
        ("Their avoided emissions", kgco2e(month["avoided_kgco2e"]), kgco2e(fytd["avoided_kgco2e"])),
    ]
    return out


def render_html(report: Report) -> str:
    return render_to_string(
        TEMPLATE,
        {
            "r": report,
            "cid": CHART_CID,
            "tables": group_tables(report),
            "exception_sections": exception_sections(report),
            "proceeds": proceeds_rows(report),
        },
    )


def render_text(report: Report) -> str:
    """The plain-text alternative: every figure of the HTML, in aligned lines."""
    month, fytd = report.total["month"], report.total["fytd"]
    lines = [
        f"AssetLife compliance report {report.title}",
        f"Generated {day(report.generated_at)}. Month {report.label}; {report.fytd_label}.",
        "",
        f"Reuse and recycling rate {report.label}: {pct(report.headline_rate)} by units, "
        f"{pct(month['reuse_recycle_rate']['mass'])} by mass.",
    ]
    if not report.has_dispositions:
        lines.append(f"No dispositions were recorded in {report.title}: the month has no rates (shown as —).")
    lines += ["", "1. RATES", _row("", report.label, "FYTD")]
    for label, key in (
        ("Reuse and recycling rate", "reuse_recycle_rate"),
        ("Reuse rate", "reuse_rate"),
        ("Recycling rate", "recycle_rate"),
    ):
        for basis in ("units", "mass"):
            lines.append(_row(f"{label}, by {basis}", pct(month[key][basis]), pct(fytd[key][basis])))
    lines += [
        _row("Dispositions (units)", number(month["units"]), number(fytd["units"])),
        _row("Mass dispositioned", kg_as_tonnes(month["mass_kg"]), kg_as_tonnes(fytd["mass_kg"])),
        _row("Avoided emissions", kgco2e(month["avoided_kgco2e"]), kgco2e(fytd["avoided_kgco2e"])),
    ]
    for number_, table in enumerate(group_tables(report), start=2):
        lines += ["", f"{number_}. BY {table['title'].upper()} (units, rate by units / by mass)"]
        if not table["rows"]:
            lines.append(f"No dispositions in FY{report.fiscal_year} to date.")
        for row in table["rows"]:
            in_month = row["month"]
            month_text = (
                f"{number(in_month['units'])} u, {pct(in_month['reuse_recycle_rate']['units'])} / "
                f"{pct(in_month['reuse_recycle_rate']['mass'])}"
                if in_month
                else "0 u"
            )
            span = row["fytd"]
            span_text = (
                f"{number(span['units'])} u, {pct(span['reuse_recycle_rate']['units'])} / "
                f"{pct(span['reuse_recycle_rate']['mass'])}"
            )
            lines.append(_row(row["label"], month_text, span_text))
    lines += ["", "4. CHART: see the HTML version or the attached PDF.", "", "5. PACKAGING"]
    packaging = report.packaging
    lines += [
        _row("Packages received", number(packaging["month"]["packages"]), number(packaging["fytd"]["packages"])),
        _row(
            "Single-use plastic",
            kg(packaging["month"]["single_use_plastic_kg"]),
            kg(packaging["fytd"]["single_use_plastic_kg"]),
        ),
        _row(
            "Average plastic content",
            pct(packaging["month"]["avg_plastic_content"], 2),
            pct(packaging["fytd"]["avg_plastic_content"], 2),
        ),
        _row(
            f"Reduction vs baseline {pct(packaging['month']['baseline'], 2)}",
            pct(packaging["month"]["plastic_reduction"]),
            pct(packaging["fytd"]["plastic_reduction"]),
        ),
        "",
        "6. WASTE BY GRI 306 (mass)",
    ]
    for line in report.gri_306["lines"]:
        lines.append(
            _row(f"{line['disclosure']} {line['operation']}", tonnes(line["mass_t"]), tonnes(line["fytd_mass_t"]))
        )
    for disclosure, label in (("306-4", "diverted from disposal"), ("306-5", "directed to disposal")):
        lines.append(
            _row(
                f"{disclosure} total {label}",
                tonnes(report.gri_306["month"][disclosure]),
                tonnes(report.gri_306["fytd"][disclosure]),
            )
        )
    lines += waste_text_lines(report.waste) if report.waste else []
    lines += ["", "7. TARGETS"]
    for t in report.targets:
        lines.append(
            f"- {t['label']} {t['comparison_label']} {pct(t['target_value'])} by FY{t['target_fiscal_year']}: "
            f"FY{report.fiscal_year} to date {pct(t['latest_value'], 2)} against a trajectory of "
            f"{pct(t['trajectory_value'], 2)} ({on_track(t['on_track'])}); projection "
            f"{pct(t['projection'], 2)} in FY{t['target_fiscal_year']} (meets target: {meets(t['projected_to_meet'])})."
        )
    if not report.targets:
        lines.append("No targets are set.")
    lines += ["", "8. EXCEPTIONS"]
    for section in exception_sections(report):
        lines += ["", f"{section['title']}: {number(section['found'].total)}"]
        for cells in section["cells"]:
            lines.append("  " + " | ".join(cell for cell in cells if cell))
        if section["found"].more:
            lines.append(f"  … and {number(section['found'].more)} more.")
    lines += ["", "9. VALUE RECOVERED (resale proceeds, per currency) AND HARVESTED PARTS BACK IN SERVICE"]
    lines += [_row(*cells) for cells in recovery_rows(report)]
    lines += ["", f"Attached: {report.csv_filename} (every figure) and {report.pdf_filename} (this report)."]
    return "\n".join(lines) + "\n"


def _row(label: str, month: str, span: str) -> str:
    return f"{label:<44} {month:>22} {span:>26}".rstrip()
