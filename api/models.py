"""Who may see which assets through the API: an access scope per user.

A user without an ``AccessScope`` sees everything their model permissions allow. A user
with one sees, and may write, only the assets at its sites or circular centers (and the
events, sanitizations, dispositions and shipments that belong to them); anything else is
answered as if it did not exist (404), so a scope never reveals what lies outside it.
"""

from django.conf import settings
from django.db import models

from circularity.models import CircularCenter
from inventory.models import Site


class AccessScope(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_scope")
    sites = models.ManyToManyField(
        Site, blank=True, related_name="access_scopes", help_text="Assets at these sites are visible."
    )
    centers = models.ManyToManyField(
        CircularCenter,
        blank=True,
        related_name="access_scopes",
        help_text="Assets held at these circular centers are visible.",
    )
    note = models.CharField(max_length=200, blank=True, help_text="Why this user is limited (e.g. vendor portal).")

    class Meta:
        verbose_name = "API access scope"
        ordering = ["user__username"]

    def __str__(self):
        return f"Scope of {self.user}"
