"""The demo fleet (``seed_demo``): deterministic, consistent, and close to the published figures."""

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery

from circularity import metrics
from circularity.choices import ROUTE_STATUS, PeriodKind
from circularity.demo import load_demo_fleet
from circularity.models import Disposition, SanitizationRecord, Shipment, SnapshotMonth
from circularity.periods import Period, current_month
from inventory.choices import Action, Status
from inventory.models import Asset, LifecycleEvent, Site

pytestmark = [pytest.mark.slow]

AS_OF = dt.date(2026, 11, 25)
SMALL = {"servers": 20, "seed": 7, "as_of": AS_OF}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One small fleet for the module, rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        summary = load_demo_fleet(**SMALL)
        yield summary
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_components_share_their_parents_status_site_and_center(demo):
    mismatched = Asset.objects.filter(parent__isnull=False).exclude(
        status=Asset.objects.filter(pk=OuterRef("parent_id")).values("status")[:1]
    )
    assert list(mismatched.values_list("serial_number", flat=True)) == []
    for child in Asset.objects.filter(parent__isnull=False).select_related("parent"):
        assert (child.site_id, child.center_id) == (child.parent.site_id, child.parent.center_id)


@pytest.mark.django_db
def test_every_asset_is_in_the_state_of_its_last_transition(demo):
    last = LifecycleEvent.objects.filter(asset=OuterRef("pk"), action=Action.TRANSITION).order_by("-occurred_at", "-id")
    rows = Asset.objects.annotate(last_to=Subquery(last.values("to_status")[:1])).values_list("status", "last_to")
    assert all(status == last_to for status, last_to in rows)


@pytest.mark.django_db
def test_every_disposition_has_the_event_that_moved_its_asset(demo):
    dispositions = list(Disposition.objects.values_list("asset_id", "route", "decided_at"))
    assert dispositions
    events = set(
        LifecycleEvent.objects.filter(from_status=Status.AT_CIRCULAR_CENTER, action=Action.TRANSITION).values_list(
            "asset_id", "to_status", "occurred_at"
        )
    )
    missing = [(a, r, t) for a, r, t in dispositions if (a, ROUTE_STATUS[r], t) not in events]
    assert missing == []
    # and each data-bearing asset had a verified certificate for it, performed before the decision
    for disposition in Disposition.objects.filter(asset__part_model__data_bearing=True):
        assert SanitizationRecord.objects.filter(
            asset_id=disposition.asset_id, verified=True, performed_at__lte=disposition.decided_at
        ).exists()


@pytest.mark.django_db
def test_fy2022_lands_near_the_published_figures(demo):
    (fy2022,) = metrics.period_figures(Period.fiscal_year(2022))
    assert fy2022["reuse_recycle_rate"]["units"] == pytest.approx(0.82, abs=0.03)
    plastic = {
        row["period"]: row["avg_plastic_content"]
        for row in metrics.packaging_rows(PeriodKind.FISCAL_YEAR, dt.date(2021, 1, 1), dt.date(2022, 1, 1))
    }
    assert plastic["FY2021"] == pytest.approx(0.047, abs=0.0005)
    assert plastic["FY2022"] == pytest.approx(0.033, abs=0.0005)


@pytest.mark.django_db
def test_history_covers_fy2021_to_the_as_of_day(demo):
    span = Disposition.objects.aggregate(last=Max("decided_at"))
    assert LifecycleEvent.objects.filter(occurred_at__lt=dt.datetime(2020, 7, 1, tzinfo=dt.UTC)).exists()
    assert not LifecycleEvent.objects.filter(occurred_at__gte=dt.datetime(2026, 11, 25, tzinfo=dt.UTC)).exists()
    assert span["last"] >= dt.datetime(2026, 7, 1, tzinfo=dt.UTC)  # FY2027 has dispositions
    years = {
        row["period"]
        for row in metrics.circularity_rows(PeriodKind.FISCAL_YEAR, dt.date(2020, 7, 1), AS_OF)
        if row["units"]
    }
    assert years == {f"FY{year}" for year in range(2021, 2028)}


@pytest.mark.django_db
def test_the_compliance_exceptions_have_content(demo):
    cutoff = dt.datetime.combine(AS_OF, dt.time(), tzinfo=dt.UTC) - dt.timedelta(days=14)
    stuck = Shipment.objects.filter(received_at__isnull=True, shipped_at__lt=cutoff, assets__status=Status.IN_TRANSIT)
    assert stuck.exists()
    statuses = Counter(Asset.objects.filter(parent__isnull=True).values_list("status", flat=True))
    assert statuses[Status.MISSING] >= 2
    assert {Status.DEPLOYED, Status.IN_STOCK, Status.DECOMMISSIONED, Status.RECYCLED} <= set(statuses)
    found_again = LifecycleEvent.objects.filter(from_status=Status.MISSING).exists()
    assert found_again


@pytest.mark.django_db
def test_closed_months_are_snapshotted(demo):
    assert SnapshotMonth.objects.filter(month__lt=current_month()).exists()
    assert not SnapshotMonth.objects.filter(month__lt=current_month(), stale=True).exists()


