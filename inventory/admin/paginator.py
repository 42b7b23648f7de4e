"""A paginator for long admin lists whose rows are joined to other tables.

Django's paginator slices the list's queryset (``OFFSET``), and PostgreSQL builds every row
it skips, joins included: page 300 of the asset list joined 30,000 assets to their part
model, site, center and parent to show 100. ``IdsFirstPaginator`` reads the page's ids
first (the filters and the ordering only), then the page's rows with their joins:
``… WHERE id IN (SELECT id … ORDER BY … LIMIT … OFFSET …)``, one query.
"""

from django.core.paginator import Paginator


class IdsFirstPaginator(Paginator):
    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        page_ids = self.object_list.values("pk")[bottom:top]
        return self._get_page(self.object_list.filter(pk__in=page_ids), number, self)
