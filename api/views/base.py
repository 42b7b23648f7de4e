"""What the viewsets share: lists and details read as rows (``api.selectors``)."""

from __future__ import annotations

from rest_framework.response import Response


class RowsMixin:
    """List and retrieve from ``.values()`` rows, shaped by ``api.selectors``.

    A viewset names ``rows(queryset)`` (the ``.values()`` queryset of its columns) and
    ``shape(rows)`` (the rows as the API answers them); filtering, ordering, scope and
    pagination work on the queryset as usual.
    """

    def rows(self, queryset):
        raise NotImplementedError

    def shape(self, rows) -> list[dict]:
        raise NotImplementedError

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.rows(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(self.shape(page))

    def retrieve(self, request, *args, **kwargs):
        return Response(self.represent(self.get_object()))

    def represent(self, instance) -> dict:
        return self.shape(self.rows(self.get_queryset().model.objects.filter(pk=instance.pk)))[0]
