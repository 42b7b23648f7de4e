"""Part models from CSV: hazardous and focus materials default by category; all rows or none."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from inventory.imports import ImportRefused
from inventory.imports.catalog import import_part_models
from inventory.models import PartModel
from tests.factories import PartModelFactory

pytestmark = pytest.mark.django_db

HEADER = "manufacturer,model_number,category,mass_kg,data_bearing,embodied_kgco2e,hazardous,focus_materials\n"


def run(text: str):
    return import_part_models(io.StringIO(text))


def stored(number: str):
    pm = PartModel.objects.get(model_number=number)
    return pm.category, pm.mass_kg, pm.data_bearing, pm.hazardous, pm.focus_materials


def test_blank_cells_take_the_category_defaults():
    result = run(
        HEADER
        + "Tailspin,UPS-48V,battery,12.5,,,,\n"
        + "Tailspin,TS-3T84,ssd,0.08,,30,,\n"
        + "Contoso,CX-2U,server,18.4,,1350,,\n"
    )
    assert (result.created, result.updated) == (3, 0)
    assert stored("UPS-48V") == ("battery", Decimal("12.500"), False, True, ["battery"])
    assert stored("TS-3T84") == ("ssd", Decimal("0.080"), True, False, ["data_storage"])
    assert stored("CX-2U") == ("server", Decimal("18.400"), False, False, [])


def test_explicit_values_override_the_defaults():
    run(HEADER + "Contoso,CX-BBU,server,19,yes,,true,battery;circuit_board\nTailspin,TS-X,ssd,0.1,no,,0,none\n")
    assert stored("CX-BBU") == ("server", Decimal("19.000"), True, True, ["battery", "circuit_board"])
    assert stored("TS-X") == ("ssd", Decimal("0.100"), False, False, [])


def test_an_existing_part_model_is_updated_and_its_blanks_leave_it_as_it_was():
    PartModelFactory(manufacturer="Contoso", model_number="CX-2U", category="server", mass_kg=Decimal("18"))
    result = run("manufacturer,model_number,hazardous\nContoso,CX-2U,true\n")
    assert (result.created, result.updated) == (0, 1)
    assert stored("CX-2U") == ("server", Decimal("18.000"), False, True, [])


def test_a_bad_file_writes_nothing_and_names_every_problem():
    with pytest.raises(ImportRefused) as refused:
        run(
            HEADER
            + "Tailspin,OK-1,battery,1,,,,\n"
            + "Tailspin,BAD-1,toaster,1,,,,\n"
            + "Tailspin,BAD-2,other,1,,,maybe,asbestos\n"
            + "Tailspin,BAD-3,,,,,,\n"
            + "Tailspin,OK-1,battery,1,,,,\n"
        )
    assert [str(error) for error in refused.value.errors] == [
        "line 3, category: Value 'toaster' is not a valid choice",
        "line 4, hazardous: 'maybe' is not true or false",
        "line 4, focus_materials: Not focus materials: asbestos (use battery, circuit_board, mercury, "
        "pcb_capacitor, crt, data_storage)",
        "line 5, category: is required for a new part model",
        "line 5, mass_kg: is required for a new part model",
        "line 6, model_number: Tailspin OK-1 is on line 2 too",
    ]
    assert not PartModel.objects.exists()


def test_unknown_columns_are_refused():
    with pytest.raises(ImportRefused, match="unknown column"):
        run("manufacturer,model_number,hazzardous\nA,B,true\n")


def test_the_command_reports_what_it_did(tmp_path):
    path = tmp_path / "catalog.csv"
    path.write_text(HEADER + "Tailspin,UPS-48V,battery,12.5,,,,\n", encoding="utf-8")
    out = io.StringIO()
    call_command("import_part_models", str(path), stdout=out)
    assert "catalog.csv: 1 part model(s) created, 0 updated." in out.getvalue()
    path.write_text("manufacturer,model_number,hazardous\nTailspin,UPS-48V,perhaps\n", encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_part_models", str(path), stdout=out, stderr=io.StringIO())
