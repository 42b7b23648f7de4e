"""The report's and the dashboard's waste section: GRI 306-3/4/5 tables and ESRS E5-5 datapoints.

``waste_section`` reads one span of months (a fiscal year to date) through
``circularity.metrics`` (a few queries, no formula here) into a ``WasteSection``; the
renderers below lay it out for the email's text part, the PDF and the CSV; the HTML email
and the dashboard include their own templates (``circularity/reports/waste_section.html``,
``admin/circularity/dashboard_waste.html``). Its own module, so the rest of the report
changes by one line per renderer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from ..metrics import Datapoint, span_waste_sums, waste_figures
from ..metrics.disclosure import OPERATION_LABELS, esrs_e5
from ..periods import fiscal_year_of, fiscal_year_start
from ..waste import DISPOSAL_OPERATIONS, RECOVERY_OPERATIONS
from .formatting import pct, tonnes

TITLE = "Waste accounting: GRI 306-3/4/5 and ESRS E5-5"
SPLIT = ("total", "hazardous", "non_hazardous", "onsite", "offsite")
HEADINGS = ["GRI 306", "Operation", "Total", "Hazardous", "Non-hazardous", "Onsite", "Offsite"]


@dataclass(frozen=True)
class WasteLine:
    """One line of the GRI 306 table: a disclosure's operation (or its total) and its five masses (t)."""

    paragraph: str
    operation: str
    masses: dict[str, Decimal | None]
    total_line: bool = False

    def cells(self, formatted=tonnes) -> list[str]:
        """Printable cells; a split the line does not have (306-3 is not split) is blank."""
        masses = [formatted(self.masses[key]) if key in self.masses else "" for key in SPLIT]
        return [self.paragraph, self.operation, *masses]


@dataclass
class WasteSection:
    fiscal_year: int
    first: dt.date
    last: dt.date
    figures: dict
    gri_306: list[WasteLine]
    esrs_e5: list[Datapoint]

    @property
    def label(self) -> str:
        return f"FY{self.fiscal_year} to date ({self.first:%b %Y} – {self.last:%b %Y})"

    def as_json(self) -> dict:
        """What ``ComplianceReport.figures`` keeps of it: the row and every ESRS datapoint."""
        return {
            "first": f"{self.first:%Y-%m}",
            "last": f"{self.last:%Y-%m}",
            "figures": self.figures,
            "esrs_e5": [point._asdict() for point in self.esrs_e5],
        }


def _total(split: dict) -> dict:
    return {key: sum((op[key] for op in split.values()), Decimal(0)) for key in SPLIT}


def gri_306_lines(figures: dict) -> list[WasteLine]:
    lines = [WasteLine("306-3-a", "Waste generated", {"total": figures["waste_generated_t"]}, total_line=True)]
    for disclosure, key, operations, total_label in (
        ("306-4", "diverted_t", RECOVERY_OPERATIONS, "Diverted from disposal"),
        ("306-5", "disposal_t", DISPOSAL_OPERATIONS, "Directed to disposal"),
    ):
        numerals = ["i", "ii", "iii", "iv"]
        for numeral, operation in zip(numerals, operations, strict=False):
            label = OPERATION_LABELS[operation]
            lines.append(
                WasteLine(f"{disclosure}-b/c-{numeral}", label[0].upper() + label[1:], figures[key][operation])
            )
        lines.append(WasteLine(f"{disclosure}-a", total_label, _total(figures[key]), total_line=True))
    return lines


def waste_section(last_month: dt.date) -> WasteSection:
    """The fiscal year to date that ends with ``last_month`` (≤ 3 queries)."""
    fiscal_year = fiscal_year_of(last_month)
    first = fiscal_year_start(fiscal_year)
    sums = span_waste_sums(first, last_month)
    figures = waste_figures(sums)
    return WasteSection(fiscal_year, first, last_month, figures, gri_306_lines(figures), esrs_e5(sums))


def datapoint_value(point: Datapoint) -> str:
    return pct(None if point.value is None else float(point.value)) if point.unit == "fraction" else tonnes(point.value)


def text_lines(section: WasteSection) -> list[str]:
    """The section in the plain-text alternative of the email."""
    lines = [
        "",
        f"{TITLE.upper()}, {section.label}",
        "  GRI 306 (t): total | hazardous | non-hazardous | onsite | offsite",
    ]
    for line in section.gri_306:
        cells = line.cells()
        lines.append(f"  {cells[0]:<13} {cells[1]:<40} " + " | ".join(cells[2:]))
    lines.append(f"  Kept in use (internal reuse, not waste): {tonnes(section.figures['kept_in_use_t'])}")
    lines.append("  ESRS E5-5:")
    lines += [f"  {point.label}: {datapoint_value(point)}" for point in section.esrs_e5]
    return lines


def pdf_flow(section: WasteSection, styles: dict, table) -> list:
    """The section as reportlab flowables; ``table`` is the PDF's own table helper."""
    from reportlab.platypus import Paragraph

    gri = [HEADINGS, *(line.cells() for line in section.gri_306)]
    esrs = [["ESRS E5-5 datapoint", "Value"], *([point.label, datapoint_value(point)] for point in section.esrs_e5)]
    return [
        Paragraph(f"{TITLE}, {section.label}", styles["h2"]),
        table(gri, [0.11, 0.29, 0.11, 0.12, 0.15, 0.11, 0.11], styles, right_from=2),
        Paragraph(
            f"Kept in use (internal reuse, not waste): {tonnes(section.figures['kept_in_use_t'])}. Onsite: carried "
            "out by the operator at its center; offsite: by a vendor. GRI 306-4-d and 306-5-d (hazardous × onsite) "
            "are in the disclosure export (/api/v1/metrics/waste/disclosure/).",
            styles["small"],
        ),
        table(esrs, [0.8, 0.2], styles),
    ]


def csv_rows(section: WasteSection) -> list[tuple[str, str, object, str]]:
    """(figure, key, value, unit) rows for the report's CSV, fiscal year to date: every datapoint, exact."""
    rows = [("kept_in_use_t", "", section.figures["kept_in_use_t"], "t")]
    for line in section.gri_306:
        for key in SPLIT:
            if key in line.masses:
                rows.append((f"gri_306 {line.paragraph} {line.operation}", key, line.masses[key], "t"))
    rows += [
        (f"esrs_e5 {point.paragraph} {point.dimension}", "", point.value, "ratio" if point.unit == "fraction" else "t")
        for point in section.esrs_e5
    ]
    return rows


__all__ = ["TITLE", "WasteLine", "WasteSection", "csv_rows", "pdf_flow", "text_lines", "waste_section"]
