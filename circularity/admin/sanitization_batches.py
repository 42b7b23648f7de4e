"""Sanitization batches: created through their service's form, then read-only; results appended.

The "add" page names the drives by serial number and draws the sample; a batch's page
shows every drive, which were drawn and their results, and links to the results page,
where a verifier records passed or failed for the sampled drives still awaiting theirs.
A batch lies at its center: a scoped user sees and records those of its centers only.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from inventory.admin.readonly import ReadOnlyAdminMixin
from inventory.admin.scoping import ScopedAdminMixin
from inventory.errors import LifecycleError
from inventory.scopes import scope_for

from .. import sanitization
from ..models import SanitizationBatch
from .base import CircularityAdmin, moment, render_form_page, report_refusals, submitted
from .forms import SampleResultsForm, SanitizationBatchForm

RESULTS_PERMISSION = "circularity.add_sanitizationsampleresult"


@admin.register(SanitizationBatch)
class SanitizationBatchAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, CircularityAdmin):
    list_display = ("code", "center", "method", "performed", "drive_count", "sample_size", "state", "tool")
    list_select_related = ("center",)
    list_filter = ("method", "center")
    date_hierarchy = "performed_at"
    search_fields = ("code", "drives__asset__serial_number", "performed_by", "tool")
    readonly_fields = (
        "code",
        "center",
        "method",
        "performed_at",
        "performed_by",
        "tool",
        "tool_version",
        "verification_method",
        "sample_size",
        "seed",
        "state",
        "sample",
        "recorded_at",
    )

    def get_queryset(self, request):
        return sanitization.with_state(super().get_queryset(request))

    def has_add_permission(self, request):
        return not self._read_only(request) and request.user.has_perm("circularity.add_sanitizationbatch")

    def has_results_permission(self, request) -> bool:
        return not self._read_only(request) and request.user.has_perm(RESULTS_PERMISSION)

    @admin.display(description="Performed", ordering="performed_at")
    def performed(self, batch):
        return moment(batch.performed_at)

    @admin.display(description="Drives", ordering="drive_count")
    def drive_count(self, batch):
        return batch.drive_count

    @admin.display(description="State")
    def state(self, batch):
        return sanitization.state_of(batch.sample_size, batch.result_count, batch.failed_count)

    @admin.display(description="Drives and sample")
    def sample(self, batch):
        outcome = dict(batch.results.values_list("asset_id", "passed"))
        drives = batch.drives.select_related("asset").order_by("asset__serial_number")
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    drive.asset.serial_number,
                    "drawn" if drive.sampled else "",
                    {True: "passed", False: "FAILED", None: "awaiting" if drive.sampled else ""}[
                        outcome.get(drive.asset_id)
                    ],
                )
                for drive in drives
            ),
        )
        link = ""
        if self.state(batch) == sanitization.BatchState.PENDING:
            url = reverse("admin:circularity_sanitizationbatch_results", args=[quote(batch.pk)])
            link = format_html('<p><a class="button" href="{}">Record sample results</a></p>', url)
        return format_html(
            "{}<table><thead><tr><th>Drive</th><th>Sample</th><th>Result</th></tr></thead><tbody>{}</tbody></table>",
            link,
            rows,
        )

    def get_urls(self):
        urls = [
            path(
                "<path:object_id>/results/",
                self.admin_site.admin_view(self.results_view),
                name="circularity_sanitizationbatch_results",
            )
        ]
        return urls + super().get_urls()

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        initial = {"performed_by": request.user.get_full_name() or request.user.get_username()}
        form = SanitizationBatchForm(
            request.POST if submitted(request) else None, initial=initial, scope=scope_for(request)
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                batch = sanitization.sanitization_batch_create(
                    center=data["center"],
                    serial_numbers=data["serial_numbers"],
                    method=data["method"],
                    performed_at=data["performed_at"],
                    performed_by=data["performed_by"],
                    code=data["code"],
                    tool=data["tool"],
                    tool_version=data["tool_version"],
                    verification_method=data["verification_method"],
                    actor=request.user,
                )
            except LifecycleError as error:
                report_refusals(request, [error])
            else:
                self.log_addition(request, batch, f"Recorded; {batch.sample_size} drive(s) drawn for verification.")
                self.message_user(
                    request,
                    f"Batch {batch.code} recorded: verify the {batch.sample_size} drive(s) drawn.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:circularity_sanitizationbatch_change", args=[batch.pk]))
        return render_form_page(
            self,
            request,
            title="Record a sanitization batch",
            form=form,
            submit_label="Record batch and draw the sample",
            intro="NIST SP 800-88 Rev. 2: drives sanitized together are verified by a random sample of 5 % of them "
            "(at least one). The batch counts as verified when every drawn drive passed; one failure blocks every "
            "drive of the batch from leaving until it is sanitized again.",
        )

    def results_view(self, request, object_id):
        batch = get_object_or_404(self.get_queryset(request).select_related("center"), pk=object_id)
        if not self.has_results_permission(request):
            raise PermissionDenied
        done = set(batch.results.values_list("asset__serial_number", flat=True))
        awaiting = [
            serial
            for serial in batch.drives.filter(sampled=True)
            .order_by("asset__serial_number")
            .values_list("asset__serial_number", flat=True)
            if serial not in done
        ]
        initial = {"verified_by": request.user.get_full_name() or request.user.get_username()}
        form = SampleResultsForm(request.POST if submitted(request) else None, initial=initial, awaiting=awaiting)
        if form.is_valid():
            try:
                written = sanitization.sanitization_batch_record_results(
                    batch=batch,
                    results=[sanitization.SampleResult(serial, passed) for serial, passed in form.results()],
                    verified_at=form.cleaned_data["verified_at"],
                    verified_by=form.cleaned_data["verified_by"],
                )
            except LifecycleError as error:
                report_refusals(request, [error])
            else:
                self.log_change(request, batch, f"{len(written)} sample result(s) recorded.")
                state = sanitization.batch_state(batch)
                self.message_user(request, f"Batch {batch.code}: {len(written)} result(s) recorded; it is {state}.")
                return HttpResponseRedirect(reverse("admin:circularity_sanitizationbatch_change", args=[batch.pk]))
        return render_form_page(
            self,
            request,
            title=f"Sample results of batch {batch.code}",
            form=form,
            submit_label="Record results",
            intro="A result is final once recorded. Leave a drive blank to record it later.",
            obj=batch,
        )