@pytest.mark.django_db
def test_a_second_load_is_refused_and_writes_nothing(demo):
    before = (Asset.objects.count(), LifecycleEvent.objects.count(), Site.objects.count())
    with pytest.raises(CommandError, match="already holds data .*assets.*Use a new database"):
        call_command("seed_demo", servers=20, no_progress=True, stdout=StringIO())
    assert (Asset.objects.count(), LifecycleEvent.objects.count(), Site.objects.count()) == before


@pytest.mark.django_db
def test_check_data_finds_the_demo_fleet_clean(demo):
    out = StringIO()
    call_command("check_data", stdout=out)
    assert out.getvalue().startswith("Clean: ")


@pytest.mark.django_db
def test_every_month_reads_like_its_fiscal_year(demo):
    """Each month is filled to its year's share: no month swings to 0 % or 100 %."""
    years = {
        row["period"]: row["reuse_recycle_rate"]["units"]
        for row in metrics.circularity_rows(PeriodKind.FISCAL_YEAR, dt.date(2020, 7, 1), AS_OF)
        if row["units"]
    }
    # Closed months: the as-of month is partial, and its last day holds the drives that the
    # demo's sampled sanitization batches certified and sent to recycling (``recovery``).
    last = AS_OF.replace(day=1) - dt.timedelta(days=1)
    months = [row for row in metrics.circularity_rows(PeriodKind.MONTH, dt.date(2020, 7, 1), last) if row["units"]]
    assert len(months) >= 7
    for row in months:
        start = row["period_start"]
        fiscal_year = start.year + (1 if start.month >= 7 else 0)
        assert row["reuse_recycle_rate"]["units"] == pytest.approx(years[f"FY{fiscal_year}"], abs=0.03), row["period"]


@pytest.mark.django_db
def test_the_plastic_line_falls_month_by_month(demo):
    """Single-use plastic falls every month (no jump back up at a new fiscal year), to zero."""
    line = [
        row["avg_plastic_content"]
        for row in metrics.packaging_rows(PeriodKind.MONTH, dt.date(2020, 7, 1), dt.date(2026, 10, 1))
    ]
    assert len(line) == 76
    assert all(later <= earlier + 0.0005 for earlier, later in zip(line, line[1:], strict=False))
    assert line[0] > 0.05 and line[-1] == 0


def planned(servers: int = 20, seed: int = 7):
    from circularity.demo.decisions import DecisionPlanner
    from circularity.demo.plan import Planner

    planner = Planner(servers=servers, seed=seed, as_of=AS_OF)
    planner.plan_fleet()
    planner.plan_failures()
    planner.plan_retirements()
    planner.plan_losses()
    DecisionPlanner(planner).plan()
    planner.plan_custody()
    return planner


@pytest.mark.parametrize(
    "kind, message",
    [
        ("SANITIZE", "no verified sanitization for .* in this custody cycle"),
        ("RECEIVE", "(no disposition at .*-CC|cannot be dismantled) \\(in_transit"),
        ("DECOMMISSION", "deployed -> in_transit is not allowed"),
    ],
)
def test_the_replay_refuses_a_plan_the_services_would_refuse(kind, message):
    """The in-memory replay holds the services' rules: drop a kind of step and it refuses."""
    from circularity.demo import plan
    from circularity.demo.replay import Replay, ReplayError

    planner = planned()
    actions = [action for action in planner.actions if action.kind != getattr(plan, kind)]
    with pytest.raises(ReplayError, match=message):
        Replay(planner.assets).run(actions)


def test_an_event_earlier_than_its_tree_is_refused_by_the_replay():
    from circularity.demo.replay import Replay, ReplayError

    planner = planned()
    replay = Replay(planner.assets)
    server = next(asset for asset in planner.assets if asset.parent is None and asset.status == Status.DEPLOYED)
    with pytest.raises(ReplayError, match="earlier than its tree's latest event"):
        replay.transition(server.serial, Status.DECOMMISSIONED, server.created_at - dt.timedelta(days=1), "api")
    assert replay.rows.events[-1][3] != Status.DECOMMISSIONED  # nothing was recorded


def test_the_demo_has_sampled_sanitization_batches_one_failed_and_blocking(demo):
    from circularity import sanitization
    from circularity.models import SanitizationBatch

    batches = list(sanitization.with_state(SanitizationBatch.objects.all()))
    states = Counter(sanitization.state_of(b.sample_size, b.result_count, b.failed_count) for b in batches)
    assert states["failed"] == 1 and states["verified"] >= 1
    failed = next(b for b in batches if b.failed_count)
    # Its drives are still at the center: the gate kept them there.
    held = Asset.objects.filter(sanitization_batch_drives__batch=failed)
    assert set(held.values_list("status", flat=True)) == {Status.AT_CIRCULAR_CENTER}
    for batch in batches:
        serials = batch.drives.values_list("asset__serial_number", flat=True)
        drawn = batch.drives.filter(sampled=True).values_list("asset__serial_number", flat=True)
        assert sanitization.draw_sample(serials, batch.seed) == sorted(drawn)


@pytest.mark.django_db
def test_the_demo_has_resale_proceeds_in_several_currencies_and_harvested_parts_back_in_service(demo):
    currencies = set(Disposition.objects.exclude(currency="").values_list("currency", flat=True))
    assert len(currencies) >= 2
    assert not Disposition.objects.exclude(route="resale").exclude(proceeds__isnull=True).exists()
    harvested = metrics.harvested_rows(dt.date(2020, 7, 1), current_month())
    assert sum(row["units"] for row in harvested) >= 1
