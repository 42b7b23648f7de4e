"""``compliance-YYYY-MM.pdf``: the report's content, paginated, with the chart (reportlab).

Text is set in DejaVu Sans, which matplotlib ships, so "—", "≥" and "CO₂e" print on any
machine without installing fonts. Every page carries the month and "page n of N".
"""

from __future__ import annotations

import io
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import Image, KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .build import Report
from .formatting import basis, kgco2e, mass, number, pct, state_colour, target_pct, tonnes, verdict, verdict_reason
from .html import exception_sections, group_tables, recovery_rows
from .waste import pdf_flow as waste_flow

GREEN = colors.HexColor("#1b7f3b")
GREY = colors.HexColor("#555555")
FONT, BOLD = "DejaVuSans", "DejaVuSans-Bold"
WIDTH = A4[0] - 36 * mm


def _register_fonts() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(FONT, str(fonts / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(fonts / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=9, leading=12)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=10, textColor=GREY),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8, leading=10),
        "cell_right": ParagraphStyle("cell_right", parent=base, fontSize=8, leading=10, alignment=TA_RIGHT),
        "title": ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=18, leading=22, spaceAfter=4),
        "h2": ParagraphStyle(
            "h2", parent=base, fontName=BOLD, fontSize=12, leading=15, textColor=GREEN, spaceBefore=12
        ),
        "h3": ParagraphStyle("h3", parent=base, fontName=BOLD, fontSize=10, leading=13, spaceBefore=8),
        "headline": ParagraphStyle("headline", parent=base, fontName=BOLD, fontSize=24, leading=28),
    }


class _NumberedCanvas(pdf_canvas.Canvas):
    """Holds pages back until the end so each can say "page n of N"."""

    label = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages = []

    def showPage(self):  # noqa: N802 (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for page in self._pages:
            self.__dict__.update(page)
            self.setFont(FONT, 7.5)
            self.setFillColor(GREY)
            self.drawString(18 * mm, 10 * mm, f"AssetLife compliance report {self.label}")
            self.drawRightString(A4[0] - 18 * mm, 10 * mm, f"page {self._pageNumber} of {total}")
            super().showPage()
        super().save()


# Horizontal padding reportlab leaves in a cell on each side (its default).
CELL_PADDING = 6


