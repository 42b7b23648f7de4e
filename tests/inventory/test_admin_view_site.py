"""The admin's "View site" link leads somewhere: the dashboard."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_view_site_opens_the_dashboard_not_a_404(admin_client):
    index = admin_client.get(reverse("admin:index"))
    dashboard = reverse("circularity:dashboard")
    assert index.context["site_url"] == dashboard
    assert f'<a href="{dashboard}">' in index.content.decode()
    assert admin_client.get(dashboard).status_code == 200
