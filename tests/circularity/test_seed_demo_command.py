"""``seed_demo`` on an empty database: deterministic, validated, and telling what it loaded."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from circularity import metrics
from circularity.demo import DEFAULT_SERVERS, DemoLoadRefused, load_demo_fleet
from circularity.models import Disposition, SanitizationRecord, Shipment
from circularity.periods import Period
from inventory.models import Asset, LifecycleEvent, Site

pytestmark = [pytest.mark.slow]

SMALL = {"servers": 20, "seed": 7, "as_of": dt.date(2026, 11, 25)}


def fingerprint() -> dict:
    return {
        "serials": list(Asset.objects.order_by("serial_number").values_list("serial_number", "status", "site__code")),
        "events": LifecycleEvent.objects.count(),
        "dispositions": list(
            Disposition.objects.order_by("decided_at", "asset__serial_number").values_list(
                "asset__serial_number", "route", "decided_at"
            )
        ),
        "shipments": list(Shipment.objects.order_by("shipped_at").values_list("tracking_ref", "received_at")),
        "sanitizations": SanitizationRecord.objects.count(),
    }


def load_and_fingerprint(**options) -> dict:
    with transaction.atomic():
        load_demo_fleet(**options)
        found = fingerprint()
        transaction.set_rollback(True)
    return found


@pytest.mark.django_db
def test_same_seed_gives_the_same_fleet_and_another_seed_another():
    first = load_and_fingerprint(**SMALL)
    again = load_and_fingerprint(**SMALL)
    other = load_and_fingerprint(**{**SMALL, "seed": 8})
    assert first == again
    assert first["serials"] != other["serials"]
    assert first["events"] > len(first["serials"]) > 20 * 15


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"servers": 5}, "servers=5: use a number from 10"),
        ({"as_of": dt.date(2022, 6, 30)}, "must hold FY2022 whole; use 2022-07-01 or later"),
        ({"as_of": dt.date(2999, 1, 1)}, "cannot run past today"),
    ],
)
def test_bad_options_are_refused_before_anything_is_written(options, message):
    before = (Asset.objects.count(), Site.objects.count(), LifecycleEvent.objects.count())
    with pytest.raises(DemoLoadRefused, match=message):
        load_demo_fleet(**{**SMALL, **options})
    assert (Asset.objects.count(), Site.objects.count(), LifecycleEvent.objects.count()) == before


def test_a_malformed_as_of_names_the_format():
    with pytest.raises(CommandError, match="is not a date: use YYYY-MM-DD"):
        call_command("seed_demo", "--as-of", "25/11/2026")


@pytest.mark.django_db
def test_the_command_prints_what_it_loaded():
    out = StringIO()
    with transaction.atomic():
        call_command("seed_demo", "--servers=10", "--seed=3", "--as-of=2024-01-31", "--no-progress", stdout=out)
        transaction.set_rollback(True)
    text = out.getvalue()
    assert "Loaded the demo fleet (10 servers, seed 3, as of 2024-01-31)" in text
    assert "FY2022 reuse and recycling rate:" in text and "by units" in text


@pytest.mark.django_db
def test_the_default_fleet_is_big_and_check_data_finds_it_clean():
    assert DEFAULT_SERVERS >= 2000
    with transaction.atomic():
        summary = load_demo_fleet(servers=DEFAULT_SERVERS, seed=2022, as_of=SMALL["as_of"])
        assert summary.counts["assets"] > 40_000
        out = StringIO()
        call_command("check_data", stdout=out)
        assert out.getvalue().startswith("Clean: ")
        (fy2022,) = metrics.period_figures(Period.fiscal_year(2022))
        assert fy2022["reuse_recycle_rate"]["units"] == pytest.approx(0.82, abs=0.005)
        transaction.set_rollback(True)
