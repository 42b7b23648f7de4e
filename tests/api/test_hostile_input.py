"""No request answers 5xx, whatever it holds (issue 10 §1): hostile input is a 400 naming the field.

Each class is closed in one place: text PostgreSQL cannot hold (``inventory.text``) in URL
paths and query strings (``api.middleware``), in JSON bodies (``api.parsers``) and in CSV
cells (``inventory.imports``); numbers no field takes and deep nesting in the parser;
huge page numbers in the pagination. Run on PostgreSQL too: there a NUL character in a
lookup is an error of the database driver, not an empty result.
"""

from __future__ import annotations

import pytest

from inventory.models import Asset, LifecycleEvent

from .endpoints import WRITE_URLS

pytestmark = pytest.mark.django_db

NUL, SURROGATE = "Null characters are not allowed.", "lone surrogate"


@pytest.fixture
def fleet(server, drive, center):
    return server


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/assets/SRV-001%00/",
        "/api/v1/assets/SRV-001%00/events/",
        "/api/v1/sites/AMS%0005/",
        "/api/v1/circular-centers/AMS-CC%00/",
        "/api/v1/reports/2024-0%00/pdf/",
        "/api/v1/assets/SRV-001%00/transition/",
    ],
)
def test_a_nul_character_in_a_url_path_is_400_naming_the_path(api, fleet, path):
    response = api.get(path)
    assert response.status_code == 400, response.content
    assert response.json() == {"path": [NUL]}


@pytest.mark.parametrize("path", ["/api/v1/assets/%FF%FE/", "/api/v1/assets/%ED%A0%80/", "/api/v1/sites/%C3/"])
def test_bytes_that_are_not_utf8_in_a_url_path_are_not_found(api, fleet, path):
    assert api.get(path).status_code == 404


@pytest.mark.parametrize(
    "url, param",
    [
        ("/api/v1/assets/?site=AMS%0005", "site"),
        ("/api/v1/assets/?parent=SRV%00", "parent"),
        ("/api/v1/assets/?serial_prefix=%00", "serial_prefix"),
        ("/api/v1/events/?external_id=k%00", "external_id"),
        ("/api/v1/dispositions/?tree_root=%00", "tree_root"),
        ("/api/v1/metrics/circularity/?start=2024-01%00", "start"),
        ("/api/v1/assets/?ordering=serial_number%00", "ordering"),
        ("/api/v1/events/?cursor=%00", "cursor"),
    ],
)
def test_a_nul_character_in_a_query_string_is_400_naming_the_parameter(api, fleet, url, param):
    response = api.get(url)
    assert response.status_code == 400, response.content
    assert response.json() == {param: [NUL]}


@pytest.mark.parametrize("value", ["%FF%FE", "%ED%A0%80", "%C3"])
def test_bytes_that_are_not_utf8_in_a_query_string_find_nothing(api, fleet, value):
    response = api.get(f"/api/v1/assets/?site={value}")
    assert response.status_code == 200
    assert response.json()["results"] == []


AT = '"occurred_at": "2024-01-01T00:00:00Z"'
NEW = '"serial_number": "SN-9", "part_model": 1, "site": "AMS05"'
OFF = '"asset": "SRV-001", "to": "decommissioned", ' + AT
TARGET = '"metric": "reuse_recycle_rate", "target_value"'

BODIES = [
    # (url, raw JSON body, the field the 400 names, a fragment of its message)
    ("/api/v1/sites/", r'{"code": "A\u0000B", "name": "n", "region": "r", "country": "NL"}', "code", NUL),
    ("/api/v1/assets/", r'{"serial_number": "SN\u0000", "part_model": 1, "site": "AMS05"}', "serial_number", NUL),
    ("/api/v1/assets/", r'{"serial_number": "SN\ud800", "part_model": 1, "site": "AMS05"}', "serial_number", SURROGATE),
    ("/api/v1/assets/", r'{"serial_number": "SN-9", "part_model": 1, "site": "AMS\u000005"}', "site", NUL),
    ("/api/v1/assets/", "{" + NEW + r', "parent": "S\u0000"}', "parent", NUL),
    ("/api/v1/assets/SRV-001/transition/", '{"to": "missing", ' + AT + r', "note": "a\u0000b"}', "note", NUL),
    (
        "/api/v1/assets/SRV-001/transition/",
        '{"to": "at_circular_center", ' + AT + r', "center": "C\u0000"}',
        "center",
        NUL,
    ),
    ("/api/v1/assets/SSD-001/install/", r'{"parent": "SRV\ud800", ' + AT + "}", "parent", SURROGATE),
    ("/api/v1/events/", "[{" + OFF + r', "note": "a\u0000"}]', "[0].note", NUL),
    ("/api/v1/events/", r'[{"asset": "SRV\u0000", "to": "missing", ' + AT + "}]", "[0].asset", NUL),
    ("/api/v1/events/", "[{" + OFF + r', "external_id": "\udfff"}]', "[0].external_id", SURROGATE),
    ("/api/v1/dispositions/", r'{"asset": "SRV\u0000", "center": "AMS-CC", "route": "recycle"}', "asset", NUL),
    ("/api/v1/circular-centers/", r'{"code": "CC2", "name": "n", "sites": ["AMS\u000005"]}', "sites[0]", NUL),
    ("/api/v1/sites/", r'{"code\u0000": "X"}', "non_field_errors", NUL),
    # numbers no field takes
    ("/api/v1/assets/", NEW.join("{}").replace(": 1,", ": 99999999999999999999999,"), "part_model", "out of range"),
    ("/api/v1/assets/", NEW.join("{}").replace(": 1,", ": 1e999,"), "part_model", "finite"),
    ("/api/v1/targets/", "{" + TARGET + ": NaN}", "target_value", "finite"),
    ("/api/v1/targets/", "{" + TARGET + ": -Infinity}", "target_value", "finite"),
    (
        "/api/v1/packaging-records/",
        '{"site": "AMS05", "package_count": 18446744073709551616}',
        "package_count",
        "range",
    ),
    ("/api/v1/shipments/", '{"from_site": "AMS05", "to_center": "AMS-CC", "assets": [1e400]}', "assets[0]", "finite"),
]


