"""Waste accounting an auditor signs (SPEC section 10): a hand-built fleet, every figure by hand.

One circular center, AMS-CC1, serving AMS05 and AMS06; every decision in March 2024 (FY2024).
A vendor named on a disposition makes it offsite; none, onsite (``circularity.waste``).

=====  =====================================  ======  =======  ========  ===========  ===========
asset  what (category)                        site    kg       route     vendor       hazardous
=====  =====================================  ======  =======  ========  ===========  ===========
A      server (server) + 2 memory (memory)    AMS05   18.400   reuse     —            no
       installed: 2 × 0.030 kg                        + 0.060  (tree)
B      GPU (gpu)                              AMS05    1.250   resale    REMARKET-1   no
C      PSU (psu)                              AMS05    1.500   recycle   — (onsite)   no
D      fan (fan)                              AMS05    0.375   recycle   RECYCLER-1   no
E      battery pack (battery)                 AMS05    4.200   recycle   BATTERY-1    yes (default)
F      cable (cable)                          AMS05    2.345   incin. ER WTE-1        no
G      capacitor bank (other, hazardous)      AMS05    0.655   incin.    INCIN-1      yes (set)
H      cable (cable)                          AMS05    1.111   landfill  LANDFILL-1   no
I      server dismantled, chassis (server)    AMS06   14.000   landfill  — (onsite)   no
I.ssd  its SSD (ssd), purged                  AMS06    0.080   recycle   — (onsite)   no
I.bbu  its backup battery (battery)           AMS06    0.300   recycle   BATTERY-1    yes (default)
I.mb   its motherboard (motherboard)          AMS06    2.100   resale    REMARKET-1   no
J      cable, decided 2023-06-30 (FY2023)     AMS05  999.000   landfill  LANDFILL-1   no: outside
=====  =====================================  ======  =======  ========  ===========  ===========

By hand (kg; the API answers tonnes = kg ÷ 1000, exact to the gram):

kept in use (reuse): A 18.400 + 2 × 0.030 = 18.460
306-4 preparation for reuse (resale): B 1.250 + I.mb 2.100 = 3.350
    hazardous 0, non-hazardous 3.350; onsite 0, offsite 3.350
306-4 recycling: C 1.500 + D 0.375 + E 4.200 + I.ssd 0.080 + I.bbu 0.300 = 6.455
    hazardous E + I.bbu = 4.500, non-hazardous C + D + I.ssd = 1.955
    onsite C + I.ssd = 1.580, offsite D + E + I.bbu = 4.875
    (306-4-d) hazardous: onsite 0, offsite 4.500; non-hazardous: onsite 1.580, offsite 0.375
306-4 other recovery: 0 (no route maps to it, docs/waste.md)
306-5 incineration with energy recovery: F 2.345 (non-hazardous, offsite)
306-5 incineration without: G 0.655 (hazardous, offsite)
306-5 landfill: H 1.111 + I 14.000 = 15.111 (non-hazardous; onsite I 14.000, offsite H 1.111)
306-5 other disposal: 0
306-3 waste generated = 3.350 + 6.455 + 2.345 + 0.655 + 15.111 = 27.916
306-4-a diverted = 3.350 + 6.455 = 9.805; 306-5-a directed to disposal = 2.345 + 0.655 + 15.111 = 18.111
ESRS §37(b) hazardous 4.500, non-hazardous 3.350 + 1.955 = 5.305
ESRS §37(c) incineration (both kinds): hazardous 0.655, non-hazardous 2.345; landfill 0 / 15.111;
    total 18.111 = hazardous 0.655 + non-hazardous 17.456
ESRS §37(d) non-recycled = 27.916 − 3.350 − 6.455 = 18.111; share 18.111 ÷ 27.916 = 0.64876773…
ESRS §39 hazardous waste = 4.500 + 0.655 = 5.155; radioactive 0

By site: AMS05 generated B 1.250 + C..E 6.075 + F 2.345 + G 0.655 + H 1.111 = 11.436 (hazardous 4.855,
kept 18.460); AMS06 generated 2.100 + 0.380 + 14.000 = 16.480 (hazardous 0.300); 11.436 + 16.480 = 27.916.
"""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from circularity import metrics, snapshots
from circularity.models import Disposition
from tests.api.conftest import grant, token_client
from tests.circularity.waste_fleet import FY2024, build_fleet, t
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def fleet(db):
    return build_fleet()


