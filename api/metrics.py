"""``GET /api/v1/metrics/circularity/`` and ``/metrics/packaging/``: rows of figures.

Every figure comes from ``circularity.metrics`` (grouped SQL; a handful of queries
whatever the range). This module reads the query string and renders the rows: numbers
are JSON numbers, masses to the gram (kilograms with 3 decimals, tonnes with 6), and a
rate over nothing is ``null``.

Metrics are organisation-wide figures: an access scope limits which assets a caller can
read and write, not these totals, which name and describe no asset (see docs/api.md).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from assetlife.replica import on_replica
from circularity import metrics
from circularity.choices import Dimension, PeriodKind
from circularity.models import CircularCenter
from circularity.periods import (
    PeriodError,
    add_months,
    current_month,
    fiscal_year_of,
    fiscal_year_start,
    parse_bound,
    periods_in_range,
)
from inventory.scopes import SHARED

MAX_MONTHS = 240  # twenty years of months (or twenty fiscal years) per request


class MetricsQuerySerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=PeriodKind.choices, default=PeriodKind.MONTH)
    start = serializers.CharField(
        required=False, help_text="First period: YYYY-MM, or FYYYYY for fiscal years. Default: 11 months before end."
    )
    end = serializers.CharField(required=False, help_text="Last period, included. Default: the current one.")
    group_by = serializers.ChoiceField(
        choices=[Dimension.SITE, Dimension.CENTER, Dimension.CATEGORY], required=False, allow_null=True
    )

    def validate(self, attrs):
        kind = attrs["period"]
        errors = {}
        bounds = {}
        for name in ("start", "end"):
            if attrs.get(name):
                try:
                    bounds[name] = parse_bound(attrs[name], kind)
                except PeriodError as error:
                    errors[name] = str(error)
        if errors:
            raise serializers.ValidationError(errors)
        default_end = (
            current_month() if kind == PeriodKind.MONTH else fiscal_year_start(fiscal_year_of(current_month()))
        )
        end = bounds.get("end", default_end)
        start = bounds.get("start", add_months(end, -11) if kind == PeriodKind.MONTH else end)
        if start > end:
            raise serializers.ValidationError({"end": f"The range ends ({attrs.get('end')}) before it starts."})
        periods = periods_in_range(kind, start, end)
        if sum(len(period.months) for period in periods) > MAX_MONTHS:
            raise serializers.ValidationError(
                {"start": f"At most {MAX_MONTHS} months ({MAX_MONTHS // 12} years) per request; narrow the range."}
            )
        attrs["first"], attrs["last"] = start, end
        attrs["group_by"] = attrs.get("group_by") or None
        return attrs


class ValueRecoveredQuerySerializer(MetricsQuerySerializer):
    group_by = None


class MonthsQuerySerializer(MetricsQuerySerializer):
    """Months only (``start``/``end`` as YYYY-MM), at most ``max_months`` of them."""

    period = None
    group_by = None
    max_months = 36

    def validate(self, attrs):
        attrs = super().validate({**attrs, "period": PeriodKind.MONTH})
        months = len(periods_in_range(PeriodKind.MONTH, attrs["first"], attrs["last"]))
        if months > self.max_months:
            raise serializers.ValidationError({"start": f"At most {self.max_months} months per request."})
        return attrs


class MassBalanceQuerySerializer(MonthsQuerySerializer):
    center = serializers.CharField(required=False, help_text="A circular center's code; all centers when absent.")

    def validate_center(self, value: str) -> str:
        if not CircularCenter.objects.filter(code=value).exists():
            raise serializers.ValidationError(f"No circular center has code {value!r}.")
        return value


class PackagingQuerySerializer(MetricsQuerySerializer):
    group_by = serializers.ChoiceField(choices=[Dimension.SITE], required=False, allow_null=True)


def _kilograms(**kwargs):
    return serializers.DecimalField(max_digits=None, decimal_places=3, coerce_to_string=False, **kwargs)


def _tonnes(**kwargs):
    return serializers.DecimalField(max_digits=None, decimal_places=6, coerce_to_string=False, **kwargs)


class RateSerializer(serializers.Serializer):
    units = serializers.FloatField(allow_null=True, help_text="Share of the units; null when there are none.")
    mass = serializers.FloatField(allow_null=True, help_text="Share of the mass; null when there is none.")


class DisposedMassSerializer(serializers.Serializer):
    """GRI 306-5: waste directed to disposal, by route (metric tons)."""

    incineration_energy_recovery = _tonnes()
    incineration = _tonnes()
    landfill = _tonnes()


class CircularityRowSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="2022-01 for a month, FY2022 for a fiscal year.")
    group = serializers.CharField(allow_null=True, help_text="Site or center code, or category; null for the total.")
    units = serializers.IntegerField(help_text="Dispositions (assets) decided in the period.")
    mass_kg = _kilograms()
    reuse_recycle_rate = RateSerializer()
    reuse_rate = RateSerializer()
    recycle_rate = RateSerializer()
    diverted_mass_t = _tonnes(help_text="Reused, resold and recycled mass (GRI 306-4).")
    disposed_mass_t = DisposedMassSerializer()
    avoided_kgco2e = _kilograms(help_text="Embodied carbon of reused and resold hardware (Scope 3 estimate).")


class PackagingRowSerializer(serializers.Serializer):
    period = serializers.CharField()
    group = serializers.CharField(allow_null=True, help_text="Site code; null for the total.")
    packages = serializers.IntegerField()
    avg_plastic_content = serializers.FloatField(allow_null=True, help_text="Package-weighted; null without packages.")
    plastic_reduction = serializers.FloatField(
        allow_null=True, help_text="(baseline - current) / baseline, against the packaging target's baseline."
    )


class MassBalanceRowSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="The month, YYYY-MM.")
    center = serializers.CharField()
    opening_units = serializers.IntegerField(help_text="Assets on hand at the start of the month.")
    opening_kg = _kilograms()
    received_units = serializers.IntegerField(help_text="Assets that arrived (or were found again) in the month.")
    received_kg = _kilograms()
    dispositioned_units = serializers.IntegerField()
    dispositioned_kg = _kilograms(help_text="The masses recorded on the month's dispositions.")
    closing_units = serializers.IntegerField(help_text="Assets on hand at the end of the month.")
    closing_kg = _kilograms()
    lots_net_kg = _kilograms(allow_null=True, help_text="Net weight (gross − tare) of the lots that left; null: none.")
    imbalance_units = serializers.IntegerField(help_text="opening + received − dispositioned − closing; 0 balances.")
    imbalance_kg = _kilograms()
    explanations = serializers.ListField(child=serializers.CharField(), help_text="Why the month does not balance.")


class ValueRecoveredRowSerializer(serializers.Serializer):
    period = serializers.CharField()
    currency = serializers.CharField(help_text="ISO 4217; amounts of different currencies are never added.")
    units = serializers.IntegerField(help_text="Resale dispositions with proceeds in this currency.")
    proceeds = serializers.DecimalField(max_digits=None, decimal_places=2, coerce_to_string=False)


class HarvestedRowSerializer(serializers.Serializer):
    period = serializers.CharField()
    units = serializers.IntegerField(help_text="Harvested parts reused and installed into another server.")
    mass_kg = _kilograms()
    avoided_kgco2e = _kilograms(help_text="Their part models' embodied carbon (not bought new).")


def _rows_response(serializer_class, rows: list[dict]) -> Response:
    return Response({"results": serializer_class(rows, many=True).data})


def _query(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def results_of(row_serializer, name: str):
    """The response's shape for the schema: ``{"results": [row, ...]}``."""
    return type(name, (serializers.Serializer,), {"results": row_serializer(many=True)})


