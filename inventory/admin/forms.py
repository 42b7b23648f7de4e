"""The forms of the inventory admin: input handling only; the rules live in the services."""

from django import forms
from django.contrib.admin import widgets
from django.utils import timezone
from django.utils.text import capfirst

from .. import moments
from ..choices import (
    Category,
    FocusMaterial,
    Status,
    default_data_bearing,
    default_focus_materials,
    default_hazardous,
)
from ..errors import MomentRefused
from ..imports import COLUMNS
from ..models import Asset, PartModel
from ..registration import REGISTRATION_STATUSES
from ..scopes import IDENTITIES, taken_identities, taken_message

DATA_BEARING_DEFAULT, DATA_BEARING_YES, DATA_BEARING_NO = "default", "yes", "no"
_DATA_BEARING_BY_DEFAULT = ", ".join(str(Category(c).label) for c in Category.values if default_data_bearing(c))
_HAZARDOUS_BY_DEFAULT = ", ".join(str(Category(c).label) for c in Category.values if default_hazardous(c))
_FOCUS_BY_DEFAULT = "; ".join(
    f"{Category(c).label}: {', '.join(str(FocusMaterial(m).label) for m in default_focus_materials(c))}"
    for c in Category.values
    if default_focus_materials(c)
)


def this_minute():
    return timezone.localtime().replace(second=0, microsecond=0)