@pytest.fixture
def analyst(db):
    """A token client of someone who may read dispositions (and so the waste figures)."""
    return token_client(grant(UserFactory(), "circularity.view_disposition"))


def split(total, hazardous="0", onsite="0"):
    """The five figures of an operation from its total, hazardous and onsite masses (kg)."""
    return {
        "total": t(total),
        "hazardous": t(hazardous),
        "non_hazardous": t(total) - t(hazardous),
        "onsite": t(onsite),
        "offsite": t(total) - t(onsite),
    }


TOTAL = {
    "kept_in_use_t": t("18.460"),
    "waste_generated_t": t("27.916"),
    "diverted_t": {
        "preparation_for_reuse": split("3.350"),
        "recycling": split("6.455", hazardous="4.500", onsite="1.580"),
        "other_recovery": split("0"),
    },
    "disposal_t": {
        "incineration_energy_recovery": split("2.345"),
        "incineration": split("0.655", hazardous="0.655"),
        "landfill": split("15.111", onsite="14.000"),
        "other_disposal": split("0"),
    },
    "non_recycled_waste_t": t("18.111"),
    "non_recycled_share": float(Decimal("18.111") / Decimal("27.916")),
    "hazardous_waste_t": t("5.155"),
    "radioactive_waste_t": Decimal("0"),
}


def figures_of(row: dict) -> dict:
    return {key: value for key, value in row.items() if key not in ("period", "period_start", "group")}


def test_every_fiscal_year_figure_is_the_hand_computed_one(fleet):
    (row,) = metrics.waste_rows("fiscal_year", FY2024, FY2024)
    assert (row["period"], row["group"]) == ("FY2024", None)
    assert figures_of(row) == TOTAL


def test_the_month_holds_the_same_figures_and_the_fiscal_year_before_only_its_own(fleet):
    (march,) = metrics.waste_rows("month", dt.date(2024, 3, 1), dt.date(2024, 3, 1))
    assert figures_of(march) == TOTAL
    (fy2023,) = metrics.waste_rows("fiscal_year", dt.date(2022, 7, 1), dt.date(2022, 7, 1))
    assert fy2023["waste_generated_t"] == fy2023["disposal_t"]["landfill"]["offsite"] == t("999.000")
    assert fy2023["non_recycled_share"] == 1.0


def test_snapshots_in_long_format_give_the_same_figures(fleet):
    live = metrics.waste_rows("fiscal_year", FY2024, FY2024, "site", live=True)
    assert dt.date(2024, 3, 1) in snapshots.refresh_stale()
    assert metrics.fresh_snapshot_months([dt.date(2024, 3, 1)]) == {dt.date(2024, 3, 1)}
    assert metrics.waste_rows("fiscal_year", FY2024, FY2024, "site") == live
    (total,) = metrics.waste_rows("fiscal_year", FY2024, FY2024)
    assert figures_of(total) == TOTAL


def test_by_site_the_groups_are_hand_computed_and_add_up_to_the_total(fleet):
    rows = {row["group"]: row for row in metrics.waste_rows("fiscal_year", FY2024, FY2024, "site")}
    assert sorted(rows) == ["AMS05", "AMS06"]
    ams05, ams06 = rows["AMS05"], rows["AMS06"]
    assert (ams05["waste_generated_t"], ams05["hazardous_waste_t"], ams05["kept_in_use_t"]) == (
        t("11.436"),
        t("4.855"),
        t("18.460"),
    )
    assert (ams06["waste_generated_t"], ams06["hazardous_waste_t"], ams06["kept_in_use_t"]) == (
        t("16.480"),
        t("0.300"),
        t("0"),
    )
    # AMS06: non-recycled = 16.480 − 2.100 − 0.380 = 14.000 (the chassis); AMS05: 11.436 − 1.250 − 6.075 = 4.111.
    assert (ams06["non_recycled_waste_t"], ams05["non_recycled_waste_t"]) == (t("14.000"), t("4.111"))
    assert ams06["disposal_t"]["landfill"] == split("14.000", onsite="14.000")
    assert ams06["diverted_t"]["recycling"] == split("0.380", hazardous="0.300", onsite="0.080")
    _assert_groups_add_up(rows.values())


