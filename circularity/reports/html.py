"""The report as an HTML email body and its plain-text alternative, both from templates.

The HTML is made for mail clients, not browsers: tables, inline styles, no scripts, no
external resources; the chart is an image part of the same message, referenced by
Content-ID (``cid:rate-chart``). It reads on a phone (420 px) without sideways scrolling:
tables have at most four columns and wrap. Page one is the summary a manager reads in a
minute (headline coloured by its target's verdict, the year against its trajectory, each
target in words and colour, a 12-month sparkline, the exceptions in one line each).
The text alternative (``email.txt``) says the same in plain lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.template.loader import render_to_string

from .. import report_lots
from .build import CHART_CID, GroupRow, Report
from .formatting import day, kgco2e, mass, money, number, state_colour
from .waste import text_lines as waste_text_lines

TEMPLATE = "circularity/reports/email.html"
TEXT_TEMPLATE = "circularity/reports/email.txt"
UNCERTIFIED_SHOWN = 10  # serial numbers on the page; every one is in the CSV
SPARK_HEIGHT = 40  # px of a 100 % bar


@dataclass(frozen=True)
class ExceptionSection:
    """One exception as the page shows it: a count, what it means, and one line per group."""

    key: str
    title: str
    definition: str
    count: int
    lines: list[str]
    more: str  # "… and 3 more top-level assets (every serial number is in the CSV)."

    @property
    def colour(self) -> str:
        return "#c0392b" if self.count else "#1b7f3b"


def exception_sections(report: Report) -> list[ExceptionSection]:
    uncertified = report.exceptions["uncertified"]
    transit = report.exception_groups["in_transit"]
    missing = report.exception_groups["missing"]
    csv_note = f"every serial number is in {report.csv_filename}"
    uncertified_lines = [
        f"{row['serial_number']} ({row['category']}): {row['route'] or row['status'] + ', no disposition'}, "
        f"left custody {day(row['left_at'])} at {row['center'] or '—'}"
        + (f", installed in {row['installed_in']}" if row["installed_in"] else "")
        for row in uncertified.rows[:UNCERTIFIED_SHOWN]
    ]
    shown = min(len(uncertified.rows), UNCERTIFIED_SHOWN)
    return [
        ExceptionSection(
            key="uncertified",
            title="Data-bearing assets that left custody without a verified certificate (must be zero)",
            definition=(
                "A disposition of a data-bearing asset with no verified sanitization of a method its route allows "
                "(reuse: clear, purge or destroy; other routes: purge or destroy) performed in its custody cycle, or "
                "a data-bearing asset resold, recycled or disposed of with no disposition and no verified purge or "
                f"destroy; decided or recorded in {report.label} (a backdated import shows in the month it was "
                "recorded)."
            ),
            count=uncertified.total,
            lines=uncertified_lines,
            more=f"… and {number(uncertified.total - shown)} more ({csv_note})." if uncertified.total > shown else "",
        ),
        ExceptionSection(
            key="in_transit",
            title=f"Assets in transit longer than {report.transit_days} days",
            definition=(
                f"Counted from each asset's last move into in_transit, on {day(report.generated_at)}; grouped by the "
                "top-level asset they travel in, longest first."
            ),
            count=transit.assets,
            lines=[
                f"{group.sentence} in transit for {group.days}"
                + (f" · shipment {group.shipment} to {group.shipment_center}" if group.shipment else "")
                for group in transit.shown
            ],
            more=_more_groups(transit.more_groups, csv_note),
        ),
        *(_lot_section(section) for section in report_lots.lot_sections(report)),
        ExceptionSection(
            key="missing",
            title="Assets missing",
            definition=f"Assets in the missing state on {day(report.generated_at)}, by top-level asset, longest first.",
            count=missing.assets,
            lines=[f"{group.sentence} missing for {group.days}" for group in missing.shown],
            more=_more_groups(missing.more_groups, csv_note),
        ),
    ]


def _lot_section(section: dict) -> ExceptionSection:
    """A lot exception (``report_lots``): lots are not assets, so one line per lot, not per tree."""
    found = section["found"]
    return ExceptionSection(
        key=section["key"],
        title=section["title"],
        definition=section["definition"],
        count=found.total,
        lines=[" | ".join(cell for cell in cells if cell) for cells in section["cells"][:UNCERTIFIED_SHOWN]],
        more=f"… and {number(found.total - min(found.total, UNCERTIFIED_SHOWN))} more."
        if found.total > UNCERTIFIED_SHOWN
        else "",
    )


def _more_groups(count: int, csv_note: str) -> str:
    if not count:
        return ""
    return f"… and {number(count)} more top-level asset{'s' if count != 1 else ''} ({csv_note})."


class GroupTable(NamedTuple):
    title: str
    heading: str
    rows: list[GroupRow]


def group_tables(report: Report) -> list[GroupTable]:
    return [
        GroupTable("circular center", "Center", report.by_center),
        GroupTable("category", "Category", report.by_category),
    ]


def proceeds_rows(report: Report) -> list[dict]:
    """Per currency: the month's and the fiscal year's proceeds (each currency on its own)."""
    value = report.recovery["value_recovered"]
    in_month = {row["currency"]: row for row in value["month"]}
    return [{"currency": row["currency"], "month": in_month.get(row["currency"]), "fytd": row} for row in value["fytd"]]


def recovery_rows(report: Report) -> list[tuple[str, str, str]]:
    """Section 9: (figure, month, fiscal year to date), each currency apart."""
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
        ("Their mass", mass(month["mass_kg"]), mass(fytd["mass_kg"])),
        ("Their avoided emissions", kgco2e(month["avoided_kgco2e"]), kgco2e(fytd["avoided_kgco2e"])),
    ]
    return out


def sparkline(report: Report) -> list[dict]:
    """The 12 months ending with the report month: the rolling 12-month rate by units, as bars."""
    return [
        {
            "month": row.month,
            "value": row.rolling.units,
            "height": 1 if row.rolling.units is None else max(1, round(row.rolling.units * SPARK_HEIGHT)),
            "room": SPARK_HEIGHT
            - (1 if row.rolling.units is None else max(1, round(row.rolling.units * SPARK_HEIGHT))),
        }
        for row in report.sparkline
    ]


def context(report: Report) -> dict:
    """What both templates read."""
    return {
        "r": report,
        "cid": CHART_CID,
        "tables": group_tables(report),
        "exception_sections": exception_sections(report),
        "spark": sparkline(report),
        "spark_values": [row.rolling.units for row in report.sparkline],
        "headline_colour": state_colour(report.rate_status),
        "proceeds": proceeds_rows(report),
        "recovery_rows": recovery_rows(report),
        "waste_lines": waste_text_lines(report.waste) if report.waste else [],
    }


def render_html(report: Report) -> str:
    return render_to_string(TEMPLATE, context(report))


def render_text(report: Report) -> str:
    """The plain-text alternative: the same summary and sections, in aligned lines."""
    return render_to_string(TEXT_TEMPLATE, context(report))
