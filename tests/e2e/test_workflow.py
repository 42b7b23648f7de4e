"""A whole custody cycle as the integrating systems and the monthly job would drive it.

Through the REST API only: register a site, a center, part models and a server with its
parts; decommission it in a bulk batch (and replay the batch); ship and receive it;
sanitize its drive; be refused by the sanitization gate, then dispose of it. Then the
metrics endpoint, the dashboard and the compliance report must all tell the same story.
"""

import csv
import datetime as dt
import io
from email import message_from_bytes

import pytest
from django.core import mail
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from circularity.models import ComplianceReport, ReportRecipient
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MONTH = "2022-03"


@pytest.fixture
def api():
    user = UserFactory(username="fleet-sync", is_staff=True, is_superuser=True)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def post(api, path, body, status=201):
    response = api.post(f"/api/v1/{path}", body, format="json")
    assert response.status_code == status, response.content
    return response.json()


def test_a_server_from_deployment_to_the_compliance_report(api, client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    post(api, "sites/", {"code": "AMS05", "name": "Amsterdam 5", "region": "westeurope", "country": "NL"})
    post(
        api,
        "circular-centers/",
        # It shreds on site: its recycling needs no downstream vendor (SPEC section 9).
        {"code": "AMS-CC", "name": "Amsterdam circular center", "sites": ["AMS05"], "onsite_routes": ["recycle"]},
    )
    server_model = post(
        api,
        "part-models/",
        {
            "manufacturer": "Contoso",
            "model_number": "CX-2U",
            "category": "server",
            "mass_kg": 18.4,
            "embodied_kgco2e": 1350,
        },
    )
    ssd_model = post(
        api, "part-models/", {"manufacturer": "Tailspin", "model_number": "TS-3T84", "category": "ssd", "mass_kg": 0.08}
    )
    assert ssd_model["data_bearing"] is True
    post(
        api,
        "assets/",
        {
            "serial_number": "SRV-1",
            "part_model": server_model["id"],
            "site": "AMS05",
            "status": "deployed",
            "deployed_at": "2021-06-01T08:00:00Z",
        },
    )
    # Backfilled history: registered at the moment each was deployed, or nothing earlier could follow.
    post(
        api,
        "assets/",
        {
            "serial_number": "SSD-1",
            "part_model": ssd_model["id"],
            "site": "AMS05",
            "parent": "SRV-1",
            "deployed_at": "2021-06-01T08:00:00Z",
        },
    )
    assert api.get("/api/v1/assets/SRV-1/").json()["components"] == ["SSD-1"]

    batch = [
        {"asset": "SRV-1", "to": "decommissioned", "occurred_at": "2022-03-01T08:00:00Z", "external_id": "ticket-1"}
    ]
    first = post(api, "events/", batch)
    assert first["applied"] == 1
    replay = post(api, "events/", batch, status=200)
    assert replay["replayed"] == 1 and replay["results"][0]["event"] == first["results"][0]["event"]
    assert api.get("/api/v1/assets/SSD-1/").json()["status"] == "decommissioned"

    shipment = post(
        api,
        "shipments/",
        {"from_site": "AMS05", "to_center": "AMS-CC", "shipped_at": "2022-03-02T07:00:00Z", "assets": ["SRV-1"]},
    )
    api_receive = api.post(
        f"/api/v1/shipments/{shipment['id']}/receive/", {"received_at": "2022-03-04T15:00:00Z"}, format="json"
    )
    assert api_receive.status_code == 200, api_receive.content
    assert api.get("/api/v1/assets/SSD-1/").json()["status"] == "at_circular_center"

    disposition = {"asset": "SRV-1", "center": "AMS-CC", "route": "recycle", "decided_at": "2022-03-10T14:00:00Z"}
    refused = post(api, "dispositions/", disposition, status=409)
    assert refused["code"] == "sanitization_missing" and refused["assets"] == ["SSD-1"]
    post(
        api,
        "sanitizations/",
        {
            "asset": "SSD-1",
            "method": "purge",
            "performed_at": "2022-03-09T10:00:00Z",
            "performed_by": "Tech A",
            "verified": True,
            "certificate_id": "CERT-1",
        },
    )
    rows = post(api, "dispositions/", disposition)
    assert sorted(row["asset"] for row in rows) == ["SRV-1", "SSD-1"]

    history = api.get("/api/v1/assets/SSD-1/events/").json()["results"]
    changes = [event["to_status"] for event in history if event["from_status"] != event["to_status"]]
    assert changes == ["decommissioned", "in_transit", "at_circular_center", "recycled"]

    metrics = api.get("/api/v1/metrics/circularity/", {"period": "month", "start": MONTH, "end": MONTH}).json()
    (row,) = metrics["results"]
    assert (row["units"], row["mass_kg"], row["reuse_recycle_rate"]) == (2, 18.48, {"units": 1.0, "mass": 1.0})

    ReportRecipient.objects.create(name="Chief sustainability officer", email="cso@example.com")
    call_command("send_compliance_report", "--month", MONTH, stdout=io.StringIO())
    (email,) = mail.outbox
    assert "March 2022" in email.subject and "100.0 %" in email.subject
    attachments = {name: content for name, content, _ in email.attachments}
    figures = list(csv.DictReader(io.StringIO(attachments[f"figures-{MONTH}.csv"])))
    assert figures, "the CSV holds the figures"
    assert attachments[f"compliance-{MONTH}.pdf"].startswith(b"%PDF")
    parsed = message_from_bytes(email.message().as_bytes())
    assert any(part.get("Content-ID") for part in parsed.walk()), "the chart is inline"
    report = ComplianceReport.objects.get(period=dt.date(2022, 3, 1))
    assert report.sent_at is not None
    assert api.get(f"/api/v1/reports/{MONTH}/pdf/").content.startswith(b"%PDF")
