"""``/metrics/circularity/`` and ``/metrics/packaging/``: shapes, nulls, groups, parameters."""

import datetime as dt
from decimal import Decimal

import pytest

from circularity.dispositions import record_disposition
from inventory.choices import Category, Source, Status
from tests.factories import AssetFactory, CircularCenterFactory, PackagingRecordFactory, PartModelFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/metrics/circularity/"


@pytest.fixture
def january(site, other_site, center, server_model):
    """Four dispositions in January 2022 at two centers: recycle, reuse, landfill, resale."""
    dub_center = CircularCenterFactory(code="DUB-CC", sites=[other_site])
    fan = PartModelFactory(category=Category.FAN, mass_kg="0.200")
    plan = [
        ("A", site, center, server_model, "recycle", None),
        ("B", site, center, server_model, "reuse", site),
        ("C", site, center, fan, "landfill", None),
        ("D", other_site, dub_center, server_model, "resale", None),
    ]
    for day, (serial, origin, held_at, model, route, to_site) in enumerate(plan, start=10):
        AssetFactory(
            serial_number=serial, site=origin, part_model=model, status=Status.AT_CIRCULAR_CENTER, center=held_at
        )
        record_disposition(
            asset=serial,
            center=held_at,
            route=route,
            to_site=to_site,
            decided_at=dt.datetime(2022, 1, day, tzinfo=dt.UTC),
            source=Source.API,
        )


def rows(api, query):
    response = api.get(f"{URL}?{query}")
    assert response.status_code == 200, response.json()
    assert set(response.json()) == {"results"}
    return response.json()["results"]


def test_a_month_answers_every_figure_as_json_numbers(api, january):
    [row] = rows(api, "period=month&start=2022-01&end=2022-01")
    assert row == {
        "period": "2022-01",
        "group": None,
        "units": 4,
        "mass_kg": 61.7,
        "reuse_recycle_rate": {"units": 0.75, "mass": pytest.approx(61.5 / 61.7)},
        "reuse_rate": {"units": 0.5, "mass": pytest.approx(41.0 / 61.7)},
        "recycle_rate": {"units": 0.25, "mass": pytest.approx(20.5 / 61.7)},
        "diverted_mass_t": 0.0615,
        "disposed_mass_t": {"incineration_energy_recovery": 0.0, "incineration": 0.0, "landfill": 0.0002},
        "avoided_kgco2e": 2400.0,
    }


def test_a_period_without_dispositions_has_null_rates_not_zero(api, january):
    january, february = rows(api, "period=month&start=2022-01&end=2022-02")
    assert february["period"] == "2022-02"
    assert february["units"] == 0 and february["mass_kg"] == 0
    for rate in ("reuse_recycle_rate", "reuse_rate", "recycle_rate"):
        assert february[rate] == {"units": None, "mass": None}


@pytest.mark.parametrize("group_by", ["site", "center", "category"])
def test_groups_add_up_to_the_total(api, january, group_by):
    [total] = rows(api, "start=2022-01&end=2022-01")
    groups = rows(api, f"start=2022-01&end=2022-01&group_by={group_by}")
    assert len(groups) >= 2 and all(row["group"] for row in groups)
    for figure in ("units", "mass_kg", "diverted_mass_t", "avoided_kgco2e"):
        assert sum(Decimal(str(row[figure])) for row in groups) == Decimal(str(total[figure]))
    for route in total["disposed_mass_t"]:
        assert sum(Decimal(str(row["disposed_mass_t"][route])) for row in groups) == Decimal(
            str(total["disposed_mass_t"][route])
        )


def test_grouped_by_center_names_the_centers(api, january):
    groups = {row["group"]: row for row in rows(api, "start=2022-01&end=2022-01&group_by=center")}
    assert set(groups) == {"AMS-CC", "DUB-CC"}
    assert groups["DUB-CC"]["reuse_rate"] == {"units": 1.0, "mass": 1.0}


def test_fiscal_years_roll_up_their_months(api, january):
    [row] = rows(api, "period=fiscal_year&start=FY2022&end=FY2022")
    assert row["period"] == "FY2022" and row["units"] == 4
    assert [r["period"] for r in rows(api, "period=fiscal_year&start=FY2021&end=FY2023")] == [
        "FY2021",
        "FY2022",
        "FY2023",
    ]


def test_masses_are_kept_to_the_gram(api, site, center):
    model = PartModelFactory(category=Category.CABLE, mass_kg="0.0015")  # stored as 0.002 kg
    AssetFactory(serial_number="CBL", site=site, part_model=model, status=Status.AT_CIRCULAR_CENTER, center=center)
    record_disposition(
        asset="CBL", center=center, route="recycle", decided_at=dt.datetime(2022, 1, 5, tzinfo=dt.UTC), source="api"
    )
    [row] = rows(api, "start=2022-01&end=2022-01")
    assert row["mass_kg"] == 0.002
    assert row["diverted_mass_t"] == 0.000002


def test_the_default_range_is_the_last_twelve_months(api):
    assert len(rows(api, "")) == 12
    assert len(rows(api, "period=fiscal_year")) == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("period=week", "period"),
        ("start=2022-13", "start"),
        ("start=January", "start"),
        ("period=fiscal_year&end=FY20x", "end"),
        ("start=2022-05&end=2022-01", "end"),
        ("group_by=colour", "group_by"),
        ("start=1990-01&end=2022-01", "start"),
    ],
)
def test_bad_parameters_are_400_naming_them(api, query, field):
    response = api.get(f"{URL}?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_packaging_rows_have_plastic_content_and_reduction(api, site, other_site):
    PackagingRecordFactory(site=site, received_on=dt.date(2022, 1, 10), package_count=3, single_use_plastic_g="33")
    PackagingRecordFactory(
        site=other_site, received_on=dt.date(2022, 1, 12), package_count=1, single_use_plastic_g="33"
    )
    response = api.get("/api/v1/metrics/packaging/?start=2022-01&end=2022-02")
    assert response.status_code == 200
    january, february = response.json()["results"]
    assert january == {
        "period": "2022-01",
        "group": None,
        "packages": 4,
        "avg_plastic_content": 0.033,  # fractions to 6 decimals (docs/api.md, Numbers)
        "plastic_reduction": round((0.047 - 0.033) / 0.047, 6),  # against the shipped target's baseline
    }
    assert february["packages"] == 0
    assert february["avg_plastic_content"] is None and february["plastic_reduction"] is None
    by_site = api.get("/api/v1/metrics/packaging/?start=2022-01&end=2022-01&group_by=site").json()["results"]
    assert [(row["group"], row["packages"]) for row in by_site] == [("AMS05", 3), ("DUB07", 1)]


def test_packaging_groups_by_site_only(api):
    response = api.get("/api/v1/metrics/packaging/?group_by=center")
    assert response.status_code == 400
    assert "group_by" in response.json()
