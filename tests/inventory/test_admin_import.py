"""The "Import CSV" page of the asset list."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inventory.choices import Source
from inventory.models import Asset, LifecycleEvent
from tests.factories import PartModelFactory, SiteFactory

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:inventory_asset_import")
HEADER = "serial_number,manufacturer,model_number,site,parent_serial_number,status\n"


@pytest.fixture
def catalog():
    SiteFactory(code="AMS05")
    PartModelFactory(manufacturer="Contoso", model_number="R740")


def upload(client, text: str):
    return client.post(IMPORT, {"file": SimpleUploadedFile("fleet.csv", text.encode(), "text/csv")}, follow=True)


def test_the_asset_list_links_to_the_import_page(admin_client):
    assert IMPORT in admin_client.get(reverse("admin:inventory_asset_changelist")).content.decode()
    assert admin_client.get(IMPORT).status_code == 200


@pytest.mark.parametrize("in_memory", [True, False])
def test_a_valid_file_is_imported_and_summed_up(admin_client, admin_user, catalog, settings, in_memory):
    if not in_memory:
        settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # the upload goes to a temporary file
    response = upload(admin_client, HEADER + "SRV-1,Contoso,R740,AMS05,,deployed\nSRV-2,Contoso,R740,AMS05,,\n")
    assert response.redirect_chain[-1][0] == reverse("admin:inventory_asset_changelist")
    assert [str(m) for m in response.context["messages"]] == [
        "Imported 2 asset(s) from fleet.csv (1 deployed, 1 in_stock); 0 installed in a parent."
    ]
    assert {(e.source, e.actor) for e in LifecycleEvent.objects.all()} == {(Source.IMPORT, admin_user)}


def test_a_bad_file_lists_every_problem_and_imports_nothing(admin_client, catalog):
    response = upload(
        admin_client, HEADER + "SRV-1,Contoso,R740,XYZ01,,\nSRV-2,Contoso,R740,AMS05,,\nSRV-1,Contoso,NOPE,AMS05,,\n"
    )
    assert response.status_code == 200
    assert [str(e) for e in response.context["errors"]] == [
        "line 2, site: no site with code 'XYZ01'",
        "line 4, serial_number: 'SRV-1' is on line 2 too",
        "line 4, model_number: no part model 'NOPE' of manufacturer 'Contoso'; add it first",
    ]
    assert "line 2, site: no site with code &#x27;XYZ01&#x27;" in response.content.decode()
    assert not Asset.objects.exists()


def test_importing_needs_the_add_permission(client, django_user_model):
    analyst = django_user_model.objects.create_user("analyst", password="pw", is_staff=True)
    analyst.groups.add(Group.objects.get(name="Sustainability analyst"))
    client.force_login(analyst)
    assert client.get(IMPORT).status_code == 403
    assert IMPORT not in client.get(reverse("admin:inventory_asset_changelist")).content.decode()


def test_a_file_with_a_nul_character_names_its_line_and_column(admin_client, catalog):
    response = upload(admin_client, HEADER + "SRV-1,Contoso,R740,AMS05,,\nSRV-\x002,Contoso,R740,AMS05,,\n")
    assert response.status_code == 200
    assert [str(e) for e in response.context["errors"]] == ["line 3, serial_number: Null characters are not allowed"]
    assert not Asset.objects.exists()
