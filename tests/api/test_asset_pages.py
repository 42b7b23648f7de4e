"""Pages of the asset list: by page number (jump anywhere, any order) and by cursor (walk
the fleet at the same cost per page); a deep page builds only its own rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.choices import Category, Status
from tests.factories import AssetFactory, PartModelFactory
from tests.plans import analyze, subplan_loops

pytestmark = pytest.mark.django_db


@pytest.fixture
def servers(site, server_model):
    """Eight servers SRV-0 … SRV-7, each with two fans installed (24 assets)."""
    fan = PartModelFactory(category=Category.FAN, mass_kg="0.2")
    made = []
    for i in range(8):
        server = AssetFactory(serial_number=f"SRV-{i}", site=site, part_model=server_model, status=Status.DEPLOYED)
        for k in range(2):
            AssetFactory(serial_number=f"FAN-{i}-{k}", site=site, part_model=fan, parent=server, status="deployed")
        made.append(server)
    return made


def serials(page: dict) -> list[str]:
    return [row["serial_number"] for row in page["results"]]


def walk(api, url: str) -> list[dict]:
    rows = []
    while url:
        page = api.get(url).json()
        rows += page["results"]
        url = page["next"]
    return rows


def test_a_deep_page_answers_its_rows_with_their_components(api, servers):
    page = api.get("/api/v1/assets/?top_level=true&page_size=3&page=2").json()
    assert serials(page) == ["SRV-3", "SRV-4", "SRV-5"]
    assert [row["components"] for row in page["results"]] == [[f"FAN-{i}-0", f"FAN-{i}-1"] for i in (3, 4, 5)]
    assert "page=3" in page["next"] and "page=1" not in page["previous"]


def test_page_numbers_keep_any_ordering_and_filter(api, servers):
    first = api.get("/api/v1/assets/?ordering=-serial_number&category=fan&page_size=5&page=2").json()
    fans = sorted((f"FAN-{i}-{k}" for i in range(8) for k in range(2)), reverse=True)
    assert serials(first) == fans[5:10]
    assert {row["parent"] for row in first["results"]} == {"SRV-5", "SRV-4", "SRV-3"}


def test_the_cursor_walks_every_asset_once_in_serial_number_order(api, servers):
    rows = walk(api, "/api/v1/assets/?cursor=&page_size=5")
    assert [row["serial_number"] for row in rows] == sorted(
        [f"SRV-{i}" for i in range(8)] + [f"FAN-{i}-{k}" for i in range(8) for k in range(2)]
    )
    assert rows == walk(api, "/api/v1/assets/?page_size=5")  # the same rows as page numbers, components and all


def test_the_cursor_reads_backwards_and_with_filters(api, servers):
    rows = walk(api, "/api/v1/assets/?cursor=&ordering=-serial_number&top_level=true&page_size=3")
    assert [row["serial_number"] for row in rows] == [f"SRV-{i}" for i in range(7, -1, -1)]
    assert rows[0]["components"] == ["FAN-7-0", "FAN-7-1"]


def test_a_cursor_page_links_forward_and_back_without_page_numbers(api, servers):
    first = api.get("/api/v1/assets/?cursor=&page_size=10").json()
    assert first["previous"] is None and "count" not in first
    assert "cursor=" in first["next"] and "page=" not in first["next"].replace("page_size=", "")
    second = api.get(first["next"]).json()
    assert serials(api.get(second["previous"]).json()) == serials(first)


def test_a_cursor_by_another_order_than_serial_number_is_refused_saying_what_to_do(api, servers):
    response = api.get("/api/v1/assets/?cursor=&ordering=status")
    assert response.status_code == 400
    assert "use page numbers" in response.json()["ordering"][0]


def test_an_unreadable_cursor_is_404(api, servers):
    assert api.get("/api/v1/assets/?cursor=garbage").status_code == 404


def test_the_schema_offers_both_ways_to_page_assets(api):
    schema = api.get("/api/v1/schema/?format=json").json()
    names = {parameter["name"] for parameter in schema["paths"]["/api/v1/assets/"]["get"]["parameters"]}
    assert {"page", "page_size", "count", "cursor"} <= names


@pytest.mark.postgres
@pytest.mark.parametrize("query", ["page_size=2&page=4", "page_size=2&page=4&ordering=-deployed_at&category=fan"])
def test_a_deep_page_aggregates_components_for_its_own_rows_only(api, servers, query):
    with CaptureQueriesContext(connection) as captured:
        assert len(api.get(f"/api/v1/assets/?{query}").json()["results"]) == 2
    (listing,) = [q["sql"] for q in captured.captured_queries if "ARRAY(" in q["sql"]]
    plan = analyze(listing)
    # The page and the one row more that says whether a next page exists; not the six skipped.
    assert subplan_loops(plan) == [3]


@pytest.mark.parametrize("value", ["2", "maybe", "TRUE!"])
def test_count_that_is_not_a_boolean_is_400(api, value):
    response = api.get("/api/v1/sites/", {"count": value})
    assert response.status_code == 400
    assert list(response.json()) == ["count"]
