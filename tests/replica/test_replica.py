"""Against a real streaming replica: the dashboard, the metrics and targets endpoints and the
report build read from it; writes, and reads inside writes, go to the primary; a person
reads their own writes; a replica that lags or is down is not read, and the admin says so.

Each proof pauses replay on the replica (``pg_wal_replay_pause()``), writes a disposition
on the primary, and looks at what each reader sees: the replica's figures until replay
resumes, the primary's where the rules say so.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from assetlife.replica import health
from circularity import dispositions
from circularity.choices import Metric, Route
from circularity.models import ComplianceReport, ReportRecipient
from circularity.reports.send import person, send_report
from inventory.choices import Source
from tests.circularity.admin_support import at_center, campus, moment, staff
from tests.factories import PartModelFactory, TargetFactory

pytestmark = [pytest.mark.postgres, pytest.mark.replica]

MARCH = dt.date(2022, 3, 1)
DECIDED = dt.datetime(2022, 3, 15, 12, 0, tzinfo=dt.UTC)
DASHBOARD = reverse("circularity:dashboard")
METRICS = "/api/v1/metrics/circularity/?period=month&start=2022-03&end=2022-03"
TARGETS = "/api/v1/targets/?as_of=2022-06-30"


class Fleet:
    """Two recycled servers in March 2022 (rate 100 %), a target, a report recipient."""

    def __init__(self):
        self.site, self.center = campus()
        self.model = PartModelFactory(mass_kg=Decimal("20"))
        for _ in range(2):
            self.dispose(Route.RECYCLE)
        TargetFactory(metric=Metric.REUSE_RECYCLE_RATE, target_value=Decimal("0.9"), target_fiscal_year=2030)
        ReportRecipient.objects.create(name="Compliance", email="compliance@example.com")

    def asset(self):
        return at_center(self.center, self.site, part_model=self.model)

    def dispose(self, route=Route.LANDFILL):
        """A disposition written on the primary by a job (no request: nobody is pinned)."""
        dispositions.record_disposition(
            asset=self.asset(), center=self.center, route=route, decided_at=DECIDED, source=Source.API
        )


@pytest.fixture
def fleet(replica):
    made = Fleet()
    replica.wait_caught_up()
    return made


def admin_client() -> Client:
    client = Client()
    client.force_login(staff(is_superuser=True))
    return client


def api_client() -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=staff(is_superuser=True)).key}")
    return client


def dashboard_units(client: Client) -> int:
    response = client.get(DASHBOARD, {"fy": "FY2022"})
    assert response.status_code == 200
    return response.context["total"]["units"]


def metrics_units(client: APIClient) -> int:
    response = client.get(METRICS)
    assert response.status_code == 200, response.content
    return response.json()["results"][0]["units"]


def target_value(client: APIClient) -> float:
    response = client.get(TARGETS)
    assert response.status_code == 200, response.content
    (target,) = [t for t in response.json()["results"] if t["target_fiscal_year"] == 2030]
    return target["latest_value"]


def report_units() -> int:
    """Build March 2022's report as the job does (again for a re-send) and read its CSV."""
    send_report(month=MARCH, by=person("test"), resend=ComplianceReport.objects.exists(), rebuild=True)
    rows = csv.DictReader(io.StringIO(ComplianceReport.objects.get(period=MARCH).csv))
    (units,) = [
        row["value"]
        for row in rows
        if (row["section"], row["span"], row["dimension"], row["figure"]) == ("circularity", "month", "total", "units")
    ]
    return int(units)


def everything_seen(admin: Client, api: APIClient) -> tuple:
    return dashboard_units(admin), metrics_units(api), target_value(api), report_units()


SEEN_BEFORE = (2, 2, 1.0, 2)  # two recycled servers
SEEN_AFTER = (3, 3, pytest.approx(2 / 3), 3)  # and one landfilled


def banner(client: Client) -> str | None:
    page = client.get(reverse("admin:index")).content.decode()
    if 'id="replica-banner"' not in page:
        return None
    return page.split('id="replica-banner"><li class="warning">', 1)[1].split("</li>", 1)[0]


def test_dashboard_metrics_targets_and_report_read_the_replica(replica, fleet):
    admin, api = admin_client(), api_client()
    replica.wait_caught_up()
    assert everything_seen(admin, api) == SEEN_BEFORE

    replica.pause_replay()
    fleet.dispose()  # committed on the primary, not yet applied on the replica
    assert everything_seen(admin, api) == SEEN_BEFORE
    assert banner(admin) is None  # paused, but within REPLICA_MAX_LAG_SECONDS: still used

    replica.resume_replay()
    replica.wait_caught_up()
    assert everything_seen(admin, api) == SEEN_AFTER


