"""Downstream custody (issue 12, SPEC section 9): vendors and their certifications, lots
with their weight tickets, evidence files (append-only, as dispositions are), the centers'
onsite routes, and the dispositions' link to a vendor (``vendor_ref`` here; 0013 fills it
from the free-text names, 0014 makes it the ``vendor``).
"""

import circularity.models.evidence
import circularity.models.vendors
import datetime
import django.core.validators
import django.db.models.deletion
import inventory.moments
from django.conf import settings
from django.db import migrations, models

from assetlife.roles import sync_groups
from inventory.append_only import protect_sql, unprotect_sql


def protect_evidence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(protect_sql("circularity_evidencefile"), params=None)


def unprotect_evidence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(unprotect_sql("circularity_evidencefile"), params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("circularity", "0011_moment_and_target_range_constraints"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Vendor",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.CharField(help_text="Short unique code, e.g. ECOREC-NL.", max_length=32, unique=True)),
                ("name", models.CharField(max_length=200)),
                ("country", models.CharField(blank=True, help_text="ISO 3166-1 alpha-2 country code.", max_length=2)),
                (
                    "routes",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="The routes it may take (resale, recycle, incineration…; never reuse).",
                        validators=[circularity.models.vendors.validate_downstream_routes],
                    ),
                ),
                (
                    "migrated_from_text",
                    models.BooleanField(
                        default=False,
                        help_text="Created from a free-text vendor name of an earlier disposition; uncertified until someone records its certifications.",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "ordering": ["code"],
            },
        ),
        migrations.AddField(
            model_name="circularcenter",
            name="onsite_routes",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Routes it carries out itself (e.g. recycle where it shreds drives on site): a disposition by one of them may name no vendor.",
                validators=[circularity.models.vendors.validate_downstream_routes],
            ),
        ),
        migrations.CreateModel(
            name="Lot",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "code",
                    models.CharField(help_text="Unique lot code, e.g. AMS-CC-2024-0042.", max_length=32, unique=True),
                ),
                (
                    "route",
                    models.CharField(
                        choices=[
                            ("reuse", "Reuse (back in the fleet)"),
                            ("resale", "Resale"),
                            ("recycle", "Recycle"),
                            ("incineration_energy_recovery", "Incineration with energy recovery"),
                            ("incineration", "Incineration"),
                            ("landfill", "Landfill"),
                        ],
                        max_length=32,
                    ),
                ),
                ("seal_number", models.CharField(blank=True, max_length=64)),
                ("shipped_at", models.DateTimeField(validators=[inventory.moments.validate_moment])),
                (
                    "gross_kg",
                    models.DecimalField(
                        decimal_places=3,
                        help_text="The scale: lot with pallet.",
                        max_digits=12,
                        validators=[django.core.validators.MinValueValidator(0)],
                    ),
                ),
                (
                    "tare_kg",
                    models.DecimalField(
                        decimal_places=3,
                        help_text="The scale: pallet, packaging.",
                        max_digits=12,
                        validators=[django.core.validators.MinValueValidator(0)],
                    ),
                ),
                (
                    "closed_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="When its certificate of recycling or destruction was received.",
                        null=True,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "center",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="lots",
                        to="circularity.circularcenter",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-shipped_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="LotItem",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("added_at", models.DateTimeField(auto_now_add=True)),
                (
                    "disposition",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="lot_item",
                        to="circularity.disposition",
                    ),
                ),
                (
                    "lot",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="items", to="circularity.lot"
                    ),
                ),
            ],
            options={
                "ordering": ["lot", "disposition"],
            },
        ),
        migrations.AddField(
            model_name="lot",
            name="dispositions",
            field=models.ManyToManyField(
                related_name="lots", through="circularity.LotItem", to="circularity.disposition"
            ),
        ),
        migrations.AddField(
            model_name="lot",
            name="vendor",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="lots", to="circularity.vendor"
            ),
        ),
        migrations.AddField(
            model_name="disposition",
            name="vendor_ref",
            field=models.ForeignKey(
                blank=True,
                help_text="Who took it (any route but reuse), unless the center carries the route out itself.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="dispositions",
                to="circularity.vendor",
            ),
        ),
        migrations.CreateModel(
            name="VendorCertification",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "scheme",
                    models.CharField(
                        choices=[
                            ("r2v3", "R2v3"),
                            ("e_stewards", "e-Stewards"),
                            ("iso14001", "ISO 14001"),
                            ("iso45001", "ISO 45001"),
                            ("naid_aaa", "NAID AAA"),
                        ],
                        max_length=16,
                    ),
                ),
                ("certificate_number", models.CharField(max_length=100)),
                ("valid_from", models.DateField()),
                ("valid_until", models.DateField(help_text="The last day it is valid (included).")),
                ("recorded_at", models.DateTimeField(auto_now_add=True)),
                (
                    "vendor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="certifications",
                        to="circularity.vendor",
                    ),
                ),
            ],
            options={
                "ordering": ["vendor__code", "-valid_until", "scheme"],
            },
        ),
        migrations.CreateModel(
            name="EvidenceFile",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("vendor_certification", "Vendor certification"),
                            ("lot_certificate", "Certificate of recycling or destruction (lot)"),
                            ("sanitization_certificate", "Sanitization certificate"),
                        ],
                        max_length=32,
                    ),
                ),
                (
                    "file",
                    models.FileField(
                        max_length=255, storage=circularity.models.evidence.evidence_storage, upload_to="evidence/"
                    ),
                ),
                ("original_name", models.CharField(help_text="The file's name as uploaded.", max_length=255)),
                ("content_type", models.CharField(help_text="Sniffed from its first bytes.", max_length=64)),
                ("size_bytes", models.PositiveBigIntegerField()),
                (
                    "sha256",
                    models.CharField(help_text="Hex SHA-256 of the content, computed on upload.", max_length=64),
                ),
                ("received_at", models.DateTimeField(help_text="When the file was received (uploaded).")),
                (
                    "sanitization",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="evidence",
                        to="circularity.sanitizationrecord",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "lot",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="evidence",
                        to="circularity.lot",
                    ),
                ),
                (
                    "certification",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="evidence",
                        to="circularity.vendorcertification",
                    ),
                ),
            ],
            options={
                "ordering": ["-received_at", "-id"],
            },
        ),
        migrations.AddIndex(
            model_name="lot",
            index=models.Index(fields=["closed_at", "shipped_at"], name="lot_open_idx"),
        ),
        migrations.AddConstraint(
            model_name="lot",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "route__in",
                        ["reuse", "resale", "recycle", "incineration_energy_recovery", "incineration", "landfill"],
                    ),
                    models.Q(("route", "reuse"), _negated=True),
                ),
                name="lot_route_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="lot",
            constraint=models.CheckConstraint(
                condition=models.Q(("tare_kg__gte", 0), ("gross_kg__gte", models.F("tare_kg"))),
                name="lot_gross_over_tare",
            ),
        ),
        migrations.AddConstraint(
            model_name="lot",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("shipped_at__isnull", True),
                    models.Q(
                        ("shipped_at__gte", datetime.datetime(1990, 1, 1, 0, 0, tzinfo=datetime.UTC)),
                        ("shipped_at__lt", datetime.datetime(2101, 1, 1, 0, 0, tzinfo=datetime.UTC)),
                    ),
                    _connector="OR",
                ),
                name="lot_shipped_at_in_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="lot",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("closed_at__isnull", True), ("closed_at__gte", models.F("shipped_at")), _connector="OR"
                ),
                name="lot_closed_after_shipped",
            ),
        ),
        migrations.AddIndex(
            model_name="vendorcertification",
            index=models.Index(fields=["valid_until"], name="vendorcert_valid_until_idx"),
        ),
        migrations.AddConstraint(
            model_name="vendorcertification",
            constraint=models.CheckConstraint(
                condition=models.Q(("scheme__in", ["r2v3", "e_stewards", "iso14001", "iso45001", "naid_aaa"])),
                name="vendorcertification_scheme_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="vendorcertification",
            constraint=models.CheckConstraint(
                condition=models.Q(("valid_until__gte", models.F("valid_from"))),
                name="vendorcertification_until_after_from",
            ),
        ),
        migrations.AddConstraint(
            model_name="vendorcertification",
            constraint=models.UniqueConstraint(
                fields=("vendor", "scheme", "certificate_number", "valid_from"),
                name="vendorcertification_unique_certificate",
            ),
        ),
        migrations.AddConstraint(
            model_name="evidencefile",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("kind__in", ["vendor_certification", "lot_certificate", "sanitization_certificate"])
                ),
                name="evidence_kind_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="evidencefile",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("certification__isnull", False),
                        ("kind", "vendor_certification"),
                        ("lot__isnull", True),
                        ("sanitization__isnull", True),
                    ),
                    models.Q(
                        ("certification__isnull", True),
                        ("kind", "lot_certificate"),
                        ("lot__isnull", False),
                        ("sanitization__isnull", True),
                    ),
                    models.Q(
                        ("certification__isnull", True),
                        ("kind", "sanitization_certificate"),
                        ("lot__isnull", True),
                        ("sanitization__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="evidence_proves_one_thing",
            ),
        ),
        migrations.AddConstraint(
            model_name="evidencefile",
            constraint=models.UniqueConstraint(fields=("file",), name="evidence_unique_file"),
        ),
        migrations.RunPython(protect_evidence, unprotect_evidence),
        migrations.RunPython(sync_groups, migrations.RunPython.noop),
    ]