@pytest.mark.parametrize("url, body, field, message", BODIES)
def test_what_no_column_can_hold_in_a_json_body_is_400_naming_the_field(api, fleet, url, body, field, message):
    response = api.post(url, body.encode(), content_type="application/json")
    assert response.status_code == 400, response.content
    errors = response.json()
    assert list(errors) == [field], errors
    assert message in errors[field][0]
    assert Asset.objects.count() == 2 and LifecycleEvent.objects.count() == 0


@pytest.mark.parametrize("url", WRITE_URLS)
@pytest.mark.parametrize(
    "body",
    [b"\xff\xfe{}", b'{"a": "\xc3"}', b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000],
    ids=["not-utf8", "truncated-utf8", "lists-100k-deep", "objects-50k-deep"],
)
def test_bodies_that_are_not_utf8_or_nested_absurdly_deep_are_400(api, fleet, url, body):
    response = api.post(url, body, content_type="application/json")
    assert response.status_code == 400, response.content[:200]
    assert "detail" in response.json()


@pytest.mark.parametrize(
    "query, param",
    [
        ("page=99999999999999999999999", "page"),
        ("page=1000000001", "page"),
        ("page=1e999", "page"),
        ("page=-1", "page"),
        ("page_size=99999999999999999999999", "page_size"),
        ("page_size=NaN", "page_size"),
        ("part_model=99999999999999999999", "part_model"),
        ("part_model=1.5", "part_model"),
    ],
)
def test_huge_or_unreadable_numbers_in_a_list_query_are_400_naming_the_parameter(api, fleet, query, param):
    response = api.get(f"/api/v1/assets/?{query}")
    assert response.status_code == 400, response.content
    assert list(response.json()) == [param]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/part-models/99999999999999999999999/",
        "/api/v1/events/9223372036854775808/",
        "/api/v1/shipments/-1/",
        "/api/v1/dispositions/1e999/",
        "/api/v1/targets/NaN/",
    ],
)
def test_ids_in_a_path_that_no_row_can_have_are_404(api, fleet, path):
    assert api.get(path).status_code == 404


def test_a_packaging_record_with_a_huge_id_in_its_part_model_is_400(api, fleet):
    body = '{"site": "AMS05", "supplier": "s", "received_on": "2024-01-01", "part_model": 9223372036854775807}'
    response = api.post("/api/v1/packaging-records/", body, content_type="application/json")
    assert response.status_code == 400
    assert "part_model" in response.json()


@pytest.mark.parametrize(
    "url, body, field",
    [
        (
            "/api/v1/part-models/",
            {"manufacturer": "A", "model_number": 0, "category": "server", "mass_kg": 1},
            "model_number",
        ),
        ("/api/v1/sites/", {"code": 5, "name": "n", "region": "r", "country": "NL"}, "code"),
        (
            "/api/v1/assets/SRV-001/transition/",
            {"to": "missing", "occurred_at": "2024-01-01T00:00:00Z", "note": 1.5},
            "note",
        ),
    ],
)
def test_a_number_where_text_is_expected_is_400(api, fleet, url, body, field):
    response = api.post(url, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_a_binary_float_is_rounded_to_the_columns_places(api, fleet):
    body = {"manufacturer": "A", "model_number": "M", "category": "server", "mass_kg": 0.1 + 0.2}
    response = api.post("/api/v1/part-models/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["mass_kg"] == 0.3
    body = {**body, "model_number": "M2", "mass_kg": 1e30}
    assert api.post("/api/v1/part-models/", body, format="json").status_code == 400


@pytest.mark.parametrize(
    "query, param",
    [
        ("shipped_after=100%25s", "shipped_after"),
        ("received=%25d", "received"),
        ("received_after=%25(x)s", "received_after"),
    ],
)
def test_a_percent_sign_in_a_refused_filter_value_is_400_not_500(api, fleet, query, param):
    url = "/api/v1/packaging-records/" if param == "received_after" else "/api/v1/shipments/"
    response = api.get(f"{url}?{query}")
    assert response.status_code == 400, response.content
    assert list(response.json()) == [param]
