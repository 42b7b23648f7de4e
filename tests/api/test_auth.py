"""Who may do what: tokens, sessions, model permissions, throttling, the open schema."""

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import UserFactory

from .conftest import token_client
from .endpoints import WRITE_URLS

pytestmark = pytest.mark.django_db

LIST_URLS = [
    "/api/v1/",
    "/api/v1/sites/",
    "/api/v1/circular-centers/",
    "/api/v1/part-models/",
    "/api/v1/assets/",
    "/api/v1/events/",
    "/api/v1/shipments/",
    "/api/v1/sanitizations/",
    "/api/v1/dispositions/",
    "/api/v1/packaging-records/",
    "/api/v1/targets/",
    "/api/v1/metrics/circularity/",
    "/api/v1/metrics/packaging/",
]


@pytest.mark.parametrize("url", LIST_URLS)
def test_anonymous_reads_get_401_with_the_token_challenge(anon, url):
    response = anon.get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("url", WRITE_URLS)
def test_anonymous_writes_get_401_and_write_nothing(anon, server, url):
    response = anon.post(url, {}, format="json")
    assert response.status_code == 401


def test_anonymous_detail_of_an_existing_asset_is_401_not_404(anon, server):
    assert anon.get("/api/v1/assets/SRV-001/").status_code == 401
    assert anon.get("/api/v1/assets/SRV-001/events/").status_code == 401


def test_the_schema_is_openapi_3_for_anonymous_callers(anon):
    response = anon.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in ("/api/v1/assets/", "/api/v1/events/", "/api/v1/metrics/circularity/", "/api/v1/dispositions/"):
        assert path in schema["paths"]
    assert "tokenAuth" in schema["components"]["securitySchemes"]
    assert anon.get("/api/v1/schema/?format=json").json()["openapi"] == schema["openapi"]


def test_the_browsable_docs_are_served(anon):
    response = anon.get("/api/v1/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_a_bad_token_is_401(server):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-key")
    assert client.get("/api/v1/assets/").status_code == 401


def test_a_token_made_by_drf_create_token_authenticates(server):
    user = UserFactory(username="fleet-sync", is_superuser=True)
    call_command("drf_create_token", "fleet-sync")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get(user=user).key}")
    response = client.get("/api/v1/assets/SRV-001/")
    assert response.status_code == 200
    assert response.json()["serial_number"] == "SRV-001"


def test_a_session_login_works_for_the_browsable_api(server):
    UserFactory(username="operator", is_superuser=True)
    client = APIClient()
    assert client.login(username="operator", password="correct-horse-battery")
    response = client.get("/api/v1/assets/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"SRV-001" in response.content


def test_the_token_admin_lists_tokens(client, admin_user):
    Token.objects.create(user=admin_user)
    client.force_login(admin_user)
    assert client.get("/admin/authtoken/tokenproxy/").status_code == 200
    assert client.get("/admin/inventory/accessscope/add/").status_code == 200


def test_reading_needs_the_view_permission(client_with, server):
    assert client_with().get("/api/v1/assets/").status_code == 403
    assert client_with("inventory.view_asset").get("/api/v1/assets/").status_code == 200


def test_a_user_without_the_permission_cannot_read_the_metrics(client_with):
    assert client_with().get("/api/v1/metrics/circularity/").status_code == 403
    assert client_with("circularity.view_disposition").get("/api/v1/metrics/circularity/").status_code == 200
    assert client_with().get("/api/v1/metrics/packaging/").status_code == 403
    assert client_with("circularity.view_packagingrecord").get("/api/v1/metrics/packaging/").status_code == 200


def test_writing_needs_the_add_permission(client_with, site, server_model):
    body = {"serial_number": "NEW-1", "part_model": server_model.pk, "site": "AMS05"}
    reader = client_with("inventory.view_asset")
    response = reader.post("/api/v1/assets/", body, format="json")
    assert response.status_code == 403
    writer = client_with("inventory.view_asset", "inventory.add_asset")
    assert writer.post("/api/v1/assets/", body, format="json").status_code == 201


def test_a_transition_needs_change_asset_and_add_event(client_with, server, when):
    body = {"to": "decommissioned", "occurred_at": when.isoformat()}
    url = "/api/v1/assets/SRV-001/transition/"
    assert client_with("inventory.view_asset", "inventory.change_asset").post(url, body).status_code == 403
    assert client_with("inventory.view_asset", "inventory.add_lifecycleevent").post(url, body).status_code == 403
    allowed = client_with("inventory.view_asset", "inventory.change_asset", "inventory.add_lifecycleevent")
    assert allowed.post(url, body).status_code == 200


def test_the_shipped_roles_can_do_their_jobs(client_with, server, when):
    analyst = client_with(groups=("Sustainability analyst",))
    assert analyst.get("/api/v1/metrics/circularity/").status_code == 200
    assert analyst.get("/api/v1/assets/").status_code == 200
    body = {"to": "decommissioned", "occurred_at": when.isoformat()}
    assert analyst.post("/api/v1/assets/SRV-001/transition/", body).status_code == 403
    operator = client_with(groups=("Data-center operator",))
    assert operator.post("/api/v1/assets/SRV-001/transition/", body).status_code == 200


def test_requests_are_throttled_per_user(settings, admin_user):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": "3/minute"}}
    client, other = token_client(admin_user), token_client(UserFactory(is_superuser=True))
    assert [client.get("/api/v1/sites/").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert other.get("/api/v1/sites/").status_code == 200  # each user has a budget of their own