@pytest.mark.parametrize("group_by", ["site", "center", "category"])
def test_every_grouping_adds_up_to_the_total(fleet, group_by):
    rows = metrics.waste_rows("fiscal_year", FY2024, FY2024, group_by)
    _assert_groups_add_up(rows)


def _assert_groups_add_up(rows):
    rows = list(rows)
    for key in ("kept_in_use_t", "waste_generated_t", "non_recycled_waste_t", "hazardous_waste_t"):
        assert sum(row[key] for row in rows) == TOTAL[key], key
    for kind in ("diverted_t", "disposal_t"):
        for operation, expected in TOTAL[kind].items():
            for field, value in expected.items():
                assert sum(row[kind][operation][field] for row in rows) == value, (kind, operation, field)


def test_by_category_batteries_are_the_hazardous_recycling(fleet):
    rows = {row["group"]: row for row in metrics.waste_rows("fiscal_year", FY2024, FY2024, "category")}
    # E 4.200 + I.bbu 0.300, both recycled by BATTERY-1.
    assert rows["battery"]["diverted_t"]["recycling"] == split("4.500", hazardous="4.500")
    assert rows["battery"]["hazardous_waste_t"] == t("4.500")
    # The memory came back into the fleet with its server: kept in use, no waste at all.
    assert (rows["memory"]["kept_in_use_t"], rows["memory"]["waste_generated_t"]) == (t("0.060"), t("0"))
    assert rows["memory"]["non_recycled_share"] is None


def test_a_part_model_changed_later_does_not_rewrite_the_past(fleet):
    """A disposition keeps the hazardous flag of its part model at decision time."""
    battery = Disposition.objects.get(asset__serial_number="E")
    battery.asset.part_model.hazardous = False
    battery.asset.part_model.save()
    assert Disposition.objects.get(pk=battery.pk).hazardous is True
    (row,) = metrics.waste_rows("fiscal_year", FY2024, FY2024)
    assert row["hazardous_waste_t"] == t("5.155")


