"""Two technicians disposition the same asset at once (PostgreSQL): one wins."""

import pytest

from circularity.models import Disposition
from inventory.errors import LifecycleError
from inventory.models import Asset
from tests.circularity.helpers import at_center, campus, dispose, utc
from tests.concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("attempt", range(3))
def test_two_technicians_dispositioning_one_server_one_wins(attempt):
    _, center = campus()
    server = at_center(center, mass_kg="20")
    parts = [at_center(center, category="psu", mass_kg="1.5", parent=server) for _ in range(2)]
    when = utc(2022, 3, 1)
    results, errors = race(
        lambda: dispose(Asset.objects.get(pk=server.pk), center, "recycle", when),
        lambda: dispose(Asset.objects.get(pk=server.pk), center, "resale", when),
    )
    winners = [r for r in results if r is not None]
    assert len(winners) == 1
    assert sum(isinstance(e, LifecycleError) for e in errors) == 1
    assert Disposition.objects.count() == 3  # the tree, counted once
    assert set(Disposition.objects.values_list("route", flat=True)) == {winners[0][0].route}
    assert {a.status for a in Asset.objects.filter(pk__in=[server.pk, *(p.pk for p in parts)])} == {
        "recycled" if winners[0][0].route == "recycle" else "resold"
    }
