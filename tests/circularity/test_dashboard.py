"""The circularity dashboard: staff only, every figure from the metrics, "—" for no value,
and a fixed number of queries whatever the dispositions."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time

from circularity import dispositions
from circularity.choices import Route
from circularity.metrics import Sums, figures
from inventory.choices import Category, Source
from tests.circularity.admin_support import ANALYST, OPERATOR, at_center, campus, logged_in, messages_of
from tests.factories import PackagingRecordFactory, PartModelFactory, SiteFactory

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("circularity:dashboard")
DECIDED = dt.datetime(2022, 3, 15, 12, 0, tzinfo=dt.UTC)


def dispose(center, site, route, mass_kg, embodied=None, category=Category.SERVER, when=DECIDED):
    model = PartModelFactory(category=category, mass_kg=Decimal(mass_kg), embodied_kgco2e=embodied)
    asset = at_center(center, site, part_model=model)
    to_site = site if route == Route.REUSE else None
    return dispositions.record_disposition(
        asset=asset, center=center, route=route, decided_at=when, to_site=to_site, source=Source.ADMIN
    )


@pytest.fixture
def fy2022():
    """Three dispositions in FY2022: 2 of 3 units and 900 of 1000 kg reused or recycled."""
    site, center = campus()
    dispose(center, site, Route.RECYCLE, "600")
    dispose(center, site, Route.REUSE, "300", embodied=Decimal("1500"))
    dispose(center, site, Route.LANDFILL, "100", category=Category.PSU)
    PackagingRecordFactory(site=site, received_on=dt.date(2022, 1, 10), single_use_plastic_g=Decimal("33"))
    return site, center


def text_of(response) -> str:
    return response.content.decode()


def test_anonymous_is_sent_to_the_admin_login(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_staff_without_the_disposition_view_permission_is_refused(client):
    logged_in(client, OPERATOR)
    assert client.get(DASHBOARD).status_code == 403


def test_tiles_show_the_fiscal_year_figures(client, fy2022):
    logged_in(client, ANALYST)
    response = client.get(DASHBOARD, {"fy": "FY2022"})
    assert response.status_code == 200
    total = response.context["total"]
    assert (total["units"], total["reuse_recycle_rate"]["units"]) == (3, pytest.approx(2 / 3))
    page = text_of(response)
    assert "66.7 %" in page  # reuse and recycling rate by units
    assert "90.0 %" in page  # by mass
    assert "0.9<span" in page  # mass diverted, t
    assert "1.5<span" in page  # carbon avoided, t CO2e
    assert "3.3 %" in page and "29.8 %" in page  # plastic per package and its reduction vs 4.7 %


def test_targets_show_on_track_status_and_projection(client, fy2022):
    logged_in(client, ANALYST)
    response = client.get(DASHBOARD, {"fy": "FY2022"})
    statuses = {status.target.metric: status for status in response.context["statuses"]}
    rate = statuses["reuse_recycle_rate"]
    assert (rate.trajectory, rate.on_track) == (pytest.approx(0.82), False)
    assert response.context["rate_status"] is rate
    assert "Behind" in text_of(response)
    plastic = statuses["avg_plastic_content"]
    assert plastic.value == pytest.approx(0.033)
    # The line from 4.7 % (FY2021) to 0 % (FY2025) is due 3.525 % in FY2022: 3.3 % is on track.
    assert (plastic.trajectory, plastic.on_track) == (pytest.approx(0.03525), True)
    assert "On track" in text_of(response)


def test_tables_by_center_and_category_add_up(client, fy2022):
    logged_in(client, ANALYST)
    site, center = fy2022
    response = client.get(DASHBOARD, {"fy": "FY2022"})
    [row] = response.context["by_center"]
    assert (row["group"], row["name"], row["units"]) == ("CC-AMS", center.name, 3)
    categories = {row["group"]: row["units"] for row in response.context["by_category"]}
    assert categories == {"server": 2, "psu": 1}
    routes = {row["route"]: row["units"] for row in response.context["routes"]}
    assert routes[Route.LANDFILL] == 1 and sum(routes.values()) == 3
    assert center.name in text_of(response)


def test_chart_is_inline_svg_readable_without_javascript(client, fy2022):
    logged_in(client, ANALYST)
    page = text_of(client.get(DASHBOARD, {"fy": "FY2022"}))
    assert '<svg role="img" aria-label="Monthly reuse and recycling rate to June 2022' in page
    assert "<?xml" not in page
    assert "2022-03</td>" in page  # the monthly figures behind it, as a table


def test_no_data_shows_dashes_never_an_error(client):
    logged_in(client, ANALYST)
    response = client.get(DASHBOARD, {"fy": "FY2022"})
    assert response.status_code == 200
    total = response.context["total"]
    assert total["units"] == 0 and total["reuse_recycle_rate"]["units"] is None
    page = text_of(response)
    assert '<p class="kpi-value">—</p>' in page
    assert "No dispositions in FY2022." in page
    assert "No dispositions in this period" in page  # the chart says so too


def test_no_target_at_all_is_said_plainly(client):
    from circularity.models import Target

    Target.objects.all().delete()
    logged_in(client, ANALYST)
    page = text_of(client.get(DASHBOARD, {"fy": "FY2022"}))
    assert "No target is set." in page


@freeze_time("2022-05-20 10:00:00")
def test_the_current_fiscal_year_is_shown_to_date_by_default(client, fy2022):
    logged_in(client, ANALYST)
    response = client.get(DASHBOARD)
    assert response.context["fiscal_year"] == 2022 and response.context["is_current"]
    assert response.context["as_of"] == dt.date(2022, 5, 20)
    assert response.context["fiscal_years"] == [2022]
    assert "(fiscal year to date)" in text_of(response)


@freeze_time("2023-08-01 10:00:00")
def test_an_earlier_fiscal_year_is_chosen_and_shown_whole(client, fy2022):
    logged_in(client, ANALYST)
    response = client.get(DASHBOARD, {"fy": "fy2022"})
    assert response.context["fiscal_year"] == 2022 and not response.context["is_current"]
    assert response.context["as_of"] == dt.date(2022, 6, 30)
    assert response.context["fiscal_years"] == [2024, 2023, 2022]
    assert '<option value="FY2022" selected>' in text_of(response)


@freeze_time("2022-05-20 10:00:00")
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("FY20x", "'FY20x' is not a fiscal year: use FYYYYY, e.g. FY2022. Showing FY2022."),
        ("FY2031", "FY2031 has not started yet. Showing FY2022."),
        ("FY1066", "'FY1066' is outside the years 1990 … 2100. Showing FY2022."),
    ],
)
def test_a_bad_fiscal_year_is_named_and_the_current_one_shown(client, value, message):
    logged_in(client, ANALYST)
    response = client.get(DASHBOARD, {"fy": value})
    assert response.status_code == 200
    assert messages_of(response) == [message]
    assert response.context["fiscal_year"] == 2022


def test_admin_index_links_the_dashboard_for_those_who_may_see_it(client):
    logged_in(client, ANALYST)
    assert DASHBOARD in text_of(client.get(reverse("admin:index")))
    logged_in(client, OPERATOR)
    assert DASHBOARD not in text_of(client.get(reverse("admin:index")))


def queries_for(client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(DASHBOARD, {"fy": "FY2022"})
    assert response.status_code == 200
    return len(captured)


# Session and user, the fiscal years on offer, the compliance reports that need a person (the
# banner), then the grouped aggregates of the metrics (total, by center, by category,
# packaging, each target and its projection, the chart), the vendors' certifications
# expiring soon, the custody figures (the centers, their stock at the month's two ends,
# receipts, losses and dispositions; value recovered; harvested parts), and the waste
# panel's sums (snapshot fill state and one grouped scan of the live months).
DASHBOARD_QUERIES = 29 + 8 + 2


def test_dashboard_queries_do_not_grow_with_dispositions(client):
    logged_in(client, ANALYST)
    sites = [SiteFactory(code=f"Q{i}") for i in range(2)]
    site, center = campus()
    center.sites.add(*sites)
    dispose(center, site, Route.RECYCLE, "10")
    few = queries_for(client)
    for i in range(20):
        route = [Route.RECYCLE, Route.RESALE, Route.LANDFILL, Route.INCINERATION][i % 4]
        category = [Category.SERVER, Category.MEMORY, Category.PSU][i % 3]
        when = DECIDED - dt.timedelta(days=40 * i)  # across this fiscal year and the two before
        dispose(center, sites[i % 2], route, "5", category=category, when=when)
    many = queries_for(client)
    assert few == many == DASHBOARD_QUERIES


def test_figures_come_in_tonnes_from_the_metrics():
    sums = Sums()
    sums.mass[Route.RECYCLE] = Decimal("1500")
    sums.mass[Route.LANDFILL] = Decimal("500")
    sums.avoided_kgco2e = Decimal("2500")
    result = figures(sums)
    assert result["mass_t"] == Decimal("2")
    assert result["mass_t_by_route"][Route.RECYCLE] == Decimal("1.5")
    assert result["avoided_tco2e"] == Decimal("2.5")


def test_the_dashboard_shows_mass_balance_value_recovered_per_currency_and_harvested_parts(client):
    from inventory.choices import Status
    from tests.factories import AssetFactory

    logged_in(client, ANALYST)
    site, center = campus()
    for amount, currency in (("100.00", "EUR"), ("70.00", "USD")):
        asset = AssetFactory(site=site, center=center, status=Status.AT_CIRCULAR_CENTER)
        dispositions.record_disposition(
            asset=asset,
            center=center,
            route=Route.RESALE,
            decided_at=DECIDED,
            proceeds=Decimal(amount),
            currency=currency,
            source=Source.ADMIN,
        )
    page = client.get(DASHBOARD + "?fy=FY2022").content.decode()
    assert "Mass balance" in page and center.code in page
    assert "100.00 EUR" in page and "70.00 USD" in page and "170.00" not in page
    assert "Harvested parts back in service" in page
