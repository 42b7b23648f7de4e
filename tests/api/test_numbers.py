"""Every figure endpoint writes numbers to their precision: no ``0.03299999999999999``
(issue 11, integrators). Fractions: 6 decimals; kilograms: 3; tonnes: 6 (docs/api.md)."""

import datetime as dt
from decimal import Decimal

import pytest

from api.fields import FractionField
from circularity.dispositions import record_disposition
from inventory.choices import Status
from tests.factories import AssetFactory, PackagingRecordFactory, PartModelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def noisy(site, center):
    """One of three units recycled (1/3), odd masses, and 33 g of plastic in 1 kg (0.033)."""
    model = PartModelFactory(mass_kg=Decimal("10.333"))
    for i, route in enumerate(["recycle", "landfill", "landfill"]):
        AssetFactory(
            serial_number=f"N{i}",
            site=site,
            part_model=model,
            status=Status.AT_CIRCULAR_CENTER,
            center=center,
        )
        record_disposition(
            asset=f"N{i}", center=center, route=route, decided_at=dt.datetime(2022, 1, 10, tzinfo=dt.UTC), source="api"
        )
    for grams in ("33", "47.1", "12.9"):
        PackagingRecordFactory(site=site, received_on=dt.date(2022, 1, 10), single_use_plastic_g=Decimal(grams))


def numbers_in(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from numbers_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from numbers_in(item)
    elif isinstance(value, float):
        yield value


ENDPOINTS = [
    "/api/v1/metrics/circularity/?period=month&start=2022-01&end=2022-01",
    "/api/v1/metrics/circularity/?period=fiscal_year&start=FY2022&end=FY2022&group_by=center",
    "/api/v1/metrics/packaging/?period=month&start=2022-01&end=2022-01",
    "/api/v1/metrics/packaging/?period=fiscal_year&start=FY2022&end=FY2022",
    "/api/v1/targets/?as_of=2022-06-30",
    "/api/v1/targets/?as_of=2024-02-29",
]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_no_figure_carries_float_noise(api, noisy, url):
    response = api.get(url)
    assert response.status_code == 200, response.content
    found = list(numbers_in(response.json()))
    assert found, "the endpoint answered figures"
    for number in found:
        assert round(number, 6) == number, (url, number)
        assert len(repr(number)) <= 12, (url, number)  # 0.666667, 30.999, 0.030999


def test_the_noise_cases_read_as_their_precision(api, noisy):
    month = api.get(ENDPOINTS[0]).json()["results"][0]
    assert month["reuse_recycle_rate"]["units"] == 0.333333
    assert month["mass_kg"] == 30.999  # three times 10.333 kg, to the gram
    assert month["diverted_mass_t"] == 0.010333
    packaging = api.get(ENDPOINTS[2]).json()["results"][0]
    assert packaging["avg_plastic_content"] == 0.031  # (33 + 47.1 + 12.9) / 3000, not 0.030999999999999997


def test_a_fraction_field_rounds_to_six_places():
    assert FractionField().to_representation(0.03299999999999999) == 0.033
    assert FractionField().to_representation(2 / 3) == 0.666667