class CircularityMetricsView(APIView):
    """Circularity figures (SPEC section 4), one row per period (and group)."""

    scope_policy = SHARED

    required_permissions = ["circularity.view_disposition"]

    @extend_schema(
        parameters=[MetricsQuerySerializer],
        responses=results_of(CircularityRowSerializer, "CircularityMetrics"),
    )
    def get(self, request):
        query = _query(MetricsQuerySerializer, request)
        rows = on_replica(metrics.circularity_rows, query["period"], query["first"], query["last"], query["group_by"])
        return _rows_response(CircularityRowSerializer, rows)


class PackagingMetricsView(APIView):
    """Packaging figures (SPEC section 5), one row per period (and site)."""

    scope_policy = SHARED

    required_permissions = ["circularity.view_packagingrecord"]

    @extend_schema(
        parameters=[PackagingQuerySerializer],
        responses=results_of(PackagingRowSerializer, "PackagingMetrics"),
    )
    def get(self, request):
        query = _query(PackagingQuerySerializer, request)
        rows = on_replica(metrics.packaging_rows, query["period"], query["first"], query["last"], query["group_by"])
        return _rows_response(PackagingRowSerializer, rows)


class MassBalanceView(APIView):
    """Mass balance of circular centers (SPEC section 9), one row per center and month."""

    scope_policy = SHARED

    required_permissions = ["circularity.view_disposition"]

    @extend_schema(
        parameters=[MassBalanceQuerySerializer],
        responses=results_of(MassBalanceRowSerializer, "MassBalance"),
    )
    def get(self, request):
        query = _query(MassBalanceQuerySerializer, request)
        rows = on_replica(metrics.mass_balance_rows, query["first"], query["last"], query.get("center"))
        return _rows_response(MassBalanceRowSerializer, rows)


class ValueRecoveredView(APIView):
    """Resale proceeds per period and currency (never summed across currencies)."""

    scope_policy = SHARED

    required_permissions = ["circularity.view_disposition"]

    @extend_schema(
        parameters=[ValueRecoveredQuerySerializer],
        responses=results_of(ValueRecoveredRowSerializer, "ValueRecovered"),
    )
    def get(self, request):
        query = _query(ValueRecoveredQuerySerializer, request)
        rows = on_replica(metrics.value_recovered_rows, query["period"], query["first"], query["last"])
        return _rows_response(ValueRecoveredRowSerializer, rows)


class HarvestedPartsView(APIView):
    """Harvested parts back in service per month: units, mass, avoided CO2e."""

    scope_policy = SHARED

    required_permissions = ["circularity.view_disposition", "inventory.view_lifecycleevent"]

    @extend_schema(
        parameters=[MonthsQuerySerializer],
        responses=results_of(HarvestedRowSerializer, "HarvestedParts"),
    )
    def get(self, request):
        query = _query(MonthsQuerySerializer, request)
        rows = on_replica(metrics.harvested_rows, query["first"], query["last"])
        return _rows_response(HarvestedRowSerializer, rows)
