"""A malformed request never answers 500; a lost race answers 409."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from inventory.models import Asset

from .endpoints import WRITE_URLS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", WRITE_URLS)
@pytest.mark.parametrize("payload", [b"{not json", b"[1, 2", b"null", b"42", b'"text"', b"[]", b"{}"])
def test_malformed_bodies_are_400(api, server, url, payload):
    response = api.post(url, payload, content_type="application/json")
    assert response.status_code == 400, (url, payload, response.content)


@pytest.mark.parametrize("url", WRITE_URLS)
def test_a_body_in_another_format_is_415(api, server, url):
    assert api.post(url, "to=deployed", content_type="text/plain").status_code == 415


def test_a_lost_race_on_a_unique_key_is_409(api, site, server_model, monkeypatch):
    def collide(*args, **kwargs):
        raise IntegrityError('duplicate key value violates unique constraint "inventory_asset_serial_number_key"')

    monkeypatch.setattr("api.views.inventory.register_assets", collide)
    body = {"serial_number": "RACE-1", "part_model": server_model.pk, "site": "AMS05"}
    response = api.post("/api/v1/assets/", body, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


def test_a_model_validation_error_from_below_is_400(api, site, server_model, monkeypatch):
    def refuse(*args, **kwargs):
        raise ValidationError({"serial_number": ["Not a serial number."]})

    monkeypatch.setattr("api.views.inventory.register_assets", refuse)
    body = {"serial_number": "V-1", "part_model": server_model.pk, "site": "AMS05"}
    response = api.post("/api/v1/assets/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"serial_number": ["Not a serial number."]}
    assert not Asset.objects.filter(serial_number="V-1").exists()


def test_methods_that_do_not_exist_are_405(api, server):
    assert api.delete("/api/v1/events/").status_code == 405
    assert api.put("/api/v1/dispositions/1/", {}).status_code == 405
    assert api.get("/api/v1/assets/SRV-001/transition/").status_code == 405


def test_unknown_urls_are_404(api):
    assert api.get("/api/v1/widgets/").status_code == 404
    assert api.get("/api/v1/sites/NOPE/").status_code == 404
    assert api.get("/api/v1/part-models/999999/").status_code == 404
    assert api.get("/api/v1/events/?cursor=garbage").status_code == 404
