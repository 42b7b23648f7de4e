"""The reference for the asset list: the same page of rows, ``.values()`` and ``JsonResponse``."""

from django.http import JsonResponse

from inventory.models import Asset

FIELDS = (
    "serial_number",
    "asset_tag",
    "part_model_id",
    "part_model__category",
    "part_model__mass_kg",
    "site__code",
    "parent__serial_number",
    "status",
    "deployed_at",
    "decommissioned_at",
)


def bare_assets(request):
    """No authentication, no serializer, no pagination count: the floor the API is held to."""
    page = max(int(request.GET.get("page", 1)), 1)
    rows = list(Asset.objects.order_by("serial_number").values(*FIELDS)[(page - 1) * 100 : page * 100])
    return JsonResponse({"results": rows})
