"""Query-string filters of the list endpoints (django-filter).

Related objects are filtered by natural key (``?site=AMS05``, ``?parent=SN123``); time
ranges by ``<field>_after`` (included) and ``<field>_before`` (excluded). A value that
cannot be read answers 400 naming the parameter. Times, days and years are read by
``inventory.moments``, the one home of the rule: a time carries its time zone and lies
within what the columns hold (1990-01-01T00:00Z … 2101-01-01T00:00Z), a day within the
years 1990 … 2100, a target's fiscal year within FY2000 … FY2100.
"""

import django_filters as filters
from django import forms
from django_filters.rest_framework import DjangoFilterBackend

from circularity.choices import Metric, Route, SanitizationMethod
from circularity.models import (
    FIRST_TARGET_YEAR,
    LAST_TARGET_YEAR,
    CircularCenter,
    Disposition,
    EvidenceFile,
    Lot,
    PackagingRecord,
    SanitizationBatch,
    SanitizationRecord,
    Shipment,
    Target,
    Vendor,
)
from inventory import moments
from inventory.choices import Action, Category, Source, Status
from inventory.errors import MomentRefused
from inventory.models import Asset, LifecycleEvent, PartModel, Site


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, skipped when the query string names none of the filters.

    Binding a filter set builds and validates a form: on an unfiltered page of a busy list
    that costs as much as the query, for nothing.
    """

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or request.query_params.keys().isdisjoint(filterset_class.base_filters):
            return queryset
        return super().filter_queryset(request, queryset, view)


class StrictBooleanField(forms.NullBooleanField):
    """``true``/``false`` (or ``1``/``0``, ``yes``/``no``); anything else is refused, not ignored."""

    TRUE, FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off"}
    widget = forms.TextInput  # hand the raw text to ``to_python`` (a select would drop it)

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError(f"{value!r} is not a boolean: use true or false.", code="invalid")

    def validate(self, value):
        pass


class BooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField


class _MomentsField(forms.CharField):
    """Reads the query text with ``parse`` (an ``inventory.moments`` reader) into a value."""

    parse = None

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        try:
            return type(self).parse(text)
        except MomentRefused as refused:
            raise forms.ValidationError(refused.sentence, code=refused.code) from None


class TimeBoundField(_MomentsField):
    @staticmethod
    def parse(text):
        return moments.parse_query_bound(text, field="value")


class DayField(_MomentsField):
    @staticmethod
    def parse(text):
        return moments.parse_day(text, field="value")


class TargetYearField(_MomentsField):
    @staticmethod
    def parse(text):
        if not text.strip().isdigit() or len(text.strip()) > 4:
            raise MomentRefused("value", text, "is not a fiscal year; use YYYY, e.g. 2030")
        return moments.check_year(int(text), field="value", first=FIRST_TARGET_YEAR, last=LAST_TARGET_YEAR)


class MomentFilter(filters.IsoDateTimeFilter):
    """A time bound, ``2022-03-15T12:00:00Z``: with a time zone, within what the columns hold."""

    field_class = TimeBoundField


class DayFilter(filters.DateFilter):
    field_class = DayField


class TargetYearFilter(filters.NumberFilter):
    field_class = TargetYearField


class SiteFilter(filters.FilterSet):
    region = filters.CharFilter()
    country = filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Site
        fields = ["region", "country"]


class CircularCenterFilter(filters.FilterSet):
    site = filters.CharFilter(field_name="sites__code", distinct=True, help_text="Centers serving this site code.")

    class Meta:
        model = CircularCenter
        fields = ["site"]


class PartModelFilter(filters.FilterSet):
    manufacturer = filters.CharFilter(lookup_expr="iexact")
    model_number = filters.CharFilter(lookup_expr="iexact")
    category = filters.MultipleChoiceFilter(choices=Category.choices)
    data_bearing = BooleanFilter()
    hazardous = BooleanFilter()

    class Meta:
        model = PartModel
        fields = ["manufacturer", "model_number", "category", "data_bearing", "hazardous"]


class AssetFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=Status.choices, help_text="Repeat for several states.")
    site = filters.CharFilter(field_name="site__code", help_text="Site code.")
    center = filters.CharFilter(field_name="center__code", help_text="Circular center code.")
    category = filters.MultipleChoiceFilter(field_name="part_model__category", choices=Category.choices)
    part_model = filters.NumberFilter(field_name="part_model_id", help_text="Part model id.")
    parent = filters.CharFilter(field_name="parent__serial_number", help_text="Serial number of the parent.")
    top_level = BooleanFilter(field_name="parent", lookup_expr="isnull", help_text="Not installed in another.")
    serial_prefix = filters.CharFilter(field_name="serial_number", lookup_expr="startswith")
    asset_tag = filters.CharFilter()

    class Meta:
        model = Asset
        fields = ["status", "site", "center", "category", "part_model", "parent", "top_level", "serial_prefix"]


class EventFilter(filters.FilterSet):
    occurred_after = MomentFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = MomentFilter(field_name="occurred_at", lookup_expr="lt")
    recorded_after = MomentFilter(field_name="recorded_at", lookup_expr="gte")
    recorded_before = MomentFilter(field_name="recorded_at", lookup_expr="lt")
    asset = filters.CharFilter(field_name="asset__serial_number", help_text="Serial number.")
    action = filters.MultipleChoiceFilter(choices=Action.choices)
    to_status = filters.MultipleChoiceFilter(choices=Status.choices)
    source = filters.MultipleChoiceFilter(choices=Source.choices)
    external_id = filters.CharFilter()

    class Meta:
        model = LifecycleEvent
        fields = ["asset", "action", "to_status", "source", "external_id"]


class ShipmentFilter(filters.FilterSet):
    from_site = filters.CharFilter(field_name="from_site__code")
    to_center = filters.CharFilter(field_name="to_center__code")
    received = BooleanFilter(field_name="received_at", lookup_expr="isnull", exclude=True)
    shipped_after = MomentFilter(field_name="shipped_at", lookup_expr="gte")
    shipped_before = MomentFilter(field_name="shipped_at", lookup_expr="lt")
    asset = filters.CharFilter(field_name="assets__serial_number", distinct=True, help_text="Serial number.")
    tracking_ref = filters.CharFilter()

    class Meta:
        model = Shipment
        fields = ["from_site", "to_center", "received", "asset", "tracking_ref"]


class SanitizationFilter(filters.FilterSet):
    asset = filters.CharFilter(field_name="asset__serial_number")
    method = filters.MultipleChoiceFilter(choices=SanitizationMethod.choices)
    verified = BooleanFilter()
    certificate_id = filters.CharFilter()
    performed_after = MomentFilter(field_name="performed_at", lookup_expr="gte")
    performed_before = MomentFilter(field_name="performed_at", lookup_expr="lt")

    class Meta:
        model = SanitizationRecord
        fields = ["asset", "method", "verified", "certificate_id"]


class SanitizationBatchFilter(filters.FilterSet):
    center = filters.CharFilter(field_name="center__code")
    method = filters.MultipleChoiceFilter(choices=SanitizationMethod.choices)
    drive = filters.CharFilter(field_name="drives__asset__serial_number", help_text="Batches holding this drive.")
    performed_after = MomentFilter(field_name="performed_at", lookup_expr="gte")
    performed_before = MomentFilter(field_name="performed_at", lookup_expr="lt")

    class Meta:
        model = SanitizationBatch
        fields = ["center", "method", "drive"]


class DispositionFilter(filters.FilterSet):
    asset = filters.CharFilter(field_name="asset__serial_number")
    tree_root = filters.CharFilter(field_name="tree_root__serial_number")
    center = filters.CharFilter(field_name="center__code")
    site = filters.CharFilter(field_name="site__code", help_text="The site the asset was decommissioned from.")
    route = filters.MultipleChoiceFilter(choices=Route.choices)
    category = filters.MultipleChoiceFilter(choices=Category.choices)
    decided_after = MomentFilter(field_name="decided_at", lookup_expr="gte")
    decided_before = MomentFilter(field_name="decided_at", lookup_expr="lt")
    hazardous = BooleanFilter(help_text="Its part model was hazardous when it was decided.")

    class Meta:
        model = Disposition
        fields = ["asset", "tree_root", "center", "site", "route", "category", "hazardous"]


class PackagingRecordFilter(filters.FilterSet):
    site = filters.CharFilter(field_name="site__code")
    supplier = filters.CharFilter(lookup_expr="icontains")
    part_model = filters.NumberFilter(field_name="part_model_id")
    received_after = DayFilter(field_name="received_on", lookup_expr="gte")
    received_before = DayFilter(field_name="received_on", lookup_expr="lt")

    class Meta:
        model = PackagingRecord
        fields = ["site", "supplier", "part_model"]


class TargetFilter(filters.FilterSet):
    metric = filters.MultipleChoiceFilter(choices=Metric.choices)
    target_fiscal_year = TargetYearFilter()

    class Meta:
        model = Target
        fields = ["metric", "target_fiscal_year"]


class VendorFilter(filters.FilterSet):
    country = filters.CharFilter(lookup_expr="iexact")
    route = filters.CharFilter(method="filter_route", help_text="Vendors that take this route.")

    class Meta:
        model = Vendor
        fields = ["country"]

    def filter_route(self, queryset, name, value):
        # A JSON list; ``contains`` on JSON is PostgreSQL's alone, so the list is matched as text.
        return queryset.filter(routes__icontains=f'"{value}"')


class LotFilter(filters.FilterSet):
    center = filters.CharFilter(field_name="center__code")
    vendor = filters.CharFilter(field_name="vendor__code")
    route = filters.MultipleChoiceFilter(choices=Route.choices)
    closed = filters.BooleanFilter(field_name="closed_at", lookup_expr="isnull", exclude=True)
    shipped_after = MomentFilter(field_name="shipped_at", lookup_expr="gte")
    shipped_before = MomentFilter(field_name="shipped_at", lookup_expr="lt")

    class Meta:
        model = Lot
        fields = ["center", "vendor", "route"]


class EvidenceFileFilter(filters.FilterSet):
    lot = filters.CharFilter(field_name="lot__code")
    sha256 = filters.CharFilter(lookup_expr="iexact")
    # By id, not a choice list: a choice list would name what lies outside the caller's scope.
    sanitization = filters.NumberFilter(field_name="sanitization_id")
    certification = filters.NumberFilter(field_name="certification_id")

    class Meta:
        model = EvidenceFile
        fields = ["kind", "lot", "sanitization", "certification", "sha256"]
