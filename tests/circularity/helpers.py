"""Building blocks for circularity tests: assets at a center, dispositioned through the service."""

import datetime as dt
from decimal import Decimal

from circularity import dispositions
from inventory.choices import Category, Source, Status
from tests.factories import AssetFactory, CircularCenterFactory, PartModelFactory, SanitizationFactory, SiteFactory


def at_center(center, *, category=Category.SERVER, mass_kg="10", site=None, embodied=None, parent=None, **kwargs):
    """An asset sitting at ``center`` (placed there by factory, as a test starting point)."""
    part_model = PartModelFactory(category=category, mass_kg=Decimal(mass_kg), embodied_kgco2e=embodied)
    return AssetFactory(
        status=Status.AT_CIRCULAR_CENTER,
        site=site or center.sites.first(),
        center=center,
        part_model=part_model,
        parent=parent,
        **kwargs,
    )


def campus(site_code="AMS05", center_code="AMS-CC1"):
    site = SiteFactory(code=site_code)
    return site, CircularCenterFactory(code=center_code, sites=[site])


def dispose(asset, center, route, when, *, to_site=None, sanitize=False):
    if sanitize:
        SanitizationFactory(asset=asset, method="purge", performed_at=when - dt.timedelta(hours=1))
    if route == "reuse" and to_site is None:
        to_site = asset.site
    return dispositions.record_disposition(
        asset=asset, center=center, route=route, decided_at=when, to_site=to_site, source=Source.API
    )


def utc(*args):
    return dt.datetime(*args, tzinfo=dt.UTC)