# The disclosure export, datapoint by datapoint: (paragraph, dimension, value in kg or share).
GRI_306_ROWS = [
    ("306-3", "306-3-a", "waste generated", "27.916"),
    ("306-4", "306-4-a", "waste diverted from disposal", "9.805"),
    ("306-4", "306-4-b-i", "hazardous waste diverted from disposal: preparation for reuse", "0"),
    ("306-4", "306-4-b-ii", "hazardous waste diverted from disposal: recycling", "4.500"),
    ("306-4", "306-4-b-iii", "hazardous waste diverted from disposal: other recovery operations", "0"),
    ("306-4", "306-4-c-i", "non-hazardous waste diverted from disposal: preparation for reuse", "3.350"),
    ("306-4", "306-4-c-ii", "non-hazardous waste diverted from disposal: recycling", "1.955"),
    ("306-4", "306-4-c-iii", "non-hazardous waste diverted from disposal: other recovery operations", "0"),
    ("306-4", "306-4-d-i", "hazardous waste diverted from disposal: preparation for reuse, onsite", "0"),
    ("306-4", "306-4-d-ii", "hazardous waste diverted from disposal: preparation for reuse, offsite", "0"),
    ("306-4", "306-4-d-i", "non-hazardous waste diverted from disposal: preparation for reuse, onsite", "0"),
    ("306-4", "306-4-d-ii", "non-hazardous waste diverted from disposal: preparation for reuse, offsite", "3.350"),
    ("306-4", "306-4-d-i", "hazardous waste diverted from disposal: recycling, onsite", "0"),
    ("306-4", "306-4-d-ii", "hazardous waste diverted from disposal: recycling, offsite", "4.500"),
    ("306-4", "306-4-d-i", "non-hazardous waste diverted from disposal: recycling, onsite", "1.580"),
    ("306-4", "306-4-d-ii", "non-hazardous waste diverted from disposal: recycling, offsite", "0.375"),
    ("306-4", "306-4-d-i", "hazardous waste diverted from disposal: other recovery operations, onsite", "0"),
    ("306-4", "306-4-d-ii", "hazardous waste diverted from disposal: other recovery operations, offsite", "0"),
    ("306-4", "306-4-d-i", "non-hazardous waste diverted from disposal: other recovery operations, onsite", "0"),
    ("306-4", "306-4-d-ii", "non-hazardous waste diverted from disposal: other recovery operations, offsite", "0"),
    ("306-5", "306-5-a", "waste directed to disposal", "18.111"),
    ("306-5", "306-5-b-i", "hazardous waste directed to disposal: incineration (with energy recovery)", "0"),
    ("306-5", "306-5-b-ii", "hazardous waste directed to disposal: incineration (without energy recovery)", "0.655"),
    ("306-5", "306-5-b-iii", "hazardous waste directed to disposal: landfilling", "0"),
    ("306-5", "306-5-b-iv", "hazardous waste directed to disposal: other disposal operations", "0"),
    ("306-5", "306-5-c-i", "non-hazardous waste directed to disposal: incineration (with energy recovery)", "2.345"),
    ("306-5", "306-5-c-ii", "non-hazardous waste directed to disposal: incineration (without energy recovery)", "0"),
    ("306-5", "306-5-c-iii", "non-hazardous waste directed to disposal: landfilling", "15.111"),
    ("306-5", "306-5-c-iv", "non-hazardous waste directed to disposal: other disposal operations", "0"),
    *[
        ("306-5", f"306-5-d-{numeral}", f"{nature} waste directed to disposal: {operation}, {where}", kg)
        for operation, cells in (
            ("incineration (with energy recovery)", ("0", "0", "0", "2.345")),
            ("incineration (without energy recovery)", ("0", "0.655", "0", "0")),
            ("landfilling", ("0", "0", "14.000", "1.111")),
            ("other disposal operations", ("0", "0", "0", "0")),
        )
        for (nature, numeral, where), kg in zip(
            (
                ("hazardous", "i", "onsite"),
                ("hazardous", "ii", "offsite"),
                ("non-hazardous", "i", "onsite"),
                ("non-hazardous", "ii", "offsite"),
            ),
            cells,
            strict=True,
        )
    ],
]

ESRS_E5_ROWS = [
    ("E5-5", "§37(a)", "total waste generated", "27.916"),
    ("E5-5", "§37(b)", "total waste diverted from disposal", "9.805"),
    ("E5-5", "§37(b)", "hazardous waste diverted from disposal", "4.500"),
    ("E5-5", "§37(b)", "non-hazardous waste diverted from disposal", "5.305"),
    ("E5-5", "§37(b)(i)", "hazardous waste diverted from disposal: preparation for reuse", "0"),
    ("E5-5", "§37(b)(i)", "non-hazardous waste diverted from disposal: preparation for reuse", "3.350"),
    ("E5-5", "§37(b)(ii)", "hazardous waste diverted from disposal: recycling", "4.500"),
    ("E5-5", "§37(b)(ii)", "non-hazardous waste diverted from disposal: recycling", "1.955"),
    ("E5-5", "§37(b)(iii)", "hazardous waste diverted from disposal: other recovery operations", "0"),
    ("E5-5", "§37(b)(iii)", "non-hazardous waste diverted from disposal: other recovery operations", "0"),
    ("E5-5", "§37(c)", "total waste directed to disposal", "18.111"),
    ("E5-5", "§37(c)", "hazardous waste directed to disposal", "0.655"),
    ("E5-5", "§37(c)", "non-hazardous waste directed to disposal", "17.456"),
    ("E5-5", "§37(c)(i)", "hazardous waste directed to disposal: incineration", "0.655"),
    ("E5-5", "§37(c)(i)", "non-hazardous waste directed to disposal: incineration", "2.345"),
    ("E5-5", "§37(c)(ii)", "hazardous waste directed to disposal: landfill", "0"),
    ("E5-5", "§37(c)(ii)", "non-hazardous waste directed to disposal: landfill", "15.111"),
    ("E5-5", "§37(c)(iii)", "hazardous waste directed to disposal: other disposal operations", "0"),
    ("E5-5", "§37(c)(iii)", "non-hazardous waste directed to disposal: other disposal operations", "0"),
    ("E5-5", "§37(d)", "non-recycled waste", "18.111"),
    ("E5-5", "§37(d)", "non-recycled waste share", None),  # 18.111 ÷ 27.916 = 0.648768 (six places)
    ("E5-5", "§39", "hazardous waste", "5.155"),
    ("E5-5", "§39", "radioactive waste", "0"),
]
SHARE = Decimal("0.648768")


