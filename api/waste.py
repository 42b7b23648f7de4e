"""``GET /api/v1/metrics/waste/`` and ``/metrics/waste/disclosure/``: SPEC section 10.

The rows come from ``circularity.metrics.waste_rows`` (the same grouped sums as every other
figure); the disclosure from ``circularity.metrics.fiscal_year_disclosure``, one row per
datapoint, as JSON or as CSV (``?format=csv`` or ``Accept: text/csv``) through
``assetlife.csvfile``. Masses are metric tons exact to the gram (6 decimals), a share is a
fraction, ``null`` over nothing.

Organisation-wide figures, as the other metrics (``SHARED``): they name no asset.
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import renderers, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from assetlife.csvfile import write_csv
from assetlife.replica import on_replica
from circularity import metrics
from circularity.periods import PeriodError, parse_fiscal_year
from inventory.scopes import SHARED

from .metrics import MetricsQuerySerializer, _query, _tonnes, results_of
from .reports import CSVRenderer


class WasteSplitSerializer(serializers.Serializer):
    """One operation's mass (t): total, hazardous / non-hazardous, onsite / offsite."""

    total = _tonnes()
    hazardous = _tonnes()
    non_hazardous = _tonnes()
    onsite = _tonnes(help_text="Carried out by the operator itself at its center (no vendor).")
    offsite = _tonnes(help_text="Carried out by a vendor.")


def _split_serializer(name: str, operations: tuple[str, ...], doc: str):
    return type(name, (serializers.Serializer,), {"__doc__": doc, **{op: WasteSplitSerializer() for op in operations}})


DivertedSerializer = _split_serializer(
    "WasteDivertedSerializer",
    ("preparation_for_reuse", "recycling", "other_recovery"),
    "GRI 306-4 / ESRS E5 §37(b): diverted from disposal, by recovery operation (t).",
)
DisposalSerializer = _split_serializer(
    "WasteDisposalSerializer",
    ("incineration_energy_recovery", "incineration", "landfill", "other_disposal"),
    "GRI 306-5 / ESRS E5 §37(c): directed to disposal, by disposal operation (t).",
)


class WasteRowSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="2022-01 for a month, FY2022 for a fiscal year.")
    group = serializers.CharField(allow_null=True, help_text="Site or center code, or category; null for the total.")
    kept_in_use_t = _tonnes(help_text="Internal reuse: hardware kept in use, not waste.")
    waste_generated_t = _tonnes(help_text="GRI 306-3, ESRS E5 §37(a): every route but internal reuse.")
    diverted_t = DivertedSerializer()
    disposal_t = DisposalSerializer()
    non_recycled_waste_t = _tonnes(help_text="ESRS E5 §37(d): waste generated − preparation for reuse − recycling.")
    non_recycled_share = serializers.FloatField(
        allow_null=True, help_text="ESRS E5 §37(d): non-recycled ÷ waste generated; null without waste."
    )
    hazardous_waste_t = _tonnes(help_text="ESRS E5 §39: hazardous waste generated.")
    radioactive_waste_t = _tonnes(help_text="ESRS E5 §39: radioactive waste (always 0 here).")


class WasteMetricsView(APIView):
    """Waste figures (SPEC section 10: GRI 306-3/4/5, ESRS E5-5), one row per period (and group)."""

    scope_policy = SHARED

    required_permissions = ["circularity.view_disposition"]

    @extend_schema(parameters=[MetricsQuerySerializer], responses=results_of(WasteRowSerializer, "WasteMetrics"))
    def get(self, request):
        query = _query(MetricsQuerySerializer, request)
        rows = on_replica(metrics.waste_rows, query["period"], query["first"], query["last"], query["group_by"])
        return Response({"results": WasteRowSerializer(rows, many=True).data})


class DisclosureQuerySerializer(serializers.Serializer):
    fiscal_year = serializers.CharField(help_text="The fiscal year disclosed, e.g. FY2024.")
    standard = serializers.ChoiceField(choices=list(metrics.DISCLOSURE_STANDARDS))

    def validate_fiscal_year(self, value):
        try:
            return parse_fiscal_year(value)
        except PeriodError as error:
            raise serializers.ValidationError(str(error)) from None


class DatapointSerializer(serializers.Serializer):
    standard = serializers.CharField(help_text="gri306 or esrs_e5.")
    disclosure = serializers.CharField(help_text="306-3, 306-4, 306-5 or E5-5.")
    paragraph = serializers.CharField(help_text="306-4-b-ii, §37(d), …")
    dimension = serializers.CharField(help_text="What is measured, in the standard's words.")
    unit = serializers.CharField(help_text="t (metric tons) or fraction.")
    value = serializers.DecimalField(
        max_digits=None, decimal_places=6, coerce_to_string=False, allow_null=True, help_text="null over nothing."
    )


COLUMNS = ["standard", "disclosure", "paragraph", "dimension", "unit", "value"]


class WasteDisclosureView(APIView):
    """One fiscal year's waste disclosure, one row per datapoint, as JSON or CSV.

    What a sustainability team pastes into its reporting tool: ``?format=csv`` (or
    ``Accept: text/csv``) answers a CSV file with the same rows.
    """

    scope_policy = SHARED

    required_permissions = ["circularity.view_disposition"]
    renderer_classes = [renderers.JSONRenderer, CSVRenderer]

    @extend_schema(
        parameters=[DisclosureQuerySerializer],
        responses={200: results_of(DatapointSerializer, "WasteDisclosure"), (200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request):
        query = _query(DisclosureQuerySerializer, request)
        fiscal_year, standard = query["fiscal_year"], query["standard"]
        points = on_replica(metrics.fiscal_year_disclosure, standard, fiscal_year)
        if request.accepted_renderer.format == "csv":
            rows = [[getattr(point, column) for column in COLUMNS] for point in points]
            response = HttpResponse(write_csv(COLUMNS, rows), content_type="text/csv; charset=utf-8")
            filename = f"waste-disclosure-FY{fiscal_year}-{standard}.csv"
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        rows = [point._asdict() for point in points]
        return Response({"results": DatapointSerializer(rows, many=True).data})
