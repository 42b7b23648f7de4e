"""A failure is JSON with a request id; limits answer JSON 413/415 (issue 10 §1, §7)."""

from __future__ import annotations

import json
import logging

import pytest

from api import bulk
from inventory.models import LifecycleEvent

pytestmark = pytest.mark.django_db

METRICS = ["/api/v1/metrics/circularity/", "/api/v1/metrics/packaging/"]


@pytest.fixture
def analyst(client_with):
    return client_with(groups=("Sustainability analyst",))


@pytest.mark.parametrize("url", METRICS)
def test_options_on_a_metrics_endpoint_answers_its_description(api, analyst, url):
    for caller in (api, analyst):
        response = caller.options(url)
        assert response.status_code == 200, response.content
        assert response.json()["name"]


@pytest.mark.parametrize("url", METRICS)
def test_options_on_a_metrics_endpoint_needs_the_same_permission_as_reading_it(client_with, url):
    assert client_with().options(url).status_code == 403


@pytest.mark.parametrize("url", METRICS)
def test_the_browsable_api_shows_a_metrics_endpoint(api, analyst, url):
    for caller in (api, analyst):
        response = caller.get(url, {"format": "api"})
        assert response.status_code == 200, response.content[:500]
        assert response["Content-Type"].startswith("text/html")


@pytest.fixture
def boom(monkeypatch):
    """Any view that fails for a reason nobody mapped: here the site list."""

    def fail(self, request, *args, **kwargs):
        raise RuntimeError("a bug nobody foresaw")

    monkeypatch.setattr("api.views.inventory.SiteViewSet.list", fail)


def test_an_unhandled_failure_is_a_json_problem_with_a_request_id_in_the_header_and_the_log(api, boom, caplog):
    with caplog.at_level(logging.ERROR, logger="api.requests"):
        response = api.get("/api/v1/sites/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == "server_error"
    request_id = body["request_id"]
    assert response["X-Request-ID"] == request_id and len(request_id) == 32
    assert request_id in body["detail"]
    logged = [record for record in caplog.records if request_id in record.getMessage()]
    assert logged and logged[0].exc_info[0] is RuntimeError
    assert "a bug nobody foresaw" not in response.content.decode()  # the log has it, not the caller


def test_a_callers_request_id_is_kept_when_it_is_a_plain_token(api, boom):
    response = api.get("/api/v1/sites/", HTTP_X_REQUEST_ID="fleet-sync.42")
    assert response["X-Request-ID"] == "fleet-sync.42" == response.json()["request_id"]
    response = api.get("/api/v1/sites/", HTTP_X_REQUEST_ID="<script>" * 20)
    assert response["X-Request-ID"] != "<script>" * 20 and len(response["X-Request-ID"]) == 32


def test_every_answer_carries_a_request_id(api, anon):
    assert len(api.get("/api/v1/sites/")["X-Request-ID"]) == 32
    assert len(anon.get("/api/v1/sites/")["X-Request-ID"]) == 32


def test_outside_the_api_a_failure_is_left_to_djangos_own_500_page(rf, caplog):
    from api.middleware import RequestGuardMiddleware

    request = rf.get("/admin/inventory/asset/")
    with caplog.at_level(logging.ERROR, logger="api.requests"):
        answer = RequestGuardMiddleware(lambda request: None).process_exception(request, RuntimeError("admin bug"))
    assert answer is None
    assert request.request_id in caplog.text


@pytest.mark.parametrize("handler", ["bad_request", "page_not_found", "server_error"])
def test_errors_outside_any_view_are_json_under_the_api(rf, handler):
    from api import errors

    status = {"bad_request": 400, "page_not_found": 404, "server_error": 500}[handler]
    response = getattr(errors, handler)(rf.get("/api/v1/anything/"), *(() if status == 500 else (Exception(),)))
    assert response.status_code == status
    assert json.loads(response.content)["request_id"]
    assert getattr(errors, handler)(rf.get("/admin/x/"), *(() if status == 500 else (Exception(),)))[
        "Content-Type"
    ].startswith("text/html")


def test_an_unknown_url_under_the_api_is_a_json_404(api):
    response = api.get("/api/v1/reports/2024-13-01/nothing/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- §7 limits ------------------------------------------------------------------------


NOTE = "Decommissioned after the quarterly fleet review; change CHG-2024-000123, rack AMS05-R12-U07"


def batch_body(count: int, note: str = "") -> bytes:
    items = [
        {
            "asset": "SRV-001" if index % 2 == 0 else "SSD-X",
            "to": "decommissioned",
            "occurred_at": "2024-01-01T00:00:00Z",
            "center": None,
            "note": note or NOTE,
            "external_id": f"fleet-sync-2024-01-01-{index:08d}",
        }
        for index in range(count)
    ]
    return json.dumps(items).encode()


def test_the_bulk_endpoint_reads_a_realistic_body_of_10000_items(api, server):
    body = batch_body(bulk.MAX_ITEMS)
    assert 2_500_000 < len(body) < bulk.MAX_BODY_BYTES  # over Django's default 2.5 MB
    response = api.post("/api/v1/events/", body, content_type="application/json")
    # It was read: the items were checked (SSD-X exists nowhere), not refused as too large.
    assert response.status_code == 400, response.content[:300]
    assert response.json()["code"] == "invalid"
    assert response.json()["errors"][0]["index"] == 1


def test_a_bulk_body_past_its_limit_is_a_json_413(api, server):
    body = batch_body(bulk.MAX_ITEMS, note="n" * 1100)
    assert len(body) > bulk.MAX_BODY_BYTES
    response = api.post("/api/v1/events/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["detail"].startswith("The body is larger than this endpoint takes (10,485,760 bytes)")
    assert not LifecycleEvent.objects.exists()


def test_other_endpoints_keep_djangos_limit_and_answer_a_json_413(api, site, settings):
    body = json.dumps({"code": "X1", "name": "n" * 3_000_000, "region": "r", "country": "NL"}).encode()
    response = api.post("/api/v1/sites/", body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "content_type, body",
    [
        ("application/x-www-form-urlencoded", b"code=X1&name=n&region=r&country=NL"),
        ("multipart/form-data; boundary=b", b'--b\r\nContent-Disposition: form-data; name="code"\r\n\r\nX\r\n--b--'),
        ("text/plain", b'{"code": "X1"}'),
    ],
)
def test_a_body_that_is_not_json_is_a_json_415(api, server, content_type, body):
    for url in ("/api/v1/sites/", "/api/v1/events/", "/api/v1/assets/SRV-001/transition/"):
        response = api.post(url, body, content_type=content_type)
        assert response.status_code == 415, (url, response.content)
        assert "Unsupported media type" in response.json()["detail"]