def expected_rows(standard, rows):
    """As the export writes them: tonnes (kg ÷ 1000) and shares to six places."""
    return [
        {
            "standard": standard,
            "disclosure": disclosure,
            "paragraph": paragraph,
            "dimension": dimension,
            "unit": "fraction" if kg is None else "t",
            "value": SHARE if kg is None else (t(kg)).quantize(Decimal("0.000001")),
        }
        for disclosure, paragraph, dimension, kg in rows
    ]


@pytest.mark.parametrize(("standard", "rows"), [("gri306", GRI_306_ROWS), ("esrs_e5", ESRS_E5_ROWS)])
def test_the_disclosure_export_rows_one_by_one_as_json_and_csv(fleet, analyst, standard, rows):
    client = analyst
    expected = expected_rows(standard, rows)
    url = f"/api/v1/metrics/waste/disclosure/?fiscal_year=FY2024&standard={standard}"

    answered = client.get(url).json()["results"]
    assert len(answered) == len(expected)
    for got, want in zip(answered, expected, strict=True):
        assert {**got, "value": Decimal(str(got["value"]))} == want

    response = client.get(url + "&format=csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="waste-disclosure-FY2024-{standard}.csv"' in response["Content-Disposition"]
    written = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(written) == len(expected)
    for got, want in zip(written, expected, strict=True):
        assert {**got, "value": Decimal(got["value"])} == want


def test_the_api_answers_the_hand_computed_row(fleet, analyst):
    client = analyst
    response = client.get("/api/v1/metrics/waste/?period=fiscal_year&start=FY2024&end=FY2024")
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["period"] == "FY2024" and row["group"] is None
    assert row["waste_generated_t"] == 0.027916
    assert row["kept_in_use_t"] == 0.01846
    assert row["diverted_t"]["recycling"] == {
        "total": 0.006455,
        "hazardous": 0.0045,
        "non_hazardous": 0.001955,
        "onsite": 0.00158,
        "offsite": 0.004875,
    }
    assert row["disposal_t"]["landfill"] == {
        "total": 0.015111,
        "hazardous": 0.0,
        "non_hazardous": 0.015111,
        "onsite": 0.014,
        "offsite": 0.001111,
    }
    assert row["non_recycled_waste_t"] == 0.018111
    assert row["non_recycled_share"] == pytest.approx(0.6487677317667288, abs=0)
    assert (row["hazardous_waste_t"], row["radioactive_waste_t"]) == (0.005155, 0.0)


def test_dispositions_show_and_filter_the_hazardous_flag_they_were_decided_with(fleet, analyst):
    rows = analyst.get("/api/v1/dispositions/?hazardous=true").json()["results"]
    assert sorted((row["asset"], row["hazardous"]) for row in rows) == [("E", True), ("G", True), ("I-BBU", True)]
