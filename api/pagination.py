"""Page-number pagination with a bounded page size, and cursor pagination for events and assets.

Pages do not count the whole result by default: on a fleet of a million assets a
``COUNT(*)`` costs more than the page itself. A page reads one row more than it shows to
know whether there is a next page; ``?count=true`` adds the exact ``count`` for a caller
that needs it. Events are many and keep arriving: a cursor stays stable while new rows
are written.

Assets are read either way (``AssetPagination``): by page number, the page's ids are found
first and only those rows are then joined and given their components (a page deep in the
list used to compute them for every row it skipped); by cursor (``?cursor=``, then the
``next`` links), each page starts where the last ended, at the same cost at any depth.
"""

from __future__ import annotations

from django.utils.encoding import force_str
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

# Pages past this would skip more rows than any table holds (and overflow OFFSET's bigint).
MAX_PAGE_NUMBER = 10**9


class PageNumberPagination(pagination.BasePagination):
    page_size = 100
    max_page_size = 1000
    page_query_param = "page"
    page_size_query_param = "page_size"
    count_query_param = "count"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self._page_size(request)
        self.page = self._page_number(request)
        offset = (self.page - 1) * self.page_size
        rows = self.rows(queryset, offset, self.page_size + 1)
        self.has_next = len(rows) > self.page_size
        self.count = queryset.count() if wants_count(request, self.count_query_param) else None
        return rows[: self.page_size]

    def rows(self, queryset, offset: int, limit: int) -> list:
        return list(queryset[offset : offset + limit])

    def _page_size(self, request) -> int:
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        size = _whole_number(value)
        if size < 1:
            raise ValidationError({self.page_size_query_param: [f"Use a whole number from 1 to {self.max_page_size}."]})
        return min(size, self.max_page_size)

    def _page_number(self, request) -> int:
        number = _whole_number(request.query_params.get(self.page_query_param, "1"))
        if not 1 <= number <= MAX_PAGE_NUMBER:
            raise ValidationError({self.page_query_param: [f"Use a page number from 1 to {MAX_PAGE_NUMBER:,}."]})
        return number

    def _link(self, page: int | None) -> str | None:
        if page is None:
            return None
        url = self.request.build_absolute_uri()
        if page == 1:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, page)

    def get_paginated_response(self, data):
        body = {
            "next": self._link(self.page + 1 if self.has_next else None),
            "previous": self._link(self.page - 1 if self.page > 1 else None),
            "results": data,
        }
        if self.count is not None:
            body = {"count": self.count, **body}
        return Response(body)

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "count": {"type": "integer", "description": "Only with ?count=true."},
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        def parameter(name, description, **schema):
            return {
                "name": name,
                "required": False,
                "in": "query",
                "description": force_str(description),
                "schema": schema,
            }

        return [
            parameter(self.page_query_param, "Page number.", type="integer", minimum=1, maximum=MAX_PAGE_NUMBER),
            parameter(
                self.page_size_query_param,
                f"Rows per page (default {self.page_size}; a larger size than {self.max_page_size} is capped).",
                type="integer",
                minimum=1,
                maximum=MAX_WHOLE_NUMBER,
            ),
            parameter(
                self.count_query_param, "true: add the exact count of matching rows (costs a COUNT).", type="boolean"
            ),
        ]


MAX_WHOLE_NUMBER = 10**12 - 1  # the most digits a page or a page size is read with


def _whole_number(text: str) -> int:
    """A page or size as written (digits, at most 12 of them); 0 for anything else."""
    text = text.strip()
    return int(text) if text.isdecimal() and text.isascii() and len(text) <= 12 else 0


TRUE, FALSE = frozenset({"true", "1", "yes", "on"}), frozenset({"false", "0", "no", "off", ""})


def wants_count(request, name: str) -> bool:
    """``?count=true``; anything but a boolean is a 400, not silently "no"."""
    value = request.query_params.get(name, "").strip().lower()
    if value not in TRUE | FALSE:
        raise ValidationError({name: [f"{value!r} is not a boolean: use true or false."]})
    return value in TRUE


