"""``manage.py import_assets``: a summary when it imports, every problem when it refuses."""

import io

import pytest
from django.core.management import CommandError, call_command

from inventory.choices import Category
from inventory.models import Asset, LifecycleEvent
from tests.factories import PartModelFactory, SiteFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = "serial_number,asset_tag,manufacturer,model_number,site,parent_serial_number,status\n"


@pytest.fixture
def catalog():
    SiteFactory(code="AMS05")
    PartModelFactory(manufacturer="Contoso", model_number="R740", category=Category.SERVER)
    PartModelFactory(manufacturer="Fabrikam", model_number="PM9A3", category=Category.SSD)


def call(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_assets", *args, "--no-progress", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_imports_and_prints_a_summary(catalog, tmp_path):
    user = UserFactory(username="ops")
    path = tmp_path / "fleet.csv"
    path.write_text(
        HEADER
        + "SRV-1,,Contoso,R740,AMS05,,deployed\n"
        + "SSD-1,,Fabrikam,PM9A3,AMS05,SRV-1,\n"
        + "SRV-2,,Contoso,R740,AMS05,,\n",
        encoding="utf-8",
    )
    out, _ = call(str(path), "--user", "ops")
    assert out.strip() == (
        "Imported 3 asset(s) from fleet.csv (2 deployed, 1 in_stock); 1 installed in a parent; "
        "3 lifecycle event(s) written."
    )
    assert set(LifecycleEvent.objects.values_list("actor", flat=True)) == {user.pk}


def test_the_command_lists_every_problem_and_writes_nothing(catalog, tmp_path):
    path = tmp_path / "fleet.csv"
    path.write_text(
        HEADER + "SRV-1,,Contoso,R740,XYZ01,,\nSRV-2,,Contoso,R740,AMS05,,\nSRV-3,,Contoso,R740,AMS05,,scrapped\n",
        encoding="utf-8",
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"2 problem\(s\) on 2 line\(s\); nothing was imported"):
        call_command("import_assets", str(path), "--no-progress", stderr=err)
    assert err.getvalue().splitlines() == [
        "line 2, site: no site with code 'XYZ01'",
        "line 4, status: 'scrapped' is not a state; use in_stock or deployed",
    ]
    assert not Asset.objects.exists()


def test_a_byte_order_mark_is_not_part_of_the_first_column(catalog, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(("\ufeff" + HEADER + "SRV-1,,Contoso,R740,AMS05,,\n").encode("utf-8"))
    call(str(path))
    assert Asset.objects.filter(serial_number="SRV-1").exists()


def test_a_file_that_is_not_utf8_is_refused(catalog, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "SRV-É,,Contoso,R740,AMS05,,\n").encode("latin-1"))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_assets", str(path), "--no-progress", stderr=err)
    assert err.getvalue().startswith("file: is not UTF-8 text")


def test_a_missing_file_or_user_is_a_clear_error(catalog, tmp_path):
    with pytest.raises(CommandError, match="No file at"):
        call(str(tmp_path / "nope.csv"))
    path = tmp_path / "fleet.csv"
    path.write_text(HEADER, encoding="utf-8")
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        call(str(path), "--user", "ghost")
