"""Section 9 metrics endpoints (mass balance, value recovered, harvested parts) and an asset's genealogy."""

import datetime as dt
from decimal import Decimal

import pytest

from circularity import dispositions
from inventory import lifecycle
from inventory.choices import Source, Status
from tests.factories import AssetFactory

from .test_query_counts import AUTH

pytestmark = pytest.mark.django_db
MARCH = dt.datetime(2024, 3, 5, 12, tzinfo=dt.UTC)


@pytest.fixture
def received(server, drive, center):
    lifecycle.transition(server, to=Status.DECOMMISSIONED, occurred_at=MARCH - dt.timedelta(days=1), source="api")
    lifecycle.transition(server, to=Status.AT_CIRCULAR_CENTER, occurred_at=MARCH, center=center, source="api")
    return server


def test_the_mass_balance_answers_a_row_per_center_and_month_in_the_documented_shape(api, received, other_site):
    response = api.get("/api/v1/metrics/mass-balance/?center=AMS-CC&start=2024-03&end=2024-04")
    assert response.status_code == 200
    march, april = response.json()["results"]
    assert march == {
        "period": "2024-03",
        "center": "AMS-CC",
        "opening_units": 0,
        "opening_kg": 0.0,
        "received_units": 2,
        "received_kg": 20.55,
        "dispositioned_units": 0,
        "dispositioned_kg": 0.0,
        "closing_units": 2,
        "closing_kg": 20.55,
        "lots_net_kg": None,
        "imbalance_units": 0,
        "imbalance_kg": 0.0,
        "explanations": [],
    }
    assert (april["opening_units"], april["closing_units"]) == (2, 2)
    assert api.get("/api/v1/metrics/mass-balance/?center=NOPE").json() == {
        "center": ["No circular center has code 'NOPE'."]
    }
    assert api.get("/api/v1/metrics/mass-balance/?start=2020-01&end=2024-01").status_code == 400


def test_value_recovered_answers_one_row_per_currency(api, center, server_model, site):
    for index, (amount, currency) in enumerate([("10.00", "EUR"), ("20.00", "GBP"), ("5.50", "EUR")]):
        asset = AssetFactory(site=site, center=center, status=Status.AT_CIRCULAR_CENTER, part_model=server_model)
        dispositions.record_disposition(
            asset=asset,
            center=center,
            route="resale",
            decided_at=MARCH + dt.timedelta(hours=index),
            proceeds=Decimal(amount),
            currency=currency,
            source=Source.API,
        )
    response = api.get("/api/v1/metrics/value-recovered/?period=fiscal_year&start=FY2024&end=FY2024")
    assert response.json()["results"] == [
        {"period": "FY2024", "currency": "EUR", "units": 2, "proceeds": 15.5},
        {"period": "FY2024", "currency": "GBP", "units": 1, "proceeds": 20.0},
    ]


def test_the_genealogy_lists_parents_with_moments_and_lives(api, received, drive, center, site):
    lifecycle.dismantle(received, occurred_at=MARCH + dt.timedelta(hours=1), source=Source.API)
    response = api.get(f"/api/v1/assets/{drive.serial_number}/genealogy/")
    assert response.json() == {
        "lives": 0,
        "installations": [
            {"parent": "SRV-001", "installed_at": "2024-03-04T12:00:00Z", "removed_at": "2024-03-05T13:00:00Z"}
        ],
    }
    assert api.get("/api/v1/assets/NOPE/genealogy/").status_code == 404
    harvested = api.get("/api/v1/metrics/harvested-parts/?start=2024-03&end=2024-03").json()["results"]
    assert harvested == [{"period": "2024-03", "units": 0, "mass_kg": 0.0, "avoided_kgco2e": 0.0}]


def test_the_genealogy_runs_a_fixed_number_of_queries(client_with, received, drive, django_assert_num_queries):
    reader = client_with("inventory.view_asset", "inventory.view_lifecycleevent")
    with django_assert_num_queries(AUTH + 4):  # the asset; its parent and first moment; its moves; its lives
        reader.get(f"/api/v1/assets/{drive.serial_number}/genealogy/")
    for hour in range(1, 4):
        lifecycle.remove(drive, occurred_at=MARCH + dt.timedelta(hours=hour, minutes=1), source=Source.API)
        lifecycle.install(drive, parent=received, occurred_at=MARCH + dt.timedelta(hours=hour, minutes=2), source="api")
    with django_assert_num_queries(AUTH + 4):
        body = reader.get(f"/api/v1/assets/{drive.serial_number}/genealogy/").json()
    assert len(body["installations"]) == 4
