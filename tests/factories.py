"""factory_boy factories for the domain. Build data through these, not raw ORM calls."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from circularity.choices import CertificationScheme, Route
from circularity.models import CircularCenter, PackagingRecord, SanitizationRecord, Target, Vendor, VendorCertification
from inventory.choices import Category, Status, default_data_bearing, default_focus_materials, default_hazardous
from inventory.models import Asset, PartModel, Site


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password("correct-horse-battery")


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"S{n:03d}")
    name = factory.LazyAttribute(lambda o: f"Data center {o.code}")
    region = "westeurope"
    country = "NL"


class PartModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartModel
        django_get_or_create = ("manufacturer", "model_number")

    manufacturer = "Contoso"
    model_number = factory.Sequence(lambda n: f"M-{n:04d}")
    category = Category.SERVER
    mass_kg = Decimal("10.000")
    data_bearing = factory.LazyAttribute(lambda o: default_data_bearing(o.category))
    embodied_kgco2e = None
    hazardous = factory.LazyAttribute(lambda o: default_hazardous(o.category))
    focus_materials = factory.LazyAttribute(lambda o: default_focus_materials(o.category))


class AssetFactory(factory.django.DjangoModelFactory):
    """An asset written straight to the table, for setting up a state under test.

    Production code changes status only through ``inventory.lifecycle``; a factory may
    place an asset in any state so a test can start from there.
    """

    class Meta:
        model = Asset

    serial_number = factory.Sequence(lambda n: f"SN{n:08d}")
    part_model = factory.SubFactory(PartModelFactory)
    site = factory.SubFactory(SiteFactory)
    status = Status.DEPLOYED
    deployed_at = factory.LazyFunction(lambda: dt.datetime(2020, 1, 1, tzinfo=dt.UTC))


class CircularCenterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CircularCenter
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"CC{n:02d}")
    name = factory.LazyAttribute(lambda o: f"Circular center {o.code}")
    # A test center carries out every route itself, so a disposition needs no vendor
    # unless the test is about vendors (then: ``onsite_routes=[]``).
    onsite_routes = factory.LazyFunction(lambda: [route for route in Route.values if route != Route.REUSE])

    @factory.post_generation
    def sites(self, create, extracted, **kwargs):
        if create and extracted:
            self.sites.set(extracted)


class VendorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vendor
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"VENDOR-{n:03d}")
    name = factory.LazyAttribute(lambda o: f"Vendor {o.code}")
    country = "NL"
    routes = factory.LazyFunction(lambda: [Route.RESALE, Route.RECYCLE])


class VendorCertificationFactory(factory.django.DjangoModelFactory):
    """An R2v3 certificate valid over the years the tests' dispositions fall in."""

    class Meta:
        model = VendorCertification

    vendor = factory.SubFactory(VendorFactory)
    scheme = CertificationScheme.R2V3
    certificate_number = factory.Sequence(lambda n: f"R2-{n:06d}")
    valid_from = dt.date(2015, 1, 1)
    valid_until = dt.date(2035, 12, 31)


class SanitizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SanitizationRecord

    asset = factory.SubFactory(AssetFactory)
    method = "purge"
    performed_at = factory.LazyFunction(lambda: dt.datetime(2022, 1, 1, tzinfo=dt.UTC))
    performed_by = "Technician"
    verified = True
    certificate_id = factory.Sequence(lambda n: f"CERT-{n:06d}")


class PackagingRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PackagingRecord

    received_on = dt.date(2022, 1, 10)
    site = factory.SubFactory(SiteFactory)
    supplier = "Packaging Co"
    package_count = 1
    packaging_mass_g = Decimal("1000")
    single_use_plastic_g = Decimal("47")


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target
        django_get_or_create = ("metric", "target_fiscal_year")

    metric = "reuse_recycle_rate"
    comparison = "gte"
    target_value = Decimal("0.90")
    target_fiscal_year = 2030
    baseline_fiscal_year = 2022
    baseline_value = Decimal("0.82")