def test_who_recorded_a_disposition_in_the_admin_sees_it_on_the_dashboard_at_once(replica, fleet, settings):
    settings.REPLICA_PIN_SECONDS = 2
    technician, colleague = admin_client(), admin_client()
    replica.pause_replay()
    asset = fleet.asset()  # not on the replica either: the form reads the primary
    response = technician.post(
        reverse("admin:circularity_disposition_add"),
        {
            "apply": "yes",
            "asset": asset.serial_number,
            "route": Route.LANDFILL,
            "center": fleet.center.pk,
            **moment("decided_at", DECIDED),
            "to_site": "",
            "vendor": "",
            "certificate_id": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert dashboard_units(technician) == 3  # pinned to the primary after their write
    assert dashboard_units(colleague) == 2  # everyone else reads the replica, still paused

    time.sleep(2.1)
    assert dashboard_units(technician) == 2  # the pin is over: back to the (paused) replica


def test_an_api_client_reads_its_own_writes_without_cookies(replica, fleet):
    writer, reader = api_client(), api_client()
    replica.pause_replay()
    asset = fleet.asset()
    response = writer.post(
        "/api/v1/dispositions/",
        {
            "asset": asset.serial_number,
            "center": fleet.center.code,
            "route": Route.LANDFILL,
            "decided_at": DECIDED.isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    writer.cookies.clear()  # an integrating system keeps no cookies: pinned by its user
    assert metrics_units(writer) == 3
    assert metrics_units(reader) == 2


def test_reads_inside_a_write_go_to_the_primary(replica, fleet):
    api = api_client()
    replica.pause_replay()
    fleet.dispose()
    # Creating a target answers its progress: computed inside the write, on the primary.
    response = api.post(
        "/api/v1/targets/?as_of=2022-06-30",
        {
            "metric": Metric.REUSE_RECYCLE_RATE,
            "comparison": "gte",
            "target_value": "0.95",
            "target_fiscal_year": 2035,
            "baseline_fiscal_year": 2022,
            "baseline_value": "0.82",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["latest_value"] == pytest.approx(2 / 3)
    assert target_value(api_client()) == 1.0  # another caller: the replica


def test_a_replica_lagging_beyond_the_bound_is_not_read_and_the_admin_says_so(replica, fleet, settings):
    admin, api = admin_client(), api_client()
    settings.REPLICA_MAX_LAG_SECONDS = 1
    replica.pause_replay()
    fleet.dispose()
    time.sleep(1.5)
    assert everything_seen(admin, api) == SEEN_AFTER  # from the primary
    assert "behind the primary (more than 1 s)" in banner(admin)

    replica.resume_replay()
    replica.wait_caught_up()
    assert banner(admin) is None


def test_an_idle_primary_does_not_make_a_current_replica_look_late(replica, fleet, settings):
    settings.REPLICA_MAX_LAG_SECONDS = 1
    time.sleep(1.5)  # nothing committed meanwhile in this database: the last replayed commit ages
    status = health.replica_status()
    # 0 when the cluster is quiet; other databases of a shared cluster may keep the replica
    # a fraction of a second behind, never the 1.5 s an ageing last commit would give.
    assert status.usable and status.lag_seconds < 1.0


def test_a_replica_that_is_down_is_not_read_and_nothing_fails(replica, fleet):
    admin, api = admin_client(), api_client()
    replica.stop()
    fleet.dispose()
    assert everything_seen(admin, api) == SEEN_AFTER  # all from the primary, all 200
    assert "The read replica is down" in banner(admin)

    replica.start()
    replica.wait_caught_up()
    assert banner(admin) is None
    assert everything_seen(admin, api) == (3, 3, pytest.approx(2 / 3), 3)


def test_a_replica_that_fails_in_the_middle_of_a_read_is_replaced_by_the_primary(replica, fleet, settings):
    admin = admin_client()
    assert dashboard_units(admin) == 2  # the replica connection is open, the status cached as usable
    settings.REPLICA_CHECK_SECONDS = 3600
    assert health.replica_status().usable
    replica.stop()
    fleet.dispose()
    assert dashboard_units(admin) == 3  # the read failed on the replica and ran on the primary
    assert not health.replica_status().usable  # and the replica is marked down at once
