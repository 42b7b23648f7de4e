"""``/api/v1/reports/``: the monthly compliance reports, read-only, with their PDF and CSV.

``GET /reports/`` lists them (newest first), ``GET /reports/{YYYY-MM}/`` shows one, and
``/reports/{YYYY-MM}/pdf/`` and ``/csv/`` download what was sent. Reports are written
only by the monthly job (``circularity.reports``); nothing here writes.

The list reads only the small fields of ``circularity.ComplianceReport``; the large ones
(``html``, ``csv``, ``pdf``, ...) are loaded only by the download that answers them.

A report is an organisation-wide document that names assets of every campus: a caller
with an access scope finds none (an empty list, 404 for each month and file).
"""

from __future__ import annotations

import json

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, renderers, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.reverse import reverse

from circularity.models import ComplianceReport
from circularity.periods import PeriodError, parse_month
from inventory.scopes import ORGANISATION, scope_for

LIST_FIELDS = ("id", "period", "state", "subject", "recipients", "generated_at", "sent_at", "last_error")


class _DownloadRenderer(renderers.BaseRenderer):
    """Lets a client ask for ``Accept: application/pdf`` (or ``text/csv``) and get it.

    Downloads are answered as plain ``HttpResponse``s; this renderer only renders the
    JSON body of an error (a 404) when the client asked for the file type.
    """

    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes | str):
            return data
        return json.dumps(data).encode()


class PDFRenderer(_DownloadRenderer):
    media_type = "application/pdf"
    format = "pdf"


class CSVRenderer(_DownloadRenderer):
    media_type = "text/csv"
    format = "csv"


class MonthField(serializers.CharField):
    """A first-of-month date, answered as ``YYYY-MM`` (a string in the schema)."""

    def to_representation(self, value):
        return f"{value:%Y-%m}"


class ComplianceReportSerializer(serializers.Serializer):
    period = MonthField(help_text="The month reported on, YYYY-MM.")
    state = serializers.CharField(help_text="pending, building, sending, sent, failed or unconfirmed.")
    subject = serializers.CharField(allow_blank=True)
    recipients = serializers.ListField(child=serializers.EmailField(), help_text="Where the last send went.")
    generated_at = serializers.DateTimeField(allow_null=True)
    sent_at = serializers.DateTimeField(allow_null=True, help_text="Null until the email went out.")
    last_error = serializers.CharField(allow_blank=True, allow_null=True, help_text="Why the last send failed.")
    pdf = serializers.SerializerMethodField(help_text="Where to download the PDF.")
    csv = serializers.SerializerMethodField(help_text="Where to download the CSV of the figures.")

    def _link(self, report, name: str) -> str:
        return reverse(
            f"report-{name}", kwargs={"period": f"{report.period:%Y-%m}"}, request=self.context.get("request")
        )

    def get_pdf(self, report) -> str:
        return self._link(report, "pdf")

    def get_csv(self, report) -> str:
        return self._link(report, "csv")


class ComplianceReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Monthly compliance reports, by month (``YYYY-MM``). Read-only."""

    scope_policy = ORGANISATION
    serializer_class = ComplianceReportSerializer
    lookup_field = "period"
    lookup_value_regex = r"\d{4}-\d{2}"
    filter_backends = []  # a handful of rows a year: newest first, no filters

    def get_queryset(self):
        return self._reports().only(*LIST_FIELDS).order_by("-period")

    def _reports(self):
        """Every report, or none for a caller with an access scope."""
        reports = ComplianceReport.objects.all()
        return reports.none() if scope_for(self.request) is not None else reports

    def _month(self):
        text = self.kwargs[self.lookup_field]
        try:
            return parse_month(text)
        except PeriodError as error:
            raise NotFound(str(error)) from None

    def get_object(self, *fields):
        month = self._month()
        queryset = self._reports().only(*(fields or LIST_FIELDS))
        report = queryset.filter(period=month).first()
        if report is None:
            raise NotFound(f"No compliance report for {month:%Y-%m}.")
        self.check_object_permissions(self.request, report)
        return report

    def finalize_response(self, request, response, *args, **kwargs):
        # An error is JSON, as everywhere in the API, even to a client that asked for the
        # file (``Accept: application/pdf``, ``?format=csv``): the schema says so.
        if response.status_code >= 400 and isinstance(response, Response):
            request.accepted_renderer, request.accepted_media_type = renderers.JSONRenderer(), "application/json"
        return super().finalize_response(request, response, *args, **kwargs)

    def _download(self, field: str, content_type: str, extension: str) -> HttpResponse:
        report = self.get_object("id", "period", field)
        content = getattr(report, field)
        if isinstance(content, memoryview):  # a BinaryField, as PostgreSQL returns it
            content = content.tobytes()
        if not content:
            raise NotFound(f"The report for {report.period:%Y-%m} has no {extension.upper()}.")
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="assetlife-report-{report.period:%Y-%m}.{extension}"'
        return response

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, PDFRenderer])
    def pdf(self, request, period=None):
        """The PDF that was sent."""
        return self._download("pdf", "application/pdf", "pdf")

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, CSVRenderer])
    def csv(self, request, period=None):
        """The CSV of the figures that was sent."""
        return self._download("csv", "text/csv; charset=utf-8", "csv")