def _table(rows: list[list], widths: list[float], styles: dict, *, right_from: int = 1) -> Table:
    """A table of text cells; the first row is the header; columns from ``right_from`` align right."""
    body = []
    room = [w * WIDTH - 2 * CELL_PADDING for w in widths]
    for index, row in enumerate(rows):
        cells = []
        for column, value in enumerate(row):
            text = str(value)
            # A cell that fits is drawn as a plain string, which reportlab sets several
            # times faster than a Paragraph; only text that must wrap gets one.
            if pdfmetrics.stringWidth(text, BOLD if index == 0 else FONT, 8) <= room[column]:
                cells.append(text)
                continue
            style = styles["cell_right"] if column >= right_from else styles["cell"]
            cells.append(Paragraph(f"<b>{escape(text)}</b>" if index == 0 else escape(text), style))
        body.append(cells)
    table = Table(body, colWidths=[w * WIDTH for w in widths], repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("FONTNAME", (0, 0), (-1, 0), BOLD),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("LEADING", (0, 0), (-1, -1), 10),
                ("ALIGN", (right_from, 0), (-1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 1.2, GREEN),
                ("LINEBELOW", (0, 1), (-1, -1), 0.3, colors.HexColor("#dddddd")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


Flow = list  # reportlab flowables


def summary(report: Report, s: dict) -> Flow:
    """Page 1: what a manager reads in a minute. The headline rate is coloured by its
    target's verdict; the year against its trajectory; each target in words and colour;
    a 12-month sparkline; one line per exception."""
    colour = report.headline_colour
    status = report.rate_status
    month = report.total.month
    flow = [
        Paragraph(f"Compliance report {report.title}", s["title"]),
        Paragraph(
            escape(f"Circularity of retired hardware, {report.label} and {report.fytd_label}. ")
            + escape(f"Generated {report.generated_at:%Y-%m-%d %H:%M} UTC."),
            s["small"],
        ),
        Spacer(0, 6 * mm),
        Paragraph(f"Reuse and recycling rate, {report.title} (by units)", s["body"]),
        Paragraph(
            f'<font color="{colour}">{escape(pct(report.headline_rate))}</font>'
            + (f' <font size="12" color="{colour}">{escape(status.state_label)}</font>' if status else ""),
            s["headline"],
        ),
        Paragraph(escape(f"by mass {pct(month.reuse_recycle_rate.mass)}"), s["body"]),
    ]
    if status and not status.year_passed:
        flow.append(
            Paragraph(
                escape(f"{report.fytd_label}: ")
                + f'<font color="{colour}"><b>{escape(pct(status.value))}</b></font>'
                + escape(f" against a trajectory of {pct(status.trajectory)}"),
                s["body"],
            )
        )
    if not report.has_dispositions:
        flow += [
            Spacer(0, 3 * mm),
            Paragraph(
                escape(f"No dispositions were recorded in {report.title}: the month has no rates (shown as —)."),
                s["body"],
            ),
        ]
    flow.append(Paragraph("Targets", s["h2"]))
    for t in report.targets:
        flow.append(
            Paragraph(
                f'<font color="{state_colour(t)}"><b>{escape(t.state_label)}</b></font> '
                + escape(f"{t.target.get_metric_display()}: {verdict_reason(t)}"),
                s["body"],
            )
        )
    if not report.targets:
        flow.append(Paragraph("No targets are set.", s["body"]))
    flow += [Paragraph("Last 12 months", s["h2"]), _sparkline(report, colour), Spacer(0, 2 * mm)]
    values = [row.rolling.units for row in report.sparkline]
    flow.append(
        Paragraph(
            escape(
                f"Rolling 12-month rate by units, {report.sparkline[0].month:%b %Y} – {report.title}: "
                f"{pct(values[0])} → {pct(values[-1])}."
            ),
            s["small"],
        )
    )
    flow.append(Paragraph("Exceptions", s["h2"]))
    for section in exception_sections(report):
        flow.append(
            Paragraph(
                f'<font color="{section.colour}"><b>{number(section.count)}</b></font> '
                + escape(section.title[0].lower() + section.title[1:]),
                s["body"],
            )
        )
    return [*flow, PageBreak()]


def _sparkline(report: Report, colour: str, width: float = 80 * mm, height: float = 14 * mm) -> Drawing:
    """Twelve bars, 0 % at the bottom and 100 % at the top, a month initial under each."""
    drawing = Drawing(width, height + 4 * mm)
    step = width / max(1, len(report.sparkline))
    for index, row in enumerate(report.sparkline):
        value = row.rolling.units
        bar = max(0.5, (value or 0) * height)
        fill = colors.HexColor(colour) if value is not None else colors.HexColor("#dddddd")
        drawing.add(Rect(index * step + 1, 4 * mm, step - 2, bar, fillColor=fill, strokeColor=None))
        drawing.add(
            String(index * step + step / 2, 0, f"{row.month:%b}"[0], fontName=FONT, fontSize=6, textAnchor="middle")
        )
    return drawing


def rates(report: Report, s: dict) -> Flow:
    month, fytd = report.total.month, report.total.fytd
    rows = [["Figure", report.label, f"FY{report.fiscal_year} to date"]]
    for label, key in (
        ("Reuse and recycling rate", "reuse_recycle_rate"),
        ("Reuse rate", "reuse_rate"),
        ("Recycling rate", "recycle_rate"),
    ):
        for by in ("units", "mass"):
            rows.append(
                [f"{label}, by {by}", pct(getattr(getattr(month, key), by)), pct(getattr(getattr(fytd, key), by))]
            )
    rows += [
        ["Dispositions (units)", number(month.units), number(fytd.units)],
        ["Mass dispositioned", mass(month.mass_kg), mass(fytd.mass_kg)],
        ["Avoided emissions (Scope 3 estimate)", kgco2e(month.avoided_kgco2e), kgco2e(fytd.avoided_kgco2e)],
    ]
    return [KeepTogether([Paragraph("1. Rates", s["h2"]), _table(rows, [0.5, 0.25, 0.25], s)])]


def groups(report: Report, s: dict) -> Flow:
    flow = []
    for number_, section in enumerate(group_tables(report), start=2):
        flow.append(Paragraph(f"{number_}. By {section.title}", s["h2"]))
        if not section.rows:
            flow.append(Paragraph(f"No dispositions in FY{report.fiscal_year} to date.", s["body"]))
            continue
        rows = [[section.heading, "Units", "Mass", "Rate units", "Rate mass", "Units FYTD", "FYTD units / mass"]]
        for row in section.rows:
            m, span_rate = row.month, row.fytd.reuse_recycle_rate
            rows.append(
                [
                    row.label,
                    number(m.units) if m else "0",
                    mass(m.mass_kg) if m else "—",
                    pct(m.reuse_recycle_rate.units) if m else "—",
                    pct(m.reuse_recycle_rate.mass) if m else "—",
                    number(row.fytd.units),
                    f"{pct(span_rate.units)} / {pct(span_rate.mass)}",
                ]
            )
        # The heading stays with its table's first rows (a long table still breaks, header repeated).
        flow[-1] = KeepTogether([flow[-1], _table(rows, [0.24, 0.09, 0.13, 0.11, 0.11, 0.12, 0.2], s)])
    return flow


def chart(report: Report, s: dict) -> Flow:
    image = Image(io.BytesIO(report.chart_png), width=WIDTH, height=WIDTH * 3.6 / 8.0) if report.chart_png else None
    return [
        KeepTogether(
            [Paragraph("4. Rate against the target trajectory", s["h2"]), Spacer(0, 2 * mm)]
            + ([image] if image else [Paragraph("(chart not rendered)", s["small"])])
        )
    ]


def packaging(report: Report, s: dict) -> Flow:
    month, fytd = report.packaging.month, report.packaging.fytd
    rows = [
        ["Figure", report.label, f"FY{report.fiscal_year} to date"],
        ["Packages received", number(month.packages), number(fytd.packages)],
        ["Single-use plastic", mass(month.single_use_plastic_kg), mass(fytd.single_use_plastic_kg)],
        ["Average plastic content per package", pct(month.avg_plastic_content, 2), pct(fytd.avg_plastic_content, 2)],
        [
            f"Reduction against the baseline ({pct(month.baseline, 2)})",
            pct(month.plastic_reduction),
            pct(fytd.plastic_reduction),
        ],
    ]
    return [KeepTogether([Paragraph("5. Packaging: single-use plastic", s["h2"]), _table(rows, [0.5, 0.25, 0.25], s)])]


def gri_306(report: Report, s: dict) -> Flow:
    gri = report.gri_306
    rows = [["Disclosure", "Operation", "Units", "Mass", "Units FYTD", "Mass FYTD"]]
    for line in gri.lines:
        rows.append(
            [
                line.disclosure,
                line.operation,
                number(line.units),
                tonnes(line.mass_t),
                number(line.fytd_units),
                tonnes(line.fytd_mass_t),
            ]
        )
    for disclosure, label in (("306-4", "Diverted from disposal"), ("306-5", "Directed to disposal")):
        rows.append([disclosure, label, "", tonnes(gri.month[disclosure]), "", tonnes(gri.fytd[disclosure])])
    return [
        KeepTogether(
            [
                Paragraph("6. Waste by GRI 306 (2020)", s["h2"]),
                _table(rows, [0.13, 0.35, 0.08, 0.16, 0.12, 0.16], s, right_from=2),
            ]
        )
    ]


def waste(report: Report, s: dict) -> Flow:
    """GRI 306-3/4/5 and ESRS E5-5, fiscal year to date (``reports.waste``)."""
    return waste_flow(report.waste, s, _table) if report.waste else []


def targets(report: Report, s: dict) -> Flow:
    flow = [Paragraph("7. Targets", s["h2"])]
    if not report.targets:
        return [*flow, Paragraph("No targets are set.", s["body"])]
    rows = [["Target", "Baseline", "FYTD", "Trajectory", "Trend", "Status"]]
    for t in report.targets:
        rows.append(
            [
                f"{t.target.get_metric_display()} {t.target.get_comparison_display()} "
                f"{pct(t.target.target_value)} by FY{t.target.target_fiscal_year} ({basis(t)})",
                f"{target_pct(t.baseline, t)} (FY{t.target.baseline_fiscal_year})",
                target_pct(t.value, t),
                target_pct(t.trajectory, t),
                target_pct(t.projection, t),
                t.state_label,
            ]
        )
    flow.append(_table(rows, [0.34, 0.16, 0.11, 0.13, 0.12, 0.14], s))
    return [KeepTogether(flow + [Paragraph(escape(verdict(t)), s["small"]) for t in report.targets])]


def exceptions(report: Report, s: dict) -> Flow:
    """Grouped by top-level asset, one line each; the serial numbers are in the CSV."""
    flow = [Paragraph("8. Exceptions", s["h2"])]
    for section in exception_sections(report):
        title = escape(f"{section.title}: {number(section.count)}")
        parts = [
            Paragraph(f'<font color="#c0392b">{title}</font>' if section.count else title, s["h3"]),
            Paragraph(escape(section.definition), s["small"]),
        ]
        parts += [Paragraph("• " + escape(line), s["body"]) for line in section.lines] or [
            Paragraph("None.", s["body"])
        ]
        if section.more:
            parts.append(Paragraph(escape(section.more), s["small"]))
        flow.append(KeepTogether(parts))
    return flow


def recovery(report: Report, s: dict) -> Flow:
    rows = [["Figure (each currency on its own)", report.label, f"FY{report.fiscal_year} to date"]]
    rows += [list(cells) for cells in recovery_rows(report)]
    return [
        KeepTogether(
            [
                Paragraph("9. Value recovered and harvested parts back in service", s["h2"]),
                _table(rows, [0.5, 0.25, 0.25], s),
            ]
        )
    ]


def footer(report: Report, s: dict) -> Flow:
    return [
        Spacer(0, 6 * mm),
        Paragraph(
            escape(
                f"Every figure, and every serial number of the exceptions, is in {report.csv_filename}. A disposition "
                "counts in the month of its decision (UTC) and for the site the asset came from. Rates over no "
                "dispositions have no value (—)."
            ),
            s["small"],
        ),
    ]


# The report, in order: one builder per section, each ``(report, styles) -> flowables``.
# A new section (waste accounting, ...) is one more function here.
SECTIONS = [summary, rates, groups, chart, packaging, gri_306, waste, targets, exceptions, recovery, footer]


def render_pdf(report: Report) -> bytes:
    _register_fonts()
    styles = _styles()
    flow = [flowable for section in SECTIONS for flowable in section(report, styles)]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=f"AssetLife compliance report {report.label}",
        author="AssetLife",
        subject=report.subject,
    )
    canvas_class = type("ReportCanvas", (_NumberedCanvas,), {"label": report.label})
    document.build(flow, canvasmaker=canvas_class)
    return buffer.getvalue()