class MomentField(forms.SplitDateTimeField):
    """A moment a person types (a date and a time, read in the admin's ``TIME_ZONE``).

    Judged by the one rule of a moment (``inventory.moments``): from 1990-01-01T00:00Z to
    five minutes after now. Every moment field of the admin's own forms is one of these;
    the model forms' moment fields carry the same rule as the models' validators.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", widgets.AdminSplitDateTime)
        kwargs.setdefault("initial", this_minute)
        super().__init__(**kwargs)

    def clean(self, value):
        moment = super().clean(value)
        if moment is None:
            return None
        try:
            return moments.check_moment(moment, field="value")
        except MomentRefused as refused:
            raise forms.ValidationError(refused.sentence, code=refused.code) from None


class PartModelForm(forms.ModelForm):
    """Lets ``data_bearing`` and ``hazardous`` follow the category unless the user says
    otherwise; a new part model with no focus material ticked takes its category's."""

    data_bearing = forms.ChoiceField(
        choices=[
            (DATA_BEARING_DEFAULT, f"Default for the category ({_DATA_BEARING_BY_DEFAULT}: yes; others: no)"),
            (DATA_BEARING_YES, "Yes: holds customer data"),
            (DATA_BEARING_NO, "No: holds no customer data"),
        ],
        initial=DATA_BEARING_DEFAULT,
        help_text=PartModel._meta.get_field("data_bearing").help_text
        + " Say yes for, e.g., a server with soldered flash.",
    )
    hazardous = forms.ChoiceField(
        choices=[
            (DATA_BEARING_DEFAULT, f"Default for the category ({_HAZARDOUS_BY_DEFAULT}: yes; others: no)"),
            (DATA_BEARING_YES, "Yes: hazardous waste when discarded"),
            (DATA_BEARING_NO, "No: non-hazardous waste"),
        ],
        initial=DATA_BEARING_DEFAULT,
        required=False,
        help_text=PartModel._meta.get_field("hazardous").help_text
        + " Say yes for, e.g., a server with a built-in battery pack.",
    )
    focus_materials = forms.MultipleChoiceField(
        choices=FocusMaterial.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=f"R2v3 focus materials it contains. A new part model with none ticked takes its category's "
        f"({_FOCUS_BY_DEFAULT}).",
    )

    class Meta:
        model = PartModel
        fields = [
            "manufacturer",
            "model_number",
            "category",
            "mass_kg",
            "data_bearing",
            "embodied_kgco2e",
            "hazardous",
            "focus_materials",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk is not None and instance.data_bearing != default_data_bearing(instance.category):
            self.initial["data_bearing"] = DATA_BEARING_YES if instance.data_bearing else DATA_BEARING_NO
        else:
            self.initial["data_bearing"] = DATA_BEARING_DEFAULT
        if instance.pk is not None and instance.hazardous != default_hazardous(instance.category):
            self.initial["hazardous"] = DATA_BEARING_YES if instance.hazardous else DATA_BEARING_NO
        else:
            self.initial["hazardous"] = DATA_BEARING_DEFAULT

    def clean(self):
        cleaned = super().clean()
        category = cleaned.get("category", "")
        for field, default in (("data_bearing", default_data_bearing), ("hazardous", default_hazardous)):
            choice = cleaned.get(field)
            if choice in (DATA_BEARING_DEFAULT, ""):
                cleaned[field] = default(category)
            elif choice is not None:
                cleaned[field] = choice == DATA_BEARING_YES
        if self.instance.pk is None and not cleaned.get("focus_materials"):
            cleaned["focus_materials"] = default_focus_materials(category)
        return cleaned


class AssetIdentityForm(forms.ModelForm):
    """An asset's serial number and asset tag: unique across the organisation.

    One held by an asset outside the user's scope (``scope``, set by the admin for the
    request) is "not available", and nothing more is said of that asset.
    """

    scope = None

    def _get_validation_exclusions(self):
        # Django's own uniqueness messages would not know the scope: checked in clean().
        return {*super()._get_validation_exclusions(), *IDENTITIES}

    def clean(self):
        cleaned = super().clean()
        for field in IDENTITIES:
            value = cleaned.get(field)
            if field not in self.fields or not value or self.has_error(field):
                continue
            taken = taken_identities(field, [value], self.scope, exclude_pk=self.instance.pk)
            if value in taken:
                self.add_error(field, capfirst(taken_message(field, value, taken[value])) + ".")
        return cleaned


class AssetAddForm(AssetIdentityForm):
    """A new asset: it enters the fleet in stock or deployed, installed in nothing."""

    status = forms.ChoiceField(
        choices=[(status.value, status.label) for status in REGISTRATION_STATUSES],
        initial=Status.IN_STOCK,
        help_text="A new asset starts in stock or deployed; later changes go through the lifecycle actions.",
    )

    class Meta:
        model = Asset
        fields = ["serial_number", "asset_tag", "part_model", "site", "status", "deployed_at"]


class _LifecycleForm(forms.Form):
    """What every lifecycle action asks: when it happened, and why."""

    occurred_at = MomentField(help_text="When it happened in the data center.")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), required=False)


# The states an admin action moves assets to. Dispositions (resold, recycled, disposed, and
# reuse back in stock) belong to the circular centers; shipping (in_transit) to shipments.
ACTION_TARGETS = (Status.DEPLOYED, Status.DECOMMISSIONED, Status.AT_CIRCULAR_CENTER, Status.MISSING, Status.IN_STOCK)


class TransitionForm(_LifecycleForm):
    to = forms.ChoiceField(
        label="New state",
        choices=[(status.value, status.label) for status in ACTION_TARGETS],
        help_text="In stock: only for a missing asset found again in stock. Ship and dispose through the "
        "circular-center pages.",
    )
    center = forms.ModelChoiceField(
        # The inventory imports nothing of the circularity app: take the model from the field.
        queryset=Asset._meta.get_field("center").related_model.objects.all(),
        required=False,
        label="Circular center",
        help_text="Where the assets arrive; required for “At circular center”.",
    )
    field_order = ["to", "center", "occurred_at", "note"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("to") == Status.AT_CIRCULAR_CENTER and cleaned.get("center") is None:
            self.add_error("center", "Name the circular center the assets arrive at.")
        return cleaned


class RemoveForm(_LifecycleForm):
    pass


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8, with a header row. Columns: " + ", ".join(COLUMNS) + ".",
    )
