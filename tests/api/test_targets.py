"""``/targets/``: the shipped targets, where they stand, and editing them."""

import datetime as dt

import pytest

from circularity.dispositions import record_disposition
from circularity.models import Target
from inventory.choices import Status
from tests.factories import AssetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def fy2022(site, center, server_model):
    """Four servers dispositioned in January 2022: three recycled, one landfilled (75 %)."""
    for i, route in enumerate(["recycle", "recycle", "recycle", "landfill"]):
        AssetFactory(
            serial_number=f"T{i}", site=site, part_model=server_model, status=Status.AT_CIRCULAR_CENTER, center=center
        )
        record_disposition(
            asset=f"T{i}", center=center, route=route, decided_at=dt.datetime(2022, 1, 10, tzinfo=dt.UTC), source="api"
        )


def by_metric(api, query=""):
    response = api.get(f"/api/v1/targets/{query}")
    assert response.status_code == 200, response.json()
    return {row["metric"]: row for row in response.json()["results"]}


def test_the_shipped_targets_answer_where_they_stand(api, fy2022):
    rate = by_metric(api, "?as_of=2022-03-31")["reuse_recycle_rate"]
    assert rate == {
        "id": rate["id"],
        "metric": "reuse_recycle_rate",
        "comparison": "gte",
        "target_value": 0.9,
        "target_fiscal_year": 2030,
        "baseline_fiscal_year": 2022,
        "baseline_value": 0.82,
        "description": rate["description"],
        "latest_fiscal_year": 2022,
        "latest_value": 0.75,
        "baseline": 0.82,
        "trajectory_value": pytest.approx(0.82),
        "on_track": False,
        "projection": pytest.approx(0.75),
        "projected_to_meet": False,
        "status": "behind",
        "final_value": None,
    }


def test_a_target_without_data_has_no_value_and_no_verdict(api):
    plastic = by_metric(api, "?as_of=2023-01-15")["avg_plastic_content"]
    assert plastic["latest_fiscal_year"] == 2023
    assert plastic["latest_value"] is None and plastic["on_track"] is None and plastic["projection"] is None
    assert plastic["trajectory_value"] == pytest.approx(0.047 / 2)  # half way from FY2021 to FY2025


def test_one_target_reads_with_its_status(api, fy2022):
    target = Target.objects.get(metric="reuse_recycle_rate")
    response = api.get(f"/api/v1/targets/{target.pk}/?as_of=2022-03-31")
    assert response.status_code == 200
    assert response.json()["latest_value"] == 0.75


def test_creating_and_updating_a_target(api):
    body = {
        "metric": "recycle_rate",
        "comparison": "gte",
        "target_value": "0.5",
        "target_fiscal_year": 2028,
        "baseline_fiscal_year": 2022,
        "baseline_value": "0.3",
    }
    response = api.post("/api/v1/targets/?as_of=2022-03-31", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["trajectory_value"] == pytest.approx(0.3)
    updated = api.patch(f"/api/v1/targets/{response.json()['id']}/", {"target_value": 0.6}, format="json")
    assert updated.status_code == 200
    assert updated.json()["target_value"] == 0.6


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"baseline_fiscal_year": 2030}, "baseline_fiscal_year"),
        ({"target_value": 90}, "target_value"),
        ({"metric": "happiness"}, "metric"),
        ({"comparison": "about"}, "comparison"),
        ({"target_fiscal_year": 2030, "metric": "reuse_recycle_rate"}, "non_field_errors"),
    ],
)
def test_bad_targets_are_400(api, change, field):
    body = {
        "metric": "recycle_rate",
        "comparison": "gte",
        "target_value": "0.5",
        "target_fiscal_year": 2028,
        "baseline_fiscal_year": 2022,
        **change,
    }
    response = api.post("/api/v1/targets/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_an_unreadable_as_of_is_400_and_saves_nothing(api):
    assert api.get("/api/v1/targets/?as_of=soon").json() == {
        "as_of": ["'soon' is not a date; use YYYY-MM-DD, e.g. 2022-03-15."]
    }
    body = {"metric": "recycle_rate", "comparison": "gte", "target_value": "0.5", "target_fiscal_year": 2028}
    response = api.post("/api/v1/targets/?as_of=soon", {**body, "baseline_fiscal_year": 2022}, format="json")
    assert response.status_code == 400
    assert not Target.objects.filter(metric="recycle_rate").exists()


def test_targets_filter_by_metric(api):
    assert list(by_metric(api, "?metric=avg_plastic_content")) == ["avg_plastic_content"]
