"""Queries by time range read only their months' partitions (PostgreSQL; docs/performance.md).

The plans are those of the real queries: the events feed's page as the API runs it, and the
compliance report's exceptions of a month, captured and explained.
"""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from circularity.choices import Route
from circularity.exceptions import uncertified_dispositions
from circularity.models import Disposition
from inventory import partitions
from inventory.choices import Category
from inventory.models import LifecycleEvent
from tests.factories import AssetFactory, CircularCenterFactory, PartModelFactory, SiteFactory

from .conftest import iso

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

EVENTS = LifecycleEvent._meta.db_table
DISPOSITIONS = Disposition._meta.db_table


def outer_nodes(plan: dict):
    """The plan's nodes outside its correlated subqueries (those probe per row by asset)."""
    yield plan
    for child in plan.get("Plans", []):
        if child.get("Parent Relationship") != "SubPlan":
            yield from outer_nodes(child)


def relations(sql: str, params) -> set[str]:
    """The tables a query's plan reads (after planning-time pruning), outside its subqueries."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
    return {node["Relation Name"] for node in outer_nodes(plan) if "Relation Name" in node}


def months_partitions(table: str, *months: dt.date) -> set[str]:
    return {partitions.partition_name(table, month) for month in months}


@pytest.fixture
def history():
    """Partitions for four past months, with rows in each (as a historic load writes them)."""
    months = [dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1), dt.date(2024, 4, 1)]
    site = SiteFactory(code="AMS05")
    center = CircularCenterFactory(code="CC-AMS", sites=[site])
    asset = AssetFactory(
        part_model=PartModelFactory(category=Category.SSD, data_bearing=True), site=site, center=center
    )
    partitions.ensure_partitions(LifecycleEvent, months)
    for month in months:
        moment = dt.datetime(month.year, month.month, 10, tzinfo=dt.UTC)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {EVENTS} (asset_id, action, from_status, to_status, occurred_at, recorded_at, source, "
                "location, note) VALUES (%s, 'transition', 'deployed', 'deployed', %s, %s, 'api', '', '')",
                [asset.pk, moment, moment],
            )
        Disposition.objects.create(
            asset=asset,
            tree_root=asset,
            center=center,
            site=site,
            category=Category.SSD,
            route=Route.RECYCLE,
            decided_at=moment,
            mass_kg=1,
        )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {EVENTS}; ANALYZE {DISPOSITIONS}")
    return months


def test_the_events_feed_by_recorded_time_reads_one_month(api, history):
    february = history[1]
    first, until = dt.datetime(2024, 2, 1, tzinfo=dt.UTC), dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/api/v1/events/", {"recorded_after": iso(first), "recorded_before": iso(until)})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1
    (feed,) = [q["sql"] for q in queries.captured_queries if f'FROM "{EVENTS}"' in q["sql"]]
    read = relations(feed, None)
    assert {name for name in read if name.startswith(EVENTS)} == months_partitions(EVENTS, february)


def test_a_months_metrics_read_one_partition(history):
    """Every figure of a month filters ``decided_at`` in the month: one partition."""
    sql, params = Disposition.objects.filter(
        decided_at__gte=dt.datetime(2024, 3, 1, tzinfo=dt.UTC), decided_at__lt=dt.datetime(2024, 4, 1, tzinfo=dt.UTC)
    ).query.sql_with_params()
    assert relations(sql, params) == months_partitions(DISPOSITIONS, history[2])


def test_the_reports_uncertified_dispositions_skip_later_months(history):
    """Decided or recorded in February: the months after March are pruned. March is read for
    its first five minutes (a row recorded in February may be decided up to five minutes
    later); January for backdated imports recorded in February, by its recorded_at index."""
    january, february, march, april = history
    first, until = dt.datetime(2024, 2, 1, tzinfo=dt.UTC), dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
    sql, params = uncertified_dispositions(first=first, until=until).query.sql_with_params()
    read = {name for name in relations(sql, params) if name.startswith(f"{DISPOSITIONS}_p")}
    assert read == months_partitions(DISPOSITIONS, january, february, march)
    assert partitions.partition_name(DISPOSITIONS, partitions.month_of(timezone.now())) not in read