class IdsFirstPageNumberPagination(PageNumberPagination):
    """Pages of rows that are costly to build (joins, a subquery per row).

    ``OFFSET`` makes PostgreSQL build every row it skips: page 300 of the asset list
    joined and aggregated 30,000 rows to show 100. So it is given the filtered model
    queryset, reads the page's keys first (the filters and the ordering only), and has the
    view build its rows (``view.rows(queryset)``, see ``api.views.base.RowsMixin``) for
    those keys alone: one query, ``… WHERE id IN (SELECT id … ORDER BY … LIMIT … OFFSET …)``.

    Ordered by a unique column of ``unique_keys`` alone (the asset list's default, by serial
    number), that column is the key: its index then answers the skipped rows by itself
    (an index-only scan wherever the table is vacuumed), without visiting the table.
    """

    unique_keys: frozenset[str] = frozenset()

    def paginate_queryset(self, queryset, request, view=None):
        self.view = view
        return super().paginate_queryset(queryset, request, view)

    def rows(self, queryset, offset: int, limit: int) -> list:
        key = self.key(queryset)
        page_keys = queryset.values(key)[offset : offset + limit]
        return list(self.view.rows(queryset.filter(**{f"{key}__in": page_keys})))

    def key(self, queryset) -> str:
        ordering = queryset.query.order_by
        if len(ordering) == 1 and str(ordering[0]).lstrip("-") in self.unique_keys:
            return str(ordering[0]).lstrip("-")
        return "pk"


class AssetPageNumberPagination(IdsFirstPageNumberPagination):
    unique_keys = frozenset({"serial_number"})


class AssetCursorPagination(pagination.CursorPagination):
    """Assets by serial number (unique, indexed): ``?ordering=-serial_number`` reads backwards."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = ("serial_number",)

    def get_ordering(self, request, queryset, view):
        requested = request.query_params.get("ordering", "") or "serial_number"
        if requested not in ("serial_number", "-serial_number"):
            raise ValidationError(
                {
                    "ordering": [
                        "Cursor pages are ordered by serial_number or -serial_number; "
                        "for any other order, use page numbers (leave out cursor)."
                    ]
                }
            )
        return (requested,)


class AssetPagination(pagination.BasePagination):
    """Page numbers (``?page=``) by default; a cursor when the request names one (``?cursor=``).

    A client that walks the whole fleet starts with ``?cursor=`` (empty) and follows
    ``next``: every page costs the same. Page numbers suit people and short lists: they
    can jump to a page and order by any field, and cost a little more the deeper they go.
    """

    def __init__(self):
        self.by_page = AssetPageNumberPagination()
        self.by_cursor = AssetCursorPagination()
        self.active = self.by_page

    def paginate_queryset(self, queryset, request, view=None):
        """``queryset``: the filtered assets; the page's rows are built by ``view.rows``."""
        if self.by_cursor.cursor_query_param in request.query_params:
            self.active = self.by_cursor
            return self.active.paginate_queryset(view.rows(queryset), request, view)
        self.active = self.by_page
        return self.active.paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        return self.active.get_paginated_response(data)

    def get_paginated_response_schema(self, schema):
        return self.by_page.get_paginated_response_schema(schema)

    def get_schema_operation_parameters(self, view):
        cursor = {
            "name": self.by_cursor.cursor_query_param,
            "required": False,
            "in": "query",
            "description": "Cursor pagination: empty for the first page, then the value in `next`. "
            "Ordered by serial_number (or -serial_number); page and count are ignored.",
            "schema": {"type": "string"},
        }
        return [*self.by_page.get_schema_operation_parameters(view), cursor]


class EventCursorPagination(pagination.CursorPagination):
    """Newest first by default; ``?ordering=id`` reads the feed in the order it was written."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = ("-occurred_at", "-id")


class HistoryCursorPagination(EventCursorPagination):
    """One asset's history, oldest first: it reads as the story of the asset."""

    ordering = ("occurred_at", "id")

    def get_ordering(self, request, queryset, view):
        # Served by the assets endpoint, whose ``?ordering=`` names asset fields.
        return self.ordering
