"""MonthlySnapshot refresh: idempotent, limited to the months a disposition touched."""

import datetime as dt
from decimal import Decimal

import pytest

from circularity import snapshots
from circularity.models import MonthlySnapshot, SnapshotMonth
from circularity.tasks import refresh_snapshots
from tests.circularity.helpers import at_center, campus, dispose, utc

pytestmark = pytest.mark.django_db


@pytest.fixture
def history():
    _, center = campus()
    for month in (1, 2, 3):
        dispose(at_center(center), center, "recycle", utc(2022, month, 10))
    return center


def snapshot_rows():
    return sorted(
        MonthlySnapshot.objects.values_list(
            "month", "dimension", "group_key", "route", "hazardous", "onsite", "units", "mass_kg"
        )
    )


def test_a_disposition_marks_its_month_stale(history):
    assert set(SnapshotMonth.objects.filter(stale=True).values_list("month", flat=True)) == {
        dt.date(2022, 1, 1),
        dt.date(2022, 2, 1),
        dt.date(2022, 3, 1),
    }


def test_refresh_fills_every_grouping_and_clears_the_marks(history):
    assert snapshots.refresh_stale() == [dt.date(2022, 1, 1), dt.date(2022, 2, 1), dt.date(2022, 3, 1)]
    assert not SnapshotMonth.objects.filter(stale=True).exists()
    january = MonthlySnapshot.objects.filter(month=dt.date(2022, 1, 1))
    assert sorted(january.values_list("dimension", flat=True)) == ["category", "center", "site", "total"]
    assert january.get(dimension="total", route="recycle").units == 1


def test_refresh_is_idempotent(history):
    snapshots.refresh_stale()
    first = snapshot_rows()
    snapshots.refresh([dt.date(2022, 1, 1), dt.date(2022, 2, 1), dt.date(2022, 3, 1)])
    snapshots.refresh([dt.date(2022, 1, 1)])
    assert snapshot_rows() == first
    assert snapshots.refresh_stale() == []


def test_a_late_disposition_refreshes_only_its_own_month(history):
    snapshots.refresh_stale()
    computed = dict(MonthlySnapshot.objects.filter(dimension="total").values_list("month", "computed_at"))
    dispose(at_center(history), history, "recycle", utc(2022, 2, 20))
    assert snapshots.stale_months() == [dt.date(2022, 2, 1)]
    assert snapshots.refresh_stale() == [dt.date(2022, 2, 1)]
    after = dict(MonthlySnapshot.objects.filter(dimension="total").values_list("month", "computed_at"))
    assert after[dt.date(2022, 1, 1)] == computed[dt.date(2022, 1, 1)]
    assert after[dt.date(2022, 3, 1)] == computed[dt.date(2022, 3, 1)]
    assert after[dt.date(2022, 2, 1)] > computed[dt.date(2022, 2, 1)]
    assert MonthlySnapshot.objects.get(month=dt.date(2022, 2, 1), dimension="total", route="recycle").units == 2


def test_snapshots_hold_one_row_per_route_hazardous_and_onsite_present():
    """Long format: a new split is a row, not a column; absent combinations have no row."""
    from circularity.models import Disposition
    from inventory.choices import Category

    _, center = campus()
    dispose(at_center(center, mass_kg="2"), center, "recycle", utc(2022, 1, 10))
    dispose(at_center(center, category=Category.BATTERY, mass_kg="3"), center, "recycle", utc(2022, 1, 11))
    dispose(at_center(center, mass_kg="5"), center, "landfill", utc(2022, 1, 12))
    assert Disposition.objects.filter(hazardous=True).count() == 1
    snapshots.refresh_stale()
    total = MonthlySnapshot.objects.filter(dimension="total").order_by("route", "hazardous")
    assert list(total.values_list("route", "hazardous", "onsite", "units", "mass_kg")) == [
        ("landfill", False, True, 1, Decimal("5")),
        ("recycle", False, True, 1, Decimal("2")),
        ("recycle", True, True, 1, Decimal("3")),
    ]
    by_category = MonthlySnapshot.objects.filter(dimension="category", group_key="battery")
    assert list(by_category.values_list("route", "hazardous", "units")) == [("recycle", True, 1)]


def test_the_open_month_is_never_snapshotted():
    _, center = campus()
    dispose(at_center(center), center, "recycle", dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
    assert snapshots.refresh_stale() == []
    assert not MonthlySnapshot.objects.exists()


def test_a_mark_made_while_refreshing_survives_the_refresh(history, monkeypatch):
    """A disposition landing mid-refresh leaves its month stale for the next run."""
    from circularity import metrics

    real = metrics.sums_by_every_grouping

    def sums_with_a_late_mark(months):
        snapshots.mark_stale([utc(2022, 1, 31)])
        return real(months)

    monkeypatch.setattr(metrics, "sums_by_every_grouping", sums_with_a_late_mark)
    snapshots.refresh_stale()
    assert snapshots.stale_months() == [dt.date(2022, 1, 1)]


def test_the_task_refreshes_named_months_or_the_stale_ones(history):
    assert refresh_snapshots.apply(kwargs={"months": ["2022-02"]}).get() == ["2022-02"]
    assert refresh_snapshots.apply().get() == ["2022-01", "2022-03"]


def test_beat_runs_the_refresh_nightly():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="circularity.tasks.refresh_snapshots")
    assert task.enabled and (task.crontab.hour, task.crontab.minute) == ("2", "30")


def test_the_command_refreshes_all_or_named_months(history):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("refresh_snapshots", "--month", "2022-02", stdout=out)
    assert "Refreshed 1 month(s): 2022-02" in out.getvalue()
    call_command("refresh_snapshots", "--all", stdout=out)
    assert "2022-01, 2022-02, 2022-03" in out.getvalue()
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("refresh_snapshots", "--month", "Feb")
