"""A batch applied on the server (``inventory/lifecycle/ingest.py``) writes what the Python
path writes, refuses as it does, and its asset updates are HOT on PostgreSQL."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from inventory import lifecycle
from inventory.choices import Category, Source, Status
from inventory.errors import BatchRefused
from inventory.lifecycle import TransitionRequest, ingest
from inventory.models import Asset, LifecycleEvent
from tests.factories import AssetFactory, CircularCenterFactory, PartModelFactory, SiteFactory, UserFactory

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="the batch is applied on the server on PostgreSQL only"
)

T0 = dt.datetime(2022, 3, 1, 9, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
SERVER_STATEMENT = "WITH member AS MATERIALIZED"
# This transaction's updates of asset rows, and how many were HOT (kept on their page).
UPDATES = "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = 'inventory_asset'"


@pytest.fixture
def fleet():
    """Six servers of two parts each, brought by the Python path into six different states."""
    site, other = SiteFactory(code="AMS05"), SiteFactory(code="AMS06")
    center = CircularCenterFactory(code="AMS-CC", sites=[site, other])
    chassis = PartModelFactory(manufacturer="Contoso", model_number="R740", category=Category.SERVER)
    ssd = PartModelFactory(manufacturer="Fabrikam", model_number="SSD-1T", category=Category.SSD)
    for n in range(1, 7):
        server = AssetFactory(
            serial_number=f"S{n}", part_model=chassis, site=site, status=Status.DEPLOYED, last_event_at=T0
        )
        for k in range(2):
            AssetFactory(
                serial_number=f"S{n}-P{k}", part_model=ssd, site=site, parent=server, status=Status.DEPLOYED,
                last_event_at=T0,
            )  # fmt: skip
    steps = {
        "S2": [Status.DECOMMISSIONED],
        "S3": [Status.DECOMMISSIONED, Status.AT_CIRCULAR_CENTER],
        "S4": [Status.DECOMMISSIONED, Status.AT_CIRCULAR_CENTER],
        "S5": [Status.DECOMMISSIONED],
        "S6": [Status.DECOMMISSIONED, Status.IN_TRANSIT, Status.MISSING],
    }
    for serial, path in steps.items():
        for index, to in enumerate(path):
            lifecycle.transition(serial, to=to, occurred_at=T0 + (index + 1) * HOUR, source=Source.JOB, center=center)
    lifecycle.transition(
        "S4", to=Status.IN_STOCK, occurred_at=T0 + 4 * HOUR, source=Source.ADMIN, site=other, disposition=True
    )
    return {"site": site, "other": other, "center": center}


def every_kind_of_change(fleet) -> list[TransitionRequest]:
    at = T0 + 10 * HOUR
    return [
        TransitionRequest("S1", Status.DECOMMISSIONED, at, note="End of life", external_id="k-1"),
        TransitionRequest("S2", Status.AT_CIRCULAR_CENTER, at + HOUR, center=fleet["center"], note="Arrived"),
        TransitionRequest("S3", Status.IN_STOCK, at, site=fleet["other"], note="Disposition: reuse"),
        TransitionRequest("S4", Status.DEPLOYED, at, external_id="k-4"),
        TransitionRequest("S5", Status.MISSING, at, note="Not on the truck"),
        TransitionRequest("S6", Status.IN_TRANSIT, at, note="Found again"),
    ]


def written(since: int) -> tuple[list, list]:
    events = list(
        LifecycleEvent.objects.filter(id__gt=since)
        .order_by("id")
        .values_list(
            "asset__serial_number", "action", "from_status", "to_status", "parent_id", "occurred_at", "actor_id",
            "source", "location", "note", "external_id",
        )
    )  # fmt: skip
    assets = list(
        Asset.objects.order_by("serial_number").values_list(
            "serial_number", "status", "site__code", "center__code", "parent__serial_number", "deployed_at",
            "decommissioned_at", "last_event_at",
        )
    )  # fmt: skip
    return events, assets


def apply(requests, settings, *, on_server: bool):
    """Apply the batch with the server path on or off; return what it wrote, then undo it."""
    settings.LIFECYCLE_APPLY_ON_SERVER = on_server
    actor = UserFactory(username=f"ingest-{on_server}")
    since = LifecycleEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        returned = lifecycle.transition_many(requests, source=Source.API, actor=actor, disposition=True)
        keys = lifecycle.event_keys(returned)
        events, assets = written(since)
        roots = [LifecycleEvent.objects.get(pk=event_id).asset.serial_number for event_id, _ in keys]
        transaction.set_rollback(True)
    events = [(*event[:6], event[6] is not None, *event[7:]) for event in events]
    server_ran = any(SERVER_STATEMENT in query["sql"] for query in queries.captured_queries)
    return {"events": events, "assets": assets, "returned": roots, "count": len(returned)}, server_ran


@postgresql_only
def test_the_server_writes_what_the_python_path_writes(fleet, settings):
    requests = every_kind_of_change(fleet)
    on_server, ran = apply(requests, settings, on_server=True)
    in_python, ran_in_python = apply(requests, settings, on_server=False)
    assert (ran, ran_in_python) == (True, False)
    assert on_server == in_python
    assert on_server["count"] == 18  # six trees of three: every asset its event
    # every request's own asset first, request after request (the API answers with those)
    assert on_server["returned"][::3] == ["S1", "S2", "S3", "S4", "S5", "S6"]


@postgresql_only
@pytest.mark.parametrize(
    "change",
    [
        ("S1", Status.AT_CIRCULAR_CENTER),  # deployed -> at a center: not in the table
        ("S1-P0", Status.DECOMMISSIONED),  # a component moves with its parent
        ("NOPE", Status.DECOMMISSIONED),  # unknown
        ("S2", Status.AT_CIRCULAR_CENTER, "early"),  # earlier than its tree's latest event
        ("S1", Status.DECOMMISSIONED, "twice"),  # named twice: requests apply in order
    ],
)
def test_a_batch_the_server_path_cannot_take_is_refused_or_applied_as_before(fleet, settings, change):
    serial, to, *how = change
    at = T0 if how == ["early"] else T0 + 10 * HOUR
    requests = [
        TransitionRequest("S5", Status.IN_TRANSIT, T0 + 10 * HOUR),
        TransitionRequest(serial, to, at, center=fleet["center"]),
    ]
    if how == ["twice"]:
        requests.append(TransitionRequest("S1", Status.IN_TRANSIT, at + HOUR))
    outcomes = []
    for on_server in (True, False):
        settings.LIFECYCLE_APPLY_ON_SERVER = on_server
        with transaction.atomic():
            try:
                lifecycle.transition_many(requests, source=Source.API)
                outcomes.append(("applied", written(0)))
            except BatchRefused as refused:
                outcomes.append(("refused", {index: str(error) for index, error in refused.errors.items()}))
            transaction.set_rollback(True)
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0] == ("applied" if how == ["twice"] else "refused")


def test_the_server_path_is_postgresql_only(settings):
    settings.LIFECYCLE_APPLY_ON_SERVER = True
    assert ingest.enabled() is (connection.vendor == "postgresql")
    settings.LIFECYCLE_APPLY_ON_SERVER = False
    assert ingest.enabled() is False


@postgresql_only
def test_a_transition_is_a_hot_update_of_the_asset_rows(fleet, settings):
    """No index holds a column a transition changes, and the table leaves room on its pages."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'inventory_asset'")
        assert "fillfactor=50" in cursor.fetchone()[0]
        cursor.execute(
            """
            SELECT i.relname, a.attname FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
            JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(x.indkey)
            WHERE t.relname = 'inventory_asset'
            """
        )
        indexed = {column for _, column in cursor.fetchall()}
        assert indexed.isdisjoint({"status", "deployed_at", "decommissioned_at", "last_event_at", "updated_at"})
        settings.LIFECYCLE_APPLY_ON_SERVER = True
        cursor.execute(
            "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = 'inventory_asset'"
        )
        updated, hot = cursor.fetchone()
        lifecycle.transition_many([TransitionRequest("S1", Status.DECOMMISSIONED, T0 + 10 * HOUR)], source=Source.API)
        cursor.execute(
            "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = 'inventory_asset'"
        )
        after_updated, after_hot = cursor.fetchone()
    assert after_updated - updated == 3  # the server and its two parts
    assert after_hot - hot == 3
