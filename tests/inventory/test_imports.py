"""CSV import: every row or none, every problem reported by line and column."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.choices import Action, Category, Source, Status
from inventory.imports import ImportRefused, RowError, import_assets
from inventory.models import Asset, LifecycleEvent
from tests.factories import AssetFactory, PartModelFactory, SiteFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = "serial_number,asset_tag,manufacturer,model_number,site,parent_serial_number,status,deployed_at\n"


@pytest.fixture
def catalog():
    """Two sites and the part models the files below name."""
    SiteFactory(code="AMS05")
    SiteFactory(code="DUB01")
    PartModelFactory(manufacturer="Contoso", model_number="R740", category=Category.SERVER)
    PartModelFactory(manufacturer="Fabrikam", model_number="PM9A3", category=Category.SSD)


def run(text: str, **kwargs):
    return import_assets(io.StringIO(text), name="fleet.csv", **kwargs)


def refusal(text: str) -> ImportRefused:
    with pytest.raises(ImportRefused) as refused:
        run(text)
    return refused.value


def test_a_valid_file_creates_every_asset_with_one_import_event_each(catalog):
    user = UserFactory()
    result = run(
        HEADER
        # The component comes before its server: parents may appear later in the file.
        + "SSD-1,,Fabrikam,PM9A3,AMS05,SRV-1,deployed,\n"
        + "SRV-1,TAG-1,Contoso,R740,AMS05,,deployed,2021-03-04T10:00:00Z\n"
        + "SRV-2,,Contoso,R740,DUB01,,,\n",
        actor=user,
    )

    assert (result.created, result.installed, result.events) == (3, 1, 3)
    assert result.by_status == {Status.DEPLOYED: 2, Status.IN_STOCK: 1}
    server = Asset.objects.get(serial_number="SRV-1")
    assert (server.asset_tag, server.status, server.site.code, server.part_model.model_number) == (
        "TAG-1",
        Status.DEPLOYED,
        "AMS05",
        "R740",
    )
    assert server.deployed_at == dt.datetime(2021, 3, 4, 10, tzinfo=dt.UTC)
    assert Asset.objects.get(serial_number="SSD-1").parent == server
    spare = Asset.objects.get(serial_number="SRV-2")
    assert (spare.status, spare.deployed_at, spare.asset_tag) == (Status.IN_STOCK, None, None)
    event = LifecycleEvent.objects.get(asset=server)
    assert (event.action, event.from_status, event.to_status) == (Action.TRANSITION, Status.DEPLOYED, Status.DEPLOYED)
    assert (event.source, event.actor, event.location) == (Source.IMPORT, user, "AMS05")
    assert event.note == "Imported from fleet.csv, line 3"


def test_a_component_with_a_blank_status_takes_its_parents_state(catalog):
    run(HEADER + "SRV-1,,Contoso,R740,AMS05,,deployed,\nSSD-1,,Fabrikam,PM9A3,AMS05,SRV-1,,\n")
    assert Asset.objects.get(serial_number="SSD-1").status == Status.DEPLOYED


def test_components_nest_several_levels_deep_in_any_order(catalog):
    run(
        HEADER
        + "SSD-1,,Fabrikam,PM9A3,AMS05,CAGE-1,,\n"
        + "CAGE-1,,Contoso,R740,AMS05,SRV-1,,\n"
        + "SRV-1,,Contoso,R740,AMS05,,,\n"
    )
    assert Asset.objects.get(serial_number="SSD-1").parent.parent.serial_number == "SRV-1"


def test_a_component_may_go_into_an_asset_already_in_the_database(catalog):
    server = AssetFactory(serial_number="SRV-OLD", site=SiteFactory(code="AMS05"), status=Status.DEPLOYED)
    run(HEADER + "SSD-1,,Fabrikam,PM9A3,AMS05,SRV-OLD,,\n")
    ssd = Asset.objects.get(serial_number="SSD-1")
    assert (ssd.parent, ssd.status) == (server, Status.DEPLOYED)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2021-03-04T10:00:00", "has no time zone"),  # naive
        ("2021-03-04", "is a date alone"),  # date only
        ("0001-01-01T00:00:00+14:00", "is before 1990-01-01T00:00:00Z"),  # 1 BC in UTC
        ("1989-12-31T23:59:59Z", "is before 1990-01-01T00:00:00Z"),
        ("2021-03-04T10:00:00-23:00", "UTC offset beyond ±14:00"),
        ("0000-01-01T00:00:00Z", "is not an ISO 8601 date and time"),
        ("10000-01-01T00:00:00Z", "is not an ISO 8601 date and time"),
    ],
)
def test_a_deployed_at_that_is_not_a_moment_is_an_error_of_its_line(catalog, value, reason):
    refused = refusal(HEADER + f"SRV-1,,Contoso,R740,AMS05,,deployed,{value}\n")
    assert [(error.line, error.field) for error in refused.errors] == [(2, "deployed_at")]
    assert reason in refused.errors[0].message
    assert not Asset.objects.exists()


def test_an_imported_asset_is_registered_at_its_deployed_at_and_otherwise_at_the_import(catalog):
    run(HEADER + "SRV-1,,Contoso,R740,AMS05,,deployed,2021-03-04T10:00:00+01:00\nSRV-2,,Contoso,R740,AMS05,,,\n")
    deployed = LifecycleEvent.objects.get(asset__serial_number="SRV-1")
    assert deployed.occurred_at == dt.datetime(2021, 3, 4, 9, tzinfo=dt.UTC)
    assert Asset.objects.get(serial_number="SRV-1").last_event_at == deployed.occurred_at
    spare = LifecycleEvent.objects.get(asset__serial_number="SRV-2")
    assert abs(spare.occurred_at - spare.recorded_at) < dt.timedelta(seconds=5)  # the time of the import


def test_columns_may_come_in_any_order_and_optional_ones_may_be_left_out(catalog):
    run("site,model_number,manufacturer,serial_number\nAMS05,R740,Contoso,SRV-1\n")
    assert Asset.objects.get(serial_number="SRV-1").status == Status.IN_STOCK


def test_every_bad_row_is_reported_by_line_and_column_and_nothing_is_written(catalog):
    AssetFactory(serial_number="EXISTS-1", asset_tag="TAG-TAKEN", site=SiteFactory(code="AMS05"))
    AssetFactory(serial_number="DUB-SRV", site=SiteFactory(code="DUB01"), status=Status.IN_STOCK)
    before = (Asset.objects.count(), LifecycleEvent.objects.count())
    refused = refusal(
        HEADER
        + "GOOD-1,,Contoso,R740,AMS05,,,\n"  # line 2: fine
        + "BAD-SITE,,Contoso,R740,XYZ01,,,\n"  # 3
        + "BAD-MODEL,,Contoso,NOPE,AMS05,,,\n"  # 4
        + "GOOD-1,,Contoso,R740,AMS05,,,\n"  # 5: serial again
        + "EXISTS-1,,Contoso,R740,AMS05,,,\n"  # 6: serial in the database
        + "BAD-TAG,TAG-TAKEN,Contoso,R740,AMS05,,,\n"  # 7
        + "BAD-STATUS,,Contoso,R740,AMS05,,recycled,\n"  # 8
        + "ORPHAN,,Fabrikam,PM9A3,AMS05,NOWHERE,,\n"  # 9
        + "ELSEWHERE,,Fabrikam,PM9A3,AMS05,DUB-SRV,,\n"  # 10: parent at another site
        + "BAD-DATE,,Contoso,R740,AMS05,,deployed,04/03/2021\n"  # 11
        + ",,Contoso,R740,AMS05,,,\n"  # 12
        + "TWO-TAGS,TAG-9,Contoso,R740,AMS05,,,\n"  # 13
        + "TWO-TAGS-B,TAG-9,Contoso,R740,AMS05,,,\n"  # 14
    )

    assert [(error.line, error.field) for error in refused.errors] == [
        (3, "site"),
        (4, "model_number"),
        (5, "serial_number"),
        (6, "serial_number"),
        (7, "asset_tag"),
        (8, "status"),
        (9, "parent_serial_number"),
        (10, "parent_serial_number"),
        (11, "deployed_at"),
        (12, "serial_number"),
        (14, "asset_tag"),
    ]
    messages = [str(error) for error in refused.errors]
    assert messages[0] == "line 3, site: no site with code 'XYZ01'"
    assert "line 2" in messages[2]  # the duplicate points at the first occurrence
    assert "NOWHERE" in messages[6] and "DUB01" in messages[7]
    assert (Asset.objects.count(), LifecycleEvent.objects.count()) == before


def test_a_missing_required_column_is_reported_on_the_header(catalog):
    refused = refusal("serial_number,manufacturer,model_number\nSRV-1,Contoso,R740\n")
    assert [str(error) for error in refused.errors] == ["line 1, site: missing required column"]


def test_an_unknown_column_is_reported_rather_than_ignored(catalog):
    refused = refusal("serial_number,manufacturer,model_number,site,parent_serial\nSRV-1,Contoso,R740,AMS05,X\n")
    assert [(error.line, error.field) for error in refused.errors] == [(1, "parent_serial")]


def test_a_row_with_the_wrong_number_of_fields_is_reported(catalog):
    refused = refusal(HEADER + "SRV-1,,Contoso,R740,AMS05\n")
    assert [(error.line, error.field) for error in refused.errors] == [(2, "row")]


def test_a_component_whose_state_differs_from_its_parents_is_refused(catalog):
    refused = refusal(HEADER + "SRV-1,,Contoso,R740,AMS05,,deployed,\nSSD-1,,Fabrikam,PM9A3,AMS05,SRV-1,in_stock,\n")
    assert [(error.line, error.field) for error in refused.errors] == [(3, "status")]
    assert "SRV-1 is deployed" in str(refused.errors[0])


def test_a_component_cannot_go_into_a_decommissioned_asset(catalog):
    AssetFactory(serial_number="OLD", site=SiteFactory(code="AMS05"), status=Status.DECOMMISSIONED)
    refused = refusal(HEADER + "SSD-1,,Fabrikam,PM9A3,AMS05,OLD,,\n")
    assert [(error.line, error.field) for error in refused.errors] == [(2, "parent_serial_number")]


def test_parents_that_make_a_loop_are_reported_on_each_row_of_the_loop(catalog):
    refused = refusal(
        HEADER
        + "A,,Contoso,R740,AMS05,B,,\n"
        + "B,,Contoso,R740,AMS05,A,,\n"
        + "C,,Contoso,R740,AMS05,C,,\n"
        + "D,,Fabrikam,PM9A3,AMS05,A,,\n"
    )
    assert [(error.line, error.field) for error in refused.errors] == [
        (2, "parent_serial_number"),
        (3, "parent_serial_number"),
        (4, "parent_serial_number"),
    ]
    assert "A → B → A" in str(refused.errors[0])


def test_a_future_deployment_date_is_refused(catalog):
    refused = refusal(HEADER + "SRV-1,,Contoso,R740,AMS05,,deployed,2999-01-01T00:00:00Z\n")
    assert [(error.line, error.field) for error in refused.errors] == [(2, "deployed_at")]


def test_line_numbers_count_blank_lines_and_quoted_line_breaks(catalog):
    refused = refusal(HEADER + '\n"SRV-1",,Contoso,"R740",AMS05,,,\n"A\nB",,Contoso,R740,NOPE,,,\n')
    assert [str(error) for error in refused.errors] == ["line 4, site: no site with code 'NOPE'"]


def test_a_header_only_file_imports_nothing(catalog):
    assert run(HEADER).created == 0


def test_an_empty_file_is_refused():
    assert [str(error) for error in refusal("").errors] == ["line 1, header: the file is empty"]


def test_the_import_runs_a_fixed_number_of_queries_whatever_the_rows(catalog):
    def queries_for(count: int, prefix: str) -> int:
        rows = "".join(f"{prefix}-{n},,Contoso,R740,AMS05,,,\n" for n in range(count))
        with CaptureQueriesContext(connection) as captured:
            run(HEADER + rows)
        return len(captured)

    assert queries_for(5, "FEW") == queries_for(50, "MANY")


def test_row_error_reads_like_the_message_staff_see():
    assert str(RowError(7, "site", "no site with code 'XYZ01'")) == "line 7, site: no site with code 'XYZ01'"


@pytest.mark.parametrize("column", ["serial_number", "asset_tag", "manufacturer", "site", "parent_serial_number"])
def test_a_cell_with_a_nul_character_is_an_error_of_its_line_and_column(catalog, column):
    """PostgreSQL cannot hold a NUL character (inventory.text): refused, never looked up."""
    values = {"serial_number": "SRV-9", "asset_tag": "AT-9", "manufacturer": "Contoso", "site": "AMS05"}
    values[column] = "AB\x00CD"
    row = ",".join(values.get(name, "") for name in HEADER.strip().split(","))
    errors = refusal(HEADER + "SRV-1,,Contoso,R740,AMS05,,,\n" + row + "\n").errors
    assert RowError(3, column, "Null characters are not allowed") in errors
    assert not Asset.objects.exists()
