"""``compliance-YYYY-MM.pdf``: the report's content, paginated, with the chart (reportlab).

Text is set in DejaVu Sans, which matplotlib ships, so "—", "≥" and "CO₂e" print on any
machine without installing fonts. Every page carries the month and "page n of N".
"""

from __future__ import annotations

import io
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .build import Report
from .formatting import kg, kg_as_tonnes, kgco2e, meets, number, on_track, pct, tonnes
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
        "headline": ParagraphStyle("headline", parent=base, fontName=BOLD, fontSize=24, leading=28, textColor=GREEN),
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


def render_pdf(report: Report) -> bytes:
    _register_fonts()
    s = _styles()
    month, fytd = report.total["month"], report.total["fytd"]
    flow = [
        Paragraph(f"Compliance report {report.title}", s["title"]),
        Paragraph(
            escape(f"Circularity of retired hardware, {report.label} and {report.fytd_label}. ")
            + escape(f"Generated {report.generated_at:%Y-%m-%d %H:%M} UTC."),
            s["small"],
        ),
        Spacer(0, 6 * mm),
        Paragraph(f"Reuse and recycling rate, {report.title} (by units)", s["body"]),
        Paragraph(pct(report.headline_rate), s["headline"]),
        Paragraph(
            escape(
                f"by mass {pct(month['reuse_recycle_rate']['mass'])} · {report.fytd_label}: "
                f"{pct(fytd['reuse_recycle_rate']['units'])} by units, "
                f"{pct(fytd['reuse_recycle_rate']['mass'])} by mass"
            ),
            s["body"],
        ),
    ]
    if not report.has_dispositions:
        flow.append(Spacer(0, 3 * mm))
        flow.append(
            Paragraph(
                escape(f"No dispositions were recorded in {report.title}: the month has no rates (shown as —)."),
                s["body"],
            )
        )
    flow += [Paragraph("1. Rates", s["h2"])]
    rates = [["Figure", report.label, f"FY{report.fiscal_year} to date"]]
    for label, key in (
        ("Reuse and recycling rate", "reuse_recycle_rate"),
        ("Reuse rate", "reuse_rate"),
        ("Recycling rate", "recycle_rate"),
    ):
        for basis in ("units", "mass"):
            rates.append([f"{label}, by {basis}", pct(month[key][basis]), pct(fytd[key][basis])])
    rates += [
        ["Dispositions (units)", number(month["units"]), number(fytd["units"])],
        ["Mass dispositioned", kg_as_tonnes(month["mass_kg"]), kg_as_tonnes(fytd["mass_kg"])],
        ["Avoided emissions (Scope 3 estimate)", kgco2e(month["avoided_kgco2e"]), kgco2e(fytd["avoided_kgco2e"])],
    ]
    flow.append(_table(rates, [0.5, 0.25, 0.25], s))

    for number_, section in enumerate(group_tables(report), start=2):
        flow.append(Paragraph(f"{number_}. By {section['title']}", s["h2"]))
        if not section["rows"]:
            flow.append(Paragraph(f"No dispositions in FY{report.fiscal_year} to date.", s["body"]))
            continue
        rows = [[section["heading"], "Units", "Mass", "Rate units", "Rate mass", "Units FYTD", "FYTD units / mass"]]
        for row in section["rows"]:
            m, span_rate = row["month"], row["fytd"]["reuse_recycle_rate"]
            rows.append(
                [
                    row["label"],
                    number(m["units"]) if m else "0",
                    kg_as_tonnes(m["mass_kg"]) if m else "—",
                    pct(m["reuse_recycle_rate"]["units"]) if m else "—",
                    pct(m["reuse_recycle_rate"]["mass"]) if m else "—",
                    number(row["fytd"]["units"]),
                    f"{pct(span_rate['units'])} / {pct(span_rate['mass'])}",
                ]
            )
        flow.append(_table(rows, [0.24, 0.09, 0.13, 0.11, 0.11, 0.12, 0.2], s))

    chart = Image(io.BytesIO(report.chart_png), width=WIDTH, height=WIDTH * 3.6 / 8.0) if report.chart_png else None
    flow.append(
        KeepTogether(
            [Paragraph("4. Monthly rate against the target trajectory", s["h2"]), Spacer(0, 2 * mm)]
            + ([chart] if chart else [Paragraph("(chart not rendered)", s["small"])])
        )
    )

    packaging = report.packaging
    flow.append(Paragraph("5. Packaging: single-use plastic", s["h2"]))
    flow.append(
        _table(
            [
                ["Figure", report.label, f"FY{report.fiscal_year} to date"],
                ["Packages received", number(packaging["month"]["packages"]), number(packaging["fytd"]["packages"])],
                [
                    "Single-use plastic",
                    kg(packaging["month"]["single_use_plastic_kg"]),
                    kg(packaging["fytd"]["single_use_plastic_kg"]),
                ],
                [
                    "Average plastic content per package",
                    pct(packaging["month"]["avg_plastic_content"], 2),
                    pct(packaging["fytd"]["avg_plastic_content"], 2),
                ],
                [
                    f"Reduction against the baseline ({pct(packaging['month']['baseline'], 2)})",
                    pct(packaging["month"]["plastic_reduction"]),
                    pct(packaging["fytd"]["plastic_reduction"]),
                ],
            ],
            [0.5, 0.25, 0.25],
            s,
        )
    )

    flow.append(Paragraph("6. Waste by GRI 306 (2020)", s["h2"]))
    gri = [["Disclosure", "Operation", "Units", "Mass", "Units FYTD", "Mass FYTD"]]
    for line in report.gri_306["lines"]:
        gri.append(
            [
                line["disclosure"],
                line["operation"],
                number(line["units"]),
                tonnes(line["mass_t"]),
                number(line["fytd_units"]),
                tonnes(line["fytd_mass_t"]),
            ]
        )
    for disclosure, label in (("306-4", "Diverted from disposal"), ("306-5", "Directed to disposal")):
        gri.append(
            [
                disclosure,
                label,
                "",
                tonnes(report.gri_306["month"][disclosure]),
                "",
                tonnes(report.gri_306["fytd"][disclosure]),
            ]
        )
    flow.append(_table(gri, [0.13, 0.35, 0.08, 0.16, 0.12, 0.16], s, right_from=2))
    flow += waste_flow(report.waste, s, _table) if report.waste else []

    flow.append(Paragraph("7. Targets", s["h2"]))
    if report.targets:
        targets = [["Target", "Baseline", "FYTD", "Trajectory", "Status", "Projection", "Meets?"]]
        for t in report.targets:
            targets.append(
                [
                    f"{t['label']} {t['comparison_label']} {pct(t['target_value'])} by FY{t['target_fiscal_year']} "
                    f"({t['basis']})",
                    f"{pct(t['baseline_value'], 2)} (FY{t['baseline_fiscal_year']})",
                    pct(t["latest_value"], 2),
                    pct(t["trajectory_value"], 2),
                    on_track(t["on_track"]),
                    pct(t["projection"], 2),
                    meets(t["projected_to_meet"]),
                ]
            )
        flow.append(_table(targets, [0.3, 0.14, 0.1, 0.13, 0.11, 0.12, 0.1], s))
    else:
        flow.append(Paragraph("No targets are set.", s["body"]))

    flow.append(Paragraph("8. Exceptions", s["h2"]))
    for section in exception_sections(report):
        found = section["found"]
        title = escape(f"{section['title']}: {number(found.total)}")
        parts = [
            Paragraph(f'<font color="#c0392b">{title}</font>' if found.total else title, s["h3"]),
            Paragraph(escape(section["definition"]), s["small"]),
        ]
        if found.rows:
            widths = [0.19, 0.12, 0.15, 0.14, 0.12, 0.15, 0.13]
            parts.append(_table([section["headings"], *section["cells"]], widths, s, right_from=len(widths)))
            if found.more:
                parts.append(Paragraph(escape(f"… and {number(found.more)} more."), s["small"]))
        else:
            parts.append(Paragraph("None.", s["body"]))
        # A heading never ends a page alone; a long table still breaks (its header repeats).
        flow.append(KeepTogether(parts) if len(found.rows) < 15 else parts[0])
        if len(found.rows) >= 15:
            flow += parts[1:]
    flow.append(Paragraph("9. Value recovered and harvested parts back in service", s["h2"]))
    recovery = [["Figure (each currency on its own)", report.label, f"FY{report.fiscal_year} to date"]]
    recovery += [list(cells) for cells in recovery_rows(report)]
    flow.append(_table(recovery, [0.5, 0.25, 0.25], s))
    flow += [
        Spacer(0, 6 * mm),
        Paragraph(
            escape(
                f"Every figure is in {report.csv_filename}. A disposition counts in the month of its decision (UTC) "
                "and for the site the asset came from. Rates over no dispositions have no value (—)."
            ),
            s["small"],
        ),
    ]

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
