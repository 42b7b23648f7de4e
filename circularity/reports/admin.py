"""Admin of the compliance report: recipients, and the reports with preview, downloads, re-send.

Registers itself on import; ``circularity/admin.py`` imports this module so Django's
admin autodiscovery finds it. Reports are written only by ``circularity.reports.send``:
here they are read-only, and a re-send is queued to the Celery ``email`` queue.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from ..models import ComplianceReport, ReportRecipient, ReportState
from .build import CHART_CID
from .send import person

STATE_COLORS = {
    ReportState.SENT: "#1b7f3b",
    ReportState.FAILED: "#c0392b",
    ReportState.UNCONFIRMED: "#c0392b",
    ReportState.SENDING: "#d9822b",
    ReportState.BUILDING: "#d9822b",
}


@admin.register(ReportRecipient)
class ReportRecipientAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "active"]
    list_editable = ["active"]
    list_filter = ["active"]
    search_fields = ["name", "email"]


@admin.register(ComplianceReport)
class ComplianceReportAdmin(admin.ModelAdmin):
    list_display = ["month", "status", "generated_at", "sent_at", "sent_to", "attempts", "error", "files"]
    list_filter = ["state"]
    date_hierarchy = "period"
    actions = ["resend", "rebuild_and_resend"]
    # The artefacts are large: the list never loads them.
    list_only = ["period", "state", "generated_at", "sent_at", "recipients", "attempts", "last_error"]
    fields = [
        "month",
        "status",
        "subject",
        "generated_at",
        "sent_at",
        "sent_to",
        "delivery_log",
        "attempts",
        "claimed_by",
        "claimed_at",
        "last_error",
        "files",
        "preview",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith("_changelist"):
            queryset = queryset.only(*self.list_only)
        return queryset

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Nothing is edited by hand; "change" is what the re-send actions ask for.
        return super().has_change_permission(request, obj) and obj is None

    @admin.display(description="Month", ordering="period")
    def month(self, report):
        return report.label

    @admin.display(description="Status", ordering="state")
    def status(self, report):
        color = STATE_COLORS.get(report.state, "#555555")
        return format_html('<span style="color:{};font-weight:bold">{}</span>', color, report.get_state_display())

    @admin.display(description="Sent to")
    def sent_to(self, report):
        return ", ".join(report.recipients) or "—"

    @admin.display(description="Last error")
    def error(self, report):
        return (report.last_error[:120] + "…") if len(report.last_error) > 120 else report.last_error or "—"

    @admin.display(description="Deliveries")
    def delivery_log(self, report):
        if not report.deliveries:
            return "—"
        return format_html_join(
            "\n",
            "<div>{} to {} ({})</div>",
            ((d["sent_at"], ", ".join(d["to"]), d["by"]) for d in report.deliveries),
        )

    @admin.display(description="Files")
    def files(self, report):
        if report.generated_at is None:
            return "—"
        return format_html(
            '<a href="{}">preview</a> · <a href="{}">figures-{}.csv</a> · <a href="{}">compliance-{}.pdf</a>',
            reverse("admin:circularity_compliancereport_preview", args=[report.pk]),
            reverse("admin:circularity_compliancereport_csv", args=[report.pk]),
            report.label,
            reverse("admin:circularity_compliancereport_pdf", args=[report.pk]),
            report.label,
        )

    @admin.display(description="Preview")
    def preview(self, report):
        if report.generated_at is None:
            return "Not built yet."
        return format_html(
            '<iframe src="{}" sandbox style="width:100%;max-width:820px;height:900px;border:1px solid #ccc"></iframe>',
            reverse("admin:circularity_compliancereport_preview", args=[report.pk]),
        )

    # --- views -----------------------------------------------------------------------------

    def get_urls(self):
        def view(function, name):
            return path(
                f"<int:pk>/{name}/", self.admin_site.admin_view(function), name=f"circularity_compliancereport_{name}"
            )

        return [
            view(self.preview_view, "preview"),
            view(self.chart_view, "chart"),
            view(self.csv_view, "csv"),
            view(self.pdf_view, "pdf"),
            *super().get_urls(),
        ]

    def _report(self, request, pk) -> ComplianceReport:
        report = get_object_or_404(ComplianceReport, pk=pk)
        if not self.has_view_permission(request, report):
            raise PermissionDenied
        return report

    def preview_view(self, request, pk):
        """The HTML body as sent, with the chart served from here instead of by Content-ID."""
        report = self._report(request, pk)
        chart_url = reverse("admin:circularity_compliancereport_chart", args=[report.pk])
        response = HttpResponse(report.html.replace(f"cid:{CHART_CID}", chart_url))
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
        return response

    def chart_view(self, request, pk):
        return HttpResponse(bytes(self._report(request, pk).chart_png), content_type="image/png")

    def csv_view(self, request, pk):
        report = self._report(request, pk)
        response = HttpResponse(report.csv, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="figures-{report.label}.csv"'
        return response

    def pdf_view(self, request, pk):
        report = self._report(request, pk)
        response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="compliance-{report.label}.pdf"'
        return response

    # --- actions ---------------------------------------------------------------------------

    @admin.action(description="Re-send the selected reports as stored", permissions=["change"])
    def resend(self, request, queryset):
        self._queue(request, queryset, rebuild=False)

    @admin.action(description="Rebuild from today's data and re-send", permissions=["change"])
    def rebuild_and_resend(self, request, queryset):
        self._queue(request, queryset, rebuild=True)

    def _queue(self, request, queryset, *, rebuild: bool) -> None:
        from ..tasks import send_compliance_report

        labels = []
        for report in queryset.only("period"):
            by = person(f"admin ({request.user.get_username()})")
            # Enqueued when the request's transaction commits (at once outside one), never if it rolls back.
            send_compliance_report.delay_on_commit(month=report.label, resend=True, rebuild=rebuild, by=by)
            labels.append(report.label)
        self.message_user(
            request,
            f"Re-send of {', '.join(labels)} queued; the status here shows when it has gone out.",
            messages.SUCCESS,
        )
